"""Rules for donors, donations and the import of donor inventories."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select

from reco.accounts.models import Structure, User
from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.lifecycle import Lifecycle, Move
from reco.core.time import utcnow
from reco.core.validators import normalise_number, siren_valid, siret_valid
from reco.donations.declared import AlreadyImported, next_line_number, prior_imports, reimport_of
from reco.donations.inventory_import import ParsedInventory
from reco.donations.models import DeclaredCount, DeclaredItem, Donation, DonationStatus, Donor, DonorKind
from reco.donations.vocabulary import STATUS_LABELS
from reco.extensions import db
from reco.inventory.models import LEFT_WORKBENCH, Device, DeviceState, DeviceType, Drive

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 .\-()]{6,25}$")
POSTCODE_RE = re.compile(r"^\d{5}$")
#: How many outstanding lines and undeclared devices a collection's page lists.
LISTED = 500
DONOR_FIELDS = ("name", "kind", "company_number", "address", "postcode", "city", "contact_name", "email", "phone")
DONATION_FIELDS = ("planned_date", "pickup_address", "declared_value", "notes")
#: The label of each text field, as the forms show it, for the messages about it.
FIELD_LABELS = {"name": _l("Name"), "address": _l("Address"), "postcode": _l("Postcode"), "city": _l("City"),
                "contact_name": _l("Contact person"), "email": _l("Email"), "phone": _l("Phone"),
                "pickup_address": _l("Pickup address")}

def _fail(field: str, message) -> None:
    """Raise a validation error about one field."""
    raise ValidationFailed(str(message), {field: [str(message)]})


def _text(value, limit: int, field: str) -> str:
    """Return a trimmed text field, refusing what is too long."""
    text = (value or "").strip()
    if len(text) > limit:
        _fail(field, _l("%(field)s is too long (%(n)d characters at most).", field=FIELD_LABELS[field], n=limit))
    return text


def _apply_company_number(donor: Donor, number: str | None) -> None:
    """Set the donor's SIREN and SIRET from a 9- or 14-digit number."""
    number = normalise_number(number or "")
    if not number:
        donor.siren = donor.siret = None
    elif len(number) == 9 and siren_valid(number):
        donor.siren, donor.siret = number, None
    elif len(number) == 14 and siret_valid(number):
        donor.siren, donor.siret = number[:9], number
    else:
        _fail("company_number", _l("This is neither a valid SIREN (9 digits) nor a valid SIRET (14 digits): "
                                   "check the number, its last digit is a check key."))


def _apply_donor_fields(donor: Donor, fields: dict) -> None:
    """Check and set a donor's fields."""
    for name in fields:
        if name not in DONOR_FIELDS:
            raise TypeError(f"unknown donor field {name}")
    if "name" in fields:
        donor.name = _text(fields["name"], 160, "name")
        if not donor.name:
            _fail("name", _l("Give the donor's name."))
    if "kind" in fields:
        try:
            donor.kind = DonorKind(fields["kind"])
        except ValueError:
            _fail("kind", _l("Choose the kind of donor."))
    if "company_number" in fields:
        _apply_company_number(donor, fields["company_number"])
    for name, limit in (("address", 200), ("city", 120), ("contact_name", 120)):
        if name in fields:
            setattr(donor, name, _text(fields[name], limit, name))
    if "postcode" in fields:
        donor.postcode = _text(fields["postcode"], 10, "postcode")
        if donor.postcode and not POSTCODE_RE.match(donor.postcode):
            _fail("postcode", _l("A postcode has 5 digits."))
    if "email" in fields:
        donor.email = _text((fields["email"] or "").lower(), 254, "email")
        if donor.email and not EMAIL_RE.match(donor.email):
            _fail("email", _l("Give a valid email address."))
    if "phone" in fields:
        donor.phone = _text(fields["phone"], 30, "phone")
        if donor.phone and not PHONE_RE.match(donor.phone):
            _fail("phone", _l("Give a phone number with digits only, e.g. 02 99 00 00 00."))


