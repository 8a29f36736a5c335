"""The helper that shows a refused full-page form on the form itself; WTForms' own messages in the user's language."""
import importlib

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from reco.accounts.models import Structure
from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import RecoForm, refusal_on_form
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


class LengthForm(RecoForm):
    code = StringField(validators=[DataRequired(), Length(max=2)])


@pytest.mark.parametrize("language, messages", [
    ("fr", ["Ce champ est requis.", "Le champ ne peut pas contenir plus de 2 caractères."]),
    ("en", ["This field is required.", "Field cannot be longer than 2 characters."])])
def test_wtforms_own_messages_are_in_the_language_of_the_request(app, language, messages):
    said = []
    for code in ("", "abc"):
        with app.test_request_context(method="POST", data={"code": code}, headers={"Accept-Language": language}):
            form = LengthForm(meta={"csrf": False})
            assert not form.validate()
            said += form.code.errors
    assert said == messages


FORM_MODULES = ("accounts.forms", "donations.forms", "inventory.forms", "inventory.correction_forms", "labels.forms",
                "parts.forms", "prescriptions.forms", "reports.forms")


def test_every_form_of_reco_is_a_reco_form():
    for module in FORM_MODULES:
        importlib.import_module(f"reco.{module}")

    def subclasses(cls):
        return {cls} | {sub for direct in cls.__subclasses__() for sub in subclasses(direct)}

    flask_forms = {cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("reco.")}
    assert flask_forms and all(issubclass(cls, RecoForm) for cls in flask_forms)
