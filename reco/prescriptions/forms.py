"""Forms of the prescriber's portal and of the workshop's decisions."""
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    MonthField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from reco.communes.forms import CommuneChoiceField
from reco.core.confirm import confirm_field
from reco.core.forms import MultiCheckboxField, RecoForm, SubmissionKeyField
from reco.inventory.models import DeviceType
from reco.inventory.vocabulary import TYPE_LABELS
from reco.core.time import local_today
from reco.prescriptions.models import CHILDREN_FIELDS, REQUEST_GROUNDS, TEXT_LIMITS
from reco.prescriptions.services import MAX_PER_COUNT
from reco.prescriptions.vocabulary import (
    ACCOUNT_LABELS,
    CHILDREN_LABELS,
    DIGITAL_LEVEL_LABELS,
    EQUIPMENT_LABELS,
    ERASURE_GROUND_LABELS,
    FIRST_STEP_LABELS,
    FOLLOW_UP_LABELS,
    INTERNET_LABELS,
    MISSED_KIND_LABELS,
    NEED_LABELS,
    RETURN_KIND_LABELS,
    SLOT_LABELS,
    URGENCY_LABELS,
)


def _choices(labels: dict) -> list[SelectChoice]:
    """Return radio or checkbox choices from a vocabulary."""
    return [SelectChoice(key.value, label) for key, label in labels.items()]


def _count(label) -> IntegerField:
    """Return a head-count field."""
    return IntegerField(label, default=0, validators=[Optional(), NumberRange(min=0, max=MAX_PER_COUNT)])


class PrescriptionForm(RecoForm):
    """The one-page prescription a social worker fills in for a household."""

    workshop_id = SelectField(_l("Workshop providing the device"), coerce=int)
    contact_name = StringField(_l("Person to contact"), validators=[Length(max=TEXT_LIMITS["contact_name"])],
                               description=_l("First name and name of the adult the installer will call."))
    contact_phone = StringField(_l("Phone"), validators=[Length(max=TEXT_LIMITS["contact_phone"])],
                                description=_l("For example 06 12 34 56 78."))
    address = StringField(_l("Address"), validators=[Length(max=TEXT_LIMITS["address"])],
                          description=_l("Number, street, building, floor: what the installer needs to find them."))
    postcode = StringField(_l("Postcode"), validators=[Length(max=TEXT_LIMITS["postcode"])])
    commune = StringField(_l("Commune"), validators=[Length(max=TEXT_LIMITS["commune"])],
                          description=_l("Its name: Reco finds the commune from the postcode and the name."))
    insee_code = CommuneChoiceField()
    qpv = BooleanField(_l("The address is in a priority neighbourhood (QPV)"))
    adults = IntegerField(_l("Adults"), default=1, validators=[Optional(), NumberRange(min=0, max=MAX_PER_COUNT)])
    needs = MultiCheckboxField(_l("What the computer is for"), choices=_choices(NEED_LABELS))
    digital_level = RadioField(_l("The household's ease with computers"), choices=_choices(DIGITAL_LEVEL_LABELS),
                               validators=[Optional()])
    equipment = RadioField(_l("Equipment wanted"), choices=_choices(EQUIPMENT_LABELS), validators=[Optional()])
    internet = RadioField(_l("Internet at home"), choices=_choices(INTERNET_LABELS), validators=[Optional()])
    visit_wanted = BooleanField(_l("An installer should set it up at home"), default=True,
                                description=_l("Otherwise the household fetches it at the workshop."))
    urgency = RadioField(_l("Urgency"), choices=_choices(URGENCY_LABELS), default="normal")
    urgency_reason = StringField(_l("Why is it urgent?"), validators=[Length(max=TEXT_LIMITS["urgency_reason"])],
                                 description=_l("For example: exams in two weeks, job interview, end of rights."))
    comment = TextAreaField(_l("Comment for the workshop"), validators=[Length(max=TEXT_LIMITS["comment"])],
                            description=_l("Do not write any health or social details here: only what helps to "
                                           "choose or install the device."))
    consent = BooleanField(_l("The household agreed that these details be recorded and shared with the workshop "
                              "and the installer, only for its equipment"),
                           validators=[InputRequired(_l("The household's consent is required."))])
    consent_on = DateField(_l("Day the household agreed"), default=date.today, validators=[Optional()])


for _name in CHILDREN_FIELDS:
    setattr(PrescriptionForm, _name, _count(CHILDREN_LABELS[_name]))


class DecisionForm(RecoForm):
    """Accept or decline a submitted prescription: the kind of reason from a list, and a detail if useful."""

    #: A DeclineKind value, checked by the service (the page offers the list).
    reason_kind = StringField(_l("Reason for declining"), validators=[Optional(), Length(max=30)])
    reason = TextAreaField(_l("Detail for the social worker (optional)"), validators=[Optional(), Length(max=1000)])


class ReasonForm(RecoForm):
    """Give a reason for withdrawing, cancelling or releasing, and confirm it with the button that says so."""

    #: The kind of reason (a value of the closed list the page offers), checked by the service.
    reason_kind = StringField(_l("Reason"), validators=[Optional(), Length(max=30)])
    #: The words written about it, kept only on the household's erasable record.
    reason = StringField(_l("Detail"), validators=[Optional(), Length(max=500)])
    confirm = confirm_field()


