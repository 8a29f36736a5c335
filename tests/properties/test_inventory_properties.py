"""Donor inventories: any file gives checked lines or InventoryFileError, and a refused import adds no line."""
from __future__ import annotations

import codecs
import io
import zipfile
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from hypothesis import event, example, given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select

from reco.donations.columns import HEADER_SEARCH, is_total
from reco.donations.inventory_import import (
    FIELD_LIMITS,
    FIELD_SYNONYMS,
    FIELDS,
    IGNORE,
    MAX_COLUMNS,
    MAX_LINES,
    TYPE_WORDS,
    InventoryFileError,
    Line,
    LineError,
    ParsedInventory,
    parse_inventory,
    read_rows,
)
from reco.donations.models import DeclaredItem
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.models import DeviceType
from tests.factories import make_donation, make_donor, make_token, make_user, xlsx_of
from tests.properties import assert_translated_refusal, examples

#: A serial whose upper case is three times longer: "ﬃ".upper() == "FFI".
LIGATURE_SERIAL = ("Serial;Type\n" + "ﬃ" * 80 + ";laptop\n").encode()

ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-be", "utf-32", "mac_roman", "cp850",
             "shift_jis", "koi8-r"]
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\xef\xbb", b"\xff"]
SEPARATORS = [";", ",", "\t", "|", " ", ";;", ""]
NEWLINES = ["\n", "\r\n", "\r", "\n\n"]
FILENAMES = ["inventaire.csv", "LISTE.CSV", "inventory.xlsx", "parc.xls", "parc.ods", "scan.pdf", "notes.txt", ""]

HEADER_WORDS = [name for names in FIELD_SYNONYMS.values() for name in names] + [
    "N° de série", "Numéro de Série", "S/N", "Modèle", "Catégorie", "N° d'inventaire", "Date d'achat", "Couleur"]
TYPE_TEXT = [word for words in TYPE_WORDS.values() for word in words] + ["Portable", "Unité centrale", "écran"]
#: Header of each field as a donor writes it, for files that mostly make sense.
CANONICAL = {"serial": "N° de série", "brand": "Marque", "model": "Modèle", "device_type": "Type",
             "donor_tag": "N° d'inventaire", "purchase_date": "Date d'achat", "comment": "Commentaires"}
DATES = ["15/03/2018", "2017-01-31", "31-12-2020", "31.12.2020", "01/02/03", "2020/31/12", "29/02/2021",
         "00/00/0000", "31/12/9999", "1/1/1", "٣١/١٢/٢٠٢٠", "15/03/2018 10:00"]
CODES = ["5CG7 1234", "INV-001", "sn-1", "ß" * 40, "ß" * 41, "ﬃ" * 27, "ﬃ" * 80, " x ", "\u200b", "ǆ", "0"]
LONG = st.builds(lambda char, n: char * n, st.sampled_from(["x", "é", "ﬃ", "9", "ß"]),
                 st.sampled_from([79, 80, 81, 120, 121, 200, 201, 4000]))

#: Cells that break CSV in every way: separators, quotes, line ends, BOMs, huge cells (NUL bytes: broken_csvs).
CELLS = st.one_of(
    st.sampled_from(TYPE_TEXT + DATES + CODES + HEADER_WORDS),
    st.text(st.characters(exclude_characters="\x00"), max_size=12),
    st.text(alphabet=st.sampled_from(';,\t|"\r\n \ufeffé'), max_size=6),
    LONG,
)
#: True about once in ten draws (Hypothesis leans towards the first choice).
ONE_IN_TEN = st.sampled_from([False] * 9 + [True])
MAPPINGS = st.none() | st.lists(st.sampled_from([*FIELDS, IGNORE, IGNORE, ""]), max_size=8)


def _line(values: list[str], separator: str, quoting: str) -> str:
    """Join the cells of one CSV line, quoting them all, none, or only those that need it."""
    def quoted(value: str) -> str:
        needs = quoting == "all" or (quoting == "needed" and any(c in value for c in f'{separator}"\r\n'))
        return '"' + value.replace('"', '""') + '"' if needs else value
    return separator.join(quoted(value) for value in values)


