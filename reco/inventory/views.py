"""Receiving devices, the device list and the device page."""
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from reco.core.errors import DomainError
from reco.core.forms import flash_form_errors, form_status, refusal_on_form
from reco.core.inputs import arg_id
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import paginate
from reco.core.permissions import can, load_allowed, permission_required, require, scoped
from reco.core.scanning import clean_code, normalise_code, scan_lookup
from reco.donations.models import Donation
from reco.extensions import db
from reco.inventory import bp, vocabulary
from reco.inventory.forms import FileForm, IntakeForm, ScanReceiveForm
from reco.inventory.intake import (
    AlreadyReceived,
    NotOnList,
    find_devices,
    lines_for_code,
    receive_device,
    receive_scanned,
    received_with_code,
    shown_device,
    tagged_elsewhere,
)
from reco.inventory.lifecycle import DEVICE_LIFECYCLE, in_reach
from reco.inventory.locations import find_location
from reco.inventory.models import Device, DeviceState, DeviceType, Grade, Location
from reco.labels.views import print_after_receipt
from reco.reports.figures import received_between

add_nav_entry(NavEntry("inventory.batch", _l("Scan a batch"), "device.work",
                       _l("Scan devices one after the other, then move them or change their state together."), 15))
add_nav_entry(NavEntry("inventory.devices", _l("Devices"), "device.view",
                       _l("Every device of the workshop: search by tag, serial or donor's tag."), 20))
add_nav_entry(NavEntry("inventory.locations", _l("Locations"), "location.view",
                       _l("Shelves and bins of the workshop, with their codes."), 25))

RECENT = 10


@bp.app_context_processor
def inventory_labels():
    """Give templates the names of every inventory vocabulary (type_labels, state_labels, ...)."""
    return {name.lower(): value for name, value in vars(vocabulary).items() if name.endswith("_LABELS")}


@scan_lookup
def find_device_page(user, code: str) -> str | None:
    """Open the device whose tag, donor's tag or serial was scanned, within the user's workshop."""
    if not can(user, "device.view"):
        return None
    devices = find_devices(code, scoped(select(Device), "device.view", user))
    if len(devices) == 1:
        return url_for("inventory.device", tag=devices[0].tag)
    if devices:
        return url_for("inventory.devices", q=code)
    location = find_location(code, user.structure_id)
    return url_for("inventory.devices", location=location.id) if location else None


def _intake_form(line, code: str, again: bool) -> IntakeForm:
    """Return the intake form, prefilled from the donor's line the scanned code names, with a new intake key."""
    form = IntakeForm()
    if request.method == "GET":
        form.intake_key.data = secrets.token_hex(16)
        form.again.data = "1" if again else ""
        if line is not None:
            form.type.data = line.device_type.value
            form.brand.data, form.model.data = line.brand, line.model
            form.serial.data, form.donor_tag.data = line.serial, line.donor_tag
        elif code:
            form.serial.data = normalise_code(code)
    return form


def _back_to_intake(donation: Donation, **args):
    """Return to the intake page, ready for the next scan."""
    return redirect(url_for("inventory.intake", donation_id=donation.id, **args))


def _received_message(device: Device) -> str:
    """Say what was received, and what to do next."""
    line = device.declared_item
    if line is None:
        return _("Received: %(tag)s. Stick its label, then scan the next device.", tag=device.tag)
    return _("Received: %(tag)s, line %(n)d of the donor's list (%(what)s). Stick its label, then scan the next "
             "device.", tag=device.tag, n=line.line_number,
             what=" ".join(p for p in (str(vocabulary.TYPE_LABELS[device.type]), device.brand, device.model) if p))


@bp.route("/donations/<id:donation_id>/intake", methods=["GET", "POST"])
@permission_required("device.intake")
def intake(donation_id: int):
    """Receive devices one after the other: each scan is a lookup; receiving is a separate, explicit action."""
    donation = load_allowed(Donation, donation_id, "device.intake", "donation.view")
    code = clean_code(request.args.get("code"))
    again, auto = request.args.get("again") == "1", request.args.get("auto") == "1"
    already = [] if again else received_with_code(donation, code)
    lines = lines_for_code(donation, code) if code and not already else []
    form = _intake_form(lines[0] if lines else None, code, again)
    if form.validate_on_submit():
        drives = [entry.data for entry in form.drives.entries]
        with refusal_on_form(form):
            try:
                received = receive_device(
                    donation, by=current_user, type=form.type.data, brand=form.brand.data, model=form.model.data,
                    serial=form.serial.data, donor_tag=form.donor_tag.data, weight_kg=form.weight_kg.data,
                    accessories=form.accessories.data, drives=drives, notes=form.notes.data,
                    intake_key=form.intake_key.data, again=form.again.data == "1")
            except AlreadyReceived as error:
                db.session.rollback()
                flash(error.message, "warning")
                return _back_to_intake(donation, last=error.device.tag)
            flash(_received_message(received.device), "success")
            for warning in received.warnings:
                flash(warning, "warning")
            print_after_receipt(received.device)
            return _back_to_intake(donation, last=received.device.tag)
    scan_form = ScanReceiveForm(formdata=None, intake_key=secrets.token_hex(16))
    recent = list(db.session.scalars(select(Device).where(Device.donation_id == donation.id)
                                     .options(joinedload(Device.declared_item))
                                     .order_by(Device.id.desc()).limit(RECENT)))
    return render_template("inventory/intake.html", donation=donation, form=form, scan_form=scan_form, code=code,
                           item=lines[0] if lines else None, lines=lines, already=already, again=again, auto=auto,
                           elsewhere=None if already or lines else tagged_elsewhere(donation, code),
                           recent=recent, last=request.args.get("last")), form_status(form)


