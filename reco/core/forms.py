"""Helpers shared by the forms of every feature."""
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from reco.core.errors import ValidationFailed


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
