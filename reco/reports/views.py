"""The dashboard, its exports, and the impact factors the coordinator keeps."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from reco.core.errors import ValidationFailed
from reco.core.forms import form_status, show_errors
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.permissions import permission_required
from reco.core.spreadsheet import sheet_response
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import DeviceType
from reco.reports import bp
from reco.reports.annual import annual_report
from reco.reports.exports import LISTS, NETWORK_LISTS, table_sheet
from reco.reports.factors import update_factor
from reco.reports.figures import (
    audience_of,
    impact_figures,
    median_days,
    parse_period,
    parts_exchanged,
    protect_summary,
    shown,
    summary,
)
from reco.reports.figures import waiting_list as waiting
from reco.reports.forms import FactorForm
from reco.reports.models import ImpactFactor
from reco.reports.places import place_label, territory_choices
from reco.reports.tables import TABLES, build_tables, families_month

add_nav_entry(NavEntry("reports.dashboard", _l("Figures"), "report.view",
                       _l("Families equipped, devices, drives, parts and impact, with charts and exports."), 38))

#: The files a list is exported as.
FORMATS = ("csv", "xlsx")


def _scope():
    """Return the audience and the period asked for (?from=&to=&commune=&epci=&departement=), or refuse with a
    message."""
    period = parse_period(request.args.get("from", ""), request.args.get("to", ""))
    places = (request.args.get(name, "") for name in ("commune", "epci", "departement"))
    return audience_of(current_user, *places), period


def _filter_form(audience) -> dict:
    """Return what the period and territory filter shows: the EPCI and départements to choose, the place chosen."""
    return {"epci_choices": territory_choices("epci", audience.epci_code),
            "departement_choices": territory_choices("departement", audience.departement_code),
            "place": place_label(audience.places)}


@bp.route("/reports")
@permission_required("report.view")
def dashboard():
    """Show the figures of the period for what the user may see, as charts and tables."""
    try:
        audience, period = _scope()
    except ValidationFailed as error:
        flash(error.message, "error")
        return redirect(url_for("reports.dashboard"))
    exact = summary(audience, period)
    return render_template("reports/dashboard.html", period=period, audience=audience,
                           figures=protect_summary(exact, audience.suppress), tables=build_tables(audience, period),
                           factors=impact_figures(audience, period)["factors"],
                           median=median_days(audience, period), waiting=waiting(audience),
                           parts=parts_exchanged(audience, period), shown=shown, today_year=local_today().year,
                           **_filter_form(audience))


@bp.route("/impact")
@permission_required("report.view")
def impact():
    """Show, per month, the families equipped through the pipeline and, for the network, declared by partners."""
    try:
        audience, period = _scope()
    except ValidationFailed as error:
        flash(error.message, "error")
        return redirect(url_for("reports.impact"))
    return render_template("reports/impact.html", period=period, audience=audience,
                           table=families_month(audience, period), **_filter_form(audience))


@bp.route("/reports/tables/<key>.<fmt>")
@permission_required("report.view")
def export_table(key: str, fmt: str):
    """Export one table of the dashboard, as CSV for French Excel (or ?sep=comma) or as XLSX."""
    if fmt not in FORMATS or key not in TABLES:
        abort(404)
    audience, period = _scope()
    name = f"{key}-{period.first.isoformat()}-{period.last.isoformat()}"
    return sheet_response(table_sheet(TABLES[key](audience, period), name), fmt)


@bp.route("/reports/lists/<name>.<fmt>")
@permission_required("report.lists")
def export_list(name: str, fmt: str):
    """Export a whole list of the user's scope (devices, prescriptions without names, sanitizations), CSV streamed."""
    if name not in LISTS or fmt not in FORMATS:
        abort(404)
    response = sheet_response(LISTS[name](current_user), fmt)
    if name == "prescriptions":
        response.headers["Cache-Control"] = "no-store"  # households, by code: kept out of every cache
    return response


@bp.route("/reports/network/<name>.<fmt>")
@permission_required("report.network_lists")
def export_network_list(name: str, fmt: str):
    """Export a whole list of the network (devices, sanitizations, ORDS repairs), each row with its workshop."""
    if name not in NETWORK_LISTS or fmt not in FORMATS:
        abort(404)
    return sheet_response(NETWORK_LISTS[name](current_user, network=True), fmt)


@bp.route("/reports/annual.pdf")
@permission_required("report.view")
def annual():
    """Download the activity report of a year (?year=), for funders: numbered, kept and verifiable."""
    text = request.args.get("year", str(local_today().year))
    year = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else 0
    if not 2000 <= year <= local_today().year:
        flash(_("Choose a year between 2000 and this year."), "error")
        return redirect(url_for("reports.dashboard"))
    document = annual_report(audience_of(current_user), year, by=current_user)
    return send_file(io.BytesIO(document.pdf), mimetype="application/pdf", download_name=f"{document.number}.pdf")


@bp.route("/admin/impact-factors", methods=["GET", "POST"])
@permission_required("impact.manage")
def factors():
    """Show and change the factors that turn reused devices into weight and CO2e."""
    form = FactorForm()
    if form.validate_on_submit():
        factor = db.session.get(ImpactFactor, form.device_type.data)
        try:
            update_factor(factor, by=current_user, **{f: form[f].data for f in (
                "weight_kg", "manufacture_co2e_kg", "avoided_co2e_kg_per_year", "years_of_use", "source")})
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            flash(_("Factors saved."), "success")
            return redirect(url_for("reports.factors"))
    rows = [db.session.get(ImpactFactor, t) for t in DeviceType]
    return render_template("reports/factors.html", form=form, factors=[r for r in rows if r]), form_status(form)
