"""Lists written as CSV and as XLSX from one definition of their columns, so that the two never drift.

Each column says what it holds (``Kind``): an identifier stays text in both files (``0012345``, ``1E5``,
``3/4`` and an INSEE code ``01053`` are never numbers or dates), numbers and dates are typed, a coded value
(state, type, level) is written as its label in the user's language with its code in a column of its own.
"""
from __future__ import annotations

import enum
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import Response, request, stream_with_context
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reco.core.time import local_zone
from reco.extensions import db

#: The size of the pieces a streamed CSV is sent in, in characters.
STREAM_PIECE = 1 << 16
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Kind(enum.Enum):
    """What a column holds, which decides how each file writes it."""

    IDENTIFIER = "identifier"  #: text that may look like a number or a date: tags, serials, INSEE codes, SIREN
    TEXT = "text"
    NUMBER = "number"  #: a whole number
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"  #: a moment, written in the network's time zone


@dataclass(frozen=True)
class Column:
    """One column of a list: its title, what it holds and, for a coded value, the labels of its codes."""

    title: object
    kind: Kind = Kind.TEXT
    #: code -> label: the column is written as the label, followed by a column of the code for programs.
    labels: Mapping | None = None


@dataclass(frozen=True)
class Dialect:
    """How a CSV file writes separators, decimals and dates."""

    separator: str
    decimal: str
    date: str
    datetime: str


#: French offices: opens in French Excel and LibreOffice by a double click.
FRENCH = Dialect(";", ",", "%d/%m/%Y", "%d/%m/%Y %H:%M")
#: Programs and other languages (?sep=comma), and interchange standards: ISO dates, decimal point.
PLAIN = Dialect(",", ".", "%Y-%m-%d", "%Y-%m-%d %H:%M")

@dataclass
class Sheet:
    """A list to export: its file name (without extension), its columns and its rows, one value per column."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    #: The worksheet's name in the XLSX file (31 characters at most), the file's name when empty.
    title: str = ""
    #: How the CSV is written unless the request asks otherwise (?sep=).
    dialect: Dialect = FRENCH


#: Characters XML (so XLSX) cannot hold, and that no export needs: C0 controls but tab and line feed, DEL, C1.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?")
#: What makes a cell that starts with + or - a formula that does something: a call, a DDE link, a reference
#: to another sheet or file, an operator.
_FORMULA_MARKS = frozenset("()|!+-*/^&=<>")


def streamed_rows(query, batch: int = 1000) -> Iterator:
    """Yield the rows of a query, run when the first row is asked for and read a thousand at a time; the cursor
    is closed however the reading ends (a client gone halfway)."""
    result = db.session.execute(query.execution_options(yield_per=batch))
    try:
        yield from result
    finally:
        result.close()


def clean_text(value) -> str:
    """Return a value as text without control characters (a carriage return becomes a line feed)."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def runs_as_formula(text: str) -> bool:
    """Tell whether a spreadsheet opening a CSV would run this text as a formula.

    The rule: the text, leading blanks aside, starts with ``=`` (every spreadsheet) or ``@`` (Excel's function
    prefix, ``@SUM(1)``); or it starts with ``+`` or ``-`` and is not a number, and the sign is followed by
    a letter or a symbol rather than a digit or a space (``-cmd|...``, ``+A1``), or the text holds a call, a link
    or an operator (``-2+3``, ``- x(1)``). Ordinary text stays as it is: ``-42``, ``- Pro 14"``, ``+33 6``.
    """
    stripped = text.lstrip(" \t\n")
    if not stripped:
        return False
    if stripped[0] in "=@":
        return True
    if stripped[0] not in "+-" or _PLAIN_NUMBER.fullmatch(stripped):
        return False
    rest = stripped[1:]
    return bool(rest) and (not (rest[0].isdigit() or rest[0] in " .,") or any(c in _FORMULA_MARKS for c in rest))


def _coded(labels: Mapping) -> Callable:
    """Return a function giving a coded value's (label, code), the labels read once in the user's language."""
    names = {str(getattr(code, "value", code)): str(label) for code, label in labels.items()}

    def split(value):
        if value is None or value == "":
            return None, None
        codes = [str(getattr(v, "value", v)) for v in (value if isinstance(value, (list, tuple)) else [value])]
        return ", ".join(names.get(c, c) for c in codes), ",".join(codes)
    return split


def _layout(columns: Sequence[Column]) -> tuple[list[str], list[Kind], Callable[[Sequence], list]]:
    """Return the header, the kind of each written column and a function spreading a row over them."""
    header, kinds, spreads = [], [], []
    for column in columns:
        header.append(clean_text(column.title))
        if column.labels is None:
            kinds.append(column.kind)
            spreads.append(None)
        else:
            header.append(clean_text(_l("%(column)s (code)", column=column.title)))
            kinds += [Kind.TEXT, Kind.IDENTIFIER]
            spreads.append(_coded(column.labels))

    def spread(row: Sequence) -> list:
        cells = []
        for value, split in zip(row, spreads):
            cells.extend(split(value) if split else (value,))
        return cells
    return header, kinds, spread


