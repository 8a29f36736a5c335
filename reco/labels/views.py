"""Printing labels of devices and locations: as one PDF, or straight to the workshop's label printer."""
import io
import re
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from reco.accounts.models import Structure
from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import form_status, show_errors
from reco.core.permissions import permission_required, require
from reco.core.safe_redirect import safe_next
from reco.extensions import db
from reco.labels import bp
from reco.labels.forms import LabelPrinterForm, PrintForm
from reco.labels.printing import print_devices, print_locations
from reco.labels.sending import (
    MAX_SENT,
    Sending,
    has_printer,
    keeping_last_format,
    printer_name,
    send_device_labels,
    send_location_labels,
    set_label_printer,
)


def _codes(text: str) -> list[str]:
    """Return the codes of a text, one per line or separated by commas or spaces."""
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


def print_page(kind: str, printer, codes: list[str], *, prefill: bool = False):
    """Show the print form (filled with ``codes`` when opened or handed over by a send), or send the PDF."""
    form = PrintForm(formdata=None) if prefill else PrintForm()
    if kind == "devices":
        form.codes.description = _("Our tags, serial numbers or donor's asset tags: type or scan them one after "
                                   "the other.")
    if request.method == "GET" or prefill:
        form.codes.data = "\n".join(codes)
        form.format.data = current_user.structure.label_format or (form.format.choices[0].value
                                                                   if form.format.choices else None)
    elif form.validate_on_submit():
        try:
            pdf = printer(current_user.structure, _codes(form.codes.data), format_key=form.format.data,
                          copies=form.copies.data, skip=form.skip.data or 0)
        except ValidationFailed as error:
            show_errors(form, error)
            if "tags" in error.fields:
                form.codes.errors = list(form.codes.errors) + [error.message]
        else:
            return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"{kind}.pdf")
    return render_template("labels/print.html", form=form, kind=kind,
                           action=url_for(f"labels.{kind}") if prefill else None), form_status(form)


@bp.route("/labels/devices", methods=["GET", "POST"])
@permission_required("label.print")
def devices():
    """Print the labels of devices: one, a selection of the list, or a scanned batch."""
    return print_page("devices", print_devices, request.args.getlist("tag"))


@bp.route("/labels/locations", methods=["GET", "POST"])
@permission_required("label.print")
def locations():
    """Print the labels of the workshop's locations."""
    return print_page("locations", print_locations, request.args.getlist("code"))


@bp.app_template_global()
def has_label_printer() -> bool:
    """Tell templates whether the user's workshop sends labels straight to a printer."""
    return current_user.is_authenticated and has_printer(current_user.structure)


@bp.app_template_global()
def label_printer_name(workshop) -> str:
    """Return the workshop's label printer as people recognise it, or say there is none."""
    return printer_name(workshop) if has_printer(workshop) else _("none: labels are printed from their PDF")


def flash_sending(sending: Sending, pdf_url: str) -> None:
    """Say whether the labels reached the printer; when they did not, offer their PDF."""
    if sending.sent:
        flash(sending.message, "success")
    else:
        flash(Markup('{} <a href="{}">{}</a>').format(sending.message, pdf_url, _("Download the PDF instead")),
              "error")


def _pdf(name: str, pdf: bytes):
    """Answer a PDF of labels."""
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=f"{name}.pdf")


def _sent_or_not(send, workshop, codes: list[str]) -> Sending:
    """Send labels to the workshop's printer; a job Reco refuses (unknown tag, too many) is not sent, and says why."""
    try:
        return send(workshop, codes)
    except DomainError as error:
        db.session.rollback()
        return Sending(False, printer_name(workshop), _("The label did not print: %(reason)s", reason=error.message),
                       "refused")


