"""Finding the table in a donor's list: its header row under any title rows, lines that are not devices (empty
lines, totals), and what this donor's columns hold as chosen on earlier previews."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

#: How far down the header row is looked for: title rows, a logo, a date and a blank line at most.
HEADER_SEARCH = 30
#: Most remembered columns per donor.
MAX_REMEMBERED = 200
#: The first cell of a line that sums up the list rather than describes a device.
_TOTAL = re.compile(r"^(?:sous |grand |nombre |montant )?(?:total|totaux|sum|somme)(?: |$)")


def simplify(text: str) -> str:
    """Return ``text`` in lower case without accents or punctuation, for comparing names."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def is_total(row: Sequence[str]) -> bool:
    """Tell whether a line sums up the list ("Total", "TOTAL :", "Sous-total", "Total général", "Somme")."""
    first = next((cell for cell in row if cell), "")
    return bool(_TOTAL.match(simplify(first)))


def find_header(rows: Sequence[Sequence[str]], guess: Callable[[str], str]) -> int:
    """Return the index of the header row: the one among the first lines naming the most known columns, else
    the first of the widest lines (a title row holds one cell; a header, one per column). ``rows`` holds a line
    with something in it."""
    candidates = [(i, row) for i, row in enumerate(rows[:HEADER_SEARCH]) if any(row) and not is_total(row)]
    if not candidates:  # nothing but totals or blanks up there: the first line with something in it
        return next((i for i, row in enumerate(rows) if any(row)), 0)
    known = [(sum(1 for cell in row if cell and guess(cell)), i) for i, row in candidates]
    best, index = max(known, key=lambda pair: (pair[0], -pair[1]))
    if best:
        return index
    widest = max(sum(1 for cell in row if cell) for _, row in candidates)
    return next(i for i, row in candidates if sum(1 for cell in row if cell) == widest)


def header_choices(rows: Sequence[Sequence[str]]) -> list[tuple[int, str]]:
    """Return the lines that could be the header, as (line number, its first cells) for the preview's choice."""
    choices = []
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        cells = [cell for cell in row if cell]
        if cells:
            text = " · ".join(cells[:5]) + (" …" if len(cells) > 5 else "")
            choices.append((i + 1, text if len(text) <= 90 else text[:89] + "…"))
    return choices


def remembered_field(memory: Mapping | None, header: str) -> str:
    """Return the field this donor's column named ``header`` was mapped to before, or ""."""
    return (memory or {}).get(simplify(header), "") if header else ""


def updated_memory(memory: Mapping | None, headers: Sequence[str], mapping: Sequence[str],
                   guess: Callable[[str], str]) -> dict[str, str]:
    """Return the donor's remembered columns with the choices of one preview: a choice that the header's usual
    names already give is forgotten, any other is kept; unmapped columns change nothing."""
    remembered = dict(memory or {})
    for header, chosen in zip(headers, mapping):
        key = simplify(header)
        if not key or not chosen:
            continue
        if chosen == guess(header):
            remembered.pop(key, None)
        elif key in remembered or len(remembered) < MAX_REMEMBERED:
            remembered[key] = chosen
    return remembered


def column_letter(index: int) -> str:
    """Return a spreadsheet's name of the column at ``index`` (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
