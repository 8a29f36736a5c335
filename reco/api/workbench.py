"""API of the workbench: hardware reports, erasure logs, diagnosis, repairs and state transitions."""
from flask import abort, jsonify, request
from flask_babel import gettext as _

from reco.api import bp
from reco.api.devices import device_json, drive_json
from reco.api.idempotency import KEY_PARAMETER, idempotent, replayable
from reco.api.openapi import PATHS, SCHEMAS, json_body_of, json_response
from reco.api.payload import field, json_body, query_flag
from reco.core.errors import ValidationFailed
from reco.core.permissions import acting_user, permission_required, require
from reco.extensions import db
from reco.inventory.diagnosis import apply_hardware_report, record_diagnosis
from reco.inventory.intake import workshop_device
from reco.inventory.lifecycle import parse_state, transition_device
from reco.inventory.models import Check, CheckResult, Device, DeviceState, Drive, FaultType, Grade
from reco.inventory.quantities import parse_weight
from reco.inventory.repairs import record_repair
from reco.inventory.sanitization import import_erasure_log
from reco.parts.models import PartType
from reco.parts.stock import MAX_QUANTITY, parse_condition, parse_quantity
from reco.parts.workbench import harvest_device


def workshop_device_for(tag: str, action: str = "device.work") -> Device:
    """Load a device of the token's workshop by our tag and check its user may do ``action`` on it (404/403)."""
    device = workshop_device(tag, acting_user().structure_id)
    if device is None:
        abort(404)
    require(action, device)
    return device


@bp.route("/devices/<tag>/hardware-reports", methods=["POST"])
@permission_required("device.work")
@idempotent
def post_hardware_report(tag: str):
    """Import a raw lshw -json or smartctl --json report into the device; 409 when it describes another machine."""
    device = workshop_device_for(tag)
    summary = apply_hardware_report(device, request.get_data(cache=False), by=acting_user(),
                                    confirm_serial=query_flag("confirm_serial"), distinct_drives=query_flag("distinct_drives"))
    return jsonify(summary | {"device": device_json(device)}), 201


@bp.route("/devices/<tag>/erasure-logs", methods=["POST"])
@permission_required("device.work")
@idempotent
def post_erasure_log(tag: str):
    """Import a raw nwipe log: a record per drive it truly describes; 409 for a mismatch, a reuse or a guess."""
    device = workshop_device_for(tag)
    result = import_erasure_log(device, request.get_data(cache=False), by=acting_user(),
                                filename=request.args.get("filename", "")[:200],
                                confirm_anonymised=query_flag("confirm_anonymised"))
    return jsonify(
        drives=[{"serial": r.drive.serial, "device_path": r.drive.device_path, "result": r.result.value,
                 "verified": r.verification.value != "none", "verification": r.verification.value,
                 "method": r.method, "passing": r.is_passing} for r in result.records],
        unmatched=[{"serial": w.serial, "device_path": w.device_path} for w in result.unmatched],
        log_sha256=result.log.sha256), 201


@bp.route("/devices/<tag>/diagnosis", methods=["POST"])
@permission_required("device.work")
def post_diagnosis(tag: str):
    """Record a diagnosis: checklist, ORDS faults, grade and specs."""
    device = workshop_device_for(tag)
    data = json_body()
    record_diagnosis(device, by=acting_user(), checks=field(data, "checks", dict, default={}),
                     faults=field(data, "faults", list, default=[]), grade=field(data, "grade", str),
                     specs=field(data, "specs", dict, default={}), notes=field(data, "notes", str, default=""),
                     no_storage=field(data, "no_storage", bool, default=False))
    return jsonify(device_json(device)), 201


@bp.route("/devices/<tag>/repairs", methods=["POST"])
@permission_required("device.work")
def post_repair(tag: str):
    """Open a repair (no status) or record a finished one."""
    device = workshop_device_for(tag)
    data = json_body()
    minutes = data.get("minutes_spent")
    repair = record_repair(device, by=acting_user(), problem=field(data, "problem", str, required=True),
                           fault_type=field(data, "fault_type", str, required=True),
                           actions=field(data, "actions", str, default=""),
                           minutes_spent=minutes if isinstance(minutes, int) and not isinstance(minutes, bool)
                           else field(data, "minutes_spent", int),
                           status=field(data, "status", str), barrier=field(data, "barrier", str),
                           parts_used=field(data, "parts_used", str, default=""))
    return jsonify(id=repair.id, status=repair.status.value if repair.status else None,
                   device=device_json(device)), 201


