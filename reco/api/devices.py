"""API for devices: intake, lookup by any of their codes, and the QR code of their label."""
from flask import current_app, jsonify, url_for
from flask_babel import gettext as _

from reco.api import bp
from reco.api.idempotency import KEY_PARAMETER, idempotent, replayable
from reco.api.openapi import PATHS, SCHEMAS, json_body_of, json_response
from reco.api.payload import field, json_body
from reco.core.errors import ValidationFailed
from reco.core.permissions import acting_user, can, permission_required, require
from reco.donations.models import Donation
from reco.extensions import db
from reco.inventory.intake import receive_device, workshop_device
from reco.inventory.lifecycle import ready_missing
from reco.inventory.models import Accessory, Device, DeviceState, DeviceType, DriveInterface
from reco.inventory.scan import ScannedDevice, scanned_devices
from reco.labels.render import qr_modules


def sanitization_json(record) -> dict:
    """Return a sanitization record as the API shows it."""
    return {"id": record.id, "level": record.level.value, "technique": record.technique.value,
            "tool": record.tool.value, "method": record.method, "verification": record.verification.value,
            "result": record.result.value, "passing": record.is_passing,
            "awaiting_validation": record.proves_erasure and record.needs_validation,
            "ended_at": record.ended_at.isoformat() if record.ended_at else None,
            "destruction_method": record.destruction_method.value if record.destruction_method else None,
            "witness": record.witness or None,
            "operator": record.operator.name if record.operator else None,
            "validated_by": record.validated_by.name if record.validated_by else None,
            "log_sha256": record.log.sha256 if record.log else None}


def drive_json(drive) -> dict:
    """Return a drive with its SMART figures and sanitization status."""
    return {"id": drive.id, "serial": drive.serial, "model": drive.model, "capacity_bytes": drive.capacity_bytes,
            "interface": drive.interface.value if drive.interface else None, "device_path": drive.device_path,
            "smart_passed": drive.smart_passed, "failing": drive.failing, "sanitized": drive.is_sanitized,
            "sanitizations": [sanitization_json(s) for s in drive.sanitizations]}


def device_json(device: Device | ScannedDevice) -> dict:
    """Return a device as the API shows it (a model, or as the scan read it)."""
    return {
        "tag": device.tag,
        "workshop_id": device.workshop_id,
        "donation_id": device.donation_id,
        "type": device.type.value,
        "brand": device.brand,
        "model": device.model,
        "serial": device.serial,
        "donor_tag": device.donor_tag,
        "state": device.state.value,
        "weight_kg": float(device.weight_kg) if device.weight_kg is not None else None,
        "accessories": device.accessories,
        "declared_line": device.declared_item.line_number if device.declared_item else None,
        "received_at": device.received_at.isoformat(),
        "grade": device.grade.value if device.grade else None,
        "location": device.location.code if device.location else None,
        "specs": {"cpu": device.cpu, "ram_bytes": device.ram_bytes, "storage_bytes": device.storage_bytes,
                  "screen_inches": float(device.screen_inches) if device.screen_inches is not None else None,
                  "os_name": device.os_name, "battery_health_pct": device.battery_health_pct},
        "open_repairs": len(device.open_repairs),
        "drives": [drive_json(d) for d in device.drives],
        "removed_drives": [drive_json(d) for d in device.removed_drives if d.device_id != device.id],
        "ready_missing": ready_missing(device),
    }


@bp.route("/devices", methods=["POST"])
@permission_required("device.intake")
@idempotent
def receive_device_api():
    """Receive a device in a donation and return its new asset tag."""
    data = json_body()
    donation = db.session.get(Donation, field(data, "donation_id", int, required=True))
    if donation is None or not can(acting_user(), "donation.view", donation):
        raise ValidationFailed(_("Unknown collection."), {"donation_id": [_("unknown collection")]})
    require("device.intake", donation)
    drives = field(data, "drives", list, default=[])
    received = receive_device(
        donation, by=acting_user(), type=field(data, "type", str, required=True),
        brand=field(data, "brand", str, default=""), model=field(data, "model", str, default=""),
        serial=field(data, "serial", str), donor_tag=field(data, "donor_tag", str),
        weight_kg=data.get("weight_kg"),
        accessories=field(data, "accessories", list, default=[]), drives=drives,
        notes=field(data, "notes", str, default=""), intake_key=field(data, "intake_key", str),
        again=field(data, "again", bool, default=False))
    body = device_json(received.device) | {"warnings": received.warnings}
    response = jsonify(body)
    response.headers["Location"] = url_for("api.get_device", code=received.device.tag)
    return response, 201


@bp.route("/devices/<path:code>")
@permission_required("device.view")
def get_device(code: str):
    """Return the device of the user's workshop found by our tag, the donor's tag or the serial.

    Devices of other workshops answer 404, as unknown ones: nobody learns what another workshop holds.
    """
    devices = scanned_devices(code, acting_user())
    if not devices:
        return jsonify(error="not_found", message=_("No device matches « %(code)s ».", code=code[:128])), 404
    if len(devices) > 1:
        return jsonify(error="ambiguous", message=_("Several devices match « %(code)s »: use our asset tag.",
                                                    code=code[:128]),
                       tags=[d.tag for d in devices]), 409
    return jsonify(device_json(devices[0]))


