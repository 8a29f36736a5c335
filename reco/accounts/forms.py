"""Forms for logging in, one's own account, and the administration of accounts."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from reco.accounts.labels import KIND_LABELS, ROLE_LABELS
from reco.accounts.models import Role
from reco.accounts.services import PASSWORD_MIN_LENGTH
from reco.communes.forms import CommuneChoiceField
from reco.core.forms import MultiCheckboxField, RecoForm


def role_choices():
    """Return the roles with their names in the user's language."""
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


LOCALE_CHOICES = [SelectChoice("", _l("Browser language")), SelectChoice("fr", "Français"),
                  SelectChoice("en", "English")]


class LoginForm(RecoForm):
    """Log in with email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Give your email address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Give your password.")),
                                                         Length(max=200)])


class PasswordForm(RecoForm):
    """Change one's own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=200)],
        description=_l("At least %(n)d characters. A short sentence is easy to remember.", n=PASSWORD_MIN_LENGTH),
    )
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", _l("The two new passwords are not the same."))])


class PreferencesForm(RecoForm):
    """Choose one's language."""

    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)


class TokenForm(RecoForm):
    """Create an API token for a bench script."""

    label = StringField(_l("What is it for?"), validators=[Optional(), Length(max=80)],
                        description=_l("For example: bench 2 diagnosis script."))
    scope = RadioField(_l("Access"), default="full", choices=[
        SelectChoice("full", _l("Full access: everything your account may do")),
        SelectChoice("bench", _l("Workshop station (bench): only the workbench"))],
        description=_l("A bench token can only look devices up, receive them, send their hardware reports and erasure "
                       "logs and print their labels: a lost USB stick exposes nothing else."))


class StructureForm(RecoForm):
    """Create or edit a structure."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kinds = MultiCheckboxField(_l("Kinds"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                               description=_l("A structure can be several kinds at once."))
    address = StringField(_l("Street address (optional)"), validators=[Optional(), Length(max=200)],
                          description=_l("Printed on the documents the structure issues, e.g. 12 rue de Brest."))
    postcode = StringField(_l("Postcode (optional)"), validators=[Optional(), Length(max=5)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=30)],
                        description=_l("Shown to the mediator of a visit the structure prescribed, when the family "
                                       "does not answer."))
    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=120)],
                          description=_l("Its name: Reco finds the commune from the postcode and the name."))
    insee_code = CommuneChoiceField()
    siret = StringField(_l("SIRET (optional)"), validators=[Optional(), Length(max=20)])
    tag_prefix = StringField(_l("Asset-tag prefix (workshops)"), validators=[Optional(), Length(max=5)],
                             description=_l("2 to 5 capital letters printed before the number on labels, e.g. INF."))
    sanitization_needs_validation = BooleanField(
        _l("Workshops: a supervisor validates each drive sanitization before it counts"))
    min_ram_gb = IntegerField(_l("Workshops: least RAM offered to a household (GB)"), validators=[Optional()],
                              description=_l("Ready devices with less are not proposed for prescriptions. "
                                             "Empty: no minimum."))
    min_storage_gb = IntegerField(_l("Workshops: least storage offered to a household (GB)"),
                                  validators=[Optional()])
    warranty_months = IntegerField(_l("Workshops: warranty given with a device (months)"), default=6,
                                   validators=[Optional()])
    support_contact = StringField(_l("Workshops: support contact for families"),
                                  validators=[Optional(), Length(max=200)],
                                  description=_l("Phone and email printed on the handover receipt."))
    usual_installer_id = SelectField(_l("Workshops: usual installation partner"), coerce=int, default=0,
                                     validators=[Optional()],
                                     description=_l("Offered first when a visit is asked for a reserved device."))
    prescribers_request_visits = BooleanField(_l("Workshops: prescribers may ask for the installation visit "
                                                 "themselves"))
    usual_workshop_id = SelectField(_l("Prescribers: usual workshop"), coerce=int, default=0, validators=[Optional()],
                                    description=_l("Offered first when its social workers write a prescription."))


class UserForm(RecoForm):
    """Create or edit an account."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    structure_id = SelectField(_l("Structure"), coerce=int)
    role = SelectField(_l("Role"), choices=role_choices)
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(max=200)],
                             description=_l("At least %(n)d characters; give it to the person, who can change it.",
                                            n=PASSWORD_MIN_LENGTH))
