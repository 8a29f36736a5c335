"""Receiving devices at the workshop: asset tags, matching the donor's list, drives seen at intake."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload, lazyload, load_only

from reco.accounts.models import Structure, User, name_only
from reco.core.audit import history_column, history_of, record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.scanning import normalise_code
from reco.core.sequences import next_value
from reco.donations.models import DeclaredItem, Donation, DonationStatus, Donor
from reco.donations.services import DONATION_LIFECYCLE, set_donation_status
from reco.extensions import db
from reco.inventory.models import (Accessory, Device, DeviceState, DeviceType, Diagnosis, Drive, DriveInterface,
                                   ErasureLog, Sanitization)
from reco.inventory.quantities import decimal_of, parse_weight
from reco.inventory.scan import MATCHES, best_matches
from reco.prescriptions.models import Prescription, Reservation

TAG_DIGITS = 6
MAX_DRIVES = 8


def _fail(field_name: str, message) -> None:
    """Raise a validation error about one field."""
    raise ValidationFailed(str(message), {field_name: [str(message)]})


def allocate_tag(workshop: Structure) -> str:
    """Return the next asset tag of ``workshop``, never handed out twice across the network."""
    if not workshop.tag_prefix:
        raise DomainError(str(_l("This workshop has no asset-tag prefix: ask the coordinator to set one.")))
    return f"{workshop.tag_prefix}-{next_value('tag:' + workshop.tag_prefix):0{TAG_DIGITS}d}"


def _drives_shown(relation):
    """Return the loader options reading the drives of ``relation`` with their sanitizations and who made them."""
    sanitizations = joinedload(relation).joinedload(Drive.sanitizations)
    return (name_only(sanitizations.joinedload(Sanitization.operator)),
            name_only(sanitizations.joinedload(Sanitization.validated_by)),
            sanitizations.joinedload(Sanitization.log).load_only(ErasureLog.id, ErasureLog.sha256))


@cache
def shown_when_found() -> tuple:
    """Return the loader options that read, with a device found by a code, its drives, records, repairs and
    diagnoses (what the scan box, batches and labels check): one query.

    Built once, at first use (loader options are immutable; building them costs as much as reading the device).
    """
    return (*_drives_shown(Device.drives), *_drives_shown(Device.removed_drives), joinedload(Device.repairs),
            joinedload(Device.declared_item).load_only(DeclaredItem.id, DeclaredItem.line_number),
            joinedload(Device.diagnoses))


@cache
def shown_with_device() -> tuple:
    """Return the loader options that read, with a device, all its page shows (its reservation too): one query.

    Of the donor its name, of the household's prescription its code and what says who may open it: a workshop's page
    never reads a household's contact details, nor a donor's.
    """
    return (*shown_when_found(), joinedload(Device.donation).joinedload(Donation.donor).load_only(Donor.id, Donor.name),
            name_only(joinedload(Device.received_by)), name_only(joinedload(Device.diagnoses).joinedload(Diagnosis.by)),
            joinedload(Device.merged_into).options(load_only(Device.id, Device.tag), lazyload(Device.location)),
            joinedload(Device.exit), joinedload(Device.reservation).options(
                lazyload(Reservation.device), joinedload(Reservation.prescription).load_only(
                    Prescription.id, Prescription.code, Prescription.structure_id, Prescription.workshop_id,
                    Prescription.status, Prescription.visit_wanted)))


def find_devices(code: str | None, within) -> list[Device]:
    """Return the devices of the query ``within`` whose tag, donor's tag or serial is ``code``, newest first."""
    code = normalise_code(code)
    if not code:
        return []
    query = within.where(or_(Device.tag == code, Device.donor_tag == code, Device.serial == code))
    query = query.options(*shown_when_found()).order_by(Device.id.desc()).limit(MATCHES)
    return best_matches(list(db.session.scalars(query).unique()), code)


def workshop_device(tag: str | None, workshop_id: int) -> Device | None:
    """Return the device with our asset tag ``tag`` if it belongs to the workshop, else None."""
    code = normalise_code(tag)
    if not code:
        return None
    return db.session.scalars(select(Device).where(Device.tag == code, Device.workshop_id == workshop_id)).first()


