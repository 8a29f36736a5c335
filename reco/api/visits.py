"""API of installation visits and partner reports."""
from flask import jsonify, request

from reco.accounts.models import Structure
from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS, json_body_of, json_response
from reco.api.payload import field, json_body, without_nulls
from reco.core.permissions import acting_user, permission_required
from reco.core.submissions import recorded_before
from reco.extensions import db
from reco.prescriptions.models import Account, DigitalLevel, FirstStep, FollowUp, Visit, VisitStatus
from reco.prescriptions.partner_reports import submit_partner_report
from reco.prescriptions.signature import MAX_HEIGHT, MAX_KB, MAX_WIDTH, MIN_HEIGHT, MIN_WIDTH
from reco.prescriptions.views import load_prescription
from reco.prescriptions.visit_views import load_visit
from reco.prescriptions.visits import report_visit, request_visit


def visit_json(visit: Visit) -> dict:
    """Return a visit as the API shows it (never the household's contact details)."""
    return {"id": visit.id, "prescription_id": visit.prescription_id, "household": visit.prescription.code,
            "installer_id": visit.installer_id, "status": visit.status.value,
            "scheduled_on": visit.scheduled_on.isoformat() if visit.scheduled_on else None,
            "slot": visit.slot.value if visit.slot else None, "device": visit.reservation.device.tag}


@bp.route("/prescriptions/<id:prescription_id>/visits", methods=["POST"])
@permission_required("visit.request")
def request_visit_api(prescription_id: int):
    """Ask an installer structure for a visit; default: the workshop's usual installation partner."""
    prescription = load_prescription(prescription_id, "visit.request")
    data = json_body()
    installer_id = field(data, "installer_id", int, default=prescription.workshop.usual_installer_id)
    installer = db.session.get(Structure, installer_id) if installer_id is not None else None
    visit = request_visit(prescription, by=acting_user(), installer=installer,
                          note=field(data, "note", str, default=""))
    return jsonify(visit_json(visit)), 201


@bp.route("/visits/<id:visit_id>/report", methods=["POST"])
@permission_required("visit.report")
def report_visit_api(visit_id: int):
    """Report a visit: the device is delivered and the household equipped; sent again with its key, said so."""
    visit = load_visit(visit_id, "visit.report")
    data = json_body()
    key = request.headers.get("Idempotency-Key") or data.get("submission_key")
    already = recorded_before(lambda: report_visit(visit, by=acting_user(), submission_key=key, **{
        name: data.get(name) for name in (
        "installed_working", "internet_connected", "internet_problem", "accounts", "first_steps", "digital_level",
        "follow_ups", "signature", "signer_name", "no_signature_reason", "comments") if data.get(name) is not None}))
    return jsonify(visit_json(visit) | {"already_recorded": already})


@bp.route("/partner-reports", methods=["POST"])
@permission_required("partner_report.submit")
def submit_partner_report_api():
    """Report the families a partner equipped in a month; a month reported again is a correction."""
    data = json_body()
    user = acting_user()
    report = submit_partner_report(user.structure, by=user, month=data.get("month"),
                                   lines=without_nulls(data.get("lines")), note=field(data, "note", str, default=""))
    return jsonify({"id": report.id, "month": report.month.isoformat()[:7], "version": report.version,
                    "correction": report.version > 1, "families": report.families}), 201


def _list_of(kind) -> dict:
    """Return the schema of a list of vocabulary values."""
    return {"type": "array", "items": {"type": "string", "enum": [k.value for k in kind]}}


SCHEMAS.update({
    "VisitIn": {"type": "object", "properties": {
        "installer_id": {"type": "integer", "description": "Default: the workshop's usual installation partner"},
        "note": {"type": "string"}}},
    "Visit": {"type": "object", "required": ["id", "prescription_id", "household", "status"], "properties": {
        "id": {"type": "integer"}, "prescription_id": {"type": "integer"}, "household": {"type": "string"},
        "installer_id": {"type": "integer"}, "status": {"type": "string", "enum": [s.value for s in VisitStatus]},
        "scheduled_on": {"type": ["string", "null"]}, "slot": {"type": ["string", "null"]},
        "device": {"type": "string"},
        "already_recorded": {"type": "boolean", "description": "Reports: an earlier sending with the same key "
                                                               "had recorded it"}}},
    "VisitReportIn": {"type": "object", "required": ["installed_working"], "properties": {
        "submission_key": {"type": "string", "minLength": 8, "maxLength": 64,
                           "description": "One key per report (or the Idempotency-Key header): sent again, the "
                                          "report is recorded once and answered with already_recorded"},
        "installed_working": {"type": "boolean", "description": "Must be true: otherwise call the workshop"},
        "internet_connected": {"type": "boolean"},
        "internet_problem": {"type": "string", "description": "Required when not connected"},
        "accounts": _list_of(Account), "first_steps": _list_of(FirstStep),
        "digital_level": {"type": ["string", "null"], "enum": [d.value for d in DigitalLevel] + [None]},
        "follow_ups": _list_of(FollowUp), "comments": {"type": "string"},
        "signature": {"type": "string", "description": "The family's signature drawn on the screen: a PNG data URL "
                      f"(data:image/png;base64,...), {MIN_WIDTH}×{MIN_HEIGHT} to {MAX_WIDTH}×{MAX_HEIGHT} pixels, "
                      f"{MAX_KB} KB at most. It is printed on a signed copy of the handover receipt"},
        "signer_name": {"type": "string", "description": "The family member who signed"},
        "no_signature_reason": {"type": "string", "description": "Required without a signature: why the family "
                                "did not sign"}}},
    "PartnerReportIn": {"type": "object", "required": ["month", "lines"], "properties": {
        "month": {"type": "string", "description": "YYYY-MM, this month or earlier"},
        "lines": {"type": "array", "items": {"type": "object", "required": ["device_type", "families"],
                                             "properties": {
            "insee_code": {"type": "string", "description": "INSEE code of the commune; or give its postcode and/or "
                           "name. A commune the registry does not know, or several matching, is refused with 422 and "
                           "the candidates of each line in line_candidates"},
            "postcode": {"type": "string"}, "commune": {"type": "string", "description": "The commune's name"},
            "device_type": {"type": "string"}, "families": {"type": "integer", "minimum": 0},
            "accompanied": {"type": "integer", "minimum": 0}}}},
        "note": {"type": "string"}}},
    "PartnerReport": {"type": "object", "required": ["id", "month", "version", "correction", "families"],
                      "properties": {"id": {"type": "integer"}, "month": {"type": "string"},
                                     "version": {"type": "integer"}, "correction": {"type": "boolean"},
                                     "families": {"type": "integer"}}},
})

PATHS.update({
    "/prescriptions/{prescription_id}/visits": {"post": {
        "summary": "Ask an installer structure for a visit for the reserved device", "operationId": "requestVisit",
        "parameters": [{"name": "prescription_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": json_body_of("VisitIn"), "responses": {"201": json_response("The visit", "Visit")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/visits/{visit_id}/report": {"post": {
        "summary": "Report a visit (installer): the device is delivered, the household equipped",
        "operationId": "reportVisit",
        "parameters": [{"name": "visit_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": json_body_of("VisitReportIn"), "responses": {"200": json_response("The visit", "Visit")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
    "/partner-reports": {"post": {
        "summary": "Report a month's families equipped outside the pipeline (partner); again is a correction",
        "operationId": "submitPartnerReport", "requestBody": json_body_of("PartnerReportIn"),
        "responses": {"201": json_response("The version recorded", "PartnerReport")},
        "errors": ["400", "401", "403", "409", "422"]}},
})
