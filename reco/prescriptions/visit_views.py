"""Pages of installation visits: asking for one, the installer's list and week, the report at the door, returns."""
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, case, or_, select

from reco.accounts.models import Role, Structure
from reco.core.audit import events_for
from reco.core.drafts import form_page, from_draft, record_once, refused
from reco.core.forms import form_status, refusal_on_form, run_small_form
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import paginate
from reco.core.permissions import can, load_allowed, permission_required, require, scoped
from reco.core.submissions import AlreadySubmitted
from reco.core.time import local_day_start, local_today
from reco.extensions import db
from reco.inventory.intake import workshop_device
from reco.prescriptions import bp
from reco.prescriptions.forms import MissedForm, ReasonForm, ReturnForm, ScheduleForm, VisitReportForm
from reco.prescriptions.lifecycle import VISIT
from reco.prescriptions.models import OPEN_VISITS, Visit, VisitStatus
from reco.prescriptions.privacy import read_contact
from reco.prescriptions.views import load_prescription, visit_request_form
from reco.prescriptions.visits import (
    cancel_visit,
    mark_missed,
    prescribers_to_call,
    record_handover,
    report_visit,
    request_visit,
    return_device,
    schedule_visit,
)

add_nav_entry(NavEntry("prescriptions.visits", _l("Visits"), "visit.view",
                       _l("Installation visits at the households' homes: plan them, report them."), 35))

REPORT_FIELDS = ("installed_working", "internet_connected", "internet_problem", "accounts", "first_steps",
                 "digital_level", "follow_ups", "signature", "signer_name", "no_signature_reason", "comments")
#: Open visits first, the soonest first; then the others, the latest first.
OPEN_FIRST = case((Visit.status.in_([s.value for s in OPEN_VISITS]), 0), else_=1)


def load_visit(visit_id: int, action: str) -> Visit:
    """Load a visit the user may act on; 404 when they may not even see it."""
    return load_allowed(Visit, visit_id, action, "visit.view")


def _visits_query():
    """Return the visits the user's structure makes (installer) or asked for (workshop)."""
    query = scoped(select(Visit), "visit.view")
    return query if current_user.role is Role.INSTALLER else query.where(Visit.at_workshop.is_(False))


@bp.route("/prescriptions/<id:prescription_id>/visits", methods=["POST"])
@permission_required("visit.request")
def new_visit(prescription_id: int):
    """Ask an installer structure to install the reserved device at the household's home."""
    prescription = load_prescription(prescription_id, "visit.request")
    form = visit_request_form(prescription)
    run_small_form(form, lambda: request_visit(prescription, by=current_user, note=form.note.data or "",
                                               installer=db.session.get(Structure, form.installer_id.data)),
                   _("Visit asked for household %(code)s.", code=prescription.code))
    return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))


@bp.route("/prescriptions/<id:prescription_id>/handover", methods=["GET", "POST"])
@permission_required("handover.record")
def handover(prescription_id: int):
    """Record that the household took its device at the workshop."""
    prescription = load_prescription(prescription_id, "handover.record")
    form = VisitReportForm()
    return record_once(form, lambda: record_handover(
        prescription, by=current_user, submission_key=form.submission_key.data,
        **{f: form[f].data for f in REPORT_FIELDS if f != "installed_working"}),
        success=_("Household %(code)s is equipped.", code=prescription.code),
        location=url_for("prescriptions.prescription", prescription_id=prescription.id)) or \
        form_page(form, lambda: render_template("prescriptions/report.html", form=form, visit=None,
                                                prescription=prescription))


@bp.route("/visits")
@permission_required("visit.view")
def visits():
    """List the visits to make (installer) or asked for (workshop), open ones first."""
    query = _visits_query()
    status = request.args.get("status", "")
    if status in {s.value for s in VisitStatus}:
        query = query.where(Visit.status == VisitStatus(status))
    query = query.order_by(OPEN_FIRST, Visit.scheduled_on.is_(None), Visit.scheduled_on, Visit.id.desc())
    return render_template("prescriptions/visits.html", page=paginate(query), status=status,
                           statuses=list(VisitStatus))


@bp.route("/visits/week")
@permission_required("visit.view")
def week():
    """Show the planned visits of one week, day by day."""
    today = local_today()
    try:
        start = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        start = today
    if abs((start - today).days) > 5 * 366:  # far away weeks are typing mistakes
        start = today
    start -= timedelta(days=start.weekday())
    days = [start + timedelta(days=n) for n in range(7)]
    planned = Visit.status.not_in([VisitStatus.DONE, VisitStatus.CANCELLED])
    done = and_(Visit.status == VisitStatus.DONE, Visit.closed_at >= local_day_start(days[0]),
                Visit.closed_at < local_day_start(days[-1] + timedelta(days=1)))
    shown = db.session.scalars(_visits_query().where(or_(
        and_(planned, Visit.scheduled_on >= days[0], Visit.scheduled_on <= days[-1]), done))
        .order_by(Visit.scheduled_on, Visit.slot, Visit.id)).all()
    by_day = {day: [v for v in shown if v.shown_on == day] for day in days}
    return render_template("prescriptions/week.html", days=days, by_day=by_day,
                           previous=days[0] - timedelta(days=7), following=days[0] + timedelta(days=7))


