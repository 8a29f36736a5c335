"""Helpers shared by the forms of every feature."""
import secrets
from contextlib import contextmanager
from functools import cache

from babel.support import NullTranslations, Translations
from flask import flash, has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectMultipleField
from wtforms.i18n import messages_path
from wtforms.utils import unset_value
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from reco.core.errors import DomainError, ValidationFailed
from reco.extensions import db


@cache
def _wtforms_catalogue(locale: str) -> Translations:
    """Return WTForms' own messages in ``locale``, read once per language (Flask-WTF reads them at each request)."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages in the request's language, read when a message is said (as Flask-WTF does), English
    outside a request."""

    @staticmethod
    def _catalogue():
        """Return the catalogue of the request's language."""
        locale = get_locale() if has_request_context() else None
        return NullTranslations() if locale is None else _wtforms_catalogue(str(locale))

    def gettext(self, string: str) -> str:
        """Return ``string`` in the request's language."""
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Return the singular or plural form for ``n`` in the request's language."""
        return self._catalogue().ungettext(singular, plural, n)


_WTFORMS_MESSAGES = _WTFormsMessages()


class RecoForm(FlaskForm):
    """A form of Reco: Flask-WTF's, with WTForms' own messages in the request's language."""

    class Meta:
        def get_translations(self, form):
            """Return WTForms' messages, said in the language of the request."""
            return _WTFORMS_MESSAGES


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes for a multiple choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def show_errors(form, error: ValidationFailed) -> None:
    """Attach a service's validation messages to the form fields they concern."""
    placed = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is None and hasattr(form, f"{name}_id"):
            field = getattr(form, f"{name}_id")
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def form_status(form) -> int:
    """Return 422 when a submitted form has errors to show, else 200."""
    return 422 if form.errors or form.form_errors else 200


@contextmanager
def refusal_on_form(form):
    """Run a full-page form's action; when a rule refuses it, roll back and say why on the form, then go on."""
    try:
        yield
    except ValidationFailed as error:
        db.session.rollback()
        show_errors(form, error)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.message)


def run_small_form(form, action, success: str) -> bool:
    """Validate a small form posted from another page, run ``action``, and say what happened; True when done."""
    if not form.validate_on_submit():
        flash_form_errors(form)
        return False
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    flash(success, "success")
    return True


def flash_form_errors(form) -> None:
    """Show, as a message, why a small form posted from another page was refused."""
    messages = [str(message) for messages in form.errors.values() for message in messages]
    flash(" ".join(messages) or _("The form had expired: send it again."), "error")


class VerifyFileForm(RecoForm):
    """Send the PDF file of a document to check that it is exactly what Reco issued."""

    file = FileField(_l("PDF file of the document"), validators=[FileRequired(_l("Choose the PDF file to check."))])


class SubmissionKeyField(HiddenField):
    """The key a form is recorded once with: a new one on each blank form, the one sent back otherwise."""

    def __init__(self, **kwargs):
        super().__init__(validators=[Optional(), Length(max=64)], **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None):
        """Make a new key for a blank form; keep the sent one (or none) for a form sent."""
        super().process(formdata, data, extra_filters)
        if formdata is None and not self.data:
            self.data = secrets.token_hex(16)
