"""The navigation menu: each feature adds entries, each entry shows only to those allowed."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import LazyString

from reco.core.permissions import can


@dataclass(frozen=True)
class NavEntry:
    """One link of the main menu."""

    endpoint: str
    label: LazyString
    action: str
    #: Text of the card shown on the home page.
    description: LazyString | None = None
    #: Place in the menu, smallest first.
    order: int = 50


_ENTRIES: list[NavEntry] = []
#: endpoint -> function giving, for a user, the number shown beside the entry and the text saying what it counts.
_BADGES: dict[str, Callable[[object], tuple[int, str]]] = {}


def add_nav_entry(entry: NavEntry) -> None:
    """Add a menu entry (called by each feature at import)."""
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)
        _ENTRIES.sort(key=lambda e: e.order)


def add_nav_badge(endpoint: str, badge: Callable[[object], tuple[int, str]]) -> None:
    """Show beside a menu entry a number that ``badge(user)`` gives with the text saying what it counts."""
    _BADGES[endpoint] = badge


def nav_entries(user) -> list[dict]:
    """Return the menu entries ``user`` may follow, with their URLs and badges."""
    return [
        {"url": url_for(e.endpoint), "label": e.label, "description": e.description, "endpoint": e.endpoint,
         "badge": _BADGES[e.endpoint](user) if e.endpoint in _BADGES else (0, "")}
        for e in _ENTRIES
        if can(user, e.action)
    ]
