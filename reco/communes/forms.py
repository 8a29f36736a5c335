"""The choice of a commune on a form, offered when what was typed matches several communes or none."""
from __future__ import annotations

from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from reco.communes.entry import choice_labels
from reco.communes.registry import CommuneNotFound
from reco.extensions import db


class CommuneChoiceField(RadioField):
    """The INSEE code of the commune meant: chosen among the communes offered, never typed."""

    def __init__(self, label=_l("Which commune?"), **kwargs):
        super().__init__(label, choices=[], validate_choice=False, validators=[Optional()], **kwargs)


def offer_communes(field: CommuneChoiceField, refusal: CommuneNotFound) -> None:
    """Offer the communes one may choose after the refusal as the field's choices, none ticked yet."""
    communes = getattr(refusal, "choices", refusal.candidates)
    with db.session.no_autoflush:  # the object refused may be half-changed until the refusal rolls it back
        field.choices = [SelectChoice(code, label) for code, label in choice_labels(communes)]
    field.data = None


@contextmanager
def communes_offered(field: CommuneChoiceField):
    """Run a form's action; when the registry refuses its commune, offer the candidates on ``field`` and refuse."""
    try:
        yield
    except CommuneNotFound as refusal:
        offer_communes(field, refusal)
        raise
