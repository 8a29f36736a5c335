"""API of the parts bank: stock available, requests between workshops and their steps."""
from flask import abort, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS, json_body_of, json_response
from reco.api.payload import field, json_body
from reco.core.errors import ValidationFailed
from reco.core.pagination import RowPage, paginate
from reco.core.permissions import acting_user, load_allowed, permission_required, scoped
from reco.extensions import db
from reco.inventory.models import Location
from reco.parts.bank import STEPS, ask_parts, available_elsewhere, step_permission, take_step
from reco.parts.catalogue import search_filter
from reco.parts.models import Condition, PartCategory, PartRequest, PartType, RequestStatus, StockLevel


def _part_type_json(part_type: PartType) -> dict:
    """Return a part type as the API shows it."""
    return {"id": part_type.id, "name": part_type.name, "category": part_type.category.value,
            "attributes": part_type.attributes}


def request_json(part_request: PartRequest) -> dict:
    """Return a request as the API shows it."""
    return {"id": part_request.id, "part_type": _part_type_json(part_request.part_type),
            "condition": part_request.condition.value, "quantity": part_request.quantity,
            "asker_id": part_request.asker_id, "owner_id": part_request.owner_id,
            "status": part_request.status.value, "reason": part_request.reason or None}


@bp.route("/parts/stock")
@permission_required("part.view")
def parts_stock():
    """List stock: the workshop's own balances, or with ?elsewhere=1 what other workshops have available."""
    user = acting_user()
    filters = {"text": request.args.get("q", "")[:100], "category": request.args.get("category", ""),
               "attribute": request.args.get("attribute", "")[:100]}
    if request.args.get("category") and request.args["category"] not in {c.value for c in PartCategory}:
        raise ValidationFailed(_("Unknown category."), {"category": [_("unknown category")]})
    if request.args.get("elsewhere") in ("1", "true", "yes"):
        page = RowPage(available_elsewhere(user.structure_id, **filters), per_page=100)
        items = [{"part_type": _part_type_json(part_type), "condition": condition.value, "workshop_id": workshop.id,
                  "workshop": workshop.name, "available": int(available)}
                 for part_type, condition, workshop, available in page.items]
    else:
        query = scoped(search_filter(select(StockLevel).join(PartType), **filters), "stock.view").where(
            StockLevel.quantity > 0).order_by(PartType.name)
        page = paginate(query, per_page=100)
        items = [{"part_type": _part_type_json(level.part_type), "condition": level.condition.value,
                  "workshop_id": level.workshop_id, "quantity": level.quantity, "available": level.available,
                  "location": level.location.code if level.location else None} for level in page.items]
    return jsonify(items=items, page=page.page, pages=page.pages, total=page.total)


@bp.route("/parts/requests", methods=["POST"])
@permission_required("part_request.create")
def create_part_request():
    """Ask another workshop for units it has available."""
    data = json_body()
    owner_id = field(data, "owner_id", int, required=True)
    part_type_id = field(data, "part_type_id", int, required=True)
    part_request = ask_parts(by=acting_user(), owner=db.session.get(Structure, owner_id),
                             part_type=db.session.get(PartType, part_type_id),
                             condition=field(data, "condition", str, default="tested_ok"),
                             quantity=data.get("quantity"), note=field(data, "note", str, default=""))
    return jsonify(request_json(part_request)), 201


@bp.route("/parts/requests/<id:request_id>/<action>", methods=["POST"])
@permission_required("part_request.view")
def part_request_action(request_id: int, action: str):
    """Take one step of a request: accept, ship, receive, decline or cancel."""
    if action not in STEPS:
        abort(404)
    part_request = load_allowed(PartRequest, request_id, step_permission(action), "part_request.view")
    data = json_body() if request.get_data() else {}
    location = None
    if action == "receive" and field(data, "location", str):
        location = db.session.scalar(scoped(select(Location), "location.view").where(
            Location.code == data["location"].strip().upper()))
    take_step(part_request, action, by=acting_user(), location=location, reason=field(data, "reason", str, default=""))
    return jsonify(request_json(part_request))


_PART_TYPE = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                               "category": {"type": "string"}, "attributes": {"type": "object"}}}
SCHEMAS.update({
    "StockList": {"type": "object", "required": ["items", "page", "pages", "total"], "properties": {
        "items": {"type": "array", "items": {"type": "object", "required": ["part_type", "condition", "available"],
                                             "properties": {"part_type": _PART_TYPE, "condition": {"type": "string"},
                                                            "workshop_id": {"type": "integer"},
                                                            "workshop": {"type": "string"},
                                                            "quantity": {"type": "integer"},
                                                            "available": {"type": "integer"},
                                                            "location": {"type": ["string", "null"]}}}},
        "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}}},
    "PartRequestIn": {"type": "object", "required": ["owner_id", "part_type_id", "quantity"], "properties": {
        "owner_id": {"type": "integer"}, "part_type_id": {"type": "integer"},
        "condition": {"type": "string", "enum": [c.value for c in Condition]},
        "quantity": {"type": "integer", "minimum": 1}, "note": {"type": "string"}}},
    "PartRequestStep": {"type": "object", "properties": {
        "reason": {"type": "string", "description": "decline or cancel"},
        "location": {"type": "string", "description": "receive: code of the location to put the parts in"}}},
    "PartRequest": {"type": "object", "required": ["id", "part_type", "quantity", "status"], "properties": {
        "id": {"type": "integer"}, "part_type": _PART_TYPE, "condition": {"type": "string"},
        "quantity": {"type": "integer"}, "asker_id": {"type": "integer"}, "owner_id": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in RequestStatus]},
        "reason": {"type": ["string", "null"]}}},
})

PATHS.update({
    "/parts/stock": {"get": {
        "summary": "The workshop's stock, or (elsewhere=1) what other workshops have available",
        "operationId": "getPartsStock",
        "parameters": [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                        "description": text} for name, text in (
            ("category", "ram, storage, battery, charger, screen, keyboard or other"),
            ("attribute", "one attribute, name=value, e.g. generation=ddr4"), ("q", "words of the name"),
            ("elsewhere", "1: what other workshops have available"), ("page", "page number"))],
        "responses": {"200": json_response("Stock", "StockList")}, "errors": ["401", "403", "422"]}},
    "/parts/requests": {"post": {
        "summary": "Ask another workshop for parts", "operationId": "createPartRequest",
        "requestBody": json_body_of("PartRequestIn"), "responses": {"201": json_response("The request", "PartRequest")},
        "errors": ["400", "401", "403", "409", "422"]}},
    "/parts/requests/{request_id}/{action}": {"post": {
        "summary": "Accept, ship (owner), receive, cancel (asker) or decline (owner) a request",
        "operationId": "stepPartRequest",
        "parameters": [{"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                       {"name": "action", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": list(STEPS)}}],
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/PartRequestStep"}}}},
        "responses": {"200": json_response("The request", "PartRequest")},
        "errors": ["400", "401", "403", "404", "409", "422"]}},
})
