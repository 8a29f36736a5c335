"""A donation's declared lines once imported: earlier imports, a list imported again, deleting lines."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from reco.accounts.models import User
from reco.core.audit import Event, record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.donations.inventory_import import ParsedInventory
from reco.donations.models import DeclaredItem, Donation
from reco.extensions import db
from reco.inventory.models import Device

#: Most lines deleted in one go (a page lists 500).
MAX_DELETED = 1000


@dataclass(frozen=True)
class PriorImport:
    """One earlier import into a donation: when, by whom, the line numbers it gave and its file's SHA-256."""

    at: datetime
    by: str | None
    first: int
    last: int
    sha256: str | None

    def covers(self, numbers: list[int]) -> bool:
        """Tell whether one of the sorted line ``numbers`` came from this import."""
        index = bisect_left(numbers, self.first)
        return index < len(numbers) and numbers[index] <= self.last

    def sentence(self, same_file: bool) -> str:
        """Say when and by whom this list, or these lines, were imported."""
        name = self.by or str(_l("Reco (command line or scheduled job)"))
        when = format_datetime(self.at, "short")
        if same_file:
            return str(_l("This list was already imported on %(date)s by %(name)s.", date=when, name=name))
        return str(_l("These lines were already imported on %(date)s by %(name)s.", date=when, name=name))


@dataclass(frozen=True)
class Reimport:
    """Why a list looks already imported: the same file, or every line already declared in the donation."""

    same_file: bool
    #: The earlier imports this list repeats.
    imports: list[PriorImport]
    #: The donation's line numbers that the list's lines already are.
    lines: list[int]

    @property
    def lines_text(self) -> str:
        """Return the line numbers as short ranges, e.g. "1-3, 7"."""
        return line_ranges(self.lines)

    def sentences(self) -> list[str]:
        """Say which earlier imports this list repeats, with their dates and authors."""
        said = [prior.sentence(self.same_file) for prior in self.imports]
        return said or [str(_l("These lines are already declared in this collection."))]


def line_ranges(numbers: list[int]) -> str:
    """Write sorted line numbers as short ranges, e.g. [1, 2, 3, 7] as "1-3, 7"."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


class AlreadyImported(DomainError):
    """The list, or every one of its lines, is already in the donation: importing it needs a confirmation."""

    code = "already_imported"

    def __init__(self, reimport: Reimport):
        super().__init__(" ".join(reimport.sentences()))
        self.reimport = reimport


def prior_imports(donation: Donation) -> list[PriorImport]:
    """Return the imports into ``donation``, oldest first, with the line numbers each one gave."""
    events = db.session.scalars(select(Event).where(
        Event.object_type == donation.audit_type, Event.object_id == str(donation.id),
        Event.action == "inventory_imported").order_by(Event.id))
    imports, last = [], 0
    for event in events:
        details = event.details or {}
        count = details.get("lines") or 0
        first = details.get("from") or last + 1
        end = details.get("to") or first + count - 1
        if count:
            imports.append(PriorImport(event.at, event.actor.name if event.actor else None, first, end,
                                       details.get("code")))
        last = max(last, end)
    return imports


def next_line_number(donation: Donation, imports: list[PriorImport]) -> int:
    """Return the number the next declared line takes; numbers of deleted lines are never given again."""
    highest = db.session.scalar(select(func.coalesce(func.max(DeclaredItem.line_number), 0))
                                .where(DeclaredItem.donation_id == donation.id))
    return max([highest, *(prior.last for prior in imports)]) + 1


def reimport_of(donation: Donation, parsed: ParsedInventory, imports: list[PriorImport]) -> Reimport | None:
    """Tell whether ``parsed`` was already imported: same file with lines still declared, or all its lines are."""
    declared = db.session.execute(select(DeclaredItem.line_number, DeclaredItem.device_type, DeclaredItem.serial,
                                         DeclaredItem.donor_tag).where(DeclaredItem.donation_id == donation.id)
                                  .order_by(DeclaredItem.line_number)).all()
    present = [row.line_number for row in declared]
    same = [prior for prior in imports if parsed.sha256 and prior.sha256 == parsed.sha256 and prior.covers(present)]
    if same:
        lines = [n for n in present if any(prior.first <= n <= prior.last for prior in same)]
        return Reimport(True, same, lines)
    by_content: dict[tuple, int] = {}
    for row in declared:
        by_content.setdefault((row.device_type, row.serial, row.donor_tag), row.line_number)
    found = [by_content.get((line.device_type, line.serial, line.donor_tag)) for line in parsed.lines]
    if not found or None in found:
        return None
    lines = sorted(set(found))
    return Reimport(False, [prior for prior in imports if prior.covers(lines)], lines)


def _line_content(item: DeclaredItem) -> dict:
    """Return what a declared line said, to keep in the history once it is deleted."""
    return {"line": item.line_number, "type": item.device_type.value, "brand": item.brand, "model": item.model,
            "serial": item.serial, "donor_tag": item.donor_tag,
            "purchase_date": item.purchase_date.isoformat() if item.purchase_date else None,
            **({"comment": item.comment} if item.comment else {})}


def delete_declared_items(donation: Donation, line_numbers, *, by: User | None) -> list[int]:
    """Delete declared lines that no device uses, all or none; return their numbers. Others keep theirs."""
    if donation.is_closed:
        raise DomainError(str(_l("This collection is closed: it can no longer be changed.")))
    numbers = sorted({n for n in line_numbers if isinstance(n, int) and not isinstance(n, bool)})
    if not numbers or len(numbers) != len(set(line_numbers)):
        raise ValidationFailed(str(_l("Choose the lines of the donor's list to delete.")),
                               {"lines": [str(_l("Choose the lines of the donor's list to delete."))]})
    if len(numbers) > MAX_DELETED:
        message = str(_l("Delete at most %(n)d lines at once.", n=MAX_DELETED))
        raise ValidationFailed(message, {"lines": [message]})
    db.session.execute(select(Donation.id).where(Donation.id == donation.id).with_for_update())
    items = list(db.session.scalars(select(DeclaredItem).where(
        DeclaredItem.donation_id == donation.id, DeclaredItem.line_number.in_([n for n in numbers if 0 < n < 2 ** 31]))
        .order_by(DeclaredItem.line_number).with_for_update()))
    unknown = sorted(set(numbers) - {item.line_number for item in items})
    if unknown:
        message = str(_l("The donor's list of this collection has no line %(lines)s.",
                         lines=", ".join(map(str, unknown))))
        raise ValidationFailed(message, {"lines": [message]})
    used = db.session.execute(select(DeclaredItem.line_number, Device.tag)
                              .join(Device, Device.declared_item_id == DeclaredItem.id)
                              .where(DeclaredItem.id.in_([item.id for item in items]))
                              .order_by(DeclaredItem.line_number)).all()
    if used:
        which = ", ".join(str(_l("line %(n)d (device %(tag)s)", n=row.line_number, tag=row.tag)) for row in used)
        raise DomainError(str(_l("Lines received as a device cannot be deleted: %(which)s. Nothing was deleted.",
                                 which=which)))
    record_event(by, donation, "declared_items_deleted", lines=numbers,
                 before=[_line_content(item) for item in items])
    db.session.execute(delete(DeclaredItem).where(DeclaredItem.id.in_([item.id for item in items])))
    db.session.expire(donation, ["declared_items"])
    return numbers
