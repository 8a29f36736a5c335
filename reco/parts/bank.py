"""The bank: what other workshops have available, and requests from asking to receiving."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from reco.accounts.models import Role, Structure, User
from reco.core.audit import Event, record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.notices import describes, notify, path_for
from reco.extensions import db
from reco.parts.catalogue import search_filter
from reco.parts.models import Condition, MoveKind, PartRequest, PartType, RequestStatus, StockLevel
from reco.parts.stock import add_stock, lock_level, parse_condition, parse_quantity, take_stock
from reco.parts.vocabulary import REQUEST_STATUS_LABELS

R = RequestStatus


def available_elsewhere(workshop_id: int, *, text: str = "", category: str = "", attribute: str = ""):
    """Return (part type, condition, workshop, units available) held by other workshops, in one query."""
    free = func.sum(StockLevel.quantity - StockLevel.reserved)
    totals = (select(StockLevel.part_type_id, StockLevel.condition, StockLevel.workshop_id,
                     free.label("available"))
              .where(StockLevel.workshop_id != workshop_id)
              .group_by(StockLevel.part_type_id, StockLevel.condition, StockLevel.workshop_id)
              .having(free > 0).subquery())
    query = (select(PartType, totals.c.condition, Structure, totals.c.available)
             .join(totals, totals.c.part_type_id == PartType.id)
             .join(Structure, Structure.id == totals.c.workshop_id)
             .where(Structure.active.is_(True)).order_by(PartType.name, Structure.name))
    return search_filter(query, text=text, category=category, attribute=attribute)


def available_at(workshop_id: int, part_type: PartType, condition: Condition) -> int:
    """Return the units of a part type in a condition a workshop can set aside at once (in one place)."""
    return db.session.scalar(select(func.coalesce(func.max(StockLevel.quantity - StockLevel.reserved), 0)).where(
        StockLevel.workshop_id == workshop_id, StockLevel.part_type_id == part_type.id,
        StockLevel.condition == condition)) or 0


def ask_parts(*, by: User, owner: Structure | None, part_type: PartType | None, condition, quantity,
              note: str = "") -> PartRequest:
    """Ask another workshop for units it has available."""
    quantity, condition = parse_quantity(quantity), parse_condition(condition)
    if part_type is None:
        raise ValidationFailed(str(_l("Choose the part asked for.")), {"part_type_id": [str(_l("unknown part"))]})
    if owner is None or not owner.is_workshop or not owner.active:
        raise ValidationFailed(str(_l("Choose the workshop that has the parts.")),
                               {"owner_id": [str(_l("unknown workshop"))]})
    if owner.id == by.structure_id:
        raise DomainError(str(_l("These parts are already yours: take them from your own stock.")))
    free = available_at(owner.id, part_type, condition)
    if quantity > free:
        raise DomainError(str(_l("%(workshop)s can give %(n)d « %(part)s » at once: ask for %(n)d at most.",
                                 workshop=owner.name, n=free, part=part_type.name)))
    request = PartRequest(part_type_id=part_type.id, condition=condition, quantity=quantity, asker_id=by.structure_id,
                          owner_id=owner.id, note=str(note or "").strip()[:500], created_by_id=by.id)
    db.session.add(request)
    db.session.flush()
    _record(request, by, "requested")
    return request


def lock_request(request: PartRequest) -> None:
    """Lock the request's row until the commit and read it afresh."""
    db.session.flush()
    db.session.execute(select(PartRequest.id).where(PartRequest.id == request.id).with_for_update())
    db.session.refresh(request)


def _expect(request: PartRequest, *statuses: RequestStatus) -> None:
    """Refuse the action unless the request is in one of ``statuses``."""
    if request.status not in statuses:
        raise DomainError(str(_l("This request is « %(status)s »: that cannot be done now.",
                                 status=REQUEST_STATUS_LABELS[request.status])))