@st.composite
def broken_csvs(draw) -> bytes:
    """Return a CSV file with a header and lines, where anything may be wrong: names, cells, separators, bytes."""
    headers = draw(st.one_of(st.lists(st.sampled_from(HEADER_WORDS), max_size=8), st.lists(CELLS, max_size=8),
                             st.integers(MAX_COLUMNS - 1, MAX_COLUMNS + 2).map(lambda n: [f"c{i}" for i in range(n)])))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(headers) + 2), max_size=8))
    separator, newline = draw(st.sampled_from(SEPARATORS)), draw(st.sampled_from(NEWLINES))
    quoting = draw(st.sampled_from(["none", "needed", "all"]))
    text = newline.join(_line(row, separator, quoting) for row in [headers, *rows])
    text += draw(st.sampled_from(["", newline]))
    data = text.encode(draw(st.sampled_from(["utf-8"] * 6 + ["cp1252"] * 3 + ENCODINGS)), errors="replace")
    if draw(ONE_IN_TEN):  # a NUL byte somewhere, as in files that are not text
        position = draw(st.integers(0, len(data)))
        data = data[:position] + b"\x00" + data[position:]
    return draw(st.sampled_from(BOMS)) + data


@st.composite
def plausible_csvs(draw) -> bytes:
    """Return a CSV file in the shape donors send, at times with title lines above the table and a total below it,
    where about one cell in ten is wrong."""
    fields = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=6, unique=True))
    if "device_type" not in fields and not draw(ONE_IN_TEN):
        fields.append("device_type")
    value = {"serial": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 -]{0,10}[A-Za-z0-9]", fullmatch=True),
             "donor_tag": st.from_regex(r"INV-[0-9]{1,4}", fullmatch=True),
             "brand": st.sampled_from(["HP", "Dell", "Lenovo", "Apple", ""]),
             "model": st.sampled_from(["", "ThinkPad T440, i5", "Latitude E5530"]),
             "device_type": st.sampled_from(TYPE_TEXT), "purchase_date": st.sampled_from(["", *DATES[:5]]),
             "comment": st.sampled_from(["", "Écran rayé", "sans chargeur; à vérifier"])}
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        rows.append([draw(CELLS if draw(ONE_IN_TEN) else value[name]) for name in fields])
    separator = draw(st.sampled_from([";", ",", "\t"]))
    lines = draw(st.sampled_from([[], [], ["Inventaire du parc — Armor Conseil", ""], ["Liste" + separator * 3]]))
    lines += [_line([CANONICAL[name] for name in fields], separator, "needed")]
    lines += [_line(row, separator, "needed") for row in rows]
    lines += draw(st.sampled_from([[], [], ["", "Total" + separator + str(len(rows))], ["TOTAL :"]]))
    return "\n".join(lines + [""]).encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])), errors="replace")


REAL_XLSX = xlsx_of([["Serial", "Type", "Brand"], ["S1", "laptop", "Dell"], ["S2", "desktop", "HP"]])
with zipfile.ZipFile(io.BytesIO(REAL_XLSX)) as _book:
    XLSX_MEMBERS = {name: _book.read(name) for name in _book.namelist()}


def _zip(members: dict[str, bytes], compression: int) -> bytes:
    """Return a zip archive of ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _garble(content: bytes, edits: list[tuple[int, int]]) -> bytes:
    """Return ``content`` with some bytes overwritten."""
    data = bytearray(content)
    for position, value in edits:
        if data:
            data[position % len(data)] = value
    return bytes(data)


@st.composite
def damaged_xlsx(draw) -> bytes:
    """Return bytes that start like an XLSX file but are broken somewhere."""
    kind = draw(st.sampled_from(["not a zip", "truncated", "flipped", "garbage members", "one member damaged"]))
    if kind == "not a zip":
        return b"PK\x03\x04" + draw(st.binary(max_size=400))
    if kind == "truncated":
        return REAL_XLSX[:draw(st.integers(4, len(REAL_XLSX) - 1))]
    edits = st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 255)), min_size=1, max_size=20)
    if kind == "flipped":
        return b"PK\x03\x04" + _garble(REAL_XLSX, draw(edits))[4:]
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    if kind == "garbage members":
        names = st.sampled_from([*XLSX_MEMBERS, "xl/worksheets/sheet2.xml", "random.bin"])
        contents = st.binary(max_size=300) | st.sampled_from(list(XLSX_MEMBERS.values()))
        return _zip(draw(st.dictionaries(names, contents, max_size=8)), compression)
    members = dict(XLSX_MEMBERS)
    name = draw(st.sampled_from(sorted(members)))
    how = draw(st.sampled_from(["delete", "random", "truncate", "garble", "swap"]))
    if how == "delete":
        del members[name]
    elif how == "random":
        members[name] = draw(st.binary(max_size=300))
    elif how == "truncate":
        members[name] = members[name][:draw(st.integers(0, len(members[name])))]
    elif how == "garble":
        members[name] = _garble(members[name], draw(edits))
    else:
        members[name] = members[draw(st.sampled_from(sorted(members)))]
    return _zip(members, compression)


def _sheet_value(value):
    """Return a value openpyxl can write into a cell."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


