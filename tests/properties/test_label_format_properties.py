"""Label format files: any file gives a usable format or FormatError naming the file, in French and English."""
from __future__ import annotations

import json
import math
import re
import shutil
import tomllib
from datetime import date, datetime, time

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from reco.labels.formats import FIELDS, LABELS_DIR, FormatError, LabelFormat, load_formats, parse_format
from tests.properties import examples

SHIPPED = {path.name: path.read_text(encoding="utf-8") for path in sorted(LABELS_DIR.glob("*.toml"))}
KEYS = ["name", "kind", "page_width_mm", "page_height_mm", "label_width_mm", "label_height_mm", "columns", "rows",
        "margin_left_mm", "margin_top_mm", "gap_x_mm", "gap_y_mm", "padding_mm", "fields", "qr", "barcode", "fonts",
        "module_width_mm", "height_mm", "quiet_zone_mm", "tag_pt", "text_pt"]
#: Nested 5,000 deep: tomllib reads arrays and inline tables by recursion.
DEEP_ARRAY = "name = " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_TABLE = "barcode = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n"

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-5, 1200), st.floats(), st.floats(0, 300),
    st.text(max_size=15), st.sampled_from(["roll", "sheet", "tag", "title", "grade", " ", ""]),
    st.dates(), st.datetimes(), st.times(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4),
                      max_leaves=10)


def _toml(value) -> str:
    """Return ``value`` written as a TOML value; None, which TOML lacks, as an empty array."""
    if value is None:
        return "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml(v)}" for k, v in value.items()) + "}"


def _json(value) -> str:
    """Return ``value`` written as JSON, dates as text."""
    return json.dumps(value, default=str)


def _document(table: dict) -> str:
    """Return a TOML file holding ``table``."""
    return "".join(f"{json.dumps(key, ensure_ascii=False)} = {_toml(value)}\n" for key, value in table.items())


@st.composite
def changed_formats(draw) -> str:
    """Return a shipped format with keys dropped or given other values (any TOML type)."""
    table = tomllib.loads(SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))])
    for _ in range(draw(st.integers(1, 4))):
        section = table
        if draw(st.booleans()) and isinstance(table.get(name := draw(st.sampled_from(["barcode", "fonts"]))), dict):
            section = table[name]
        key = draw(st.sampled_from(sorted(section) + KEYS))
        if draw(st.booleans()):
            section.pop(key, None)
        else:
            section[key] = draw(VALUES)
    return _document(table)


@st.composite
def edited_texts(draw) -> str:
    """Return a shipped format edited as text: lines dropped, repeated or replaced, numbers changed, cut short."""
    lines = SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))].splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["number", "number", "drop", "repeat", "replace"]))
        if how == "number" and (numbers := list(re.finditer(r"-?[0-9.]+", lines[index]))):
            found = numbers[draw(st.integers(0, len(numbers) - 1))]
            new = draw(st.sampled_from(["0", "-1", "1e9", "inf", "nan", "1.5", "999", "0.01", "20", "x", "", '"7"']))
            lines[index] = lines[index][:found.start()] + new + lines[index][found.end():]
        elif how == "drop":
            del lines[index]
        elif how == "repeat":
            lines.insert(index, lines[index])
        else:
            lines[index] = draw(TOML_LINES)
    text = "\n".join(lines) + "\n"
    return text[:draw(st.integers(0, len(text)))] if draw(st.booleans()) else text


TOML_LINES = st.one_of(
    st.builds("{} = {}".format, st.sampled_from(KEYS) | st.text(max_size=6), VALUES.map(_toml)),
    st.builds("{} = {}".format, st.sampled_from(KEYS), st.sampled_from(
        ["1..2", "0x1F", "1_000", "+inf", "-nan", "1979-05-27", "'lit'", '"""', "[", "{", "true", "True", "1e",
         "0o17", "[1, [2, [3]]]", "{ a = 1, }", '"\\ud800"', "07:32"])),
    st.sampled_from(["[barcode]", "[fonts]", "[[fonts]]", "[barcode.x]", "# comment", "", "[", "]"]),
    st.text(max_size=30),
)


def _check(path) -> LabelFormat | None:
    """Parse ``path`` and check the format is usable, or that the refusal names the file in both languages."""
    try:
        fmt = parse_format(path)
    except FormatError as error:
        message = str(error)
        event("refused")
        assert message.startswith(f"{path.name}: ")
        french, _, english = message.removeprefix(f"{path.name}: ").partition(" / ")
        assert french.strip() and english.strip() and french != english
        return None
    event("usable")
    assert isinstance(fmt, LabelFormat) and fmt.key == path.stem
    assert fmt.kind in ("roll", "sheet") and isinstance(fmt.name, str) and fmt.name == fmt.name.strip() != ""
    assert type(fmt.columns) is int and type(fmt.rows) is int and fmt.per_page >= 1
    assert "tag" in fmt.fields and set(fmt.fields) <= set(FIELDS) and isinstance(fmt.qr, bool)
    numbers = [fmt.page_width, fmt.page_height, fmt.label_width, fmt.label_height, fmt.margin_left, fmt.margin_top,
               fmt.gap_x, fmt.gap_y, fmt.padding, fmt.module_width, fmt.barcode_height, fmt.quiet_zone, fmt.tag_size,
               fmt.text_size]
    assert all(isinstance(n, float) and math.isfinite(n) and n >= 0 for n in numbers)
    left, top = fmt.position(fmt.per_page - 1)
    assert left + fmt.label_width <= fmt.page_width + 0.01 and top + fmt.label_height <= fmt.page_height + 0.01
    return fmt


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("labels")


NAMES = st.sampled_from(["format.toml", "étiquette 62mm.toml", "x.toml"])


@examples(200)
@given(data=st.binary(max_size=1000), name=NAMES)
@example(data=b"\xff\xfe" + SHIPPED["dymo-11354.toml"].encode("utf-16-le"), name="format.toml")
def test_random_bytes_are_refused_or_read(folder, data, name):
    path = folder / name
    path.write_bytes(data)
    _check(path)


@examples(200)
@given(text=st.one_of(st.text(max_size=300), st.lists(TOML_LINES, max_size=20).map("\n".join),
                      VALUES.map(_json)), name=NAMES)
@example(text=DEEP_ARRAY, name="format.toml")  # was: RecursionError from tomllib
@example(text=DEEP_TABLE, name="format.toml")
def test_random_toml_and_json_text_is_refused_or_read(folder, text, name):
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    _check(path)


@examples(200)
@given(text=changed_formats() | edited_texts())
@example(text=next(iter(SHIPPED.values())))
def test_shipped_formats_changed_are_refused_or_read_and_never_hide_the_others(folder, text):
    directory = folder / "set"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    shutil.copy(LABELS_DIR / "dymo-11354.toml", directory / "good.toml")
    path = directory / "changed.toml"
    path.write_text(text, encoding="utf-8", newline="")
    fmt = _check(path)
    formats, problems = load_formats(directory)
    assert "good" in formats
    assert ("changed" in formats) is (fmt is not None) and len(problems) == (fmt is None)
