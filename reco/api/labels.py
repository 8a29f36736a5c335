"""API for labels: the formats, and a PDF of device labels."""
import io

from flask import jsonify, request, send_file

from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS
from reco.core.permissions import acting_user, permission_required
from reco.labels.formats import load_formats
from reco.labels.printing import print_devices


@bp.route("/label-formats")
@permission_required("api.use")
def label_formats():
    """Return the usable label formats."""
    formats, _problems = load_formats()
    return jsonify([{"key": f.key, "name": f.name, "kind": f.kind, "page_width_mm": f.page_width,
                     "page_height_mm": f.page_height, "label_width_mm": f.label_width,
                     "label_height_mm": f.label_height, "labels_per_page": f.per_page, "qr": f.qr}
                    for f in formats.values()])


@bp.route("/labels.pdf")
@permission_required("label.print")
def labels_pdf():
    """Return one PDF with the labels of the given devices of the token's workshop."""
    pdf = print_devices(acting_user().structure, request.args.get("tags", "").split(","),
                        format_key=request.args.get("format"), copies=request.args.get("copies", 1),
                        skip=request.args.get("skip", 0))
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="labels.pdf")


_EMPTY = {"type": "string", "maxLength": 0}
SCHEMAS["LabelFormat"] = {"type": "object", "required": ["key", "name", "kind"], "properties": {
    "key": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["roll", "sheet"]},
    "page_width_mm": {"type": "number"}, "page_height_mm": {"type": "number"}, "label_width_mm": {"type": "number"},
    "label_height_mm": {"type": "number"}, "labels_per_page": {"type": "integer"}, "qr": {"type": "boolean"}}}
PATHS.update({
    "/label-formats": {"get": {
        "summary": "The label formats (files of labels/)", "operationId": "getLabelFormats",
        "responses": {"200": {"description": "The formats", "content": {"application/json": {"schema": {
            "type": "array", "items": {"$ref": "#/components/schemas/LabelFormat"}}}}}},
        "errors": ["401"]}},
    "/labels.pdf": {"get": {
        "summary": "One PDF with the labels of devices; 422 lists unknown tags or an unknown format",
        "operationId": "getLabelsPdf",
        "parameters": [
            {"name": "tags", "in": "query", "required": True, "schema": {"type": "string"},
             "description": "Asset tags separated by commas"},
            {"name": "format", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "skip", "in": "query", "required": False, "description": "Empty: 0",
             "schema": {"anyOf": [{"type": "integer", "minimum": 0}, _EMPTY]}},
            {"name": "copies", "in": "query", "required": False, "description": "Empty: 1",
             "schema": {"anyOf": [{"type": "integer", "minimum": 1}, _EMPTY]}}],
        "responses": {"200": {"description": "The PDF", "content": {"application/pdf": {
            "schema": {"type": "string", "format": "binary"}}}}},
        "errors": ["401", "403", "422"]}},
})
