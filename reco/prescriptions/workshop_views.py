"""The workshop's side: inbox of submitted prescriptions, decisions, waiting list, reservations, handover receipt."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, select

from reco.core.documents import Document
from reco.core.errors import DomainError
from reco.core.forms import flash_form_errors, run_small_form
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import paginate
from reco.core.permissions import can, permission_required
from reco.extensions import db
from reco.inventory.intake import workshop_device
from reco.prescriptions import bp
from reco.prescriptions.forms import DecisionForm, ReasonForm, ReserveForm
from reco.prescriptions.models import Prescription, PrescriptionStatus, Urgency
from reco.prescriptions.pdf import SIGNED_RECEIPT, current_handover_receipt, issue_handover_receipt
from reco.prescriptions.reservations import (
    DeviceMismatch,
    fit_from_shelf,
    ready_count,
    release_reservation,
    reserve_device,
    shelf,
)
from reco.prescriptions.services import decide_prescription, note_personal_data_access
from reco.prescriptions.views import load_prescription

add_nav_entry(NavEntry("prescriptions.inbox", _l("Prescriptions received"), "prescription.decide",
                       _l("Accept or decline the prescriptions of social workers."), 32))
add_nav_entry(NavEntry("prescriptions.waiting_list", _l("Waiting list"), "prescription.allocate",
                       _l("Households waiting for a device, the most urgent first, with the devices that fit."), 33))

P = PrescriptionStatus
#: Most urgent first, then the longest waiting.
URGENCY_FIRST = case({Urgency.URGENT.value: 0, Urgency.PRIORITY.value: 1}, value=Prescription.urgency, else_=2)


def _addressed(status: PrescriptionStatus):
    """Return the query of the prescriptions of ``status`` addressed to the user's workshop, most urgent first."""
    return (select(Prescription)
            .where(Prescription.workshop_id == current_user.structure_id, Prescription.status == status)
            .order_by(URGENCY_FIRST, Prescription.submitted_at, Prescription.id))


def _back(prescription: Prescription):
    """Redirect to the prescription's page."""
    return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))


@bp.route("/prescriptions/inbox")
@permission_required("prescription.decide")
def inbox():
    """List the prescriptions submitted to the workshop and not decided yet."""
    return render_template("prescriptions/inbox.html", page=paginate(_addressed(P.SUBMITTED)))


@bp.route("/prescriptions/<id:prescription_id>/decision", methods=["POST"])
@permission_required("prescription.decide")
def decide(prescription_id: int):
    """Accept a prescription onto the waiting list, or decline it with a reason."""
    prescription = load_prescription(prescription_id, "prescription.decide")
    form = DecisionForm()
    if form.validate_on_submit():
        accept = request.form.get("accept") == "1"
        try:
            decide_prescription(prescription, by=current_user, accept=accept, reason=form.reason.data or "",
                                reason_kind=form.reason_kind.data or None)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("Prescription %(code)s accepted: it is on the waiting list.", code=prescription.code) if accept
                  else _("Prescription %(code)s declined.", code=prescription.code), "success")
            if accept:
                return _back(prescription)
            return redirect(url_for("prescriptions.inbox"))
    else:
        flash_form_errors(form)
    return _back(prescription)


@bp.route("/waiting-list")
@permission_required("prescription.allocate")
def waiting_list():
    """List the accepted prescriptions waiting for a device, with how many ready devices fit each."""
    page = paginate(_addressed(P.ACCEPTED))
    workshop = current_user.structure
    groups = shelf(workshop)
    fits = {p.id: fit_from_shelf(p, groups) for p in page.items}
    return render_template("prescriptions/waiting_list.html", page=page, fits=fits,
                           ready_count=ready_count(workshop.id))


@bp.route("/prescriptions/<id:prescription_id>/reservation", methods=["POST"])
@permission_required("prescription.allocate")
def reserve(prescription_id: int):
    """Reserve a ready device of the workshop for an accepted prescription; one that does not fit the household
    is reserved only from the page that says why, once confirmed."""
    prescription = load_prescription(prescription_id, "prescription.allocate")
    form = ReserveForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(prescription)
    device = workshop_device(form.tag.data, prescription.workshop_id)
    if device is None:
        flash(_("No device %(tag)s in this workshop.", tag=form.tag.data.strip()[:40]), "error")
        return _back(prescription)
    try:
        reserve_device(prescription, device, by=current_user, confirm_mismatch=form.confirm_mismatch.data)
    except DeviceMismatch as error:
        db.session.rollback()
        return render_template("prescriptions/reserve_confirm.html", prescription=prescription, device=device,
                               reasons=error.details["mismatches"], form=form)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Device %(tag)s reserved for household %(code)s.", tag=device.tag, code=prescription.code),
              "success")
    return _back(prescription)


@bp.route("/prescriptions/<id:prescription_id>/release", methods=["POST"])
@permission_required("prescription.allocate")
def release(prescription_id: int):
    """Put the reserved device back on the shelf and the household back on the waiting list."""
    prescription = load_prescription(prescription_id, "prescription.allocate")
    form = ReasonForm()
    tag = prescription.reservation.device.tag if prescription.reservation else ""
    run_small_form(form, lambda: release_reservation(prescription, by=current_user, reason=form.reason.data or "",
                                                     reason_kind=form.reason_kind.data or None),
                   _("Device %(tag)s is ready again; household %(code)s is back on the waiting list.", tag=tag,
                     code=prescription.code))
    return _back(prescription)


@bp.route("/prescriptions/<id:prescription_id>/handover-receipt", methods=["POST"])
@permission_required("prescription.allocate")
def handover_receipt(prescription_id: int):
    """Issue the handover receipt of the reserved device and open it."""
    prescription = load_prescription(prescription_id, "prescription.allocate")
    if not prescription.awaiting_handover:
        flash(_("A handover receipt needs a device reserved for the household."), "error")
        return _back(prescription)
    document = current_handover_receipt(prescription)
    if document is None:
        document = issue_handover_receipt(prescription, by=current_user,
                                          with_contact=can(current_user, "prescription.contact", prescription))
    return redirect(url_for("prescriptions.document_pdf", prescription_id=prescription.id, document_id=document.id))


@bp.route("/prescriptions/<id:prescription_id>/documents/<id:document_id>.pdf")
@permission_required("prescription.allocate")
def document_pdf(prescription_id: int, document_id: int):
    """Download a document issued about the prescription, as it was printed: the receipt to sign while the device is
    reserved, the copy the family signed at any time after."""
    prescription = load_prescription(prescription_id, "prescription.allocate")
    document = db.get_or_404(Document, document_id)
    if document.object_type != prescription.audit_type or document.object_id != str(prescription.id):
        abort(404)
    signed = document.kind == SIGNED_RECEIPT
    if not prescription.awaiting_handover and not signed:
        flash(_("The handover receipt can be printed only while the device is reserved for the household."), "error")
        return _back(prescription)
    if signed or can(current_user, "prescription.contact", prescription):
        note_personal_data_access(current_user, prescription, document.kind)
    return send_file(io.BytesIO(document.pdf), mimetype="application/pdf", download_name=f"{document.number}.pdf",
                     as_attachment=False)
