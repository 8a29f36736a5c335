"""Reading a donor's inventory (CSV or XLSX, French or English headers) into checked lines."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from reco.core.scanning import normalise_code
from reco.inventory.models import DeviceType

MAX_LINES = 20000
MAX_COLUMNS = 60
MAX_CELL = 200
#: Longest value each field's column holds.
FIELD_LIMITS = {"serial": 80, "donor_tag": 80, "brand": 80, "model": 120}

#: Fields a column can be mapped to, with the header names people use for them.
FIELD_SYNONYMS = {
    "serial": ["n de serie", "no de serie", "numero de serie", "num serie", "serie", "serial", "serial number",
               "serial no", "s n", "sn", "numero serie"],
    "brand": ["marque", "brand", "fabricant", "constructeur", "manufacturer", "make", "vendor"],
    "model": ["modele", "model", "reference", "designation", "product", "produit"],
    "device_type": ["type", "type de materiel", "categorie", "category", "device type", "materiel", "nature"],
    "donor_tag": ["n d inventaire", "no d inventaire", "numero d inventaire", "inventaire", "asset tag",
                  "asset", "asset number", "n inventaire", "etiquette", "tag", "code inventaire"],
    "purchase_date": ["date d achat", "date achat", "purchase date", "date de mise en service",
                      "mise en service", "acquisition date", "date"],
}
FIELDS = tuple(FIELD_SYNONYMS)
IGNORE = "ignore"

FIELD_LABELS = {
    "serial": _l("Serial number"),
    "brand": _l("Brand"),
    "model": _l("Model"),
    "device_type": _l("Type"),
    "donor_tag": _l("Donor's asset tag"),
    "purchase_date": _l("Purchase date"),
    IGNORE: _l("Do not import"),
}

#: Words people write in the type column, normalised, and the device type they mean.
TYPE_WORDS = {
    DeviceType.LAPTOP: ["laptop", "portable", "pc portable", "ordinateur portable", "notebook", "ultrabook",
                        "netbook", "chromebook"],
    DeviceType.DESKTOP: ["desktop", "fixe", "pc fixe", "ordinateur fixe", "unite centrale", "uc", "tour",
                         "station de travail", "workstation", "mini pc", "pc"],
    DeviceType.ALL_IN_ONE: ["all in one", "all-in-one", "aio", "tout en un", "tout-en-un"],
    DeviceType.TABLET: ["tablet", "tablette", "ipad"],
    DeviceType.SMARTPHONE: ["smartphone", "telephone", "mobile", "phone", "iphone", "telephone portable"],
    DeviceType.SCREEN: ["screen", "ecran", "moniteur", "monitor", "display"],
    DeviceType.PRINTER: ["printer", "imprimante", "multifonction"],
    DeviceType.OTHER: ["other", "autre", "divers"],
}
_TYPE_LOOKUP = {word: kind for kind, words in TYPE_WORDS.items() for word in words}
_HEADER_LOOKUP = {name: field_name for field_name, names in FIELD_SYNONYMS.items() for name in names}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


class InventoryFileError(ValueError):
    """The file as a whole cannot be read; nothing was imported."""


def simplify(text: str) -> str:
    """Return ``text`` in lower case without accents or punctuation, for comparing names."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass
class Line:
    """One checked line of the inventory, ready to become a declared item."""

    number: int
    device_type: DeviceType
    brand: str = ""
    model: str = ""
    serial: str | None = None
    donor_tag: str | None = None
    purchase_date: date | None = None


@dataclass
class LineError:
    """Why one line of the file cannot be imported."""

    line: int
    message: str


@dataclass
class ParsedInventory:
    """The result of reading a file: columns, their mapping, good lines, errors and warnings."""

    headers: list[str]
    mapping: list[str]
    preview: list[list[str]]
    lines: list[Line] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    #: Serial numbers that appear on several lines: {serial: [line numbers]}.
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    #: Donor's asset tags that appear on several lines: {tag: [line numbers]}.
    duplicate_tags: dict[str, list[int]] = field(default_factory=dict)
    #: SHA-256 of the file's bytes, to recognise a file imported before.
    sha256: str = ""

    @property
    def unknown_columns(self) -> list[int]:
        """Return the indexes of columns not yet mapped to a field."""
        return [i for i, name in enumerate(self.mapping) if name == ""]


def guess_field(header: str) -> str:
    """Return the field a column header means, or "" when it is not recognised."""
    return _HEADER_LOOKUP.get(simplify(header), "")


