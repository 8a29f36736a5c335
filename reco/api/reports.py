"""API of the figures and documents: the summary of a period, the donor report, kept documents."""
import io

from flask import abort, jsonify, request, send_file

from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS, json_response
from reco.core.permissions import acting_user, load_allowed, permission_required
from reco.donations.models import Donation
from reco.reports.donor_report import current_donor_report
from reco.reports.figures import audience_of, parse_period, protect_summary, summary
from reco.reports.kept import readable_document
from reco.reports.places import place_label

#: The figures drawn from devices rather than counted: null, and named in « not_published », under 5 devices.
DERIVED = ("weight_diverted_kg", "co2e_avoided_kg")


@bp.route("/reports/summary")
@permission_required("report.view")
def reports_summary():
    """Return the summary figures of ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: the last twelve months)."""
    period = parse_period(request.args.get("from", ""), request.args.get("to", ""))
    audience = audience_of(acting_user(), *(request.args.get(name, "") for name in ("commune", "epci", "departement")))
    figures = protect_summary(summary(audience, period), audience.suppress)
    return jsonify(figures | {"from": period.first.isoformat(), "to": period.last.isoformat(),
                              "small_counts_hidden": audience.suppress, "place": place_label(audience.places) or None,
                              "not_published": [name for name in DERIVED if figures[name] is None],
                              "scope": "workshop" if audience.workshop_id else
                              "prescriber" if audience.prescriber_id else "network"})


@bp.route("/donations/<id:donation_id>/report.pdf")
@permission_required("document.issue")
def donor_report_pdf(donation_id: int):
    """Return the donor report and certificate of sanitization: the last one issued while still true, else a new one."""
    donation = load_allowed(Donation, donation_id, "document.issue", "donation.view")
    document = current_donor_report(donation, by=acting_user())
    response = send_file(io.BytesIO(document.pdf), mimetype="application/pdf", download_name=f"{document.number}.pdf")
    response.headers["X-Document-Number"] = document.number
    return response


@bp.route("/documents/<number>.pdf")
@permission_required("api.use")
def document_pdf(number: str):
    """Return a kept document as it was printed, if the token's user may read it (404 otherwise)."""
    document = readable_document(number, acting_user())
    if document is None:
        abort(404)
    return send_file(io.BytesIO(document.pdf), mimetype="application/pdf", download_name=f"{document.number}.pdf")


_COUNT = {"type": ["integer", "null"], "minimum": 0,
          "description": "For the whole network: rounded to a multiple of 5, null when under 5"}
SCHEMAS["Summary"] = {"type": "object", "required": [
    "families_equipped", "devices_received", "devices_ready", "devices_delivered", "devices_harvested",
    "devices_recycled", "drives_sanitized", "drives_destroyed", "co2e_avoided_kg", "weight_diverted_kg"],
    "properties": {
        "families_equipped": {"type": "object", "required": ["pipeline", "declared"],
                              "properties": {"pipeline": _COUNT, "declared": _COUNT}},
        **{name: _COUNT for name in ("devices_received", "devices_ready", "devices_delivered", "devices_harvested",
                                     "devices_recycled", "drives_sanitized", "drives_destroyed")},
        **{name: {"type": ["number", "null"], "description": "For the whole network: rounded, null when drawn "
                  "from fewer than 5 devices (given to households for CO2e, given or dismantled for weight)"}
           for name in DERIVED},
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "small_counts_hidden": {"type": "boolean", "description": "Counts are rounded and those under 5 hidden"},
        "place": {"type": ["string", "null"], "description": "The commune, EPCI and/or département the figures are "
                  "limited to, named (e.g. « Rennes (35238), Rennes Métropole »); null: everywhere"},
        "not_published": {"type": "array", "items": {"type": "string", "enum": list(DERIVED)},
                          "description": "Figures null because drawn from fewer than 5 devices (network only)"},
        "scope": {"type": "string", "enum": ["workshop", "prescriber", "network"]}}}

PATHS["/reports/summary"] = {"get": {
    "summary": "Families equipped, devices, drives and impact of a period, for what the user may see; devices are "
               "those received in the period, by their state now",
    "operationId": "getReportsSummary",
    "parameters": [{"name": name, "in": "query", "required": False, "description": f"YYYY-MM-DD; empty: {default}",
                    "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}}
                   for name, default in (("from", "a year before « to »"), ("to", "today"))] + [
        {"name": "commune", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "INSEE code of a commune of the registry: only the households of this commune as it is today "
                        "(its former codes and districts count for it); unknown: 422"},
        {"name": "epci", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "SIREN of an EPCI (métropole, communauté) of the registry, e.g. 243500139 for Rennes "
                        "Métropole: only the households of its communes; unknown: 422"},
        {"name": "departement", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Code of a département of the registry, e.g. 35 or 2A: only the households of its communes; "
                        "unknown: 422"}],
    "responses": {"200": json_response("The figures", "Summary")}, "errors": ["401", "403", "422"]}}

PATHS["/documents/{number}.pdf"] = {"get": {
    "summary": "A kept document as it was printed, by its number: a donation's documents for its workshop's staff, "
               "an annual report for the structure it was made for",
    "operationId": "getDocumentPdf",
    "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
                    "description": "e.g. DEM-RD-2026-00001"}],
    "responses": {"200": {"description": "The PDF", "content": {"application/pdf": {
        "schema": {"type": "string", "format": "binary"}}}}},
    "errors": ["401", "404"]}}

PATHS["/donations/{donation_id}/report.pdf"] = {"get": {
    "summary": "The donor report and certificate of sanitization (supervisor): the last one issued while it still "
               "states what is true, else a new numbered one, kept and verifiable",
    "operationId": "getDonorReportPdf",
    "parameters": [{"name": "donation_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "The PDF", "headers": {"X-Document-Number": {
        "description": "The document's number", "schema": {"type": "string"}}},
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
    "errors": ["401", "403", "404"]}}