def shown_device(tag: str | None, workshop_id: int) -> tuple[Device | None, list]:
    """Return the device with our asset tag ``tag`` of the workshop, with all its page shows, and its history, read
    in one statement; (None, []) when the workshop has no such device."""
    code = normalise_code(tag)
    if not code:
        return None, []
    statement = _shown_statement(db.session.get_bind().dialect.name)
    row = db.session.execute(statement, {"tag": code, "workshop_id": workshop_id}).unique(lambda row: row[0]).first()
    return (row[0], history_of(row[1])) if row is not None else (None, [])


@cache
def _shown_statement(dialect: str):
    """Return the statement of shown_device() on a ``dialect`` database (its history is written in the dialect's
    JSON), the tag and workshop bound at execution: built once, so that the cache key of its twenty loader options is
    computed once."""
    # LIMIT 1 puts the device and its history in a subquery: the history is read once, not once a row of the joins
    return select(Device, history_column(Device.audit_type, Device.id, dialect)) \
        .where(Device.tag == bindparam("tag"), Device.workshop_id == bindparam("workshop_id")) \
        .options(*shown_with_device()).limit(1)


def _free_lines(donation: Donation):
    """Return the query of the donor's lines of ``donation`` that no device was matched to yet."""
    return select(DeclaredItem).where(DeclaredItem.donation_id == donation.id, ~DeclaredItem.device.has()) \
        .order_by(DeclaredItem.line_number)


def match_declared_item(donation: Donation, *, serial: str | None = None,
                        donor_tag: str | None = None) -> DeclaredItem | None:
    """Return the donor's free line this machine is: by serial first, then by donor's tag.

    A line whose serial differs from the machine's is another machine, even when it shares the donor's tag.
    """
    serial, donor_tag = normalise_code(serial), normalise_code(donor_tag)
    if serial:
        item = db.session.scalar(_free_lines(donation).where(DeclaredItem.serial == serial).limit(1))
        if item is not None:
            return item
    if not donor_tag:
        return None
    query = _free_lines(donation).where(DeclaredItem.donor_tag == donor_tag)
    if serial:
        query = query.where(DeclaredItem.serial.is_(None))
    return db.session.scalar(query.limit(1))


def lines_for_code(donation: Donation, code: str | None) -> list[DeclaredItem]:
    """Return the free lines a scanned code may be: those with this serial, then those with this donor's tag."""
    code = normalise_code(code)
    if not code:
        return []
    lines = db.session.scalars(_free_lines(donation).where(or_(DeclaredItem.serial == code,
                                                               DeclaredItem.donor_tag == code))).all()
    return sorted(lines, key=lambda line: line.serial != code)


def received_with_code(donation: Donation, code: str | None) -> list[Device]:
    """Return the devices of ``donation`` (voided ones aside) whose tag, serial or donor's tag is ``code``."""
    code = normalise_code(code)
    if not code:
        return []
    return list(db.session.scalars(select(Device).where(
        Device.donation_id == donation.id, Device.state != DeviceState.VOIDED,
        or_(Device.tag == code, Device.serial == code, Device.donor_tag == code)).order_by(Device.id)))


def tagged_elsewhere(donation: Donation, code: str | None) -> Device | None:
    """Return the device of the workshop whose asset tag (ours) is ``code``, received in another collection."""
    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalar(select(Device).where(Device.tag == code, Device.workshop_id == donation.workshop_id,
                                                  Device.donation_id != donation.id))


def same_machine_received(donation: Donation, serial: str | None, donor_tag: str | None) -> Device | None:
    """Return the device of ``donation`` that is this machine: same serial, or same donor's tag with no other serial."""
    clauses = []
    if serial:
        clauses.append(Device.serial == serial)
    if donor_tag:
        same_tag = Device.donor_tag == donor_tag
        clauses.append(same_tag & (Device.serial.is_(None) | (Device.serial == serial)) if serial else same_tag)
    if not clauses:
        return None
    return db.session.scalar(select(Device).where(Device.donation_id == donation.id,
                                                  Device.state != DeviceState.VOIDED, or_(*clauses))
                             .order_by(Device.id).limit(1))