XLSX_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 15, 10 ** 15), st.floats(-1e300, 1e300),
    st.dates(min_value=date(1900, 3, 1)), st.datetimes(min_value=datetime(1900, 3, 1)),
    st.sampled_from(TYPE_TEXT + DATES + CODES + HEADER_WORDS), st.text(max_size=15).map(_sheet_value), LONG,
)


# --- checks ------------------------------------------------------------------------------------

def _check_rows(rows: list[list[str]]) -> None:
    """Check what read_rows returns: text cells, trimmed, within the limits, the file's lines in their places (line
    n is rows[n - 1], empty lines and title lines included) but for the empty ones at the end."""
    assert rows and any(rows[-1])
    assert len(rows) <= MAX_LINES + 1 and all(len(row) <= MAX_COLUMNS for row in rows[:HEADER_SEARCH])
    for row in rows:
        assert all(isinstance(cell, str) and cell == cell.strip() for cell in row)
        assert not row or row[-1]


def _check_parsed(parsed: ParsedInventory) -> None:
    """Check that a parsed inventory is sound: lines ready to store, and every refusal said with a line number."""
    assert isinstance(parsed, ParsedInventory)
    assert any(parsed.headers) and len(parsed.headers) <= MAX_COLUMNS
    assert len(parsed.mapping) == len(parsed.headers)
    assert set(parsed.mapping) <= {*FIELDS, IGNORE, ""} and len(parsed.preview) <= 10
    for error in parsed.errors:
        assert isinstance(error, LineError) and error.line >= 1
        assert isinstance(error.message, str) and error.message.strip()
    numbers = [line.number for line in parsed.lines]
    assert len(numbers) == len(set(numbers)) and not set(numbers) & {e.line for e in parsed.errors}
    for line in parsed.lines:
        assert isinstance(line, Line) and line.number >= 2 and isinstance(line.device_type, DeviceType)
        assert line.serial or line.donor_tag
        for name in ("serial", "donor_tag"):  # what the database columns hold
            code = getattr(line, name)
            assert code is None or (isinstance(code, str) and 0 < len(code) <= FIELD_LIMITS[name])
        assert len(line.brand) <= FIELD_LIMITS["brand"] and len(line.model) <= FIELD_LIMITS["model"]
        assert len(line.comment) <= FIELD_LIMITS["comment"]
        assert line.purchase_date is None or isinstance(line.purchase_date, date)
    if parsed.unknown_columns:
        assert not parsed.lines
    elif not parsed.errors:
        assert parsed.lines
    serials = {}
    for line in parsed.lines:
        if line.serial:
            serials.setdefault(line.serial, []).append(line.number)
    assert parsed.duplicates == {serial: found for serial, found in serials.items() if len(found) > 1}


def _read(app, data: bytes, filename: str = "", mapping: list[str] | None = None) -> ParsedInventory | None:
    """Read a file both ways; return the checked inventory, or None when both refused it the same way."""
    try:
        rows = read_rows(data, filename)
    except InventoryFileError as error:
        event(f"refused: {assert_translated_refusal(app, error)[:40]}")
        with pytest.raises(InventoryFileError) as again:
            parse_inventory(data, filename, mapping)
        assert str(again.value) == str(error)
        return None
    _check_rows(rows)
    parsed = parse_inventory(data, filename, mapping)
    _check_parsed(parsed)
    header = parsed.header_line
    assert parsed.headers == rows[header - 1]
    assert parsed.preview == [row for row in rows[header:] if any(row) and not is_total(row)][:10]
    above = [s.line for s in parsed.skipped if s.line < header]
    assert above == [n for n, row in enumerate(rows[:header - 1], start=1) if any(row)]
    if parsed.lines:  # the lines were read: each one below the header is a device, a refusal or left out, once
        below = [s.line for s in parsed.skipped if s.line > header]
        told = [line.number for line in parsed.lines] + [e.line for e in parsed.errors] + below
        assert sorted(told) == list(range(header + 1, len(rows) + 1))
        assert all(not any(rows[n - 1]) or is_total(rows[n - 1]) for n in below)
    event("unknown columns" if parsed.unknown_columns else "line errors" if parsed.errors else "lines")
    return parsed


# --- properties --------------------------------------------------------------------------------

