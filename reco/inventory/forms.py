"""Forms for receiving devices."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from reco.core.forms import MultiCheckboxField
from reco.inventory.vocabulary import ACCESSORY_LABELS, INTERFACE_LABELS, TYPE_LABELS


class DriveForm(FlaskForm):
    """A drive seen at intake."""

    class Meta:
        csrf = False

    serial = StringField(_l("Drive serial"), validators=[Optional(), Length(max=80)])
    model = StringField(_l("Drive model"), validators=[Optional(), Length(max=120)])
    capacity_gb = StringField(_l("Capacity (GB)"), validators=[Optional(), Length(max=12)])
    interface = SelectField(_l("Interface"), validate_choice=False, default="", choices=lambda: [
        SelectChoice("", _l("Unknown"))] + [SelectChoice(k.value, label) for k, label in INTERFACE_LABELS.items()])


class IntakeForm(FlaskForm):
    """Receive one device: what was scanned, what it is, what came with it."""

    type = SelectField(_l("Type"), choices=lambda: [SelectChoice(k.value, label) for k, label in TYPE_LABELS.items()])
    brand = StringField(_l("Brand"), validators=[Optional(), Length(max=80)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=120)])
    serial = StringField(_l("Serial number"), validators=[Optional(), Length(max=80)])
    donor_tag = StringField(_l("Donor's asset tag"), validators=[Optional(), Length(max=80)])
    weight_kg = StringField(_l("Weight (kg)"), validators=[Optional(), Length(max=10)])
    accessories = MultiCheckboxField(_l("Received with it"), choices=lambda: [
        SelectChoice(k.value, label) for k, label in ACCESSORY_LABELS.items()])
    drives = FieldList(FormField(DriveForm), min_entries=2, max_entries=8)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