def _decode(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 with or without BOM, else Windows-1252/Latin-1."""
    if b"\x00" in data:
        raise InventoryFileError(_l("This file is neither CSV nor XLSX. Export the list as CSV or Excel (.xlsx)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _csv_rows(data: bytes) -> list[list[str]]:
    """Read the rows of a CSV file separated by ';', ',' or tabs."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InventoryFileError(_l("This CSV file cannot be read (%(reason)s).", reason=str(exc))) from exc
    return rows


def _cell_text(value) -> str:
    """Return the text of an XLSX cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """Read the rows of the first sheet of an XLSX file."""
    from openpyxl import load_workbook

    unreadable = _l("This Excel file cannot be read. Save it again as .xlsx or CSV.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise InventoryFileError(unreadable) from exc
    rows = []
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            rows.append([_cell_text(v) for v in row])
            if len(rows) > MAX_LINES + 1:
                break
    except Exception as exc:  # a damaged sheet fails while its rows are read
        raise InventoryFileError(unreadable) from exc
    finally:
        workbook.close()
    while rows and rows[-1] and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows


def _without_trailing_blanks(row: list[str]) -> list[str]:
    """Drop the empty cells at the end of a row (trailing separators, padded sheets)."""
    while row and not row[-1]:
        row.pop()
    return row


def read_rows(data: bytes, filename: str = "") -> list[list[str]]:
    """Return the rows of a CSV or XLSX file, or raise InventoryFileError."""
    if not data or not data.strip():
        raise InventoryFileError(_l("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".xls", ".ods", ".pdf", ".doc", ".docx")):
        raise InventoryFileError(_l("This file is neither CSV nor XLSX. Export the list as CSV or Excel (.xlsx)."))
    else:
        rows = _csv_rows(data)
    rows = [_without_trailing_blanks([cell.strip() for cell in row]) for row in rows]
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise InventoryFileError(_l("The file is empty."))
    if len(rows) > MAX_LINES + 1:
        raise InventoryFileError(_l("The file has more than %(n)d lines: split it into several files.",
                                    n=MAX_LINES))
    if len(rows[0]) > MAX_COLUMNS:
        raise InventoryFileError(_l("The file has more than %(n)d columns: is the first line the header?",
                                    n=MAX_COLUMNS))
    return rows


def parse_date(text: str) -> date | None:
    """Return the date written in ``text`` (dd/mm/yyyy or yyyy-mm-dd), None when empty; ValueError if wrong."""
    text = text.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_device_type(text: str) -> DeviceType | None:
    """Return the device type a word means, or None."""
    return _TYPE_LOOKUP.get(simplify(text))


def _check_line(number: int, values: dict[str, str]) -> Line | LineError:
    """Check one line's values and return the line or why it is refused."""
    serial = normalise_code(values.get("serial"))
    donor_tag = normalise_code(values.get("donor_tag"))
    stored = {"serial": serial or "", "donor_tag": donor_tag or ""}  # upper case can lengthen: "ß" gives "SS"
    for name, value in [*values.items(), *stored.items()]:
        limit = FIELD_LIMITS.get(name, MAX_CELL)
        if len(value) > limit:
            return LineError(number, str(_l("%(field)s is too long (%(n)d characters at most).",
                                            field=FIELD_LABELS[name], n=limit)))
    kind = parse_device_type(values.get("device_type", ""))
    if kind is None:
        given = values.get("device_type", "")
        if not given:
            return LineError(number, str(_l("The type is missing (laptop, desktop, tablet, screen...).")))
        return LineError(number, str(_l("Unknown type « %(value)s »: use laptop, desktop, all-in-one, tablet, "
                                        "smartphone, screen, printer or other.", value=given)))
    if not serial and not donor_tag:
        return LineError(number, str(_l("Neither serial number nor asset tag: the device could not be "
                                        "recognised on arrival.")))
    try:
        purchase_date = parse_date(values.get("purchase_date", ""))
    except ValueError:
        return LineError(number, str(_l("Date « %(value)s » not understood: write it as 31/12/2020.",
                                        value=values.get("purchase_date", ""))))
    return Line(number, kind, values.get("brand", ""), values.get("model", ""), serial, donor_tag, purchase_date)


def parse_inventory(data: bytes, filename: str = "", mapping: list[str] | None = None) -> ParsedInventory:
    """Read and check a donor inventory; ``mapping`` gives each column's field ("ignore" to skip it)."""
    rows = read_rows(data, filename)
    headers = rows[0]
    if mapping is None:
        mapping = [guess_field(h) for h in headers]
    mapping = (list(mapping) + [""] * len(headers))[:len(headers)]
    parsed = ParsedInventory(headers=headers, mapping=mapping, preview=rows[1:11],
                             sha256=hashlib.sha256(data).hexdigest())
    used = [name for name in mapping if name not in ("", IGNORE)]
    for name in {n for n in used if used.count(n) > 1}:
        parsed.errors.append(LineError(1, str(_l("Several columns are mapped to %(field)s: keep one.",
                                                 field=FIELD_LABELS[name]))))
    if "device_type" not in used:
        parsed.errors.append(LineError(1, str(_l("No column gives the type of device: map one to « Type »."))))
    if parsed.unknown_columns or parsed.errors:
        return parsed
    seen: dict[str, list[int]] = {}
    seen_tags: dict[str, list[int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) > len(headers) and any(row[len(headers):]):
            parsed.errors.append(LineError(number, str(_l("This line has %(found)d columns, the header has "
                                                          "%(expected)d.", found=len(row),
                                                          expected=len(headers)))))
            continue
        values = {name: row[i] if i < len(row) else "" for i, name in enumerate(mapping) if name != IGNORE}
        result = _check_line(number, values)
        if isinstance(result, LineError):
            parsed.errors.append(result)
            continue
        parsed.lines.append(result)
        if result.serial:
            seen.setdefault(result.serial, []).append(number)
        if result.donor_tag:
            seen_tags.setdefault(result.donor_tag, []).append(number)
    parsed.duplicates = {serial: numbers for serial, numbers in seen.items() if len(numbers) > 1}
    parsed.duplicate_tags = {tag: numbers for tag, numbers in seen_tags.items() if len(numbers) > 1}
    if not parsed.lines and not parsed.errors:
        parsed.errors.append(LineError(2, str(_l("The file has a header but no device line."))))
    return parsed