def _not_in_future(form, field) -> None:
    """Refuse a day after today."""
    if field.data and field.data > local_today():
        raise ValidationError(_l("today or before"))


class EraseForm(RecoForm):
    """Erase a household's personal data at its request: the ground from a list and the day it asked."""

    ground = RadioField(_l("Ground"), choices=[SelectChoice(g.value, ERASURE_GROUND_LABELS[g])
                                               for g in REQUEST_GROUNDS],
                        default=REQUEST_GROUNDS[0].value, validators=[InputRequired(_l("Choose the ground."))])
    requested_on = DateField(_l("Day the household asked"), default=local_today,
                             validators=[InputRequired(_l("Give the day the household asked.")), _not_in_future])
    confirm = BooleanField(_l("I understand that the contact, the address and the comments will be erased for good"),
                           validators=[DataRequired()])


class ReserveForm(RecoForm):
    """Reserve a device by its asset tag (scanned or typed)."""

    tag = StringField(_l("Asset tag"), validators=[InputRequired(_l("Scan or type the asset tag.")),
                                                   Length(max=80)])
    confirm_mismatch = BooleanField(_l("Reserve it anyway"))


class VisitRequestForm(RecoForm):
    """Ask an installer structure for a visit at the household's home."""

    installer_id = SelectField(_l("Installation partner"), coerce=int)
    note = StringField(_l("Note for the installer (optional)"), validators=[Optional(), Length(max=500)],
                       description=_l("Access, best times to call... No health or social details."))


class ScheduleForm(RecoForm):
    """Give a visit its date and time of day."""

    scheduled_on = DateField(_l("Date of the visit"), validators=[InputRequired(_l("Give the date of the visit."))])
    slot = RadioField(_l("Time of day"), choices=_choices(SLOT_LABELS), default="morning")


class MissedForm(RecoForm):
    """Record that the household was not there, and plan again if a date is known."""

    reason_kind = RadioField(_l("What happened"), choices=_choices(MISSED_KIND_LABELS), validators=[Optional()])
    reason = StringField(_l("Detail (optional)"), validators=[Optional(), Length(max=500)],
                         description=_l("Only what the workshop needs to plan again; no personal details."))
    new_date = DateField(_l("New date (if already agreed)"), validators=[Optional()])
    new_slot = RadioField(_l("Time of day"), choices=_choices(SLOT_LABELS), default="morning")
    submission_key = SubmissionKeyField()


class VisitReportForm(RecoForm):
    """The mediator's report at the family's door, or the supervisor's at a handover in the workshop."""

    installed_working = BooleanField(_l("The device is installed and works"))
    internet_connected = BooleanField(_l("The device is connected to the internet"))
    internet_problem = StringField(_l("If not connected, why?"), validators=[Optional(), Length(max=500)],
                                   description=_l("For example: no box at home, Wi-Fi password unknown."))
    accounts = MultiCheckboxField(_l("Accounts set up"), choices=_choices(ACCOUNT_LABELS))
    first_steps = MultiCheckboxField(_l("First steps covered"), choices=_choices(FIRST_STEP_LABELS))
    digital_level = RadioField(_l("The household's ease with computers, as you saw it"),
                               choices=_choices(DIGITAL_LEVEL_LABELS), validators=[Optional()])
    follow_ups = MultiCheckboxField(_l("Follow-up needed"), choices=_choices(FOLLOW_UP_LABELS))
    #: The family's signature drawn on the screen, as a PNG data URL (reco/static/signature.js fills it).
    signature = HiddenField()
    signer_name = StringField(_l("Name of the person who signs"), validators=[Optional(), Length(max=120)],
                              description=_l("The family member who signs on the screen."))
    no_signature_reason = StringField(_l("If the family does not sign, why?"),
                                      validators=[Optional(), Length(max=500)],
                                      description=_l("For example: the family could not sign; the paper receipt "
                                                     "was signed instead."))
    comments = TextAreaField(_l("Comments"), validators=[Optional(), Length(max=5000)],
                             description=_l("No health or social details."))
    submission_key = SubmissionKeyField()


class ReturnForm(RecoForm):
    """Take back a device a family brings back."""

    reason_kind = RadioField(_l("Why does it come back?"), choices=_choices(RETURN_KIND_LABELS),
                             validators=[Optional()])
    reason = StringField(_l("Detail (optional)"), validators=[Optional(), Length(max=500)],
                         description=_l("The fault, for the workbench: e.g. screen flickers. The device's history "
                                        "keeps only the reason chosen above."))
    replacement = BooleanField(_l("The household waits for another device (back on the waiting list)"))


class PartnerLineForm(Form):
    """Families equipped in one commune with one type of device."""

    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=120)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=5)])
    insee_code = CommuneChoiceField()
    device_type = SelectField(_l("Device"), choices=[SelectChoice("", "—")] + [
        SelectChoice(t.value, TYPE_LABELS[t]) for t in DeviceType], validators=[Optional()])
    families = IntegerField(_l("Families equipped"), validators=[Optional()])
    accompanied = IntegerField(_l("Of which accompanied"), validators=[Optional()])


class PartnerReportForm(RecoForm):
    """A partner's report of one month."""

    month = MonthField(_l("Month"), validators=[InputRequired(_l("Give the month reported."))])
    lines = FieldList(FormField(PartnerLineForm), min_entries=8, max_entries=200)
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])
