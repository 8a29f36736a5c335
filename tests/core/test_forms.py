"""The helper that shows a refused full-page form on the form itself."""
import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from reco.accounts.models import Structure
from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import refusal_on_form
from reco.extensions import db


class NameForm(FlaskForm):
    name = StringField()


def _refused(app, error: Exception):
    """Run a block that writes a structure, then raises ``error``; return the form and what ran."""
    ran = []
    with app.test_request_context(method="POST"):
        form = NameForm()
        with refusal_on_form(form):
            db.session.add(Structure(name="Écrit puis refusé", commune="Rennes", insee_code="35238"))
            db.session.flush()
            raise error
            ran.append("after the refusal")  # never runs: the block stops at the refusal
        ran.append("after the block")
        written = db.session.scalar(select(Structure).where(Structure.name == "Écrit puis refusé"))
    return form, ran, written


def test_a_field_refusal_goes_on_its_field_and_nothing_is_written(app):
    form, ran, written = _refused(app, ValidationFailed("Nom invalide.", {"name": ["trop court"]}))
    assert form.name.errors == ["trop court"]
    assert not form.form_errors
    assert ran == ["after the block"]
    assert written is None


def test_a_rule_refusal_goes_above_the_form_and_nothing_is_written(app):
    form, ran, written = _refused(app, DomainError("Cette collecte est close."))
    assert form.form_errors == ["Cette collecte est close."]
    assert not form.name.errors
    assert ran == ["after the block"]
    assert written is None


def test_a_refusal_about_no_field_of_the_form_goes_above_it(app):
    form, _ran, _written = _refused(app, ValidationFailed("Donnée refusée.", {"unknown": ["non"]}))
    assert form.form_errors == ["Donnée refusée."]


def test_other_errors_are_not_hidden(app):
    with app.test_request_context(method="POST"), pytest.raises(ZeroDivisionError):
        with refusal_on_form(NameForm()):
            1 / 0