@bp.route("/devices/<tag>/transitions", methods=["POST"])
@permission_required("device.work")
def post_transition(tag: str):
    """Move the device to another state: 200, or 409 with the guard's reasons."""
    device = workshop_device_for(tag)
    data = json_body()
    to = parse_state(field(data, "to", str, required=True))
    # Every field is checked whatever the state asked for: a bad one is refused, never silently ignored.
    parts = _texts(field(data, "parts", list, default=[]), "parts")
    lines = _stock_lines(field(data, "stock", list, default=[]))
    drives_to_bank = field(data, "drives_to_bank", bool, default=True)
    weight_kg = parse_weight(data.get("weight_kg"))
    notes = field(data, "notes", str, default="")
    if to is DeviceState.HARVESTED:  # dismantling fills the parts bank, as on the device's page
        harvest_device(device, by=acting_user(), lines=lines, drives_to_bank=drives_to_bank, other_parts=parts,
                       notes=notes)
        return jsonify(device_json(device))
    transition_device(device, to, by=acting_user(), parts=parts, weight_kg=weight_kg,
                      slip_number=field(data, "slip_number", str, default=""),
                      reason=field(data, "reason", str, default=""))
    return jsonify(device_json(device))


def _texts(values: list, name: str) -> list[str]:
    """Return a list of texts, refusing any item that is not text."""
    if not all(isinstance(value, str) for value in values):
        raise ValidationFailed(_("The field « %(name)s » must be text.", name=name), {name: [_("text expected")]})
    return values


def _stock_lines(items: list) -> list[tuple]:
    """Return (part type, quantity, condition) of the parts taken out, as the harvest service takes them."""
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise ValidationFailed(_("Each line of « stock » is an object."), {"stock": [_("object expected")]})
        part_type_id = field(item, "part_type_id", int, required=True)
        lines.append((db.session.get(PartType, part_type_id), parse_quantity(field(item, "quantity", int, required=True)),
                      parse_condition(item.get("condition"))))
    return lines


@bp.route("/drives/<id:drive_id>")
@permission_required("device.view")
def get_drive(drive_id: int):
    """Return a drive with its sanitization records, even once out of its device."""
    drive = db.session.get(Drive, drive_id)
    if drive is None or drive.workshop_id != acting_user().structure_id:
        return jsonify(error="not_found", message=_("Unknown drive.")), 404
    require("device.view", drive)
    return jsonify(drive_json(drive))


SCHEMAS.update({
    "HardwareReportResult": {"type": "object", "required": ["kind", "drives"], "properties": {
        "kind": {"type": "string", "enum": ["lshw", "smartctl"]},
        "specs": {"type": "object"},
        "drives": {"type": "array", "items": {"type": "object", "properties": {
            "serial": {"type": ["string", "null"]}, "model": {"type": "string"}, "created": {"type": "boolean"},
            "failing": {"type": "boolean"}}}},
        "ignored_usb_drives": {"type": "array", "items": {"type": ["string", "null"]}},
        "device": {"$ref": "#/components/schemas/Device"}}},
    "ErasureLogResult": {"type": "object", "required": ["drives"], "properties": {
        "drives": {"type": "array", "items": {"type": "object", "required": ["serial", "device_path", "result",
                                                                             "verified", "method"], "properties": {
            "serial": {"type": ["string", "null"]}, "device_path": {"type": ["string", "null"]},
            "result": {"type": "string", "enum": ["success", "failed"]}, "verified": {"type": "boolean"},
            "verification": {"type": "string"}, "method": {"type": "string"}, "passing": {"type": "boolean"}}}},
        "unmatched": {"type": "array", "items": {"type": "object"}},
        "log_sha256": {"type": "string"}}},
    "DiagnosisIn": {"type": "object", "properties": {
        "checks": {"type": "object", "propertyNames": {"enum": [c.value for c in Check]},
                   "additionalProperties": {"type": "string", "enum": [r.value for r in CheckResult]}},
        "faults": {"type": "array", "items": {"type": "string", "enum": [f.value for f in FaultType]}},
        "grade": {"type": ["string", "null"], "enum": [g.value for g in Grade] + [None]},
        "specs": {"type": "object", "properties": {
            "cpu": {"type": "string"}, "ram_gb": {"type": ["number", "string"]},
            "screen_inches": {"type": ["number", "string"]}, "os_name": {"type": "string"},
            "battery_health_pct": {"type": ["integer", "string"]}}},
        "no_storage": {"type": "boolean", "description": "The machine has no drive at all (lets it reach ready)"},
        "notes": {"type": "string"}}},
    "RepairIn": {"type": "object", "required": ["problem", "fault_type"], "properties": {
        "problem": {"type": "string"}, "fault_type": {"type": "string", "enum": [f.value for f in FaultType]},
        "actions": {"type": "string"}, "minutes_spent": {"type": ["integer", "null"]},
        "status": {"type": ["string", "null"], "enum": ["fixed", "repairable", "end_of_life", None]},
        "barrier": {"type": ["string", "null"]}, "parts_used": {"type": "string"}}},
    "TransitionIn": {"type": "object", "required": ["to"], "properties": {
        "to": {"type": "string", "enum": [s.value for s in DeviceState]},
        "parts": {"type": "array", "items": {"type": "string"}, "description": "Harvest: other parts taken out"},
        "stock": {"type": "array", "description": "Harvest: parts put into the stock", "items": {
            "type": "object", "required": ["part_type_id", "quantity", "condition"], "properties": {
                "part_type_id": {"type": "integer"},
                "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
                "condition": {"type": "string", "enum": ["tested_ok", "untested", "faulty"]}}}},
        "drives_to_bank": {"type": "boolean", "description": "Harvest: put its drives in the bank (default)"},
        "weight_kg": {"type": ["number", "string", "null"], "description": "Recycling: weight handed over"},
        "slip_number": {"type": "string", "description": "Recycling: WEEE slip number"},
        "notes": {"type": "string", "description": "Harvest: notes"},
        "reason": {"type": "string"}}},
})

