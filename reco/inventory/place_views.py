"""Locations of the workshop, the scan batch page and the ORDS export of repairs."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from reco.core.errors import DomainError
from reco.core.forms import form_status, refusal_on_form
from reco.core.navigation import add_nav_badge
from reco.core.permissions import load_allowed, permission_required, require
from reco.core.spreadsheet import sheet_response
from reco.extensions import db
from reco.inventory import bp
from reco.inventory.batch import (SESSION_BATCH_KEY, add_scan, apply_to_batch, batch_items, batch_of, batch_size,
                                 clear_batch, remove_scan, session_batch_key)
from reco.inventory.forms import LocationEditForm, LocationForm
from reco.inventory.lifecycle import parse_state
from reco.inventory.locations import create_location, find_location, update_location
from reco.inventory.models import Device, DeviceState, Location
from reco.inventory.repairs import ords_list


@bp.route("/locations", methods=["GET", "POST"])
@permission_required("location.view")
def locations():
    """List the workshop's locations with how many devices each holds; supervisors add new ones."""
    form = LocationForm()
    if request.method == "POST":
        require("location.manage")
        if form.validate_on_submit():
            with refusal_on_form(form):
                location = create_location(current_user.structure, by=current_user, name=form.name.data,
                                           kind=form.kind.data)
                flash(_("Location %(name)s created with the code %(code)s.", name=location.name,
                        code=location.code), "success")
                return redirect(url_for("inventory.locations"))
    counts = dict(db.session.execute(select(Device.location_id, func.count()).where(
        Device.workshop_id == current_user.structure_id).group_by(Device.location_id)).all())
    rows = db.session.scalars(select(Location).where(Location.workshop_id == current_user.structure_id)
                              .order_by(Location.code))
    return render_template("inventory/locations.html", locations=rows, counts=counts, form=form), form_status(form)


@bp.route("/locations/<id:location_id>", methods=["GET", "POST"])
@permission_required("location.manage")
def location(location_id: int):
    """Rename a location or put it out of use (its code stays, so its printed label stays valid)."""
    location = load_allowed(Location, location_id, "location.manage", "location.view")
    form = LocationEditForm(obj=location)
    if request.method == "GET":
        form.kind.data = location.kind.value
    if form.validate_on_submit():
        with refusal_on_form(form):
            update_location(location, by=current_user, name=form.name.data, kind=form.kind.data,
                            active=form.active.data)
            flash(_("Location %(code)s saved.", code=location.code), "success")
            return redirect(url_for("inventory.locations"))
    return render_template("inventory/location_form.html", location=location, form=form), form_status(form)


def _batch_badge(user) -> tuple[int, str]:
    """Give the menu the number of codes in this login session's batch."""
    count = batch_size(user, session.get(SESSION_BATCH_KEY))
    return count, ngettext("%(num)d code in the list", "%(num)d codes in the list", count)


add_nav_badge("inventory.batch", _batch_badge)


def _batch_page(items, outcomes=None):
    """Render the batch page with its items and, after an action, what it did."""
    states = [s for s in DeviceState if s not in (DeviceState.RESERVED, DeviceState.DELIVERED)]
    return render_template("inventory/batch.html", items=items, states=states, outcomes=outcomes,
                           done=sum(1 for o in outcomes or [] if o.done), ok=sum(1 for i in items if i.status == "ok"))


@bp.route("/batch", methods=["GET", "POST"])
@permission_required("device.work")
def batch():
    """Scan tag after tag; each scan is saved, checked and listed at once."""
    scans = batch_of(current_user, session_batch_key())
    if request.method == "POST":
        code = add_scan(scans, request.form.get("code"))
        if code is None and request.form.get("code", "").strip():
            flash(_("The list is full: apply an action or empty it first."), "error")
        return redirect(url_for("inventory.batch"))
    return _batch_page(batch_items(scans, current_user))


@bp.route("/batch/remove/<int:index>", methods=["POST"])
@permission_required("device.work")
def batch_remove(index: int):
    """Remove one scanned code from the list."""
    remove_scan(batch_of(current_user, session_batch_key()), index)
    return redirect(url_for("inventory.batch"))


@bp.route("/batch/clear", methods=["POST"])
@permission_required("device.work")
def batch_clear():
    """Empty the list."""
    clear_batch(batch_of(current_user, session_batch_key()))
    return redirect(url_for("inventory.batch"))


@bp.route("/batch/apply", methods=["POST"])
@permission_required("device.work")
def batch_apply():
    """Apply one action to every device of the list; show the list left: the refused devices with the reason."""
    scans = batch_of(current_user, session_batch_key())
    action = request.form.get("action")
    try:
        if action == "move":
            location = find_location(request.form.get("location"), current_user.structure_id)
            if location is None:
                raise DomainError(_("No location of the workshop has this code."))
            outcomes, left = apply_to_batch(scans, by=current_user, action="move", location=location)
        elif action == "transition":
            outcomes, left = apply_to_batch(scans, by=current_user, action="transition",
                                            to=parse_state(request.form.get("to", "")))
        else:
            raise DomainError(_("Choose an action."))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("inventory.batch"))
    return _batch_page(left, outcomes)


@bp.route("/repairs.<fmt>")
@permission_required("repair.export")
def repairs_export(fmt: str):
    """Download the workshop's closed repairs in the Open Repair Data Standard format, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return sheet_response(ords_list(current_user.structure_id), fmt)
