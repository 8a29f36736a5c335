"""API of prescriptions: write one, read it, decide on it, reserve a device for it."""
from datetime import date

from flask import jsonify, url_for
from flask_babel import gettext as _

from reco.accounts.models import Structure
from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS, json_body_of, json_response
from reco.api.payload import field, json_body
from reco.core.permissions import acting_user, permission_required
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.intake import workshop_device
from reco.prescriptions.models import (
    CHILDREN_FIELDS,
    TEXT_LIMITS,
    DeclineKind,
    DigitalLevel,
    EquipmentWanted,
    InternetAtHome,
    Need,
    Prescription,
    PrescriptionStatus,
    Urgency,
)
from reco.prescriptions.privacy import read_contact
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.services import (
    COUNT_FIELDS,
    create_prescription,
    decide_prescription,
    workshops_for,
)
from reco.prescriptions.views import load_prescription


def prescription_json(prescription: Prescription) -> dict:
    """Return a prescription as the acting user may see it: contact details only for those who need them."""
    user = acting_user()
    reservation = prescription.reservation
    return {
        "id": prescription.id,
        "code": prescription.code,
        "status": prescription.status.value,
        "structure_id": prescription.structure_id,
        "workshop_id": prescription.workshop_id,
        "commune": prescription.commune,
        "insee_code": prescription.insee_code,
        "qpv": prescription.qpv,
        "household": {name: getattr(prescription, name) for name in COUNT_FIELDS},
        "needs": list(prescription.needs),
        "digital_level": prescription.digital_level.value if prescription.digital_level else None,
        "equipment": prescription.equipment.value if prescription.equipment else None,
        "internet": prescription.internet.value if prescription.internet else None,
        "visit_wanted": prescription.visit_wanted,
        "urgency": prescription.urgency.value,
        "urgency_reason": prescription.urgency_reason,
        "comment": prescription.comment,
        "submitted_at": prescription.submitted_at.isoformat() if prescription.submitted_at else None,
        "reason_kind": prescription.reason_kind or None,
        "decline_reason": prescription.decline_reason or None,
        "device": reservation.device.tag if reservation else None,
        "contact": read_contact(user, prescription, "contact"),
    }


def _workshop(data: dict) -> Structure | None:
    """Return the workshop named in the body, else the prescriber structure's usual or only workshop."""
    workshop_id = field(data, "workshop_id", int)
    if workshop_id is not None:
        return db.session.get(Structure, workshop_id)
    workshops = workshops_for(acting_user().structure)
    usual = acting_user().structure.usual_workshop_id
    if workshops and (len(workshops) == 1 or workshops[0].id == usual):
        return workshops[0]
    return None


@bp.route("/prescriptions", methods=["POST"])
@permission_required("prescription.create")
def create_prescription_api():
    """Write a prescription for a household; submitted unless "submit" is false."""
    data = json_body()
    values = {name: field(data, name, str, default="") for name in TEXT_LIMITS}
    values |= {name: data.get(name) for name in (*COUNT_FIELDS, "digital_level", "equipment", "internet",
                                                 "urgency", "qpv", "visit_wanted")}
    values["needs"] = field(data, "needs", list, default=[])
    values["qpv"] = values["qpv"] if values["qpv"] is not None else False
    values["visit_wanted"] = values["visit_wanted"] if values["visit_wanted"] is not None else True
    submit = field(data, "submit", bool, default=True)
    prescription = create_prescription(by=acting_user(), workshop=_workshop(data), consent=data.get("consent"),
                                       submit=submit, consent_on=field(data, "consent_on", date,
                                                                       default=local_today().isoformat()), **values)
    response = jsonify(prescription_json(prescription))
    response.headers["Location"] = url_for("api.get_prescription", prescription_id=prescription.id)
    return response, 201


@bp.route("/prescriptions/<id:prescription_id>")
@permission_required("prescription.view")
def get_prescription(prescription_id: int):
    """Return a prescription with its status and reserved device."""
    return jsonify(prescription_json(load_prescription(prescription_id, "prescription.view")))


@bp.route("/prescriptions/<id:prescription_id>/decision", methods=["POST"])
@permission_required("prescription.decide")
def decide_prescription_api(prescription_id: int):
    """Accept a submitted prescription, or decline it with a reason."""
    prescription = load_prescription(prescription_id, "prescription.decide")
    data = json_body()
    decide_prescription(prescription, by=acting_user(), accept=data.get("accept"),
                        reason=field(data, "reason", str, default=""), reason_kind=field(data, "reason_kind", str))
    return jsonify(prescription_json(prescription))


@bp.route("/prescriptions/<id:prescription_id>/reservation", methods=["POST"])
@permission_required("prescription.allocate")
def reserve_device_api(prescription_id: int):
    """Reserve a ready device of the workshop, by asset tag, for an accepted prescription; one that does not fit
    the household only with "confirm_mismatch": true."""
    prescription = load_prescription(prescription_id, "prescription.allocate")
    data = json_body()
    tag = field(data, "tag", str, required=True)
    confirm = field(data, "confirm_mismatch", bool, default=False)
    device = workshop_device(tag, prescription.workshop_id)
    if device is None:
        return jsonify(error="not_found", message=_("No device %(tag)s in this workshop.", tag=tag[:40])), 404
    reserve_device(prescription, device, by=acting_user(), confirm_mismatch=confirm)
    return jsonify(prescription_json(prescription))


