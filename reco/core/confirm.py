"""The confirmation that actions which cannot be undone are sent with, from the panel that says what will happen."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import DataRequired

#: Why an action posted without its confirmation did nothing.
CONFIRM_FIRST = _l("Nothing was changed: open the action and confirm it with the button that says what will happen.")


def confirm_field() -> BooleanField:
    """Return the field the confirm button fills in; without it the form is refused and nothing changes."""
    return BooleanField(validators=[DataRequired(CONFIRM_FIRST)])
