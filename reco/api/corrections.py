"""API for corrections: fix a device's identity, void a device received by mistake, merge a duplicate intake."""
from flask import jsonify
from flask_babel import gettext as _

from reco.api import bp
from reco.api.devices import device_json
from reco.api.openapi import PATHS, SCHEMAS, json_body_of, json_response
from reco.api.payload import field, json_body
from reco.api.workbench import TAG_PARAMETER, workshop_device_for
from reco.core.errors import ValidationFailed
from reco.core.permissions import acting_user, can, permission_required
from reco.inventory.corrections import CORRECTABLE, MAX_REASON, correct_device, merge_devices, void_device
from reco.inventory.intake import workshop_device
from reco.inventory.models import DeviceType


@bp.route("/devices/<tag>/corrections", methods=["POST"])
@permission_required("device.correct")
def post_correction(tag: str):
    """Correct the type, brand, model, serial or donor's tag; every field given is checked, absent ones kept."""
    device = workshop_device_for(tag, "device.correct")
    data = json_body()
    changes = {name: field(data, name, str) for name in CORRECTABLE if data.get(name) is not None}
    corrected = correct_device(device, changes, by=acting_user())
    return jsonify(device_json(device) | {"changes": corrected.changes, "warnings": corrected.warnings})


@bp.route("/devices/<tag>/void", methods=["POST"])
@permission_required("device.void")
def post_void(tag: str):
    """Void a device received by mistake: it keeps its tag and history and counts nowhere."""
    device = workshop_device_for(tag, "device.void")
    void_device(device, by=acting_user(), reason=field(json_body(), "reason", str, required=True))
    return jsonify(device_json(device))


@bp.route("/devices/<tag>/merge", methods=["POST"])
@permission_required("device.merge")
def post_merge(tag: str):
    """Merge the device ``other`` into this one (one machine received twice); the other one is voided."""
    kept = workshop_device_for(tag, "device.merge")
    code = field(json_body(), "other", str, required=True)
    other = workshop_device(code, kept.workshop_id)
    if other is None or not can(acting_user(), "device.merge", other):
        raise ValidationFailed(_("No device of your workshop has the tag « %(tag)s ».", tag=code[:40]),
                               {"other": [_("unknown device")]})
    plan = merge_devices(kept, other, by=acting_user())
    return jsonify(device_json(kept) | {"merged": plan.details()})


SCHEMAS.update({
    "CorrectionIn": {"type": "object", "description": "Only the fields given are corrected; \"\" clears a code.",
                     "properties": {
                         "type": {"type": "string", "enum": [t.value for t in DeviceType]},
                         "brand": {"type": "string", "maxLength": CORRECTABLE["brand"]},
                         "model": {"type": "string", "maxLength": CORRECTABLE["model"]},
                         "serial": {"type": "string", "description": "80 characters at most once trimmed"},
                         "donor_tag": {"type": "string", "description": "80 characters at most once trimmed"}}},
    "Correction": {"allOf": [{"$ref": "#/components/schemas/Device"}, {"type": "object", "properties": {
        "changes": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["before", "after"], "properties": {"before": {}, "after": {}}}}}}]},
    "VoidIn": {"type": "object", "required": ["reason"], "properties": {
        "reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON, "pattern": r"\S"}}},
    "MergeIn": {"type": "object", "required": ["other"], "properties": {
        "other": {"type": "string", "description": "Our asset tag of the device merged into this one"}}},
    "Merged": {"allOf": [{"$ref": "#/components/schemas/Device"}, {"type": "object", "properties": {
        "merged": {"type": "object", "required": ["device", "drives"], "properties": {
            "device": {"type": "string", "description": "The tag of the device merged, now voided"},
            "drives": {"type": "array", "items": {"type": "string"}},
            "changes": {"type": "object", "properties": {
                "diagnoses": {"type": "integer"}, "repairs": {"type": "integer"},
                "hardware_reports": {"type": "integer"},
                "accessories": {"type": "array", "items": {"type": "string"}}}},
            "fields": {"type": "object", "description": "What the kept device lacked and took: before and after"},
            "declared_line": {"type": ["integer", "null"]}}}}}]},
})

PATHS.update({
    "/devices/{tag}/corrections": {"post": {
        "summary": "Correct the type, brand, model, serial or donor's tag; the history keeps before and after",
        "operationId": "postCorrection", "parameters": TAG_PARAMETER, "requestBody": json_body_of("CorrectionIn"),
        "responses": {"200": json_response("The device corrected", "Correction")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/devices/{tag}/void": {"post": {
        "summary": "Void a device received by mistake: it keeps its tag and history, and counts nowhere",
        "operationId": "postVoid", "parameters": TAG_PARAMETER, "requestBody": json_body_of("VoidIn"),
        "responses": {"200": json_response("The device voided", "Device")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/devices/{tag}/merge": {"post": {
        "summary": "Merge another device (one machine received twice) into this one; the other is voided",
        "operationId": "postMerge", "parameters": TAG_PARAMETER, "requestBody": json_body_of("MergeIn"),
        "responses": {"200": json_response("The device kept, and what moved to it", "Merged")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
})
