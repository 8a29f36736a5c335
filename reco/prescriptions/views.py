"""The prescriber's portal: write, follow, withdraw or cancel a prescription, export a household's data."""
import json

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from reco.accounts.models import Role, Structure
from reco.communes.forms import communes_offered
from reco.core.audit import events_for
from reco.core.documents import documents_about
from reco.core.forms import form_status, refusal_on_form, run_small_form
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import paginate
from reco.core.permissions import load_allowed, permission_required, scoped
from reco.extensions import db
from reco.prescriptions import bp, vocabulary
from reco.prescriptions.access import household_pdf
from reco.prescriptions.forms import (
    DecisionForm,
    EraseForm,
    PrescriptionForm,
    ReasonForm,
    ReserveForm,
    VisitRequestForm,
)
from reco.prescriptions.models import CHILDREN_FIELDS, Prescription, PrescriptionStatus
from reco.prescriptions.privacy import read_contact
from reco.prescriptions.reservations import fitting_devices, ready_devices
from reco.prescriptions.lifecycle import PRESCRIPTION
from reco.prescriptions.services import (
    FIELDS,
    cancel_prescription,
    create_prescription,
    ending_notice,
    household_export,
    update_prescription,
    withdraw_prescription,
    workshops_for,
)
from reco.prescriptions.visits import installers_for, visits_of

add_nav_entry(NavEntry("prescriptions.prescriptions", _l("Prescriptions"), "prescription.view",
                       _l("Ask a workshop for a computer for a household, and follow the request."), 34))

P = PrescriptionStatus


@bp.app_context_processor
def prescription_labels():
    """Give templates the names of every prescription vocabulary (need_labels, urgency_labels, ...)."""
    return {name.lower(): value for name, value in vars(vocabulary).items() if name.endswith("_LABELS")}


def load_prescription(prescription_id: int, action: str) -> Prescription:
    """Load a prescription the user may act on; 404 when they may not even see it."""
    return load_allowed(Prescription, prescription_id, action, "prescription.view")


def visit_request_form(prescription: Prescription) -> VisitRequestForm:
    """Return the form asking for a visit, the workshop's usual installer first."""
    form = VisitRequestForm()
    form.installer_id.choices = [SelectChoice(s.id, s.name) for s in installers_for(prescription.workshop)]
    return form


#: Where the text of the last prescription search is kept, so that names never appear in addresses (nor in logs).
SEARCH_KEY = "prescription_search"


@bp.route("/prescriptions", methods=["GET", "POST"])
@permission_required("prescription.view")
def prescriptions():
    """List the prescriptions of the user's structure (prescriber) or addressed to it (workshop).

    The search form is posted: the text searched (a household's name) is kept in the session and the list's
    address only says ``search=1``, so that names stay out of addresses, browser histories and access logs.
    """
    if request.method == "POST":
        return _search_posted()
    query = scoped(select(Prescription), "prescription.view")
    status = request.args.get("status", "")
    if status in {s.value for s in P}:
        query = query.where(Prescription.status == P(status))
    text = session.get(SEARCH_KEY, "") if request.args.get("search") == "1" else ""
    if text:
        like = f"%{text.lower()}%"
        searched = [func.lower(Prescription.code).like(like), func.lower(Prescription.commune).like(like)]
        if current_user.role is Role.PRESCRIBER:
            searched.append(func.lower(Prescription.contact_name).like(like))
        query = query.where(or_(*searched))
    query = query.order_by(Prescription.created_at.desc(), Prescription.id.desc())
    return render_template("prescriptions/prescriptions.html", page=paginate(query), status=status, q=text,
                           statuses=list(P))


def _search_posted():
    """Keep the posted search text in the session and show the list it selects."""
    text = request.form.get("q", "").strip()[:100]
    status = request.form.get("status", "")
    args = {"status": status} if status in {s.value for s in P} else {}
    if text:
        session[SEARCH_KEY] = text
        args["search"] = "1"
    else:
        session.pop(SEARCH_KEY, None)
    return redirect(url_for("prescriptions.prescriptions", **args))


def _form(prescription: Prescription | None = None) -> PrescriptionForm:
    """Return the prescription form with the workshops offered, the usual one first."""
    form = PrescriptionForm(obj=prescription)
    workshops = workshops_for(current_user.structure)
    form.workshop_id.choices = [SelectChoice(w.id, w.name) for w in workshops]
    if request.method == "GET":
        if prescription is not None:
            form.consent.data = True
            for name in ("digital_level", "equipment", "internet", "urgency"):
                value = getattr(prescription, name)
                form[name].data = value.value if value else None
        elif workshops:
            form.workshop_id.data = workshops[0].id
    return form


