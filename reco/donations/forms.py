"""Forms for donors, donations and inventory imports."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from reco.core.forms import MultiCheckboxField, RecoForm
from reco.donations.vocabulary import KIND_LABELS
from reco.inventory.models import DeviceType
from reco.inventory.vocabulary import TYPE_LABELS


class DonorForm(RecoForm):
    """Create or edit a donor."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(_l("Kind of donor"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    company_number = StringField(_l("SIREN or SIRET"), validators=[Optional(), Length(max=20)],
                                 description=_l("9 digits (SIREN) or 14 digits (SIRET), spaces allowed."))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])


class DonationForm(RecoForm):
    """Plan or edit a collection."""

    planned_date = DateField(_l("Planned pickup date"), validators=[Optional()],
                             description=_l("Leave empty if the donor brings the equipment."))
    pickup_address = StringField(_l("Pickup address"), validators=[Optional(), Length(max=300)])
    declared_value = StringField(_l("Value declared by the donor (€, optional)"),
                                 validators=[Optional(), Length(max=20)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


def add_count_fields(form_class):
    """Add one "declared count" field per device type to a form class."""
    for kind in DeviceType:
        setattr(form_class, f"count_{kind.value}",
                IntegerField(TYPE_LABELS[kind], validators=[Optional(), NumberRange(min=0, max=100000)]))
    return form_class


add_count_fields(DonationForm)


class ImportUploadForm(RecoForm):
    """Send the donor's inventory file."""

    file = FileField(_l("Donor's list (CSV or Excel .xlsx)"), validators=[FileRequired(_l("Choose a file."))])


class ImportConfirmForm(RecoForm):
    """Confirm an import after the preview."""

    allow_duplicates = BooleanField(_l("Import anyway, the repeated serial numbers included"))
    allow_reimport = BooleanField(_l("Import these lines again: they will be declared twice"))


class DeleteLinesForm(RecoForm):
    """Delete lines of the donor's list: the one whose button was pressed, or those ticked."""

    lines = MultiCheckboxField(_l("Lines"), coerce=int, validate_choice=False)
    line = IntegerField(_l("Line"), validators=[Optional()])
