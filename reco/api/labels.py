"""API for labels: the formats, a PDF of device labels, and a label sent to the workshop's printer."""
import io

from flask import jsonify, request, send_file, url_for
from flask_babel import gettext as _

from reco.api import bp
from reco.api.openapi import PATHS, SCHEMAS
from reco.core.permissions import acting_user, permission_required, require
from reco.inventory.intake import workshop_device
from reco.labels.formats import load_formats
from reco.labels.printing import print_devices
from reco.labels.sending import has_printer, send_device_labels


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


@bp.route("/devices/<tag>/label/print", methods=["POST"])
@permission_required("label.print")
def print_device_label(tag: str):
    """Send the device's label straight to the workshop's label printer; say whether it printed."""
    user = acting_user()
    device = workshop_device(tag, user.structure_id)
    if device is None:
        return jsonify(error="not_found", message=_("No device matches « %(code)s ».", code=tag[:128])), 404
    require("label.print", device)
    workshop = user.structure
    if not has_printer(workshop):
        return jsonify(error="no_printer", message=_("No label printer is set up for this workshop: print the PDF "
                                                     "of the label.")), 409
    sending = send_device_labels(workshop, [device.tag])
    if sending.sent:
        return jsonify(sent=True, printer=sending.printer, message=sending.message)
    return jsonify(sent=False, error=sending.error, printer=sending.printer, message=sending.message,
                   pdf_url=url_for("api.labels_pdf", tags=device.tag, format=workshop.label_printer_format)), \
        503 if sending.error == "unreachable" else 502


SCHEMAS["LabelSent"] = {"type": "object", "required": ["sent", "printer", "message"], "properties": {
    "sent": {"type": "boolean", "const": True}, "printer": {"type": "string"}, "message": {"type": "string"}}}
SCHEMAS["LabelNotSent"] = {"type": "object", "required": ["sent", "error", "message", "pdf_url"], "properties": {
    "sent": {"type": "boolean", "const": False}, "printer": {"type": "string"},
    "error": {"type": "string", "enum": ["unreachable", "refused", "unprintable"]}, "message": {"type": "string"},
    "pdf_url": {"type": "string", "description": "The label as a PDF, to print by hand"}}}
PATHS["/devices/{tag}/label/print"] = {"post": {
    "summary": "Send the device's label to the workshop's label printer (Brother QL on the network or CUPS)",
    "description": "Sent or not within a few seconds. 409 `no_printer` when the workshop has no label printer set "
                   "up; 503 when the printer cannot be reached, 502 when it refused the job or cannot print this "
                   "format: `pdf_url` then gives the label as a PDF.",
    "operationId": "printDeviceLabel",
    "parameters": [{"name": "tag", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {
        "200": {"description": "The label went to the printer",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LabelSent"}}}},
        "502": {"description": "The printer refused the label, or cannot print this format",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LabelNotSent"}}}},
        "503": {"description": "The printer cannot be reached",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LabelNotSent"}}}}},
    "errors": ["401", "403", "404", "409"]}}
