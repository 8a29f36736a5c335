"""Locations of the workshop, the scan batch page and the ORDS export of repairs."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import form_status, refusal_on_form, show_errors
from reco.core.navigation import add_nav_badge
from reco.core.permissions import load_allowed, permission_required, require, scoped
from reco.core.spreadsheet import sheet_response
from reco.extensions import db
from reco.inventory import bp
from reco.inventory.batch import (SESSION_BATCH_KEY, add_scan, apply_to_batch, batch_items, batch_of, batch_size,
                                 clear_batch, next_to_harvest, recycle_batch, remove_scan, scan_destination,
                                 session_batch_key)
from reco.inventory.forms import BatchRecycleForm, LocationEditForm, LocationForm
from reco.inventory.lifecycle import DEVICE_LIFECYCLE, EXITS, parse_state
from reco.inventory.locations import create_location, find_location, update_location
from reco.inventory.models import Device, Location
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
    counts = dict(db.session.execute(scoped(select(Device.location_id, func.count()), "device.view")
                                     .group_by(Device.location_id)).all())
    rows = db.session.scalars(scoped(select(Location), "location.view").order_by(Location.code))
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


#: States the list's state change offers: the moves made by hand, but the exits, which have their own forms.
BATCH_STATES = [move.target for move in DEVICE_LIFECYCLE.moves
                if move.made_elsewhere is None and move.target not in EXITS]


def _batch_page(scans, items, outcomes=None, recycle_form=None):
    """Render the batch page with its items and, after an action, what it did."""
    return render_template("inventory/batch.html", items=items, states=BATCH_STATES, outcomes=outcomes,
                           destination=scans.location, recycle_form=recycle_form or BatchRecycleForm(formdata=None),
                           done=sum(1 for o in outcomes or [] if o.done), ok=sum(1 for i in items if i.is_ok))


@bp.route("/batch", methods=["GET", "POST"])
@permission_required("device.work")
def batch():
    """Scan tag after tag; each scan is saved, checked and listed at once; a location's code says where they go."""
    scans = batch_of(current_user, session_batch_key())
    if request.method == "POST":
        location = scan_destination(scans, request.form.get("code"), current_user)
        if location is not None:
            flash(_("They go to %(name)s (%(code)s): move them there with the button once they are all scanned.",
                    name=location.name, code=location.code), "success")
            return redirect(url_for("inventory.batch"))
        code = add_scan(scans, request.form.get("code"))
        if code is None and request.form.get("code", "").strip():
            flash(_("The list is full: apply an action or empty it first."), "error")
        return redirect(url_for("inventory.batch"))
    return _batch_page(scans, batch_items(scans, current_user))


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
    recycle_form = BatchRecycleForm() if action == "recycle" else None
    try:
        if action == "move":
            location = find_location(request.form.get("location"), current_user.structure_id)
            if location is None:
                raise DomainError(_("No location of the workshop has this code."))
            scans.location_id, scans.location = location.id, location
            outcomes, left = apply_to_batch(scans, by=current_user, action="move", location=location)
        elif action == "transition":
            to = parse_state(request.form.get("to", ""))
            if to in EXITS:
                raise DomainError(_("To make them leave, use « Recycle them (WEEE channel) » or « Dismantle them one "
                                    "by one »."))
            outcomes, left = apply_to_batch(scans, by=current_user, action="transition", to=to)
        elif action == "recycle":
            if not recycle_form.validate_on_submit():
                db.session.rollback()
                return _batch_page(scans, batch_items(scans, current_user), recycle_form=recycle_form), 422
            outcomes, left = recycle_batch(scans, by=current_user, weight_kg=recycle_form.weight_kg.data,
                                           slip_number=recycle_form.slip_number.data, on=recycle_form.on.data)
            if not any(o.done for o in outcomes):
                flash(_("Nothing was recycled: the weight is the whole list's. Remove or fix the refused devices, "
                        "then apply again."), "error")
                return _batch_page(scans, left, outcomes, recycle_form=recycle_form), 422
        elif action == "harvest":
            device = next_to_harvest(scans, current_user)
            if device is None:
                raise DomainError(_("No device of the list can be dismantled."))
            return redirect(url_for("parts.harvest", tag=device.tag, batch=1))
        else:
            raise DomainError(_("Choose an action."))
    except ValidationFailed as error:
        db.session.rollback()
        if recycle_form is None:
            flash(error.message, "error")
            return redirect(url_for("inventory.batch"))
        show_errors(recycle_form, error)
        return _batch_page(scans, batch_items(scans, current_user), recycle_form=recycle_form), 422
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("inventory.batch"))
    return _batch_page(scans, left, outcomes)


@bp.route("/repairs.<fmt>")
@permission_required("repair.export")
def repairs_export(fmt: str):
    """Download the workshop's closed repairs in the Open Repair Data Standard format, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return sheet_response(ords_list(current_user), fmt)
