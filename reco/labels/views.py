"""Printing labels of devices and locations as one PDF."""
import io
import re

from flask import render_template, request, send_file
from flask_login import current_user

from reco.core.errors import ValidationFailed
from reco.core.forms import form_status, show_errors
from reco.core.permissions import permission_required
from reco.labels import bp
from reco.labels.forms import PrintForm
from reco.labels.printing import print_devices, print_locations


def _codes(text: str) -> list[str]:
    """Return the codes of a text, one per line or separated by commas or spaces."""
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


def print_page(kind: str, printer, default_codes: str):
    """Show the print form, or send the PDF."""
    form = PrintForm()
    if request.method == "GET":
        form.codes.data = default_codes
        form.format.data = current_user.structure.label_format or (form.format.choices[0].value
                                                                   if form.format.choices else None)
    if form.validate_on_submit():
        try:
            pdf = printer(current_user.structure, _codes(form.codes.data), format_key=form.format.data,
                          copies=form.copies.data, skip=form.skip.data or 0)
        except ValidationFailed as error:
            show_errors(form, error)
            if "tags" in error.fields:
                form.codes.errors = list(form.codes.errors) + [error.message]
        else:
            return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"{kind}.pdf")
    return render_template("labels/print.html", form=form, kind=kind), form_status(form)


@bp.route("/labels/devices", methods=["GET", "POST"])
@permission_required("label.print")
def devices():
    """Print the labels of devices: one, a selection of the list, or a scanned batch."""
    return print_page("devices", print_devices, "\n".join(request.args.getlist("tag")))


@bp.route("/labels/locations", methods=["GET", "POST"])
@permission_required("label.print")
def locations():
    """Print the labels of the workshop's locations."""
    return print_page("locations", print_locations, "\n".join(request.args.getlist("code")))
