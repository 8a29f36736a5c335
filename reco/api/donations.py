"""API for donors, donations and donor inventories."""
from datetime import date

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS, json_body_of, json_response
from reco.api.payload import field, json_body, query_flag
from reco.core.errors import ValidationFailed
from reco.core.permissions import acting_user, can, load_allowed, permission_required, require, scoped
from reco.donations.declared import AlreadyImported
from reco.donations.inventory_import import InventoryFileError, parse_inventory
from reco.donations.models import Donation, DonationStatus, Donor, DonorKind
from reco.donations.services import (
    create_donation,
    create_donor,
    declared_and_received,
    declared_vs_received,
    import_declared_items,
)
from reco.extensions import db

MAX_CSV_BYTES = 10 * 1024 * 1024


def donor_json(donor: Donor) -> dict:
    """Return a donor as the API shows it."""
    return {"id": donor.id, "name": donor.name, "kind": donor.kind.value, "siren": donor.siren,
            "siret": donor.siret, "city": donor.city}


def donation_json(donation: Donation) -> dict:
    """Return a donation with its declared, received and outstanding counts."""
    summary = declared_vs_received(donation)
    return {
        "id": donation.id,
        "reference": donation.reference,
        "donor_id": donation.donor_id,
        "workshop_id": donation.workshop_id,
        "status": donation.status.value,
        "planned_date": donation.planned_date.isoformat() if donation.planned_date else None,
        "declared": summary["declared"],
        "received": summary["received"],
        "outstanding": sum(row["outstanding"] for row in summary["rows"]),
        "by_type": [{"type": row["type"].value, "declared": row["declared"], "received": row["received"],
                     "outstanding": row["outstanding"]} for row in summary["rows"]],
        "undeclared": summary["undeclared_count"],
    }


def _own_workshop() -> Structure:
    """Return the acting user's workshop."""
    return acting_user().structure


@bp.route("/donors", methods=["POST"])
@permission_required("donor.manage")
def create_donor_api():
    """Create a donor of the token's workshop."""
    data = json_body()
    fields = {name: field(data, name, str, default="") for name in
              ("address", "postcode", "city", "contact_name", "email", "phone")}
    donor = create_donor(by=acting_user(), workshop=_own_workshop(), name=field(data, "name", str, required=True),
                         kind=field(data, "kind", str, required=True),
                         company_number=field(data, "company_number", str, default=""), **fields)
    return jsonify(donor_json(donor)), 201


@bp.route("/donations", methods=["POST"])
@permission_required("donation.manage")
def create_donation_api():
    """Plan a collection from one of the workshop's donors."""
    data = json_body()
    donor = db.session.get(Donor, field(data, "donor_id", int, required=True))
    if donor is None or not can(acting_user(), "donor.view", donor):
        raise ValidationFailed(_("Unknown donor."), {"donor_id": [_("unknown donor")]})
    require("donation.manage", donor)
    counts = field(data, "declared_counts", dict, default={})
    donation = create_donation(by=acting_user(), donor=donor, declared_counts=counts,
                               planned_date=field(data, "planned_date", date),
                               pickup_address=field(data, "pickup_address", str, default=""),
                               declared_value=data.get("declared_value"),
                               notes=field(data, "notes", str, default=""))
    response = jsonify(donation_json(donation))
    response.headers["Location"] = url_for("api.get_donation", donation_id=donation.id)
    return response, 201


#: How many open collections a bench is offered at most.
OPEN_DONATIONS_LISTED = 50


@bp.route("/donations/open")
@permission_required("device.intake")
def open_donations():
    """Return the token's workshop's collections still open for receiving, newest first, with their counts."""
    donations = list(db.session.scalars(
        scoped(select(Donation), "device.intake").where(Donation.status != DonationStatus.CLOSED)
        .order_by(Donation.created_at.desc(), Donation.id.desc()).limit(OPEN_DONATIONS_LISTED)))
    counts = declared_and_received([d.id for d in donations])
    return jsonify([{"id": d.id, "reference": d.reference, "donor_name": d.donor.name, "status": d.status.value,
                     "planned_date": d.planned_date.isoformat() if d.planned_date else None,
                     "collected_at": d.collected_at.isoformat() if d.collected_at else None,
                     "created_at": d.created_at.isoformat(),
                     "declared": counts[d.id][0], "received": counts[d.id][1]} for d in donations])


