"""Forms of a device's « Correct » page: its identity, voiding it, merging a duplicate into it."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from reco.core.forms import RecoForm
from reco.core.confirm import confirm_field
from reco.inventory.corrections import MAX_REASON
from reco.inventory.vocabulary import TYPE_LABELS

#: The names of the fields a merge fills in on the device kept.
FIELD_LABELS = {
    "brand": _l("Brand"), "model": _l("Model"), "serial": _l("Serial number"), "donor_tag": _l("Donor's asset tag"),
    "weight_kg": _l("Weight (kg)"), "grade": _l("Cosmetic grade"), "cpu": _l("Processor"), "ram_bytes": _l("Memory"),
    "screen_inches": _l("Screen"), "os_name": _l("Operating system"), "has_webcam": _l("Webcam"),
    "battery_health_pct": _l("Battery health"), "notes": _l("Notes"),
}


class CorrectionForm(RecoForm):
    """What was recorded at intake, to correct."""

    type = SelectField(_l("Type"), choices=lambda: [SelectChoice(k.value, label) for k, label in TYPE_LABELS.items()])
    brand = StringField(_l("Brand"), validators=[Optional(), Length(max=80)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=120)])
    serial = StringField(_l("Serial number"), validators=[Optional(), Length(max=80)])
    donor_tag = StringField(_l("Donor's asset tag"), validators=[Optional(), Length(max=80)])


class VoidForm(RecoForm):
    """Void a device received by mistake, saying why."""

    reason = TextAreaField(_l("Why is it voided?"), validators=[
        DataRequired(message=_l("Say why the device is voided.")), Length(max=MAX_REASON)])
    confirm = confirm_field()


class MergeForm(RecoForm):
    """Merge two devices that are one machine: the other one's tag, which one is kept, and the confirmation."""

    other = StringField(_l("Scan or type the other device's tag"), validators=[
        DataRequired(message=_l("Scan or type the other device's tag.")), Length(max=40)])
    keep = RadioField(_l("Device to keep"), default="this", choices=[
        SelectChoice("this", _l("This device")), SelectChoice("other", _l("The other device"))])
    confirm = BooleanField(_l("I have checked: merge them"))