TAG_PARAMETER = [{"name": "tag", "in": "path", "required": True, "schema": {"type": "string"}}]
PATHS.update({
    "/devices/{tag}/hardware-reports": {"post": {
        "summary": "Import a raw lshw -json or smartctl --json report; 409 once the device is past the workbench, "
                   "or when the report's machine or drive does not match (error report_mismatch, confirm names the "
                   "parameter that applies it anyway)",
        "operationId": "postHardwareReport",
        "parameters": TAG_PARAMETER + [KEY_PARAMETER,
            {"name": "confirm_serial", "in": "query", "required": False, "schema": {"type": "string", "enum": [
                "0", "1", "true", "false"]}, "description": "The report is for this device: its serial is corrected"},
            {"name": "distinct_drives", "in": "query", "required": False, "schema": {"type": "string", "enum": [
                "0", "1", "true", "false"]}, "description": "A drive held by a closed device is another physical "
                                                            "drive with the same serial: a new record"}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {}}}},
        "responses": {"201": replayable(json_response("What was recognised", "HardwareReportResult"))},
        "errors": ["401", "403", "404", "409", "413", "422"]}},
    "/devices/{tag}/erasure-logs": {"post": {
        "summary": "Import a raw nwipe log. A drive of the log counts only where its serial (when it has one), model "
                   "and size agree with the drive; 409 erasure_mismatch (mismatches: the log's and the drive's "
                   "figures), 409 log_already_recorded (recorded: tag, drives, date; null for another workshop's "
                   "device), 409 confirm_anonymised for a log without serial (proposed: the match it would record)",
        "operationId": "postErasureLog",
        "parameters": TAG_PARAMETER + [KEY_PARAMETER,
            {"name": "filename", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "confirm_anonymised", "in": "query", "required": False, "schema": {"type": "string", "enum": [
                "0", "1", "true", "false"]}, "description": "Record a log without serial on the drive with the same "
                                                            "device path, model and size"}],
        "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}},
        "responses": {"201": replayable(json_response("The records made", "ErasureLogResult"))},
        "errors": ["401", "403", "404", "409", "413", "422"]}},
    "/devices/{tag}/diagnosis": {"post": {
        "summary": "Record a diagnosis", "operationId": "postDiagnosis", "parameters": TAG_PARAMETER,
        "requestBody": json_body_of("DiagnosisIn"), "responses": {"201": json_response("The device", "Device")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/devices/{tag}/repairs": {"post": {
        "summary": "Open or record a repair (ORDS)", "operationId": "postRepair", "parameters": TAG_PARAMETER,
        "requestBody": json_body_of("RepairIn"), "responses": {"201": {"description": "The repair"}},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/devices/{tag}/transitions": {"post": {
        "summary": "Move the device to another state; 409 gives the guard's reasons",
        "operationId": "postTransition", "parameters": TAG_PARAMETER, "requestBody": json_body_of("TransitionIn"),
        "responses": {"200": json_response("The device", "Device")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/drives/{drive_id}": {"get": {
        "summary": "A drive with its sanitization records", "operationId": "getDrive",
        "parameters": [{"name": "drive_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The drive"}}, "errors": ["401", "403", "404"]}},
})