def create_donor(*, by: User | None, workshop: Structure, **fields) -> Donor:
    """Create a donor known to ``workshop``."""
    if not workshop.is_workshop:
        _fail("workshop", _l("Only a workshop receives donations."))
    donor = Donor(workshop_id=workshop.id)
    fields.setdefault("name", "")
    fields.setdefault("kind", "")
    _apply_donor_fields(donor, fields)
    db.session.add(donor)
    db.session.flush()
    record_event(by, donor, "created", kind=donor.kind.value)
    return donor


def update_donor(donor: Donor, *, by: User | None, **fields) -> Donor:
    """Change a donor's details; the change is recorded."""
    columns = ("name", "kind", "siren", "siret", "address", "postcode", "city", "contact_name", "email", "phone")
    before = {name: getattr(donor, name) for name in columns}
    with db.session.no_autoflush:
        _apply_donor_fields(donor, fields)
    changed = [name for name in columns if getattr(donor, name) != before[name]]
    if changed:
        record_event(by, donor, "updated", fields=changed)
    return donor


def parse_amount(value) -> Decimal | None:
    """Return an amount in euros from text such as "1 200,50", None when empty."""
    if value is None or value == "":
        return None
    message = _l("Write the value as a number of euros, e.g. 1200 or 1200,50.")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        _fail("declared_value", message)
    text = str(value) if not isinstance(value, str) else re.sub(r"[\s €]", "", value).replace(",", ".")
    try:
        amount = Decimal(text).quantize(Decimal("0.01"))
    except ArithmeticError:
        _fail("declared_value", message)
    if not amount.is_finite() or amount < 0 or amount >= Decimal("10000000000"):
        _fail("declared_value", message)
    return amount


def _apply_donation_fields(donation: Donation, fields: dict) -> None:
    """Check and set a donation's fields."""
    for name in fields:
        if name not in DONATION_FIELDS:
            raise TypeError(f"unknown donation field {name}")
    if "planned_date" in fields:
        planned = fields["planned_date"]
        if planned is not None and not isinstance(planned, date):
            _fail("planned_date", _l("Write the date as 31/12/2026."))
        donation.planned_date = planned
    if "pickup_address" in fields:
        donation.pickup_address = _text(fields["pickup_address"], 300, "pickup_address")
    if "declared_value" in fields:
        donation.declared_value = parse_amount(fields["declared_value"])
    if "notes" in fields:
        donation.notes = (fields["notes"] or "").strip()[:5000]


def set_declared_counts(donation: Donation, counts: dict) -> None:
    """Replace the declared number of devices per type."""
    clean: dict[DeviceType, int] = {}
    message = _l("Give each declared count as a whole number.")
    for kind, quantity in counts.items():
        if isinstance(quantity, bool) or not isinstance(quantity, (int, str)) or \
                (isinstance(quantity, str) and quantity.strip() and not quantity.strip().isdigit()):
            _fail("declared_counts", message)
        try:
            kind = DeviceType(kind)
        except ValueError:
            _fail("declared_counts", _l("Unknown type of device."))
        quantity = int(quantity) if str(quantity).strip() else 0
        if quantity < 0 or quantity > 100000:
            _fail("declared_counts", message)
        if quantity:
            clean[kind] = quantity
    existing = {c.device_type: c for c in donation.declared_counts}
    for kind, count in existing.items():
        if kind not in clean:
            donation.declared_counts.remove(count)
    for kind, quantity in clean.items():
        if kind in existing:
            existing[kind].quantity = quantity
        else:
            donation.declared_counts.append(DeclaredCount(device_type=kind, quantity=quantity))


def create_donation(*, by: User | None, donor: Donor, declared_counts: dict | None = None, **fields) -> Donation:
    """Plan a collection from ``donor`` for the donor's workshop."""
    donation = Donation(donor=donor, workshop_id=donor.workshop_id, status=DonationStatus.PLANNED)
    _apply_donation_fields(donation, fields)
    set_declared_counts(donation, declared_counts or {})
    db.session.add(donation)
    db.session.flush()
    record_event(by, donation, "created", donor_id=donor.id)
    return donation