@bp.route("/donations/<id:donation_id>")
@permission_required("donation.view")
def get_donation(donation_id: int):
    """Return a donation with its declared, received and outstanding counts."""
    donation = load_allowed(Donation, donation_id, "donation.view", "donation.view")
    return jsonify(donation_json(donation))


@bp.route("/donations/<id:donation_id>/declared-items", methods=["POST"])
@permission_required("donation.manage")
def import_declared_items_api(donation_id: int):
    """Import the donor's inventory sent as the CSV body: every line, or none with the list of errors."""
    donation = load_allowed(Donation, donation_id, "donation.manage", "donation.view")
    data = request.get_data(cache=False)
    try:
        parsed = parse_inventory(data, "inventory.csv")
    except InventoryFileError as error:
        return jsonify(error="invalid_file", message=str(error), errors=[]), 422
    if parsed.unknown_columns:
        unknown = [parsed.headers[i] for i in parsed.unknown_columns]
        return jsonify(error="unknown_columns", message=_("Columns not recognised: %(names)s.",
                                                          names=", ".join(unknown)),
                       errors=[{"line": 1, "message": _("Column not recognised: %(name)s", name=name)}
                               for name in unknown]), 422
    if parsed.errors:
        return jsonify(error="invalid_lines", message=_("The file has errors: nothing was imported."),
                       errors=[{"line": e.line, "message": e.message} for e in parsed.errors]), 422
    allow = query_flag("allow_duplicates")
    if parsed.duplicates and not allow:
        return jsonify(error="duplicate_serials",
                       message=_("Some serial numbers appear several times: send again with "
                                 "?allow_duplicates=1 to import anyway."),
                       errors=[{"line": n, "message": _("Serial %(serial)s repeated", serial=serial)}
                               for serial, numbers in parsed.duplicates.items() for n in numbers]), 422
    try:
        count = import_declared_items(donation, parsed, by=acting_user(), allow_duplicates=allow,
                                      allow_reimport=query_flag("allow_reimport"))
    except AlreadyImported as error:
        db.session.rollback()
        return jsonify(error=error.code, message=error.message + " " + _(
            "Send again with ?allow_reimport=1 to import it anyway."), lines=error.reimport.lines), 409
    return jsonify(imported=count, duplicates=sorted(parsed.duplicates), duplicate_tags=sorted(parsed.duplicate_tags),
                   warnings=_repeated(parsed), donation=donation_json(donation)), 201


def _repeated(parsed) -> list[dict]:
    """Return one warning per line whose serial or donor's tag is on other lines too."""
    warnings = [{"line": n, "message": _("Serial %(serial)s repeated", serial=serial)}
                for serial, numbers in parsed.duplicates.items() for n in numbers]
    warnings += [{"line": n, "message": _("Donor's tag %(tag)s repeated", tag=tag)}
                 for tag, numbers in parsed.duplicate_tags.items() for n in numbers]
    return sorted(warnings, key=lambda warning: warning["line"])