def _send(kind: str, key: str, send, printer, fallback: str):
    """Send the posted codes to the workshop's label printer and go back; without a printer, or for more labels
    than it takes at once, open the print page filled with them (never a page address holding thousands of codes)."""
    workshop, codes = current_user.structure, _codes(" ".join(request.form.getlist(key)))
    if not has_printer(workshop) or len(codes) > MAX_SENT:
        if has_printer(workshop):
            flash(_("At most %(n)d labels go to the printer at once: print the PDF instead.", n=MAX_SENT), "error")
        return print_page(kind, printer, codes, prefill=True)
    flash_sending(_sent_or_not(send, workshop, codes), url_for(f"labels.{kind}_pdf", **{key: codes}))
    return redirect(safe_next(request.form.get("next")) or fallback)


@bp.route("/labels/devices/send", methods=["POST"])
@permission_required("label.print")
def send_devices():
    """Send the labels of devices straight to the workshop's label printer, or open the print page without one."""
    return _send("devices", "tag", send_device_labels, print_devices, url_for("labels.devices"))


@bp.route("/labels/locations/send", methods=["POST"])
@permission_required("label.print")
def send_locations():
    """Send the labels of the workshop's locations straight to its label printer, or open the print page."""
    return _send("locations", "code", send_location_labels, print_locations, url_for("inventory.locations"))


@bp.route("/labels/devices.pdf")
@permission_required("label.print")
def devices_pdf():
    """Return the PDF of device labels in the format of the workshop's label printer (its last format without one)."""
    workshop = current_user.structure
    return _pdf("labels", keeping_last_format(workshop, lambda: print_devices(
        workshop, request.args.getlist("tag"), format_key=workshop.label_printer_format)))


@bp.route("/labels/locations.pdf")
@permission_required("label.print")
def locations_pdf():
    """Return the PDF of location labels in the format of the workshop's label printer."""
    workshop = current_user.structure
    return _pdf("location-labels", keeping_last_format(workshop, lambda: print_locations(
        workshop, request.args.getlist("code"), format_key=workshop.label_printer_format)))


def print_after_receipt(device) -> None:
    """Print the label of a device just received when its workshop prints at intake; the receipt stands regardless."""
    workshop = device.workshop
    if not (workshop.label_auto_print and has_printer(workshop)):
        return
    tag = device.tag
    db.session.commit()  # kept before anything is sent: a printer that fails or hangs never undoes the receipt
    sending = _sent_or_not(send_device_labels, workshop, [tag])
    if not sending.sent:
        sending = Sending(False, sending.printer, _("%(tag)s is received. %(reason)s", tag=tag,
                                                    reason=sending.message), sending.error)
    flash_sending(sending, url_for("labels.devices_pdf", tag=tag))


@bp.route("/structures/<id:structure_id>/label-printer", methods=["GET", "POST"])
@permission_required("label_printer.manage")
def printer(structure_id: int):
    """Set up the workshop's label printer, once: labels then print without a dialog."""
    workshop = db.get_or_404(Structure, structure_id)
    require("label_printer.manage", workshop)
    if not workshop.is_workshop:
        abort(404)
    form = LabelPrinterForm(obj=None if request.method == "POST" else _printer_settings(workshop))
    if form.validate_on_submit():
        try:
            set_label_printer(workshop, by=current_user, kind=form.kind.data, host=form.host.data,
                              port=form.port.data, model=form.model.data, queue=form.queue.data,
                              format_key=form.format.data or None, auto_print=form.auto_print.data)
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            flash(_("Label printer saved: %(printer)s.", printer=printer_name(workshop)), "success")
            return redirect(url_for("labels.printer", structure_id=workshop.id))
    return render_template("labels/printer.html", form=form, workshop=workshop,
                           has_printer=has_printer(workshop)), form_status(form)


def _printer_settings(workshop):
    """Return the workshop's printer settings under the form's field names."""
    return SimpleNamespace(kind=workshop.label_printer_kind, host=workshop.label_printer_host,
                           port=workshop.label_printer_port, model=workshop.label_printer_model,
                           queue=workshop.label_printer_queue, format=workshop.label_printer_format or "",
                           auto_print=workshop.label_auto_print)