@bp.route("/visits/<id:visit_id>")
@permission_required("visit.view")
def visit(visit_id: int):
    """Show a visit: where to go and whom to call while it is open, what the household needs, what was done."""
    visit = load_visit(visit_id, "visit.view")
    contact = read_contact(current_user, visit, "visit")
    schedule_form = ScheduleForm(scheduled_on=visit.scheduled_on, slot=visit.slot.value if visit.slot else "morning")
    return render_template("prescriptions/visit.html", visit=visit, prescription=visit.prescription,
                           contact=contact, show_note=can(current_user, "visit.note", visit),
                           prescribers=prescribers_to_call(visit),
                           schedule_form=schedule_form, missed_form=MissedForm(),
                           reason_form=ReasonForm(), history=events_for(visit), today=local_today(),
                           moves=VISIT.offered_by_name(visit, current_user))


@bp.route("/visits/<id:visit_id>/schedule", methods=["POST"])
@permission_required("visit.schedule")
def schedule(visit_id: int):
    """Plan (or plan again) the visit."""
    visit = load_visit(visit_id, "visit.schedule")
    form = ScheduleForm()
    run_small_form(form, lambda: schedule_visit(visit, by=current_user, on=form.scheduled_on.data,
                                                slot=form.slot.data), _("Visit planned."))
    return redirect(url_for("prescriptions.visit", visit_id=visit.id))


@bp.route("/visits/<id:visit_id>/missed", methods=["POST"])
@permission_required("visit.schedule")
def missed(visit_id: int):
    """Record that the household was not there, with a new date if one is agreed."""
    visit = load_visit(visit_id, "visit.schedule")
    form = MissedForm()
    back = url_for("prescriptions.visit", visit_id=visit.id)

    def action():
        mark_missed(visit, by=current_user, reason=form.reason.data or "", reason_kind=form.reason_kind.data or None,
                    new_date=form.new_date.data,
                    slot=form.new_slot.data, submission_key=form.submission_key.data)
    if from_draft():
        return record_once(form, action, success=_("Missed visit recorded."), location=back) or refused(form)
    try:
        run_small_form(form, action, _("Missed visit recorded."))
    except AlreadySubmitted as done:
        flash(done.message, "success")
    return redirect(back)


@bp.route("/visits/<id:visit_id>/cancel", methods=["POST"])
@permission_required("visit.cancel")
def cancel_visit_view(visit_id: int):
    """Cancel the visit: the device goes back on the shelf, the household back on the waiting list."""
    visit = load_visit(visit_id, "visit.cancel")
    form = ReasonForm()
    run_small_form(form, lambda: cancel_visit(visit, by=current_user, reason=form.reason.data or "",
                                              reason_kind=form.reason_kind.data or None),
                   _("Visit cancelled; the household is back on the waiting list."))
    return redirect(url_for("prescriptions.visit", visit_id=visit.id))


@bp.route("/visits/<id:visit_id>/report", methods=["GET", "POST"])
@permission_required("visit.report")
def report(visit_id: int):
    """Report the visit at the family's door: the device is delivered and the family equipped."""
    visit = load_visit(visit_id, "visit.report")
    form = VisitReportForm()
    if not visit.is_open and not form.is_submitted():  # a report sent again is answered by report_visit
        flash(_("This visit is closed: it can no longer be reported."), "error")
        return redirect(url_for("prescriptions.visit", visit_id=visit.id))
    return record_once(form, lambda: report_visit(visit, by=current_user, submission_key=form.submission_key.data,
                                                  **{f: form[f].data for f in REPORT_FIELDS}),
                       success=_("Thank you: household %(code)s is equipped.", code=visit.prescription.code),
                       location=url_for("prescriptions.visits")) or \
        form_page(form, lambda: render_template("prescriptions/report.html", form=form, visit=visit,
                                                prescription=visit.prescription))


@bp.route("/devices/<tag>/return", methods=["GET", "POST"])
@permission_required("device.return")
def return_view(tag: str):
    """Take back a device a family brings back: it goes back to the workbench with its history."""
    device = workshop_device(tag, current_user.structure_id)
    if device is None:
        abort(404)
    require("device.return", device)
    form = ReturnForm()
    if form.validate_on_submit():
        with refusal_on_form(form):
            return_device(device, by=current_user, reason=form.reason.data or "", replacement=form.replacement.data,
                          reason_kind=form.reason_kind.data or None)
            flash(_("Device %(tag)s is back at the workbench.", tag=device.tag), "success")
            return redirect(url_for("inventory.device", tag=device.tag))
    return render_template("prescriptions/return.html", form=form, device=device), form_status(form)
