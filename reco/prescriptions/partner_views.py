"""Pages of partner reports (families equipped outside the pipeline) and of the network's families equipped."""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from reco.communes.display import commune_labels
from reco.communes.forms import offer_communes
from reco.core.errors import ValidationFailed
from reco.core.forms import form_status
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import paginate
from reco.core.permissions import load_allowed, permission_required, scoped
from reco.extensions import db
from reco.prescriptions import bp
from reco.prescriptions.forms import PartnerReportForm
from reco.prescriptions.models import PartnerReport
from reco.prescriptions.partner_reports import LineCommunesRefused, parse_month, submit_partner_report

#: A message's key about one field of one line, e.g. « lines[2].families ».
LINE_FIELD = re.compile(r"lines\[(\d+)\]\.(commune|postcode|insee_code|device_type|families|accompanied)")

add_nav_entry(NavEntry("prescriptions.partner_reports", _l("Families equipped by us"), "partner_report.submit",
                       _l("Report each month the families you equipped outside the network's pipeline."), 36))


@bp.route("/partner-reports")
@permission_required("partner_report.submit")
def partner_reports():
    """List the structure's monthly reports, the version in force of each month."""
    query = (scoped(select(PartnerReport), "partner_report.submit").where(PartnerReport.current.is_(True))
             .order_by(PartnerReport.month.desc()))
    return render_template("prescriptions/partner_reports.html", page=paginate(query))


@bp.route("/partner-reports/new", methods=["GET", "POST"])
@permission_required("partner_report.submit")
def new_partner_report():
    """Report a month, or correct it: the form starts from the version in force."""
    form = PartnerReportForm()
    if request.method == "GET":
        _prefill(form, request.args.get("month", ""))
    if form.validate_on_submit():
        entries = [line for line in form.lines if line.commune.data or line.postcode.data or line.families.data]
        lines = [{"commune": line.commune.data, "postcode": line.postcode.data, "device_type": line.device_type.data,
                  "families": line.families.data, "accompanied": line.accompanied.data or 0} for line in entries]
        try:
            report = submit_partner_report(current_user.structure, by=current_user, month=form.month.data,
                                           lines=lines, note=form.note.data or "",
                                           choices=[line.insee_code.data or "" for line in entries])
        except ValidationFailed as error:
            if isinstance(error, LineCommunesRefused):
                for index, refusal in error.refusals.items():
                    offer_communes(entries[index].insee_code, refusal)
            db.session.rollback()
            _show_line_errors(form, entries, error)
        else:
            flash(_("Report of %(month)s recorded (version %(n)d).", month=report.month.strftime("%m/%Y"),
                    n=report.version), "success")
            return redirect(url_for("prescriptions.partner_report", report_id=report.id))
    return render_template("prescriptions/partner_report_form.html", form=form), form_status(form)


def _show_line_errors(form: PartnerReportForm, entries: list, error: ValidationFailed) -> None:
    """Put each line's messages on its field (« lines[2].families »), the others above the form."""
    form.form_errors.append(error.message)
    for key, messages in error.fields.items():
        match = LINE_FIELD.fullmatch(key)
        field = entries[int(match[1])][match[2]] if match and int(match[1]) < len(entries) else None
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = list(field.errors) + list(messages)


def _prefill(form: PartnerReportForm, month: str) -> None:
    """Fill the form with the version in force of ``month``, to correct it."""
    try:
        month = parse_month(month)
    except ValidationFailed:
        return
    form.month.data = month
    report = db.session.scalar(scoped(select(PartnerReport), "partner_report.submit")
                               .where(PartnerReport.month == month, PartnerReport.current.is_(True)))
    lines = report.lines if report else []
    while len(form.lines) < min(len(lines), form.lines.max_entries):
        form.lines.append_entry()
    for entry, line in zip(form.lines, lines):
        entry.commune.data, entry.insee_code.data = line.commune, line.insee_code
        entry.device_type.data, entry.families.data, entry.accompanied.data = (line.device_type.value, line.families,
                                                                               line.accompanied)


@bp.route("/partner-reports/<id:report_id>")
@permission_required("partner_report.view")
def partner_report(report_id: int):
    """Show one version of a month's report, with the other versions of that month."""
    report = load_allowed(PartnerReport, report_id, "partner_report.view", "partner_report.view")
    versions = db.session.scalars(select(PartnerReport).where(PartnerReport.structure_id == report.structure_id,
                                                              PartnerReport.month == report.month)
                                  .order_by(PartnerReport.version.desc())).all()
    labels = commune_labels((line.insee_code, line.commune) for line in report.lines)
    return render_template("prescriptions/partner_report.html", report=report, versions=versions,
                           commune_labels=labels)
