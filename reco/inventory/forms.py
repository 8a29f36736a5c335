"""Forms of the workbench: intake, diagnosis, sanitization, repairs, exits and locations."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from reco.core.forms import MultiCheckboxField, RecoForm
from reco.inventory.models import Technique
from reco.inventory.vocabulary import (
    ACCESSORY_LABELS,
    BARRIER_LABELS,
    CHECK_LABELS,
    DESTRUCTION_LABELS,
    FAULT_LABELS,
    GRADE_LABELS,
    INTERFACE_LABELS,
    LOCATION_KIND_LABELS,
    REPAIR_STATUS_LABELS,
    RESULT_LABELS,
    TECHNIQUE_LABELS,
    TYPE_LABELS,
    VERIFICATION_LABELS,
)


#: A field a barcode on the machine fills: the camera scan offers itself there.
SCAN = {"data-scan": True}


class DriveForm(RecoForm):
    """A drive seen at intake."""

    class Meta:
        csrf = False

    serial = StringField(_l("Drive serial"), validators=[Optional(), Length(max=80)], render_kw=SCAN)
    model = StringField(_l("Drive model"), validators=[Optional(), Length(max=120)])
    capacity_gb = StringField(_l("Capacity (GB)"), validators=[Optional(), Length(max=12)])
    interface = SelectField(_l("Interface"), validate_choice=False, default="", choices=lambda: [
        SelectChoice("", _l("Unknown"))] + [SelectChoice(k.value, label) for k, label in INTERFACE_LABELS.items()])


class IntakeForm(RecoForm):
    """Receive one device: what was scanned, what it is, what came with it."""

    type = SelectField(_l("Type"), choices=lambda: [SelectChoice(k.value, label) for k, label in TYPE_LABELS.items()])
    brand = StringField(_l("Brand"), validators=[Optional(), Length(max=80)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=120)])
    serial = StringField(_l("Serial number"), validators=[Optional(), Length(max=80)], render_kw=SCAN)
    donor_tag = StringField(_l("Donor's asset tag"), validators=[Optional(), Length(max=80)], render_kw=SCAN)
    weight_kg = StringField(_l("Weight (kg)"), validators=[Optional(), Length(max=10)])
    accessories = MultiCheckboxField(_l("Received with it"), choices=lambda: [
        SelectChoice(k.value, label) for k, label in ACCESSORY_LABELS.items()])
    drives = FieldList(FormField(DriveForm), min_entries=2, max_entries=8)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    #: New at each display of the form: the same form sent twice still receives one device.
    intake_key = HiddenField(validators=[Optional(), Length(max=64)])
    #: Set when the person chose to receive another machine with a code already received.
    again = HiddenField(validators=[Optional(), Length(max=1)])


class ScanReceiveForm(RecoForm):
    """Scan-to-receive: each scan receives the machine of the donor's line it names."""

    code = StringField(_l("Scan the donor's asset tag or the serial number"), validators=[Length(max=128)])
    intake_key = HiddenField(validators=[Optional(), Length(max=64)])


class DiagnosisForm(RecoForm):
    """The diagnosis checklist, faults, grade and specs."""

    grade = SelectField(_l("Cosmetic grade"), validate_choice=False, choices=lambda: [
        SelectChoice("", _l("— not graded yet —"))] + [
        SelectChoice(g.value, label) for g, label in GRADE_LABELS.items()])
    faults = MultiCheckboxField(_l("Faults found (ORDS)"), choices=lambda: [
        SelectChoice(f.value, label) for f, label in FAULT_LABELS.items()])
    cpu = StringField(_l("Processor"), validators=[Optional(), Length(max=120)])
    ram_gb = StringField(_l("Memory (GB)"), validators=[Optional(), Length(max=10)])
    screen_inches = StringField(_l("Screen size (inches)"), validators=[Optional(), Length(max=10)])
    os_name = StringField(_l("Operating system"), validators=[Optional(), Length(max=80)])
    battery_health_pct = StringField(_l("Battery health (%)"), validators=[Optional(), Length(max=5)])
    no_storage = BooleanField(_l("This machine has no storage (no drive at all)"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


def add_check_fields(form_class):
    """Add one ok / faulty / not applicable choice per point of the checklist, unanswered at first."""
    for check, label in CHECK_LABELS.items():
        setattr(form_class, f"check_{check.value}", RadioField(label, validate_choice=False, choices=[
            SelectChoice(r.value, result_label) for r, result_label in RESULT_LABELS.items()]))
    return form_class


add_check_fields(DiagnosisForm)


class FileForm(RecoForm):
    """Send a report or a log file."""

    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])


class HardwareReportForm(FileForm):
    """Send an lshw or smartctl report, with the confirmations a refused report asked for."""

    confirm_serial = BooleanField(_l("This report is for this device (its serial number will be corrected)"))
    distinct_drives = BooleanField(_l("Another physical drive with the same serial (it starts with no "
                                      "sanitization)"))