class AlreadyReceived(DomainError):
    """This machine (or this very form) was already received: nothing new is created."""

    code = "already_received"
    shown_details = ("tag",)

    def __init__(self, device: Device):
        line = device.declared_item.line_number if device.declared_item else None
        message = _l("Already received: %(tag)s (line %(n)d of the donor's list).", tag=device.tag, n=line) \
            if line else _l("Already received: %(tag)s.", tag=device.tag)
        super().__init__(str(message), tag=device.tag)
        self.device = device


class NotOnList(DomainError):
    """A code scanned to receive names no free line of the donor's list: the person receives it by hand."""

    code = "not_on_list"


def claim_declared_item(item: DeclaredItem | None) -> DeclaredItem | None:
    """Lock a matched line until the transaction ends; None if someone received it meanwhile."""
    if item is None:
        return None
    db.session.execute(select(DeclaredItem.id).where(DeclaredItem.id == item.id).with_for_update())
    taken = db.session.scalar(select(Device.id).where(Device.declared_item_id == item.id).limit(1))
    return None if taken else item


@dataclass
class DriveSeen:
    """A drive noted at intake."""

    serial: str | None = None
    model: str = ""
    capacity_bytes: int | None = None
    interface: DriveInterface | None = None


@dataclass
class Received:
    """The device created at intake and what the person should know about it."""

    device: Device
    warnings: list[str] = field(default_factory=list)


def _code(raw, field_name: str) -> str | None:
    """Return a scanned or typed code, refusing what is not text or too long."""
    if raw is not None and not isinstance(raw, str):
        _fail(field_name, _l("This code must be text."))
    code = normalise_code(raw)
    if code and len(code) > 80:
        _fail(field_name, _l("This code is too long (80 characters at most)."))
    return code


def _drives(drives) -> list[DriveSeen]:
    """Check the drives noted at intake and drop empty rows."""
    checked = []
    for index, raw in enumerate(drives or []):
        if isinstance(raw, DriveSeen):
            raw = raw.__dict__
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), (str, type(None)))
                                                for k in ("serial", "model", "interface")):
            _fail("drives", _l("Each drive is described by its serial, model, capacity and interface."))
        serial = normalise_code(raw.get("serial"))
        model = (raw.get("model") or "").strip()[:120]
        capacity = raw.get("capacity_bytes")
        if raw.get("capacity_gb") not in (None, ""):
            gigabytes = decimal_of(raw["capacity_gb"])
            capacity = int(gigabytes * 1000 ** 3) if gigabytes is not None and gigabytes > 0 else -1
        interface = raw.get("interface") or None
        if not (serial or model or capacity or interface):
            continue
        if capacity is not None and (not isinstance(capacity, int) or isinstance(capacity, bool)
                                     or capacity <= 0 or capacity > 10 ** 15):
            _fail("drives", _l("Drive %(n)d: give the capacity as a number of gigabytes.", n=index + 1))
        if interface is not None:
            try:
                interface = DriveInterface(interface)
            except ValueError:
                _fail("drives", _l("Drive %(n)d: unknown interface.", n=index + 1))
        if serial and len(serial) > 80:
            _fail("drives", _l("Drive %(n)d: the serial number is too long.", n=index + 1))
        checked.append(DriveSeen(serial, model, capacity, interface))
    if len(checked) > MAX_DRIVES:
        _fail("drives", _l("At most %(n)d drives per device.", n=MAX_DRIVES))
    return checked