def accept_request(request: PartRequest, *, by: User) -> PartRequest:
    """Set the units aside for the asker, from one place of the owner's stock that has enough."""
    lock_request(request)
    _expect(request, R.REQUESTED)
    levels = db.session.scalars(select(StockLevel).where(
        StockLevel.workshop_id == request.owner_id, StockLevel.part_type_id == request.part_type_id,
        StockLevel.condition == request.condition).order_by((StockLevel.quantity - StockLevel.reserved).desc()))
    for level in levels:
        lock_level(level)
        if level.available >= request.quantity:
            level.reserved += request.quantity
            request.stock_level_id, request.status = level.id, R.ACCEPTED
            _record(request, by, "accepted")
            return request
    raise DomainError(str(_l("Not enough « %(part)s » in one place of your stock any more: decline the request or "
                             "count your stock.", part=request.part_type.name)))


def _release(request: PartRequest) -> None:
    """Give back the units set aside for an accepted request."""
    if request.status is R.ACCEPTED and request.stock_level_id is not None:
        level = lock_level(db.session.get(StockLevel, request.stock_level_id))
        level.reserved -= request.quantity


def ship_request(request: PartRequest, *, by: User) -> PartRequest:
    """Send the units set aside: they leave the owner's stock."""
    lock_request(request)
    _expect(request, R.ACCEPTED)
    take_stock(db.session.get(StockLevel, request.stock_level_id), quantity=request.quantity,
               kind=MoveKind.TRANSFER_OUT, by=by, from_reserved=True, request_id=request.id)
    request.status = R.SHIPPED
    _record(request, by, "shipped")
    return request


def receive_request(request: PartRequest, *, by: User, location=None) -> PartRequest:
    """Put the units received into the asker's stock; a request is received once."""
    lock_request(request)
    _expect(request, R.SHIPPED)
    add_stock(request.asker, request.part_type, quantity=request.quantity, condition=request.condition,
              kind=MoveKind.TRANSFER_IN, by=by, location=location, request_id=request.id)
    request.status = R.RECEIVED
    _record(request, by, "received")
    return request


def close_request(request: PartRequest, *, by: User, reason: str = "") -> PartRequest:
    """Decline (the owner) or cancel (the asker) a request not shipped yet; units set aside are given back."""
    lock_request(request)
    _expect(request, R.REQUESTED, R.ACCEPTED)
    _release(request)
    request.status = R.DECLINED if by.structure_id == request.owner_id else R.CANCELLED
    request.reason = str(reason or "").strip()[:500]
    _record(request, by, request.status.value, reason=request.reason)
    return request


def _record(request: PartRequest, by: User, action: str, **details) -> Event:
    """Record an event of the request and tell the other workshop's supervisors."""
    event = record_event(by, request, action, part=request.part_type.name, quantity=request.quantity,
                         **{k: v for k, v in details.items() if v})
    other = request.owner_id if by.structure_id == request.asker_id else request.asker_id
    users = db.session.scalars(select(User).where(User.structure_id == other, User.role == Role.SUPERVISOR))
    notify(users, event, subject=request.part_type.name, url=path_for("parts.request_page", request_id=request.id))
    return event


REQUEST_EVENT_LABELS = {
    "requested": _l("%(quantity)s asked for"),
    "accepted": _l("%(quantity)s set aside for you"),
    "shipped": _l("%(quantity)s shipped"),
    "received": _l("%(quantity)s received"),
    "declined": _l("request declined"),
    "cancelled": _l("request cancelled"),
}


@describes("part_request")
def describe_request_event(event: Event) -> str:
    """Tell an event of a parts request in a sentence."""
    text = str(REQUEST_EVENT_LABELS.get(event.action, event.action)) % {"quantity": event.details.get("quantity")}
    return f"{text} — {event.details['reason']}" if event.details.get("reason") else text


#: Each step of a request and the permission it needs.
STEPS = {"accept": "part_request.answer", "ship": "part_request.answer", "decline": "part_request.answer",
         "receive": "part_request.follow", "cancel": "part_request.follow"}


def take_step(request: PartRequest, step: str, *, by: User, location=None, reason: str = "") -> PartRequest:
    """Take one step of a request (pages and API alike)."""
    if step == "receive":
        return receive_request(request, by=by, location=location)
    if step in ("decline", "cancel"):
        return close_request(request, by=by, reason=reason)
    return {"accept": accept_request, "ship": ship_request}[step](request, by=by)
