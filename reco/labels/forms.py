"""The print form: which labels, on which format, how many."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from reco.core.forms import RecoForm
from reco.labels.formats import load_formats
from reco.labels.printing import MAX_COPIES
from reco.labels.sending import BROTHER_MODELS, DEFAULT_PORT, KIND_LABELS


def format_choices() -> list[SelectChoice]:
    """Return the usable label formats."""
    formats, _problems = load_formats()
    return [SelectChoice(key, fmt.name) for key, fmt in formats.items()]


class PrintForm(RecoForm):
    """Print labels."""

    codes = TextAreaField(_l("Codes to print, one per line"), validators=[DataRequired(_l("Give at least one code."))],
                          render_kw={"data-scan": True})
    format = SelectField(_l("Label format"), choices=format_choices)
    copies = IntegerField(_l("Copies of each label"), default=1, validators=[NumberRange(1, MAX_COPIES)])
    skip = IntegerField(_l("Labels already used on the first sheet"), default=0,
                        validators=[Optional(), NumberRange(0, 200)],
                        description=_l("For a partly used sheet: how many labels to leave blank at the start."))


class LabelPrinterForm(RecoForm):
    """Set up the workshop's label printer, once."""

    kind = RadioField(_l("How labels are printed"), default="none",
                      choices=lambda: [SelectChoice(k, label) for k, label in KIND_LABELS.items()],
                      validators=[InputRequired(_l("Choose how labels are printed."))])
    host = StringField(_l("Brother QL: IP address or host name"), validators=[Optional(), Length(max=253)],
                       description=_l("Shown on the printer's network settings page, e.g. 192.168.1.40."))
    port = IntegerField(_l("Brother QL: port"), default=DEFAULT_PORT,
                        validators=[Optional(), NumberRange(1, 65535, _l("The port is between 1 and 65535."))],
                        description=_l("9100 unless the printer was set otherwise."))
    model = SelectField(_l("Brother QL: model"), choices=[SelectChoice("", "—")]
                        + [SelectChoice(m, m) for m in BROTHER_MODELS], validators=[Optional()])
    queue = StringField(_l("CUPS: queue name"), validators=[Optional(), Length(max=127)],
                        description=_l("The name « lpstat -p » shows on the Reco server, e.g. etiquettes."))
    format = SelectField(_l("Label format loaded in the printer"), choices=lambda: [SelectChoice("", "—")]
                         + format_choices(), validators=[Optional()])
    auto_print = BooleanField(_l("Print the label automatically after each receipt at intake"))
