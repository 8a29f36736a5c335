"""API of the figures: the summary of a period for what the token's user may see."""
from flask import jsonify, request

from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS, json_response
from reco.core.permissions import acting_user, permission_required
from reco.reports.figures import audience_of, parse_period, protect_summary, summary


@bp.route("/reports/summary")
@permission_required("report.view")
def reports_summary():
    """Return the summary figures of ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: the last twelve months)."""
    period = parse_period(request.args.get("from", ""), request.args.get("to", ""))
    audience = audience_of(acting_user(), request.args.get("commune", ""))
    figures = protect_summary(summary(audience, period), audience.suppress)
    return jsonify(figures | {"from": period.first.isoformat(), "to": period.last.isoformat(),
                              "small_counts_hidden": audience.suppress,
                              "scope": "workshop" if audience.workshop_id else
                              "prescriber" if audience.prescriber_id else "network"})


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
        "co2e_avoided_kg": {"type": ["number", "null"]}, "weight_diverted_kg": {"type": ["number", "null"]},
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "small_counts_hidden": {"type": "boolean", "description": "Counts are rounded and those under 5 hidden"},
        "scope": {"type": "string", "enum": ["workshop", "prescriber", "network"]}}}

PATHS["/reports/summary"] = {"get": {
    "summary": "Families equipped, devices, drives and impact of a period, for what the user may see; devices are "
               "those received in the period, by their state now",
    "operationId": "getReportsSummary",
    "parameters": [{"name": name, "in": "query", "required": False, "description": f"YYYY-MM-DD; empty: {default}",
                    "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}}
                   for name, default in (("from", "a year before « to »"), ("to", "today"))] + [
        {"name": "commune", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "INSEE code: only the households of this commune"}],
    "responses": {"200": json_response("The figures", "Summary")}, "errors": ["401", "403", "422"]}}