@bp.route("/devices/<tag>/label-qr")
@permission_required("device.view")
def label_qr(tag: str):
    """Return the QR code of the device's label as rows of 0 and 1, for a bench screen to draw it."""
    device = workshop_device(tag, acting_user().structure_id)
    if device is None:
        return jsonify(error="not_found", message=_("No device matches « %(code)s ».", code=tag[:128])), 404
    require("device.view", device)
    url = f"{current_app.config['RECO_BASE_URL'].rstrip('/')}/devices/{device.tag}"
    return jsonify(tag=device.tag, url=url, modules=qr_modules(url))


SCHEMAS.update({
    "DriveIn": {"type": "object", "properties": {
        "serial": {"type": ["string", "null"]}, "model": {"type": "string"},
        "capacity_bytes": {"type": ["integer", "null"]}, "capacity_gb": {"type": ["number", "string", "null"]},
        "interface": {"type": ["string", "null"], "enum": [i.value for i in DriveInterface] + [None]}}},
    "DeviceIn": {"type": "object", "required": ["donation_id", "type"], "properties": {
        "donation_id": {"type": "integer"},
        "type": {"type": "string", "enum": [t.value for t in DeviceType]},
        "brand": {"type": "string"}, "model": {"type": "string"},
        "serial": {"type": ["string", "null"]}, "donor_tag": {"type": ["string", "null"]},
        "weight_kg": {"type": ["number", "string", "null"]},
        "accessories": {"type": "array", "items": {"type": "string", "enum": [a.value for a in Accessory]}},
        "drives": {"type": "array", "items": {"$ref": "#/components/schemas/DriveIn"}},
        "notes": {"type": "string"},
        "intake_key": {"type": ["string", "null"], "maxLength": 64,
                       "description": "One key per machine scanned: a request sent twice still receives one device"},
        "again": {"type": "boolean", "description": "Another machine with a serial or donor's tag already received "
                                                    "in this collection"}}},
    "Device": {"type": "object", "required": ["tag", "type", "state", "drives"], "properties": {
        "tag": {"type": "string"}, "workshop_id": {"type": "integer"}, "donation_id": {"type": ["integer", "null"]},
        "type": {"type": "string"}, "brand": {"type": "string"}, "model": {"type": "string"},
        "serial": {"type": ["string", "null"]}, "donor_tag": {"type": ["string", "null"]},
        "state": {"type": "string", "enum": [s.value for s in DeviceState]},
        "weight_kg": {"type": ["number", "null"]}, "accessories": {"type": "array", "items": {"type": "string"}},
        "declared_line": {"type": ["integer", "null"]}, "received_at": {"type": "string", "format": "date-time"},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "drives": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "serial": {"type": ["string", "null"]}, "model": {"type": "string"},
            "capacity_bytes": {"type": ["integer", "null"]}, "interface": {"type": ["string", "null"]}}}},
        "removed_drives": {"type": "array", "description": "Drives taken out of it (destroyed, banked or moved), "
                                                           "with their sanitization records",
                           "items": {"type": "object"}},
        "ready_missing": {"type": "array", "items": {"type": "string"},
                          "description": "What is left before it can be ready, one sentence each in the user's "
                                         "language; empty once ready, reserved or delivered"}}},
    "LabelQr": {"type": "object", "required": ["tag", "url", "modules"], "properties": {
        "tag": {"type": "string"}, "url": {"type": "string", "description": "What the label's QR code holds"},
        "modules": {"type": "array", "items": {"type": "string", "pattern": "^[01]+$"},
                    "description": "The QR code (error correction M) row by row from the top, 1 for a dark module, "
                                   "with a quiet zone of 4 light modules on every side"}}},
})

PATHS.update({
    "/devices": {"post": {"summary": "Receive a device in a collection; returns its new asset tag. 409 "
                                     "already_received (with its tag) when this machine or this intake_key was "
                                     "already received",
                          "operationId": "receiveDevice", "parameters": [KEY_PARAMETER],
                          "requestBody": json_body_of("DeviceIn"),
                          "responses": {"201": replayable(json_response("The device received", "Device"))},
                          "errors": ["400", "401", "403", "409", "422"]}},
    "/devices/{code}": {"get": {
        "summary": "A device found by our asset tag, the donor's tag or the serial", "operationId": "getDevice",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": json_response("The device", "Device")}, "errors": ["401", "403", "404", "409"]}},
    "/devices/{tag}/label-qr": {"get": {
        "summary": "The QR code of the device's label as rows of 0 and 1, for a screen to draw it",
        "operationId": "getLabelQr",
        "parameters": [{"name": "tag", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": json_response("The QR code", "LabelQr")}, "errors": ["401", "403", "404"]}},
})