class ErasureLogForm(RecoForm):
    """Send an nwipe log, or send back (base64) a log without serial whose match the user confirmed."""

    file = FileField(_l("File"))
    content = HiddenField(validators=[Optional(), Length(max=28 * 1024 * 1024)])
    filename = HiddenField(validators=[Optional(), Length(max=200)])
    confirm_anonymised = HiddenField()


class SecureEraseForm(RecoForm):
    """Record a secure erase done with hdparm or nvme-cli."""

    tool = SelectField(_l("Tool"), choices=[SelectChoice("hdparm", "hdparm"), SelectChoice("nvme_cli", "nvme-cli"),
                                            SelectChoice("other", _l("Other"))])
    technique = SelectField(_l("Technique"), choices=lambda: [SelectChoice(t.value, TECHNIQUE_LABELS[t]) for t in (
        Technique.BLOCK_ERASE, Technique.CRYPTO_ERASE, Technique.OVERWRITE)])
    method = StringField(_l("Command or method"), validators=[Optional(), Length(max=80)],
                         description=_l("For example: hdparm --security-erase-enhanced, nvme format --ses=2."))
    verification = SelectField(_l("Verification"), choices=lambda: [
        SelectChoice(v.value, label) for v, label in VERIFICATION_LABELS.items()])
    result = SelectField(_l("Result"), choices=lambda: [
        SelectChoice("success", _l("Success")), SelectChoice("failed", _l("Failed"))])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class DestructionForm(RecoForm):
    """Record the physical destruction of a drive."""

    method = SelectField(_l("How"), choices=lambda: [SelectChoice(m.value, label)
                                                     for m, label in DESTRUCTION_LABELS.items()])
    on = DateField(_l("Date"), validators=[Optional()])
    witness = StringField(_l("Witness"), validators=[Optional(), Length(max=120)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class RepairForm(RecoForm):
    """Open or record a repair."""

    problem = TextAreaField(_l("Problem"), validators=[Optional(), Length(max=5000)])
    fault_type = SelectField(_l("Fault type"), choices=lambda: [SelectChoice(f.value, label)
                                                                for f, label in FAULT_LABELS.items()])
    actions = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=5000)])
    minutes_spent = StringField(_l("Time spent (minutes)"), validators=[Optional(), Length(max=6)])
    status = SelectField(_l("Outcome"), validate_choice=False, choices=lambda: [
        SelectChoice("", _l("Still in progress"))] + [SelectChoice(s.value, label)
                                                       for s, label in REPAIR_STATUS_LABELS.items()])
    barrier = SelectField(_l("Barrier (end of life)"), validate_choice=False, choices=lambda: [
        SelectChoice("", "—")] + [SelectChoice(b.value, label) for b, label in BARRIER_LABELS.items()])
    parts_used = TextAreaField(_l("Parts used"), validators=[Optional(), Length(max=2000)])


class CloseRepairForm(RecoForm):
    """Close an open repair."""

    status = SelectField(_l("Outcome"), choices=lambda: [SelectChoice(s.value, label)
                                                         for s, label in REPAIR_STATUS_LABELS.items()])
    barrier = SelectField(_l("Barrier (end of life)"), validate_choice=False, choices=lambda: [
        SelectChoice("", "—")] + [SelectChoice(b.value, label) for b, label in BARRIER_LABELS.items()])
    actions = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=5000)])
    minutes_spent = StringField(_l("Time spent (minutes)"), validators=[Optional(), Length(max=6)])


class ExitForm(RecoForm):
    """Harvest or recycle a device."""

    parts = TextAreaField(_l("Parts taken out, one per line"), validators=[Optional(), Length(max=5000)])
    weight_kg = StringField(_l("Weight handed over (kg)"), validators=[Optional(), Length(max=10)])
    slip_number = StringField(_l("WEEE slip number"), validators=[Optional(), Length(max=60)])
    on = DateField(_l("Date"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class BatchRecycleForm(RecoForm):
    """Hand a whole scanned list to the WEEE channel: one slip, the weight of them all."""

    weight_kg = StringField(_l("Weight of the whole list handed over (kg)"),
                            validators=[InputRequired(_l("Give the weight of the whole list in kilograms, e.g. 42,5.")),
                                        Length(max=12)],
                            render_kw={"inputmode": "decimal", "autocomplete": "off"})
    slip_number = StringField(_l("WEEE slip number"),
                              validators=[InputRequired(_l("Give the number of the WEEE collection slip.")),
                                          Length(max=60)], render_kw={**SCAN, "autocomplete": "off"})
    on = DateField(_l("Date"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="recycle", **kwargs)


class LocationForm(RecoForm):
    """Create or edit a location."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example: Shelf A, top."))
    kind = SelectField(_l("Kind"), choices=lambda: [SelectChoice(k.value, label)
                                                    for k, label in LOCATION_KIND_LABELS.items()])


class LocationEditForm(LocationForm):
    """Edit a location, or put it out of use."""

    active = BooleanField(_l("In use"), default=True)