def _submitted_fields(form: PrescriptionForm) -> dict:
    """Return the service's arguments from the form."""
    data = {name: form[name].data for name in FIELDS}
    for name in ("adults", *CHILDREN_FIELDS):
        data[name] = data[name] if data[name] is not None else (1 if name == "adults" else 0)
    return data | {"workshop": db.session.get(Structure, form.workshop_id.data) if form.workshop_id.data else None,
                   "consent": form.consent.data, "submit": request.form.get("action") == "submit",
                   "insee_code": "", "commune_choice": form.insee_code.data or ""}


@bp.route("/prescriptions/new", methods=["GET", "POST"])
@permission_required("prescription.create")
def new_prescription():
    """Write a prescription; save it as a draft or send it to the workshop."""
    form = _form()
    if form.validate_on_submit():
        with refusal_on_form(form), communes_offered(form.insee_code):
            prescription = create_prescription(by=current_user, **_submitted_fields(form))
            flash(_("Prescription sent to the workshop: household code %(code)s.", code=prescription.code)
                  if prescription.status is P.SUBMITTED else
                  _("Draft saved: household code %(code)s.", code=prescription.code), "success")
            return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))
    return render_template("prescriptions/form.html", form=form, prescription=None), form_status(form)


@bp.route("/prescriptions/<id:prescription_id>/edit", methods=["GET", "POST"])
@permission_required("prescription.edit")
def edit_prescription(prescription_id: int):
    """Change a prescription the workshop has not decided on yet, or send a draft."""
    prescription = load_prescription(prescription_id, "prescription.edit")
    if not prescription.editable:
        flash(_("This prescription can no longer be changed."), "error")
        return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))
    form = _form(prescription)
    if form.validate_on_submit():
        with refusal_on_form(form), communes_offered(form.insee_code):
            update_prescription(prescription, by=current_user, **_submitted_fields(form))
            flash(_("Prescription %(code)s saved.", code=prescription.code), "success")
            return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))
    return render_template("prescriptions/form.html", form=form, prescription=prescription,
                           moves=PRESCRIPTION.offered_by_name(prescription, current_user)), form_status(form)


@bp.route("/prescriptions/<id:prescription_id>")
@permission_required("prescription.view")
def prescription(prescription_id: int):
    """Show a prescription, its status and history; the workshop also sees the devices that fit."""
    prescription = load_prescription(prescription_id, "prescription.view")
    contact = read_contact(current_user, prescription, "contact")
    moves = PRESCRIPTION.offered_by_name(prescription, current_user)
    fitting = []
    if "reserve" in moves:
        fitting = fitting_devices(prescription, ready_devices(prescription.workshop_id), prescription.workshop)
    visits = visits_of(prescription)
    return render_template(
        "prescriptions/prescription.html", prescription=prescription, contact=contact, fitting=fitting,
        history=events_for(prescription), documents=documents_about(prescription), decision_form=DecisionForm(),
        reason_form=ReasonForm(), reserve_form=ReserveForm(), erase_form=EraseForm(), visits=visits,
        open_visit=next((v for v in visits if v.is_open), None), visit_form=visit_request_form(prescription),
        ending=ending_notice(prescription), moves=moves)


@bp.route("/prescriptions/<id:prescription_id>/withdraw", methods=["POST"])
@permission_required("prescription.edit")
def withdraw(prescription_id: int):
    """Withdraw a prescription the workshop has not accepted."""
    prescription = load_prescription(prescription_id, "prescription.edit")
    form = ReasonForm()
    run_small_form(form, lambda: withdraw_prescription(prescription, by=current_user, reason=form.reason.data or "",
                                                     reason_kind=form.reason_kind.data or None),
                   _("Prescription %(code)s withdrawn.", code=prescription.code))
    return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))


@bp.route("/prescriptions/<id:prescription_id>/cancel", methods=["POST"])
@permission_required("prescription.cancel")
def cancel(prescription_id: int):
    """Cancel an accepted prescription, by its prescriber or by the workshop; a reserved device goes back."""
    prescription = load_prescription(prescription_id, "prescription.cancel")
    form = ReasonForm()
    run_small_form(form, lambda: cancel_prescription(prescription, by=current_user, reason=form.reason.data or "",
                                                   reason_kind=form.reason_kind.data or None),
                   _("Prescription %(code)s cancelled.", code=prescription.code))
    return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))


@bp.route("/prescriptions/<id:prescription_id>/export.pdf")
@permission_required("prescription.export")
def export_pdf(prescription_id: int):
    """Download everything held about the household as a readable French PDF, to hand to the family."""
    prescription = load_prescription(prescription_id, "prescription.export")
    return Response(household_pdf(prescription), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{prescription.code}.pdf"'})


@bp.route("/prescriptions/<id:prescription_id>/export.json")
@permission_required("prescription.export")
def export(prescription_id: int):
    """Download everything held about the household (right of access)."""
    prescription = load_prescription(prescription_id, "prescription.export")
    body = json.dumps(household_export(prescription), ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{prescription.code}.json"'})
