"""Reading a donor's inventory (CSV or XLSX, French or English headers) into checked lines."""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from reco.core.scanning import normalise_code
from reco.donations.columns import HEADER_SEARCH, find_header, header_choices, is_total, remembered_field, simplify
from reco.inventory.models import DeviceType

MAX_LINES = 20000
MAX_COLUMNS = 60
MAX_CELL = 200
#: The most an XLSX file may hold once unzipped, all its parts together: a list of 20,000 machines takes a few MB.
MAX_XLSX_UNZIPPED = 32 * 1024 * 1024
#: The most the shared strings (the text of every cell, read at once by openpyxl) may hold once unzipped.
MAX_XLSX_STRINGS = 16 * 1024 * 1024
#: The longest text a cell may hold as it is read: no field takes more than 500 characters.
MAX_CELL_READ = 5000
#: The most characters all the cells of a list may hold together, as they are read.
MAX_TEXT_READ = 20_000_000
#: Longest value each field's column holds.
FIELD_LIMITS = {"serial": 80, "donor_tag": 80, "brand": 80, "model": 120, "comment": 500}

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
    "comment": ["commentaire", "commentaires", "remarque", "remarques", "observation", "observations", "note",
                "notes", "comment", "comments", "remark", "remarks", "informations", "info", "infos"],
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
    "comment": _l("Comments"),
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
    comment: str = ""


@dataclass
class LineError:
    """Why one line of the file cannot be imported."""

    line: int
    message: str


@dataclass
class Skipped:
    """A line of the file that is not a device and is left out: empty, a total, or a title above the header."""

    line: int
    reason: str
    text: str = ""


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
    #: The number of the file's line taken as the header (1 for the first).
    header_line: int = 1
    #: The lines that could be the header: (line number, its first cells).
    header_choices: list[tuple[int, str]] = field(default_factory=list)
    #: Lines left out, with why.
    skipped: list[Skipped] = field(default_factory=list)
    #: Indexes of the columns whose field comes from this donor's earlier choices.
    remembered: list[int] = field(default_factory=list)
    #: A few values of each column, to tell what it holds.
    samples: list[list[str]] = field(default_factory=list)

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


def _delimiter(text: str) -> str:
    """Return the separator of a CSV text: of ';', ',' and tab, the one on the most of its first lines (title lines
    above the table have none), then the most used; ';' first, as French Excel writes it."""
    lines = [line for line in text.splitlines()[:HEADER_SEARCH] if line.strip()]
    return max((";", ",", "\t"), key=lambda sep: (sum(sep in line for line in lines),
                                                    sum(line.count(sep) for line in lines)))


def _csv_rows(data: bytes) -> list[list[str]]:
    """Read the rows of a CSV file separated by ';', ',' or tabs."""
    text = _decode(data)
    delimiter = _delimiter(text)
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