def update_donation(donation: Donation, *, by: User | None, declared_counts: dict | None = None,
                    **fields) -> Donation:
    """Change a donation's details; the change is recorded."""
    if donation.is_closed:
        raise DomainError(str(_l("This collection is closed: it can no longer be changed.")))
    with db.session.no_autoflush:
        _apply_donation_fields(donation, fields)
        if declared_counts is not None:
            set_declared_counts(donation, declared_counts)
    record_event(by, donation, "updated", fields=sorted(fields))
    return donation


def close_problems(donation: Donation, given: Mapping | None = None) -> list[str]:
    """Return what stops a donation from being closed, one sentence each."""
    problems = []
    on_bench = [d.tag for d in donation.devices if d.state not in LEFT_WORKBENCH]
    if on_bench:
        problems.append(str(_l("Devices still on the workbench: %(tags)s.", tags=", ".join(on_bench))))
    drives = db.session.scalars(select(Drive).where(Drive.donation_id == donation.id).order_by(Drive.id))
    unsanitized = [d.serial or f"#{d.id}" for d in drives if not d.is_sanitized]
    if unsanitized:
        problems.append(str(_l("Drives not sanitized or destroyed: %(serials)s.", serials=", ".join(unsanitized))))
    return problems


def _stamp(donation: Donation, _event, _by) -> None:
    """Write down when the collection reached its new status."""
    setattr(donation, f"{donation.status.value}_at", utcnow())


#: The moves of a collection's status, each named after the status it reaches.
DONATION_LIFECYCLE = Lifecycle(
    attribute="status",
    moves=(
        # Nothing leads back to « planned »: asked for, the move is refused with both statuses.
        Move("planned", frozenset(), DonationStatus.PLANNED),
        Move("collected", frozenset({DonationStatus.PLANNED}), DonationStatus.COLLECTED, _l("Mark as collected"),
             "donation.manage"),
        Move("received", frozenset({DonationStatus.PLANNED, DonationStatus.COLLECTED}), DonationStatus.RECEIVED,
             _l("Mark as received at the workshop"), "donation.manage"),
        Move("closed", frozenset({DonationStatus.RECEIVED}), DonationStatus.CLOSED, _l("Close the collection"),
             "donation.manage", guards=(close_problems,)),
    ),
    status_labels=STATUS_LABELS,
    refusal=_l("A collection cannot go from « %(from)s » to « %(to)s »."),
    final=_l("This collection is closed: it can no longer be changed."),
    event_action="status",
    after=_stamp,
)


def set_donation_status(donation: Donation, to, *, by: User | None) -> Donation:
    """Move a donation to its next status, or say why not; a refusal changes nothing."""
    try:
        to = DonationStatus(to)
    except ValueError:
        _fail("status", _l("Unknown status."))
    DONATION_LIFECYCLE.apply(donation, to.value, by=by)
    return donation


def import_declared_items(donation: Donation, parsed: ParsedInventory, *, by: User | None,
                          allow_duplicates: bool = False, allow_reimport: bool = False) -> int:
    """Add every line of a checked inventory, or none; repeated serials and a list imported again need a yes."""
    if donation.is_closed:
        raise DomainError(str(_l("This collection is closed: it can no longer be changed.")))
    if parsed.errors or parsed.unknown_columns:
        raise ValidationFailed(str(_l("The file has errors: nothing was imported.")))
    if parsed.duplicates and not allow_duplicates:
        raise ValidationFailed(str(_l("Some serial numbers appear several times: confirm to import anyway.")))
    db.session.execute(select(Donation.id).where(Donation.id == donation.id).with_for_update())
    imports = prior_imports(donation)
    if not allow_reimport and (reimport := reimport_of(donation, parsed, imports)):
        raise AlreadyImported(reimport)
    first = next_line_number(donation, imports)
    rows = [{"donation_id": donation.id, "line_number": first + index, "device_type": line.device_type,
             "brand": line.brand[:80], "model": line.model[:120], "serial": line.serial,
             "donor_tag": line.donor_tag, "purchase_date": line.purchase_date, "comment": line.comment[:500]}
            for index, line in enumerate(parsed.lines)]
    if rows:
        db.session.execute(insert(DeclaredItem), rows)
    record_event(by, donation, "inventory_imported", lines=len(rows),
                 duplicates=sorted(parsed.duplicates) if parsed.duplicates else [], code=parsed.sha256 or None,
                 **{"from": first, "to": first + len(rows) - 1})
    db.session.expire(donation, ["declared_items"])
    return len(rows)


