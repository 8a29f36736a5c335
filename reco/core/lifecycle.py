"""One shape for every status machine: a table of named moves, guards that give every reason, the moves a page offers.

A feature declares its moves once (``Lifecycle``); services call ``apply``, pages call ``offered`` and show what it
returns, and no template compares status values. A guard receives the object and the move's input (``None`` when a
page only asks what blocks the move before the form is filled: the guard then checks the object alone).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from reco.core.audit import Event, record_event
from reco.core.errors import DomainError
from reco.core.permissions import can

#: A guard: (object, the move's input or None) -> one sentence per reason the move is blocked.
Guard = Callable[[Any, Mapping | None], list[str]]


@dataclass(frozen=True)
class Move:
    """One named move: the statuses it leaves, the status it reaches, who may make it and what it checks."""

    name: str
    sources: frozenset
    target: Any
    label: Any = ""
    #: The rule of reco.core.permissions a user needs on the object to be offered the move.
    permission: str | None = None
    guards: tuple[Guard, ...] = ()
    #: Why the move is refused when asked directly: only another service makes it (``by_service=True``).
    made_elsewhere: Any = None


@dataclass(frozen=True)
class Lifecycle:
    """The moves of one status attribute, with the words that refuse a move the table does not hold."""

    attribute: str
    moves: tuple[Move, ...]
    status_labels: Mapping
    #: "… cannot go from « %(from)s » to « %(to)s »." for this kind of object.
    refusal: Any
    #: "… is « %(status)s »: that is final." for this kind of object (or one such text per final status).
    final: Any = _l("« %(status)s » is final: nothing can change it any more.")
    #: Move name -> what asking it from a status it does not leave says, when that says more than ``refusal``.
    out_of_turn: Mapping = field(default_factory=dict)
    #: The event's action; empty means the move's name.
    event_action: str = ""
    #: Called after each move with (object, event, actor), e.g. to tell the other side.
    after: Callable[[Any, Event, Any], None] | None = None
    _by_name: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        self._by_name.update((move.name, move) for move in self.moves)

    def move(self, name: str) -> Move:
        """Return the move called ``name``."""
        return self._by_name[name]

    def status(self, obj):
        """Return the object's status."""
        return getattr(obj, self.attribute)

    def is_final(self, status) -> bool:
        """Say whether no move leaves ``status``."""
        return not any(status in move.sources for move in self.moves)

    def problems(self, obj, name: str, given: Mapping | None = None, *, by_service: bool = False) -> list[str]:
        """Return every reason why ``obj`` cannot make move ``name`` now; empty when it can."""
        move, status = self.move(name), self.status(obj)
        if status not in move.sources:
            label = self.status_labels[status]
            if isinstance(self.final, Mapping) and status in self.final:  # a text for this very status
                return [str(self.final[status] % {"status": label})]
            if name in self.out_of_turn:
                return [str(self.out_of_turn[name] % {"status": label})]
            if self.is_final(status) and not isinstance(self.final, Mapping):
                return [str(self.final % {"status": label})]
            return [str(self.refusal % {"from": label, "to": self.status_labels[move.target]})]
        if move.made_elsewhere is not None and not by_service:
            return [str(move.made_elsewhere)]
        return [problem for guard in move.guards for problem in guard(obj, given)]

    def offered_by_name(self, obj, user) -> dict[str, list[str]]:
        """Return the names of the moves a page offers ``user`` on ``obj``, with what still blocks each."""
        return {move.name: problems for move, problems in self.offered(obj, user)}

    def offered(self, obj, user) -> list[tuple[Move, list[str]]]:
        """Return the moves a page offers ``user`` on ``obj``, with what still blocks each before its form."""
        status = self.status(obj)
        return [(move, self.problems(obj, move.name))
                for move in self.moves
                if status in move.sources and move.made_elsewhere is None
                and (move.permission is None or can(user, move.permission, obj))]

    def check(self, obj, name: str, given: Mapping | None = None, *, by_service: bool = False) -> None:
        """Refuse, with every reason, move ``name`` when ``obj`` cannot make it now (its input checked too)."""
        problems = self.problems(obj, name, given if given is not None else {}, by_service=by_service)
        if problems:
            raise DomainError(" ".join(problems), problems=problems)

    def apply(self, obj, name: str, *, by, given: Mapping | None = None, by_service: bool = False,
              **event_details) -> Event:
        """Make move ``name`` if its guards allow it, record the event (details left empty are not written) and return
        it; otherwise refuse with every reason."""
        self.check(obj, name, given, by_service=by_service)
        move, previous = self.move(name), self.status(obj)
        setattr(obj, self.attribute, move.target)
        event = record_event(by, obj, self.event_action or move.name,
                             **{"from": previous.value, "to": move.target.value},
                             **{key: value for key, value in event_details.items() if value not in (None, "")})
        if self.after is not None:
            self.after(obj, event, by)
        return event
