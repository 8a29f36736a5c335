"""The global scan box: features register lookups that turn a scanned code into a page."""
from __future__ import annotations

from collections.abc import Callable

#: A lookup takes (user, code) and returns the URL of what it found, or None.
Lookup = Callable[[object, str], str | None]

_LOOKUPS: list[Lookup] = []
MAX_CODE_LENGTH = 128


def scan_lookup(lookup: Lookup) -> Lookup:
    """Register a lookup (decorator); lookups run in registration order."""
    if lookup not in _LOOKUPS:
        _LOOKUPS.append(lookup)
    return lookup


def clean_code(raw: str | None) -> str:
    """Return a scanned code without surrounding spaces or control characters."""
    code = "".join(ch for ch in (raw or "") if ch.isprintable()).strip()
    return code[:MAX_CODE_LENGTH]


def normalise_code(raw: str | None) -> str | None:
    """Return a code as it is stored and compared (trimmed, upper case), or None when empty."""
    return clean_code(raw).upper() or None


def resolve_scan(user, raw: str | None) -> str | None:
    """Return the URL of the first object ``user`` may see that matches the code."""
    code = clean_code(raw)
    if not code:
        return None
    for lookup in _LOOKUPS:
        url = lookup(user, code)
        if url:
            return url
    return None