@bp.route("/donations/<id:donation_id>/intake/scan", methods=["POST"])
@permission_required("device.intake")
def intake_scan(donation_id: int):
    """Scan-to-receive: the scanned code receives the machine of its donor's line, and says so."""
    donation = load_allowed(Donation, donation_id, "device.intake", "donation.view")
    form = ScanReceiveForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back_to_intake(donation, auto=1)
    try:
        received = receive_scanned(donation, form.code.data, by=current_user, intake_key=form.intake_key.data)
    except AlreadyReceived as error:
        db.session.rollback()
        flash(error.message, "warning")
        return _back_to_intake(donation, auto=1, last=error.device.tag)
    except NotOnList as error:
        db.session.rollback()
        flash(error.message, "warning")
        return _back_to_intake(donation, code=clean_code(form.code.data))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back_to_intake(donation, auto=1)
    flash(_received_message(received.device), "success")
    for warning in received.warnings:
        flash(warning, "warning")
    print_after_receipt(received.device)
    return _back_to_intake(donation, auto=1, last=received.device.tag)


@bp.route("/devices")
@permission_required("device.view")
def devices():
    """List the workshop's devices, searched by code and filtered by type, state and collection."""
    query = scoped(select(Device), "device.view").order_by(Device.id.desc())
    text = normalise_code(request.args.get("q"))
    if text:
        query = query.where(or_(Device.tag == text, Device.serial == text, Device.donor_tag == text,
                                Device.tag.startswith(text[:20]), Device.serial.startswith(text[:80])))
    kind = request.args.get("type", "")
    if kind in {k.value for k in DeviceType}:
        query = query.where(Device.type == DeviceType(kind))
    state = request.args.get("state", "")
    if state in {s.value for s in DeviceState}:
        query = query.where(Device.state == DeviceState(state))
    elif not text:  # devices voided by mistake are found by their code, or asked for
        query = query.where(Device.state != DeviceState.VOIDED)
    grade = request.args.get("grade", "")
    if grade in {g.value for g in Grade}:
        query = query.where(Device.grade == Grade(grade))
    donation_id = arg_id("donation")
    if donation_id:
        query = query.where(Device.donation_id == donation_id)
    location_id = arg_id("location")
    if location_id:
        query = query.where(Device.location_id == location_id)
    received = received_between(request.args.get("received_from", ""), request.args.get("received_to", ""))
    if received is not None:
        query = query.where(Device.received_at >= received.start, Device.received_at < received.end)
    locations = db.session.scalars(scoped(select(Location), "location.view").order_by(Location.code)).all()
    return render_template("inventory/devices.html", page=paginate(query), q=text or "", type=kind, state=state,
                           received=received,
                           grade=grade, donation_id=donation_id, location_id=location_id, locations=locations)


@bp.route("/devices/<tag>")
@permission_required("device.view")
def device(tag: str):
    """Show a device: what it is, its drives and its history."""
    device, history = shown_device(tag, current_user.structure_id)
    if device is None:
        return render_template("errors/error.html", code=404, title=_("Unknown device"),
                               message=_("No device has the tag « %(tag)s ».", tag=clean_code(tag))), 404
    require("device.view", device)  # the same workshop; the role decides
    return render_template("inventory/device.html", device=device, history=history,
                           moves=_offered_moves(device), comes_back=in_reach(device, "brought_back"),
                           file_form=FileForm(), reservation=device.reservation)


def _offered_moves(device: Device) -> list:
    """Return the moves the device's page offers: the move, what blocks it, and its form's page for an exit."""
    forms = {DeviceState.HARVESTED: url_for("parts.harvest", tag=device.tag),
             DeviceState.RECYCLED: url_for("inventory.exit_device", tag=device.tag, kind=DeviceState.RECYCLED.value)}
    return [(move, problems, forms.get(move.target))
            for move, problems in DEVICE_LIFECYCLE.offered(device, current_user)]
