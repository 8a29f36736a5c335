"""Form of the impact factors."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from reco.core.forms import RecoForm
from reco.inventory.vocabulary import TYPE_LABELS


class FactorForm(RecoForm):
    """The factors of one type of device."""

    device_type = SelectField(_l("Type of device"), choices=[SelectChoice(k.value, v) for k, v in TYPE_LABELS.items()])
    weight_kg = StringField(_l("Weight counted when not weighed (kg)"), validators=[InputRequired(), Length(max=12)])
    manufacture_co2e_kg = StringField(_l("CO2e to manufacture a new one (kg)"),
                                      validators=[InputRequired(), Length(max=12)])
    avoided_co2e_kg_per_year = StringField(_l("CO2e a reused one avoids per year of use (kg)"),
                                           validators=[InputRequired(), Length(max=12)])
    years_of_use = StringField(_l("Years of use counted"), validators=[InputRequired(), Length(max=6)])
    source = StringField(_l("Source"), validators=[Optional(), Length(max=300)])
