"""Checks of raw input shared by every feature: ids in URLs, query strings and text without NUL, forms and JSON
without control characters."""
from __future__ import annotations

import re

from flask import Request, request
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


#: Control characters no text of Reco holds, and that XML (so XLSX) cannot store: C0 controls but NUL (refused with
#: its own message), tab, line feed and carriage return; DEL; C1 controls. A barcode scanner sends some (GS, STX).
CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(value):
    """Return a value with the control characters of its strings removed, inside lists and dicts too."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    if isinstance(value, dict):
        return {without_controls(k): without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_controls(v) for v in value]
    return value


class CleanRequest(Request):
    """A request whose form fields lose their control characters as they are read, for every form at once."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form and any(CONTROL_CHARACTERS.search(value) for _key, value in form.items(multi=True)):
            self.__dict__["form"] = self.parameter_storage_class(
                [(key, without_controls(value)) for key, value in form.items(multi=True)])


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
    """Register the id converter, the NUL check and the request that cleans forms of control characters."""
    app.request_class = CleanRequest
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul_characters)