def declared_and_received(donation_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Return (declared, received) of each collection in three queries, counted as ``declared_vs_received`` does."""
    if not donation_ids:
        return {}
    declared: dict[int, dict] = {i: {} for i in donation_ids}
    received = dict.fromkeys(donation_ids, 0)
    for donation_id, kind, quantity in db.session.execute(
            select(DeclaredCount.donation_id, DeclaredCount.device_type, DeclaredCount.quantity)
            .where(DeclaredCount.donation_id.in_(donation_ids))):
        declared[donation_id][kind] = quantity
    for donation_id, kind, count in db.session.execute(
            select(DeclaredItem.donation_id, DeclaredItem.device_type, func.count())
            .where(DeclaredItem.donation_id.in_(donation_ids)).group_by(DeclaredItem.donation_id,
                                                                        DeclaredItem.device_type)):
        declared[donation_id][kind] = max(declared[donation_id].get(kind, 0), count)
    for donation_id, count in db.session.execute(
            select(Device.donation_id, func.count())
            .where(Device.donation_id.in_(donation_ids), Device.state != DeviceState.VOIDED)
            .group_by(Device.donation_id)):
        received[donation_id] = count
    return {i: (sum(declared[i].values()), received[i]) for i in donation_ids}


def declared_vs_received(donation: Donation) -> dict:
    """Return, per device type, what was declared, received, and what is outstanding or undeclared."""
    declared: dict[DeviceType, int] = {c.device_type: c.quantity for c in donation.declared_counts}
    item_counts = db.session.execute(
        select(DeclaredItem.device_type, func.count()).where(DeclaredItem.donation_id == donation.id)
        .group_by(DeclaredItem.device_type)).all()
    for kind, count in item_counts:
        declared[kind] = max(declared.get(kind, 0), count)
    received = dict(db.session.execute(
        select(Device.type, func.count()).where(Device.donation_id == donation.id, Device.state != DeviceState.VOIDED)
        .group_by(Device.type)).all())
    outstanding_query = select(DeclaredItem).where(DeclaredItem.donation_id == donation.id, ~DeclaredItem.device.has())
    undeclared_query = select(Device).where(Device.donation_id == donation.id, Device.declared_item_id.is_(None),
                                            Device.state != DeviceState.VOIDED)
    outstanding = list(db.session.scalars(outstanding_query.order_by(DeclaredItem.line_number).limit(LISTED)))
    undeclared = list(db.session.scalars(undeclared_query.order_by(Device.id).limit(LISTED)))
    types = [t for t in DeviceType if declared.get(t) or received.get(t)]
    return {
        "rows": [{"type": t, "declared": declared.get(t, 0), "received": received.get(t, 0),
                  "outstanding": max(declared.get(t, 0) - received.get(t, 0), 0)} for t in types],
        "declared": sum(declared.values()),
        "received": sum(received.values()),
        "outstanding_items": outstanding,
        "outstanding_count": db.session.scalar(select(func.count()).select_from(outstanding_query.subquery())),
        "undeclared_devices": undeclared,
        "undeclared_count": db.session.scalar(select(func.count()).select_from(undeclared_query.subquery())),
    }
