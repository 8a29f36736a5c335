"""Checks of raw input shared by every feature: ids in URLs, query strings and text without NUL."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from reco.core.responses import error_response

#: The largest id a database integer column holds on every supported database.
MAX_ID = 2 ** 31 - 1


class IdConverter(IntegerConverter):
    """An <id:...> URL part: a positive integer that fits a database id, else the URL matches nothing."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def arg_id(name: str) -> int | None:
    """Return the query-string id ``name`` when it is a valid id, else None."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None


def form_id(name: str) -> int | None:
    """Return the form field ``name`` as a database id, or None when absent or out of range."""
    value = request.form.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None


def contains_nul(value) -> bool:
    """Tell whether a string, or any string inside lists and dicts, holds a NUL or a lone surrogate."""
    if isinstance(value, str):
        return "\x00" in value or not _encodable(value)
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


def _encodable(text: str) -> bool:
    """Tell whether ``text`` can be stored as UTF-8 (JSON may carry lone surrogates such as \\ud800)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refuse_nul_characters():
    """Answer 400, saying why, when the query string or a form holds a NUL character, which no database stores."""
    values = list(request.args.values())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any("\x00" in v for v in values):
        return error_response(400, _("A value sent holds an invisible NUL character, which cannot be stored: "
                                     "remove it and send again."))
    return None


def init_inputs(app) -> None:
    """Register the id converter and the NUL check."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul_characters)