def _check_xlsx_sizes(data: bytes, unreadable) -> None:
    """Refuse an XLSX file whose parts, once unzipped, are far larger than a list of devices, before openpyxl
    unzips any of them (a few hundred KB may unzip to a single cell of hundreds of MB)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InventoryFileError(unreadable) from exc
    unzipped = sum(part.file_size for part in parts)
    strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
    if unzipped > MAX_XLSX_UNZIPPED or strings > MAX_XLSX_STRINGS:
        raise InventoryFileError(_l("This Excel file holds %(size)d MB once unzipped, far more than a list of "
                                    "devices: keep only the list in the file, or save it as CSV.",
                                    size=round(unzipped / 1024 / 1024)))


def _checked_cell(text: str, line: int, read: int) -> int:
    """Refuse a cell longer than any field, or a list holding too much text; return the characters read so far."""
    if len(text) > MAX_CELL_READ:
        raise InventoryFileError(_l("Line %(line)d holds a cell of more than %(n)d characters: this is not a list "
                                    "of devices.", line=line, n=MAX_CELL_READ))
    read += len(text)
    if read > MAX_TEXT_READ:
        raise InventoryFileError(_l("This file holds more than %(n)d million characters: split it into several "
                                    "files.", n=MAX_TEXT_READ // 1_000_000))
    return read


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """Read the rows of the first sheet of an XLSX file, streamed (openpyxl's read-only mode), once its unzipped
    size is checked; each cell is checked as it is read."""
    from openpyxl import load_workbook

    unreadable = _l("This Excel file cannot be read. Save it again as .xlsx or CSV.")
    _check_xlsx_sizes(data, unreadable)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise InventoryFileError(unreadable) from exc
    rows = []
    try:
        sheet = workbook.worksheets[0]
        read = 0
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            texts = [_cell_text(v) for v in row]
            for text in texts:
                read = _checked_cell(text, len(rows) + 1, read)
            rows.append(texts)
            if len(rows) > MAX_LINES + 1:
                break
    except InventoryFileError:
        raise
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
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise InventoryFileError(_l("The file is empty."))
    if len(rows) > MAX_LINES + 1:
        raise InventoryFileError(_l("The file has more than %(n)d lines: split it into several files.",
                                    n=MAX_LINES))
    first = next(i for i, row in enumerate(rows) if any(row))
    if any(len(row) > MAX_COLUMNS for row in rows[:max(HEADER_SEARCH, first + 1)]):  # where the header can be
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
    return Line(number, kind, values.get("brand", ""), values.get("model", ""), serial, donor_tag, purchase_date,
                values.get("comment", ""))


def _column_samples(rows: list[list[str]], width: int, count: int = 3) -> list[list[str]]:
    """Return the first few distinct values of each column."""
    samples: list[list[str]] = [[] for _ in range(width)]
    for row in rows:
        for i, cell in enumerate(row[:width]):
            if cell and len(samples[i]) < count and cell not in samples[i]:
                samples[i].append(cell if len(cell) <= 40 else cell[:39] + "…")
    return samples


def parse_inventory(data: bytes, filename: str = "", mapping: list[str] | None = None, *,
                    header_line: int | None = None, remembered: Mapping | None = None) -> ParsedInventory:
    """Read and check a donor inventory.

    The header is line ``header_line`` (1 for the first), else the line naming the most known columns: title
    lines above it, empty lines and totals are left out and listed. ``mapping`` gives each column's field
    ("ignore" to skip it); without it, columns are recognised by this donor's earlier choices (``remembered``:
    {simplified header: field}) then by their usual names.
    """
    rows = read_rows(data, filename)
    if header_line is None or not 1 <= header_line <= min(len(rows), HEADER_SEARCH) or not any(rows[header_line - 1]):
        header_index = find_header(rows, lambda h: remembered_field(remembered, h) or guess_field(h))
    else:
        header_index = header_line - 1
    headers = rows[header_index]
    body = rows[header_index + 1:]
    data_rows = [row for row in body if any(row) and not is_total(row)]
    samples = _column_samples(data_rows, len(headers))
    remembered_columns: list[int] = []
    if mapping is None:
        mapping = []
        for i, header in enumerate(headers):
            known = remembered_field(remembered, header)
            if known in (*FIELDS, IGNORE):
                remembered_columns.append(i)
            mapping.append(known if known in (*FIELDS, IGNORE) else guess_field(header) or (
                IGNORE if not header and not samples[i] else ""))
    mapping = (list(mapping) + [""] * len(headers))[:len(headers)]
    parsed = ParsedInventory(headers=headers, mapping=mapping, preview=data_rows[:10],
                             sha256=hashlib.sha256(data).hexdigest(), header_line=header_index + 1,
                             header_choices=header_choices(rows), remembered=remembered_columns, samples=samples)
    for number, row in enumerate(rows[:header_index], start=1):
        if any(row):
            parsed.skipped.append(Skipped(number, str(_l("above the header")), " · ".join(c for c in row if c)[:80]))
    used = [name for name in mapping if name not in ("", IGNORE)]
    for name in {n for n in used if used.count(n) > 1}:
        parsed.errors.append(LineError(parsed.header_line, str(_l(
            "Several columns are mapped to %(field)s: keep one.", field=FIELD_LABELS[name]))))
    if "device_type" not in used:
        parsed.errors.append(LineError(parsed.header_line, str(_l(
            "No column gives the type of device: map one to « Type »."))))
    if parsed.unknown_columns or parsed.errors:
        return parsed
    seen: dict[str, list[int]] = {}
    seen_tags: dict[str, list[int]] = {}
    for number, row in enumerate(body, start=header_index + 2):
        if not any(row):
            parsed.skipped.append(Skipped(number, str(_l("empty line"))))
            continue
        if is_total(row):
            parsed.skipped.append(Skipped(number, str(_l("total")), " · ".join(c for c in row if c)[:80]))
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
        parsed.errors.append(LineError(parsed.header_line + 1, str(_l("The file has a header but no device line."))))
    return parsed
