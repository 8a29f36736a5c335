"""The error summary of a page that refused a form: what is wrong, each linked to the field it concerns."""
from dataclasses import dataclass

from flask import Flask
from flask_babel import gettext as _
from jinja2 import pass_context
from wtforms import FieldList, FormField, HiddenField
from wtforms.form import BaseForm
from wtforms.widgets import ListWidget


@dataclass(frozen=True)
class ErrorLink:
    """One line of a page's error summary: what is wrong, and the id of the field to go to (None: the whole form)."""

    message: str
    target: str | None


def error_messages(field) -> list[str]:
    """Return the messages about the field itself (not those of the entries of a list)."""
    return [str(message) for message in field.errors if not isinstance(message, (list, tuple, dict))]


def control_id(field) -> str | None:
    """Return the id of the first control a person fills in for the field, None when it shows none."""
    if isinstance(field, (FormField, FieldList)):
        return next(filter(None, (control_id(sub) for sub in field)), None)
    if isinstance(field, HiddenField):
        return None
    if isinstance(field.widget, ListWidget):
        return f"{field.id}-0" if list(field.iter_choices()) else None
    return field.id


def described_by(field, *more: str | None) -> str:
    """Return the ids an input of the field is described by: ``more``, then its help, then its error."""
    ids = [*more, f"{field.id}-help" if field.description else None, f"{field.id}-error" if error_messages(field)
           else None]
    return " ".join(i for i in ids if i)


def field_attributes(field, attributes: dict) -> dict:
    """Add to an input's HTML attributes what ties it to its help and error, and says it is invalid."""
    attributes = dict(attributes)
    ids = described_by(field, attributes.pop("aria-describedby", None))
    if ids:
        attributes["aria-describedby"] = ids
    if error_messages(field):
        attributes["aria-invalid"] = "true"
    return attributes


def error_summary(forms) -> list[ErrorLink]:
    """List what is wrong on the forms: each one's own messages first, then field by field in their order."""
    links = []
    for form in forms:
        links += [ErrorLink(str(message), None) for message in form.form_errors]
        for field in form:
            links += _field_links(field)
    return links


def _field_links(field, line: int | None = None) -> list[ErrorLink]:
    """List what is wrong with a field (on ``line`` of the list that holds it), and with the fields it holds, each
    linked to its control; labels are translated only for a field with messages."""
    links = []
    messages = error_messages(field)
    if messages:
        target = control_id(field)
        label = str(field.label.text) if line is None else _("%(label)s (line %(n)d)", label=field.label.text, n=line)
        links = [ErrorLink(_("%(key)s: %(value)s", key=label, value=message) if target else message, target)
                 for message in messages]
    if isinstance(field, FieldList):
        for number, entry in enumerate(field, start=1):
            subfields = entry if isinstance(entry, FormField) else [entry]
            links += [link for sub in subfields for link in _field_links(sub, number)]
    elif isinstance(field, FormField):
        links += [link for sub in field for link in _field_links(sub)]
    return links


@pass_context
def refused_form_errors(context) -> list[ErrorLink]:
    """List what is wrong on the forms the page shows (those given to its template), for its error summary."""
    forms, seen = [], set()
    for value in context.get_all().values():
        items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, BaseForm) and id(item) not in seen:
                seen.add(id(item))
                forms.append(item)
    return error_summary(forms)


def init_error_summary(app: Flask) -> None:
    """Give templates what an error summary and the fields it links to need."""
    for function in (error_messages, described_by, field_attributes, refused_form_errors):
        app.add_template_global(function)
