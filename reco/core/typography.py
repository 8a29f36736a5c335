"""French typography of the catalogue: a no-break space before : ; ? ! and inside « », fixed in place.

Run ``python -m reco.core.typography`` (``make typography``) to fix the French messages.po; it changes only the
spaces of msgstr lines, so it can be run again at any time.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

NBSP = "\u00a0"
#: The spaces French typography accepts before : ; ? ! and inside « »: no-break and narrow no-break.
NO_BREAK = NBSP + "\u202f"
#: Joins the pieces of one msgstr split over several lines, so that a rule sees across them; never in a message.
JOIN = "\x00"
_J = JOIN + "?"
#: Where the catalogue is, from the root of the project.
CATALOG = Path("reco") / "translations" / "fr" / "LC_MESSAGES" / "messages.po"

#: Codes quoted in French text that keep their colon as written (HTTP headers).
_LITERAL = "".join(f"(?<!{re.escape(code)})" for code in ("Authorization", "Content-Type"))
#: What may follow a high punctuation mark that ends a phrase: a space, a line break, the end, a closing sign.
_AFTER = rf"(?:{_J})(?:\s|\\n|\\\"|$|[»)])"
#: (wrong, right) pairs; a message is right once none of the wrong patterns is found in it.
_RULES = [
    # a plain space, or none after a word, before : ; ? !
    (re.compile(rf" ({_J})(?=[:;?!]{_AFTER})"), NBSP + r"\1"),
    (re.compile(rf"(?<=[\w)»]){_LITERAL}({_J})(?=[:;?!]{_AFTER})"), r"\1" + NBSP),
    # a plain space, or none, inside the guillemets
    (re.compile(rf"«({_J}) "), "«" + NBSP + r"\1"),
    (re.compile(rf"«({_J})(?=[^\s{NO_BREAK}{JOIN}])"), "«" + NBSP + r"\1"),
    (re.compile(rf" ({_J})»"), NBSP + r"\1»"),
    (re.compile(rf"(?<=[^\s{NO_BREAK}{JOIN}])({_J})»"), r"\1" + NBSP + "»"),
]


def fix_french(text: str) -> str:
    """Return French text with a no-break space before : ; ? ! and inside « » where a plain one (or none) was."""
    for wrong, right in _RULES:
        text = wrong.sub(right, text)
    return text


def typography_faults(text: str) -> list[str]:
    """Return the places in French text where a space before : ; ? ! or inside « » is plain or missing."""
    faults = []
    for wrong, _right in _RULES:
        faults += [text[max(m.start() - 15, 0):m.end() + 15] for m in wrong.finditer(text)]
    return faults


def _msgstrs(lines: list[str]):
    """Yield the line numbers of each translated message (msgstr and its continuation lines), header left out."""
    index = 0
    previous_msgid_empty = False
    while index < len(lines):
        line = lines[index]
        if line.startswith("msgid "):
            previous_msgid_empty = line.strip() == 'msgid ""' and not lines[index + 1].startswith('"')
        if re.match(r"msgstr(\[\d+\])? \"", line):
            numbers = [index]
            while index + 1 < len(lines) and lines[index + 1].startswith('"'):
                index += 1
                numbers.append(index)
            if not previous_msgid_empty:
                yield numbers
        index += 1


def _literal(line: str) -> tuple[str, str, str]:
    """Return a catalogue line split as (before the string, its content, after it)."""
    start, end = line.index('"'), line.rindex('"')
    return line[:start + 1], line[start + 1:end], line[end:]


def catalog_messages(text: str) -> list[str]:
    """Return the French msgstrs of a catalogue as written (escapes kept), pieces joined."""
    lines = text.split("\n")
    return ["".join(_literal(lines[n])[1] for n in numbers) for numbers in _msgstrs(lines)]


def fix_catalog(text: str) -> str:
    """Return the catalogue with the typography of every msgstr fixed, each line kept where it was."""
    lines = text.split("\n")
    for numbers in _msgstrs(lines):
        parts = [_literal(lines[n]) for n in numbers]
        fixed = fix_french(JOIN.join(content for _before, content, _after in parts)).split(JOIN)
        for n, (before, _content, after), content in zip(numbers, parts, fixed, strict=True):
            lines[n] = before + content + after
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Fix the catalogue given (the French one by default) and say how many lines changed."""
    path = Path(argv[0]) if argv else CATALOG
    before = path.read_text(encoding="utf-8")
    after = fix_catalog(before)
    changed = sum(a != b for a, b in zip(before.split("\n"), after.split("\n"), strict=True))
    if changed:
        path.write_text(after, encoding="utf-8")
    print(f"{path}: {changed} line(s) fixed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
