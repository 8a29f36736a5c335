"""Reading JSON request bodies with clear 400/422 answers."""
from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _

from reco.core.errors import ValidationFailed
from reco.core.inputs import MAX_ID, contains_nul, without_controls


def json_body() -> dict:
    """Return the request's JSON object, or refuse with 400/422."""
    if not request.is_json:
        raise ValidationFailed(_("Send a JSON object with the header Content-Type: application/json."),
                               {"body": [_("JSON expected")]})
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body is not a JSON object."), {"body": [_("JSON object expected")]})
    if contains_nul(data):
        raise ValidationFailed(_("The body contains a NUL character."), {"body": [_("NUL character")]})
    return without_controls(data)


def field(data: dict, name: str, kind=str, required: bool = False, default=None):
    """Return ``data[name]`` checked against ``kind``; a wrong type is refused with 422."""
    value = data.get(name, default)
    if value is None:
        if required:
            raise ValidationFailed(_("The field « %(name)s » is required.", name=name),
                                   {name: [_("required")]})
        return default
    if kind is date:
        if not isinstance(value, str):
            raise ValidationFailed(_("The field « %(name)s » must be a date (YYYY-MM-DD).", name=name),
                                   {name: [_("date expected")]})
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(_("The field « %(name)s » must be a date (YYYY-MM-DD).", name=name),
                                   {name: [_("date expected")]}) from None
    if kind is int and (isinstance(value, bool) or not isinstance(value, int) or not -MAX_ID <= value <= MAX_ID):
        raise ValidationFailed(_("The field « %(name)s » must be a whole number.", name=name),
                               {name: [_("integer expected")]})
    if kind is str and not isinstance(value, str):
        raise ValidationFailed(_("The field « %(name)s » must be text.", name=name), {name: [_("text expected")]})
    if kind is bool and not isinstance(value, bool):
        raise ValidationFailed(_("The field « %(name)s » must be true or false.", name=name),
                               {name: [_("yes or no expected")]})
    if kind is list and not isinstance(value, list):
        raise ValidationFailed(_("The field « %(name)s » must be a list.", name=name), {name: [_("list expected")]})
    if kind is dict and not isinstance(value, dict):
        raise ValidationFailed(_("The field « %(name)s » must be an object.", name=name),
                               {name: [_("object expected")]})
    if kind is str and len(value) > 5000:
        raise ValidationFailed(_("The field « %(name)s » is too long.", name=name), {name: [_("too long")]})
    return value


def query_flag(name: str) -> bool:
    """Return a yes/no query parameter (1, true or yes; 0, false or no; absent is no), refusing any other value."""
    value = request.args.get(name, "0").lower()
    if value not in ("0", "1", "true", "false", "yes", "no"):
        raise ValidationFailed(_("The parameter « %(name)s » is 1 or 0.", name=name), {name: [_("1 or 0")]})
    return value in ("1", "true", "yes")


def without_nulls(items):
    """Return a list with the null fields of its objects dropped, as null stands for an absent field."""
    if not isinstance(items, list):
        return items
    return [{k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item for item in items]