def _typed(value, kind: Kind):
    """Return a cell's value as its column's type, or as text when it is not one (a hidden count « < 5 »)."""
    if value is None or value == "":
        return None
    if kind is Kind.NUMBER and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is Kind.DECIMAL and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime) and kind in (Kind.DATE, Kind.DATETIME):
        local = value.astimezone(local_zone()).replace(tzinfo=None) if value.tzinfo else value
        return local.date() if kind is Kind.DATE else local
    if kind is Kind.DATE and isinstance(value, date):
        return value
    return clean_text(value)


def _csv_field(value, dialect: Dialect) -> str:
    """Return one typed cell as CSV: text always in quotes, formulas neutralised; numbers and dates bare."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + ("'" if runs_as_formula(value) else "") + value.replace('"', '""') + '"'
    if isinstance(value, datetime):
        return value.strftime(dialect.datetime)
    if isinstance(value, date):
        return value.strftime(dialect.date)
    if isinstance(value, int):
        return str(value)
    return format(Decimal(str(value)), "f").replace(".", dialect.decimal)  # never 1E+1 nor 1e-05


def csv_stream(sheet: Sheet, dialect: Dialect = FRENCH) -> Iterator[str]:
    """Yield a list as CSV text: a UTF-8 byte-order mark first, so that Excel reads the accents, then pieces of
    about 64 KB: one write to the network per row would cost more than the row.

    Text and identifiers are always in double quotes and numbers and dates never are: LibreOffice, with
    « Format quoted field as text », keeps ``0012345`` as text and reads ``2,5`` and ``02/01/2024`` as typed.
    """
    header, kinds, spread = _layout(sheet.columns)
    end = "\r\n"
    yield "\ufeff" + dialect.separator.join(_csv_field(title, dialect) for title in header) + end
    buffer, size = [], 0
    for row in sheet.rows:
        line = dialect.separator.join(_csv_field(_typed(v, k), dialect) for v, k in zip(spread(row), kinds))
        buffer += (line, end)
        size += len(line)
        if size >= STREAM_PIECE:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


_FORMATS = {Kind.IDENTIFIER: "@", Kind.DATE: "DD/MM/YYYY", Kind.DATETIME: "DD/MM/YYYY HH:MM", Kind.DECIMAL: "0.00"}
_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def xlsx_bytes(sheet: Sheet) -> bytes:
    """Return a list as an XLSX workbook: identifiers and text as text cells (never run as formulas), numbers as
    numbers, dates as dates in the network's time zone."""
    header, kinds, spread = _layout(sheet.columns)
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=_SHEET_TITLE.sub(" ", clean_text(sheet.title or sheet.name))[:31] or "1")
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    worksheet.append([_cell(worksheet, title, Kind.TEXT, bold) for title in header])
    for row in sheet.rows:
        worksheet.append([_cell(worksheet, _typed(v, k), k) for v, k in zip(spread(row), kinds)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(worksheet, value, kind: Kind, font: Font | None = None) -> WriteOnlyCell:
    """Return one typed cell of a workbook; text is stored as text, even when it starts with =."""
    cell = WriteOnlyCell(worksheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
    if kind in _FORMATS and (kind is Kind.IDENTIFIER or not isinstance(value, str)):
        cell.number_format = _FORMATS[kind]
    if font is not None:
        cell.font = font
    return cell


def asked_dialect(default: Dialect) -> Dialect:
    """Return the CSV dialect the request asks for: ?sep=comma (or ,) for programs, ?sep=semicolon (or ;)."""
    return {",": PLAIN, "comma": PLAIN, ";": FRENCH, "semicolon": FRENCH}.get(request.args.get("sep", ""), default)


def sheet_response(sheet: Sheet, fmt: str) -> Response:
    """Answer a list as a download: XLSX, or CSV streamed row by row (``text/csv; charset=utf-8``) in the dialect
    the request asks for (?sep=comma, ?sep=semicolon), else the list's own."""
    headers = {"Content-Disposition": f'attachment; filename="{sheet.name}.{fmt}"'}
    if fmt == "xlsx":
        return Response(xlsx_bytes(sheet), mimetype=XLSX_MIMETYPE, headers=headers)
    pieces = csv_stream(sheet, asked_dialect(sheet.dialect))
    header = next(pieces)  # now, while the request's user and language are at hand; the rows stream after
    return Response(stream_with_context(chain([header], pieces)), mimetype="text/csv", headers=headers)
