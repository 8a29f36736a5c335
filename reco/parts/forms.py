"""Forms of the parts bank."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from reco.core.forms import RecoForm
from reco.parts.models import ATTRIBUTES, PartCategory
from reco.parts.vocabulary import ATTRIBUTE_LABELS, CONDITION_LABELS, PART_CATEGORY_LABELS


def _choices(labels: dict) -> list[SelectChoice]:
    """Return select choices from a vocabulary."""
    return [SelectChoice(key.value, label) for key, label in labels.items()]


def _quantity(label=_l("Quantity")) -> IntegerField:
    """Return a field for a number of units."""
    return IntegerField(label, default=1, validators=[InputRequired(_l("Give a number of units.")),
                                                      NumberRange(min=1, max=100_000)])


class PartTypeForm(RecoForm):
    """Add a part type to the shared catalogue."""

    category = SelectField(_l("Category"), choices=_choices(PART_CATEGORY_LABELS))
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)],
                       description=_l("As people ask for it, e.g. « RAM DDR3L SO-DIMM 4 Go »."))
    compatible_models = TextAreaField(_l("Compatible models (optional)"), validators=[Optional(), Length(max=2000)])


ATTRIBUTE_NAMES = sorted({name for names in ATTRIBUTES.values() for name in names})
for _attribute in ATTRIBUTE_NAMES:
    setattr(PartTypeForm, f"attr_{_attribute}", StringField(ATTRIBUTE_LABELS[_attribute],
                                                            validators=[Optional(), Length(max=60)]))


class AddStockForm(RecoForm):
    """Put parts into the workshop's stock."""

    part_type_id = SelectField(_l("Part"), coerce=int)
    quantity = _quantity()
    condition = SelectField(_l("Condition"), choices=_choices(CONDITION_LABELS), default="untested")
    location_id = SelectField(_l("Place (bin, shelf)"), coerce=int, default=0, validators=[Optional()])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)],
                       description=_l("For example: from the donation of Armor Conseil."))


class TakeStockForm(RecoForm):
    """Take parts out of the stock: discarded, or a count of the shelf."""

    quantity = IntegerField(_l("Units"), validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


class MoveStockForm(RecoForm):
    """Move parts from one place of the workshop to another."""

    quantity = _quantity(_l("Units"))
    location_id = SelectField(_l("To"), coerce=int, default=0, validators=[Optional()])


class UsePartForm(RecoForm):
    """Use a part of the stock in a repair."""

    level_id = SelectField(_l("Part from the stock"), coerce=int)
    quantity = _quantity()


class InstallDriveForm(RecoForm):
    """Put a drive of the bank into the device being repaired."""

    serial = StringField(_l("Serial number of the drive"), validators=[InputRequired(), Length(max=80)])


class AskForm(RecoForm):
    """Ask another workshop for parts it has available."""

    quantity = _quantity()
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


class ReceiveForm(RecoForm):
    """Receive parts sent by another workshop."""

    location_id = SelectField(_l("Put them in"), coerce=int, default=0, validators=[Optional()])


class CloseRequestForm(RecoForm):
    """Decline or cancel a request."""

    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class HarvestLineForm(Form):
    """Parts of one type taken out of a device."""

    part_type_id = SelectField(_l("Part"), coerce=int, default=0, validators=[Optional()])
    quantity = IntegerField(_l("Units"), validators=[Optional(), NumberRange(min=1, max=100)])
    condition = SelectField(_l("Condition"), choices=_choices(CONDITION_LABELS), default="untested")


class HarvestForm(RecoForm):
    """What was taken out of a dismantled device, into the parts bank."""

    lines = FieldList(FormField(HarvestLineForm), min_entries=5, max_entries=20)
    location_id = SelectField(_l("Put them in (bin, shelf)"), coerce=int, default=0, validators=[Optional()])
    drives_to_bank = BooleanField(_l("Put its drives in the parts bank (they keep their sanitization status)"),
                                  default=True)
    parts = TextAreaField(_l("Other parts taken out, one per line (not stocked)"),
                          validators=[Optional(), Length(max=5000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


CATEGORY_FILTER = [SelectChoice("", "—")] + [SelectChoice(c.value, PART_CATEGORY_LABELS[c]) for c in PartCategory]