SCHEMAS.update({
    "DonorIn": {"type": "object", "required": ["name", "kind"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 160},
        "kind": {"type": "string", "enum": [k.value for k in DonorKind]},
        "company_number": {"type": "string", "description": "SIREN (9 digits) or SIRET (14 digits)"},
        **{name: {"type": "string", "maxLength": limit} for name, limit in (
            ("address", 200), ("postcode", 10), ("city", 120), ("contact_name", 120), ("email", 254), ("phone", 30))}}},
    "Donor": {"type": "object", "required": ["id", "name", "kind"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"},
        "siren": {"type": ["string", "null"]}, "siret": {"type": ["string", "null"]}, "city": {"type": "string"}}},
    "DonationIn": {"type": "object", "required": ["donor_id"], "properties": {
        "donor_id": {"type": "integer"},
        "planned_date": {"type": ["string", "null"], "format": "date"},
        "pickup_address": {"type": "string", "maxLength": 300},
        "declared_value": {"type": ["number", "string", "null"], "description": "Euros"},
        "declared_counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                            "description": "Announced number of devices per type, e.g. {\"laptop\": 12}"},
        "notes": {"type": "string"}}},
    "Donation": {"type": "object", "required": ["id", "reference", "status", "declared", "received", "outstanding"],
                 "properties": {
        "id": {"type": "integer"}, "reference": {"type": "string"}, "donor_id": {"type": "integer"},
        "workshop_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["planned", "collected", "received", "closed"]},
        "planned_date": {"type": ["string", "null"], "format": "date"},
        "declared": {"type": "integer"}, "received": {"type": "integer"}, "outstanding": {"type": "integer"},
        "undeclared": {"type": "integer"},
        "by_type": {"type": "array", "items": {"type": "object", "properties": {
            "type": {"type": "string"}, "declared": {"type": "integer"}, "received": {"type": "integer"},
            "outstanding": {"type": "integer"}}}}}},
    "OpenDonation": {"type": "object", "required": ["id", "reference", "donor_name", "status", "created_at",
                                                    "declared", "received"], "properties": {
        "id": {"type": "integer"}, "reference": {"type": "string"}, "donor_name": {"type": "string"},
        "status": {"type": "string", "enum": ["planned", "collected", "received"]},
        "planned_date": {"type": ["string", "null"], "format": "date"},
        "collected_at": {"type": ["string", "null"], "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
        "declared": {"type": "integer", "description": "Devices the donor announced"},
        "received": {"type": "integer", "description": "Devices received so far (voided ones left out)"}}},
    "ImportResult": {"type": "object", "required": ["imported"], "properties": {
        "imported": {"type": "integer"},
        "duplicates": {"type": "array", "items": {"type": "string"},
                       "description": "Serial numbers found on several lines (imported with allow_duplicates)"},
        "duplicate_tags": {"type": "array", "items": {"type": "string"},
                           "description": "Donor's asset tags found on several lines (reported, never refused)"},
        "warnings": {"type": "array", "description": "Each line whose serial or donor's tag is repeated",
                     "items": {"type": "object", "properties": {"line": {"type": "integer"},
                                                                "message": {"type": "string"}}}},
        "donation": {"$ref": "#/components/schemas/Donation"}}},
})

PATHS.update({
    "/donors": {"post": {"summary": "Create a donor of the token's workshop (supervisor)", "operationId": "createDonor",
                         "requestBody": json_body_of("DonorIn"),
                         "responses": {"201": json_response("The donor", "Donor")},
                         "errors": ["400", "401", "403", "422"]}},
    "/donations": {"post": {"summary": "Plan a collection (supervisor)", "operationId": "createDonation",
                            "requestBody": json_body_of("DonationIn"),
                            "responses": {"201": json_response("The collection", "Donation")},
                            "errors": ["400", "401", "403", "422"]}},
    "/donations/open": {"get": {
        "summary": "The workshop's collections still open for receiving (not closed), newest first, 50 at most",
        "operationId": "getOpenDonations",
        "responses": {"200": {"description": "The collections", "content": {"application/json": {"schema": {
            "type": "array", "items": {"$ref": "#/components/schemas/OpenDonation"}}}}}},
        "errors": ["401", "403"]}},
    "/donations/{donation_id}": {"get": {
        "summary": "A collection with its declared, received and outstanding counts", "operationId": "getDonation",
        "parameters": [{"name": "donation_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": json_response("The collection", "Donation")}, "errors": ["401", "403", "404"]}},
    "/donations/{donation_id}/declared-items": {"post": {
        "summary": "Import the donor's inventory (CSV body); all lines or none",
        "description": "422 `duplicate_serials` when serial numbers repeat, unless `allow_duplicates=1`. "
                       "409 `already_imported` when the same file (same SHA-256) was imported into this "
                       "collection and its lines are still there, or when every line is already declared "
                       "(same type, serial and donor's tag): the message says when and by whom, `lines` lists "
                       "the collection's lines concerned; `allow_reimport=1` imports it again anyway.",
        "operationId": "importDeclaredItems",
        "parameters": [{"name": "donation_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                       {"name": "allow_duplicates", "in": "query", "required": False,
                        "description": "1 to import serial numbers that appear on several lines",
                        "schema": {"type": "string", "enum": ["0", "1"]}},
                       {"name": "allow_reimport", "in": "query", "required": False,
                        "description": "1 to import a list already imported into this collection",
                        "schema": {"type": "string", "enum": ["0", "1"]}}],
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
        "responses": {"201": json_response("What was imported", "ImportResult")},
        "errors": ["401", "403", "404", "409", "413", "422"]}},
})
