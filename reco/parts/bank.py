"""The bank: what other workshops have available, and requests from asking to receiving."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from reco.accounts.models import Role, Structure, User
from reco.core.audit import Event, record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.lifecycle import Lifecycle, Move
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
    _tell_the_other_side(request, record_event(by, request, "requested", part=part_type.name, quantity=quantity), by)
    return request


def lock_request(request: PartRequest) -> None:
    """Lock the request's row until the commit and read it afresh."""
    db.session.flush()
    db.session.execute(select(PartRequest.id).where(PartRequest.id == request.id).with_for_update())
    db.session.refresh(request)


def _level_with_enough(request: PartRequest) -> StockLevel | None:
    """Return one place of the owner's stock that can set the request's units aside, locked; None when none can."""
    levels = db.session.scalars(select(StockLevel).where(
        StockLevel.workshop_id == request.owner_id, StockLevel.part_type_id == request.part_type_id,
        StockLevel.condition == request.condition).order_by((StockLevel.quantity - StockLevel.reserved).desc()))
    for level in levels:
        lock_level(level)
        if level.available >= request.quantity:
            return level
    return None


def _stock_problems(request: PartRequest, given: Mapping | None) -> list[str]:
    """Return why the units cannot be set aside: no place of the stock has enough any more."""
    if given is None or given.get("level") is not None:
        return []
    return [str(_l("Not enough « %(part)s » in one place of your stock any more: decline the request or "
                   "count your stock.", part=request.part_type.name))]


def _tell_the_other_side(request: PartRequest, event: Event, by: User) -> None:
    """Tell the other workshop's supervisors what happened to the request."""
    other = request.owner_id if by.structure_id == request.asker_id else request.asker_id
    users = db.session.scalars(select(User).where(User.structure_id == other, User.role == Role.SUPERVISOR))
    notify(users, event, subject=request.part_type.name, url=path_for("parts.request_page", request_id=request.id))


#: The moves of a request, each named after the status it reaches (the action of its event).
REQUEST_LIFECYCLE = Lifecycle(
    attribute="status",
    moves=(
        Move("accepted", frozenset({R.REQUESTED}), R.ACCEPTED, _l("Accept: set the parts aside"),
             "part_request.answer", guards=(_stock_problems,)),
        Move("shipped", frozenset({R.ACCEPTED}), R.SHIPPED, _l("Shipped"), "part_request.answer"),
        Move("received", frozenset({R.SHIPPED}), R.RECEIVED, _l("Received"), "part_request.follow"),
        Move("declined", frozenset({R.REQUESTED, R.ACCEPTED}), R.DECLINED, _l("Decline"), "part_request.answer"),
        Move("cancelled", frozenset({R.REQUESTED, R.ACCEPTED}), R.CANCELLED, _l("Cancel the request"),
             "part_request.follow"),
    ),
    status_labels=REQUEST_STATUS_LABELS,
    refusal=_l("A parts request cannot go from « %(from)s » to « %(to)s »."),
    final=_l("This request is « %(status)s »: that cannot be done now."),
    after=_tell_the_other_side,
)


def _move(request: PartRequest, name: str, by: User, given: Mapping | None = None, **details) -> Event:
    """Make move ``name`` of the request; its event says which part and how many."""
    return REQUEST_LIFECYCLE.apply(request, name, by=by, given=given, part=request.part_type.name,
                                   quantity=request.quantity, **details)


def accept_request(request: PartRequest, *, by: User) -> PartRequest:
    """Set the units aside for the asker, from one place of the owner's stock that has enough."""
    lock_request(request)
    level = _level_with_enough(request)
    _move(request, "accepted", by, given={"level": level})
    level.reserved += request.quantity
    request.stock_level_id = level.id
    return request


def _release(request: PartRequest) -> None:
    """Give back the units set aside for an accepted request."""
    if request.status is R.ACCEPTED and request.stock_level_id is not None:
        level = lock_level(db.session.get(StockLevel, request.stock_level_id))
        level.reserved -= request.quantity


def ship_request(request: PartRequest, *, by: User) -> PartRequest:
    """Send the units set aside: they leave the owner's stock."""
    lock_request(request)
    _move(request, "shipped", by)
    take_stock(db.session.get(StockLevel, request.stock_level_id), quantity=request.quantity,
               kind=MoveKind.TRANSFER_OUT, by=by, from_reserved=True, request_id=request.id)
    return request


def receive_request(request: PartRequest, *, by: User, location=None) -> PartRequest:
    """Put the units received into the asker's stock; a request is received once."""
    lock_request(request)
    _move(request, "received", by)
    add_stock(request.asker, request.part_type, quantity=request.quantity, condition=request.condition,
              kind=MoveKind.TRANSFER_IN, by=by, location=location, request_id=request.id)
    return request


def close_request(request: PartRequest, *, by: User, reason: str = "") -> PartRequest:
    """Decline (the owner) or cancel (the asker) a request not shipped yet; units set aside are given back."""
    lock_request(request)
    _release(request)  # only an accepted request holds units, and it can always be closed
    reason = str(reason or "").strip()[:500]
    _move(request, "declined" if by.structure_id == request.owner_id else "cancelled", by, reason=reason)
    request.reason = reason
    return request


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


#: The steps pages and the API name, and the move of the request each one makes.
STEPS = {"accept": "accepted", "ship": "shipped", "receive": "received", "decline": "declined", "cancel": "cancelled"}


def step_permission(step: str) -> str:
    """Return the permission a step needs on the request."""
    return REQUEST_LIFECYCLE.move(STEPS[step]).permission


def take_step(request: PartRequest, step: str, *, by: User, location=None, reason: str = "") -> PartRequest:
    """Take one step of a request (pages and API alike)."""
    if step == "receive":
        return receive_request(request, by=by, location=location)
    if step in ("decline", "cancel"):
        return close_request(request, by=by, reason=reason)
    return {"accept": accept_request, "ship": ship_request}[step](request, by=by)