@examples(300)
@given(data=st.binary(max_size=3000), filename=st.sampled_from(FILENAMES))
@example(data=b"\x00\x01\x02\x03" * 50, filename="inventaire.csv")
@example(data=b"\xff\xfeS\x00;\x00T\x00\n\x00", filename="inventaire.csv")
def test_random_bytes_are_read_or_refused(app, data, filename):
    _read(app, data, filename)


@examples(200)
@given(text=st.text(max_size=400), encoding=st.sampled_from(ENCODINGS), bom=st.sampled_from(BOMS))
def test_text_in_any_encoding_is_read_or_refused(app, text, encoding, bom):
    _read(app, bom + text.encode(encoding, errors="replace"), "inventaire.csv")


@examples(200)
@given(data=broken_csvs(), mapping=MAPPINGS)
@example(data=b"Serial;Type;Model\nA;laptop;" + b"x" * 140_000 + b"\n", mapping=None)
@example(data="Serial\tType\n\ufeffA\tlaptop\n".encode(), mapping=None)
def test_csvs_with_wrong_structure_are_read_or_refused(app, data, mapping):
    _read(app, data, "inventaire.csv", mapping)


@examples(150)
@given(data=plausible_csvs())
@example(data=LIGATURE_SERIAL)  # was: a 240-character serial for an 80-character column
@example(data="N° d'inventaire;Type\n".encode() + "ß".encode() * 80 + ";laptop\n".encode())
def test_each_line_is_imported_or_refused_with_its_reason_in_both_languages(app, data):
    with app.app_context(), force_locale("fr"):
        french = _read(app, data, "inventaire.csv")
    with app.app_context(), force_locale("en"):
        english = _read(app, data, "inventaire.csv")
    if french is None:
        assert english is None
        return
    assert french.lines == english.lines and french.duplicates == english.duplicates
    assert [e.line for e in french.errors] == [e.line for e in english.errors]
    for in_french, in_english in zip(french.errors, english.errors):
        assert in_french.message != in_english.message, f"untranslated: {in_english.message!r}"


@examples(150)
@given(data=damaged_xlsx(), filename=st.sampled_from(["inventaire.xlsx", "inventaire.csv", ""]))
def test_damaged_excel_files_are_refused_or_read(app, data, filename):
    _read(app, data, filename)


@examples(40)
@given(rows=st.lists(st.lists(XLSX_CELLS, max_size=7), max_size=6))
def test_excel_sheets_with_any_cells_are_read_or_refused(app, rows):
    _read(app, xlsx_of(rows), "inventaire.xlsx")


# --- the import, end to end --------------------------------------------------------------------

@pytest.fixture
def supervisor(ctx):
    user = make_user("supervisor")
    return user, {"Authorization": f"Bearer {make_token(user)}"}


def _line_count(donation) -> int:
    """Return how many declared lines the donation has in the database."""
    return db.session.scalar(select(func.count()).select_from(DeclaredItem)
                             .where(DeclaredItem.donation_id == donation.id))


@examples(40)
@given(body=st.one_of(plausible_csvs(), broken_csvs(), st.binary(max_size=300)), allow_duplicates=st.booleans())
@example(body=LIGATURE_SERIAL, allow_duplicates=False)
@example(body=b"Serial;Type\nA;laptop\nA;laptop\n", allow_duplicates=False)
@example(body=b"Serial;Type\nALREADY-1;laptop\n", allow_duplicates=False)
def test_an_import_through_the_api_adds_every_line_or_none(client, supervisor, body, allow_duplicates):
    user, headers = supervisor
    donation = make_donation(make_donor(user.structure))
    import_declared_items(donation, parse_inventory(b"Serial;Type\nALREADY-1;laptop\n"), by=None)
    db.session.commit()
    url = f"/api/v1/donations/{donation.id}/declared-items" + ("?allow_duplicates=1" if allow_duplicates else "")
    response = client.post(url, data=body, headers=headers | {"Content-Type": "text/csv"})
    assert response.status_code in (201, 409, 422), response.get_data(as_text=True)
    event(f"HTTP {response.status_code}")
    answer = response.get_json()
    if response.status_code == 409:  # only the line declared already: the same list again needs a confirmation
        assert answer["error"] == "already_imported" and _line_count(donation) == 1
        assert {line.serial for line in parse_inventory(body, "inventory.csv").lines} == {"ALREADY-1"}
    elif response.status_code == 422:
        assert answer["message"].strip() and isinstance(answer["errors"], list)
        assert all(e["message"].strip() and e["line"] >= 1 for e in answer["errors"])
        assert _line_count(donation) == 1
    else:
        assert answer["imported"] == len(parse_inventory(body, "inventory.csv").lines) >= 1
        assert _line_count(donation) == 1 + answer["imported"]