def _enum(kind) -> dict:
    """Return the schema of an optional vocabulary value."""
    return {"type": ["string", "null"], "enum": [k.value for k in kind] + [None]}


def _text(name: str, **more) -> dict:
    """Return the schema of a prescription's text field, as long as its column allows."""
    return {"type": "string", "maxLength": TEXT_LIMITS[name], **more}


_COUNTS = {name: {"type": "integer", "minimum": 0, "maximum": 20} for name in ("adults", *CHILDREN_FIELDS)}
SCHEMAS.update({
    "PrescriptionIn": {"type": "object", "required": ["contact_name", "consent"], "properties": {
        "workshop_id": {"type": "integer", "description": "Default: the structure's usual or only workshop"},
        **{name: _text(name) for name in ("contact_name", "contact_phone", "address", "postcode")},
        "commune": _text("commune", description="The commune's name; with the postcode, Reco finds its INSEE code. "
                         "Stored as the communes registry names it"),
        "insee_code": _text("insee_code", description="INSEE code of the commune (not the postcode), instead of or "
                            "with the postcode and name, which must then be the commune's. A commune the registry "
                            "does not know, or several matching, is refused with 422 unknown_commune or "
                            "ambiguous_commune and the candidates to choose from (a draft keeps a postcode and name "
                            "it cannot settle, without a code)"),
        "qpv": {"type": "boolean"}, **_COUNTS,
        "needs": {"type": "array", "items": {"type": "string", "enum": [n.value for n in Need]}},
        "digital_level": _enum(DigitalLevel), "equipment": _enum(EquipmentWanted), "internet": _enum(InternetAtHome),
        "visit_wanted": {"type": "boolean"}, "urgency": _enum(Urgency), "urgency_reason": _text("urgency_reason"),
        "comment": _text("comment", description="No health or social details"),
        "consent": {"type": "boolean", "description": "The household agreed; must be true"},
        "consent_on": {"type": "string", "format": "date", "description": "Default: today"},
        "submit": {"type": "boolean", "description": "false keeps it as a draft; default true"}}},
    "Prescription": {"type": "object", "required": ["id", "code", "status", "workshop_id", "device", "contact"],
                     "properties": {
        "id": {"type": "integer"}, "code": {"type": "string", "description": "Pseudonymous household code"},
        "status": {"type": "string", "enum": [s.value for s in PrescriptionStatus]},
        "structure_id": {"type": "integer"}, "workshop_id": {"type": "integer"}, "commune": {"type": "string"},
        "insee_code": {"type": "string"}, "qpv": {"type": "boolean"},
        "household": {"type": "object", "properties": _COUNTS},
        "needs": {"type": "array", "items": {"type": "string"}},
        "digital_level": _enum(DigitalLevel), "equipment": _enum(EquipmentWanted), "internet": _enum(InternetAtHome),
        "visit_wanted": {"type": "boolean"}, "urgency": {"type": "string"}, "urgency_reason": {"type": "string"},
        "comment": {"type": "string"}, "submitted_at": {"type": ["string", "null"]},
        "reason_kind": {"type": ["string", "null"], "description": "Why it was withdrawn, declined or cancelled"},
        "decline_reason": {"type": ["string", "null"]}, "device": {"type": ["string", "null"]},
        "contact": {"type": ["object", "null"], "description": "Only for those who need the contact details"}}},
    "DecisionIn": {"type": "object", "required": ["accept"], "properties": {
        "accept": {"type": "boolean"},
        "reason_kind": {**_enum(DeclineKind), "description": "Why it is declined; without it, a reason is required"},
        "reason": {"type": "string", "description": "What the prescriber reads besides the kind; required to decline "
                   "without a kind or with « other »"}}},
    "ReservationIn": {"type": "object", "required": ["tag"], "properties": {
        "tag": {"type": "string"},
        "confirm_mismatch": {"type": "boolean", "description": "Reserve a device that does not fit the household "
                             "(no webcam for school, under the workshop's minimums, another type); without it, 422 "
                             "device_mismatch with the reasons in mismatches. Default false"}}},
})

_ID = [{"name": "prescription_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
PATHS.update({
    "/prescriptions": {"post": {
        "summary": "Write a prescription for a household (prescriber)", "operationId": "createPrescription",
        "requestBody": json_body_of("PrescriptionIn"),
        "responses": {"201": json_response("The prescription", "Prescription")},
        "errors": ["400", "401", "403", "409", "422"]}},
    "/prescriptions/{prescription_id}": {"get": {
        "summary": "A prescription of the user's structure, or addressed to its workshop",
        "operationId": "getPrescription", "parameters": _ID,
        "responses": {"200": json_response("The prescription", "Prescription")}, "errors": ["401", "403", "404"]}},
    "/prescriptions/{prescription_id}/decision": {"post": {
        "summary": "Accept or decline a submitted prescription (workshop supervisor)",
        "operationId": "decidePrescription", "parameters": _ID, "requestBody": json_body_of("DecisionIn"),
        "responses": {"200": json_response("The prescription", "Prescription")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/prescriptions/{prescription_id}/reservation": {"post": {
        "summary": "Reserve a ready device for an accepted prescription; 409 if either is not free (device_taken "
                   "when another household just got the device), 422 device_mismatch if it does not fit unless "
                   "confirmed",
        "operationId": "reserveDevice", "parameters": _ID, "requestBody": json_body_of("ReservationIn"),
        "responses": {"200": json_response("The prescription", "Prescription")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
})