def _intake_key(value) -> str | None:
    """Return the key of an intake form, refusing what is not a short text."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64 or not value.isprintable():
        _fail("intake_key", _l("The intake key is a text of 64 characters at most."))
    return value


def _received_with_key(donation: Donation, key: str | None) -> Device | None:
    """Return the device of the workshop that an intake with this key created, if any."""
    if not key:
        return None
    return db.session.scalar(select(Device).where(Device.workshop_id == donation.workshop_id,
                                                  Device.intake_key == key))


def receive_device(donation: Donation, *, by: User | None, type, brand: str = "", model: str = "",
                   serial: str | None = None, donor_tag: str | None = None, weight_kg=None,
                   accessories=(), drives=(), notes: str = "", intake_key: str | None = None,
                   again: bool = False) -> Received:
    """Create a device received from ``donation``, give it our asset tag and match the donor's list.

    One form (``intake_key``) makes one device; a machine already received in this collection (same serial,
    or same donor's tag) is refused with its tag unless ``again`` says it is another machine.
    """
    if donation.is_closed:
        raise DomainError(str(_l("This collection is closed: no more devices can be received in it.")))
    try:
        kind = DeviceType(type)
    except ValueError:
        _fail("type", _l("Choose the type of device."))
    serial, donor_tag = _code(serial, "serial"), _code(donor_tag, "donor_tag")
    try:
        accessories = sorted({Accessory(a).value for a in accessories or ()})
    except (ValueError, TypeError):
        _fail("accessories", _l("Unknown accessory."))
    weight = parse_weight(weight_kg)
    seen_drives = _drives(drives)
    intake_key = _intake_key(intake_key)
    if not (serial or donor_tag or (brand or "").strip() or (model or "").strip()):
        _fail("serial", _l("Nothing identifies this device: scan its serial number or the donor's asset tag, or "
                           "give at least its brand and model."))
    # One intake at a time per collection: a form posted twice, or one machine scanned at two benches, waits here.
    db.session.execute(select(Donation.id).where(Donation.id == donation.id).with_for_update())
    done = _received_with_key(donation, intake_key)
    done = done or (None if again else same_machine_received(donation, serial, donor_tag))
    if done is not None:
        raise AlreadyReceived(done)
    item = claim_declared_item(match_declared_item(donation, serial=serial, donor_tag=donor_tag))
    warnings = []
    other = db.session.scalar(select(Device.tag).where(Device.serial == serial, Device.state != DeviceState.VOIDED,
                                                       Device.workshop_id == donation.workshop_id).limit(1)) \
        if serial else None
    if other:
        warnings.append(str(_l("Another device (%(tag)s) already has serial %(serial)s: check the label.",
                               tag=other, serial=serial)))
    device = Device(
        tag=allocate_tag(donation.workshop), workshop_id=donation.workshop_id, donation=donation,
        declared_item=item, type=kind, brand=(brand or (item.brand if item else "")).strip()[:80],
        model=(model or (item.model if item else "")).strip()[:120],
        serial=serial or (item.serial if item else None), donor_tag=donor_tag or (item.donor_tag if item else None),
        weight_kg=weight, accessories=accessories, notes=(notes or "").strip()[:5000],
        received_by_id=getattr(by, "id", None), intake_key=intake_key,
    )
    db.session.add(device)
    for seen in seen_drives:
        device.drives.append(Drive(serial=seen.serial, model=seen.model, capacity_bytes=seen.capacity_bytes,
                                   interface=seen.interface, donation_id=donation.id,
                                   workshop_id=donation.workshop_id))
    db.session.flush()
    record_event(by, device, "received", donation=donation.reference,
                 declared_line=item.line_number if item else None, drives=len(seen_drives),
                 **({"another_machine_with_same_code": True} if again else {}))
    if donation.status in DONATION_LIFECYCLE.move("received").sources:
        set_donation_status(donation, DonationStatus.RECEIVED, by=by)
    return Received(device, warnings)


def receive_scanned(donation: Donation, code: str | None, *, by: User | None,
                    intake_key: str | None = None) -> Received:
    """Receive, from one scan, the machine of the donor's line that the code names (scan-to-receive)."""
    code = _code(code, "code")
    if not code:
        _fail("code", _l("Scan the donor's asset tag or the serial number."))
    done = _received_with_key(donation, _intake_key(intake_key))
    done = done or next(iter(received_with_code(donation, code)), None)
    if done is not None:
        raise AlreadyReceived(done)
    lines = lines_for_code(donation, code)
    if not lines:
        raise NotOnList(str(_l("« %(code)s » is not on the donor's list: check it and receive it by hand.",
                               code=code)))
    if len(lines) > 1 and lines[0].serial != code:
        raise DomainError(str(_l("Lines %(lines)s of the donor's list have the asset tag « %(code)s »: scan the "
                                 "serial number instead.", code=code,
                                 lines=", ".join(str(line.line_number) for line in lines))))
    line = lines[0]
    return receive_device(donation, by=by, type=line.device_type, serial=line.serial, donor_tag=line.donor_tag,
                          intake_key=intake_key)
