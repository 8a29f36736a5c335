"""The print form: which labels, on which format, how many."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from reco.labels.formats import load_formats
from reco.labels.printing import MAX_COPIES


def format_choices() -> list[SelectChoice]:
    """Return the usable label formats."""
    formats, _problems = load_formats()
    return [SelectChoice(key, fmt.name) for key, fmt in formats.items()]


class PrintForm(FlaskForm):
    """Print labels."""

    codes = TextAreaField(_l("Tags to print, one per line"), validators=[DataRequired(_l("Give at least one tag."))])
    format = SelectField(_l("Label format"), choices=format_choices)
    copies = IntegerField(_l("Copies of each label"), default=1, validators=[NumberRange(1, MAX_COPIES)])
    skip = IntegerField(_l("Labels already used on the first sheet"), default=0,
                        validators=[Optional(), NumberRange(0, 200)],
                        description=_l("For a partly used sheet: how many labels to leave blank at the start."))
