"""Pages of the parts bank in the workshop: the catalogue, the stock and its ledger, harvesting, repairs."""
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import flash_form_errors, form_status, refusal_on_form, run_small_form
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import paginate
from reco.core.permissions import can, load_allowed, permission_required, require, scoped
from reco.extensions import db
from reco.inventory.batch import batch_items, batch_of, leave_batch, next_to_harvest, session_batch_key
from reco.inventory.intake import workshop_device
from reco.inventory.models import Drive, Location, Repair
from reco.inventory.sanitization import record_secure_erase, validate_sanitization
from reco.labels.printing import print_locations
from reco.labels.views import print_page
from reco.parts import bp, vocabulary
from reco.parts.bank import available_elsewhere
from reco.parts.catalogue import create_part_type, search_filter
from reco.parts.forms import (
    ATTRIBUTE_NAMES,
    CATEGORY_FILTER,
    AddStockForm,
    HarvestForm,
    InstallDriveForm,
    MoveStockForm,
    PartTypeForm,
    TakeStockForm,
    UsePartForm,
)
from reco.parts.labels import bins_with_parts, part_bin_label
from reco.parts.models import ATTRIBUTES, Condition, MoveKind, PartCategory, PartType, StockLevel, StockMove
from reco.parts.stock import add_stock, count_stock, move_stock, take_stock
from reco.parts.workbench import bank_drives, harvest_device, install_drive, part_type_choices, use_part

add_nav_entry(NavEntry("parts.stock", _l("Parts"), "stock.view",
                       _l("Spare parts of the workshop, and those other workshops can give."), 25))


@bp.app_context_processor
def parts_labels():
    """Give templates the names of the parts vocabularies (condition_labels, move_kind_labels, ...)."""
    return {name.lower(): value for name, value in vars(vocabulary).items() if name.endswith("_LABELS")}


def _locations() -> list[SelectChoice]:
    """Return the workshop's places to keep parts, bins first."""
    places = db.session.scalars(scoped(select(Location), "location.view").where(Location.active.is_(True))
                                .order_by(Location.kind, Location.code))
    return [SelectChoice(0, "—")] + [SelectChoice(p.id, f"{p.code} · {p.name}") for p in places]


def _location(location_id: int | None):
    """Return one of the workshop's locations, or None."""
    location = db.session.get(Location, location_id) if location_id else None
    return location if location is not None and can(current_user, "location.view", location) else None


def _filters() -> dict:
    """Return the search filters of the request."""
    return {"text": request.args.get("q", "")[:100], "category": request.args.get("category", ""),
            "attribute": request.args.get("attribute", "")[:100]}


@bp.route("/parts")
@permission_required("stock.view")
def stock():
    """Show the workshop's stock, searched by words, category and one attribute."""
    filters = _filters()
    query = (scoped(search_filter(select(StockLevel).join(PartType), **filters), "stock.view")
             .where(StockLevel.quantity > 0)
             .order_by(PartType.category, PartType.name, StockLevel.condition))
    form = AddStockForm()
    form.part_type_id.choices = [SelectChoice(t.id, t.name) for t in part_type_choices()]
    form.location_id.choices = _locations()
    return render_template("parts/stock.html", page=paginate(query), filters=filters, add_form=form,
                           categories=CATEGORY_FILTER)


@bp.route("/parts/add", methods=["POST"])
@permission_required("stock.manage")
def add():
    """Put parts into the workshop's stock."""
    form = AddStockForm()
    form.part_type_id.choices = [SelectChoice(t.id, t.name) for t in part_type_choices()]
    form.location_id.choices = _locations()
    run_small_form(form, lambda: add_stock(
        current_user.structure, db.session.get(PartType, form.part_type_id.data), quantity=form.quantity.data,
        condition=form.condition.data, kind=MoveKind.RECEIVED, by=current_user,
        location=_location(form.location_id.data), note=form.note.data or ""), _("Parts added to the stock."))
    return redirect(url_for("parts.stock"))


@bp.route("/parts/levels/<id:level_id>/<action>", methods=["POST"])
@permission_required("stock.manage")
def change_level(level_id: int, action: str):
    """Discard units of a balance, or set it to what was counted on the shelf."""
    if action not in ("discard", "count", "move"):
        abort(404)
    level = load_allowed(StockLevel, level_id, "stock.manage", "stock.view")
    form = MoveStockForm() if action == "move" else TakeStockForm()
    if action == "move":
        form.location_id.choices = _locations()

    def change():
        if action == "move":
            move_stock(level, quantity=form.quantity.data, to=_location(form.location_id.data), by=current_user)
        elif action == "discard":
            take_stock(level, quantity=form.quantity.data, kind=MoveKind.DISCARDED, by=current_user,
                       note=form.note.data or "")
        else:
            count_stock(level, counted=form.quantity.data, by=current_user, note=form.note.data or "")

    run_small_form(form, change, _("Parts moved.") if action == "move" else _("Stock updated."))
    return redirect(url_for("parts.part_type", part_type_id=level.part_type_id))


@bp.route("/parts/catalogue")
@permission_required("part.view")
def catalogue():
    """List the network's part types, searched by words, category and one attribute."""
    filters = _filters()
    query = search_filter(select(PartType), **filters).order_by(PartType.category, PartType.name)
    return render_template("parts/catalogue.html", page=paginate(query), filters=filters, categories=CATEGORY_FILTER)


@bp.route("/parts/catalogue/new", methods=["GET", "POST"])
@permission_required("part.catalogue")
def new_part_type():
    """Add a part type to the catalogue shared by the network."""
    form = PartTypeForm()
    if form.validate_on_submit():
        with refusal_on_form(form):
            part_type = create_part_type(by=current_user, category=form.category.data, name=form.name.data,
                                         compatible_models=form.compatible_models.data,
                                         attributes={name: form[f"attr_{name}"].data for name in
                                                     ATTRIBUTES[PartCategory(form.category.data)]
                                                     if form[f"attr_{name}"].data})
            flash(_("« %(name)s » added to the catalogue.", name=part_type.name), "success")
            return redirect(url_for("parts.part_type", part_type_id=part_type.id))
    return render_template("parts/part_type_form.html", form=form, attribute_names=ATTRIBUTE_NAMES), \
        form_status(form)


@bp.route("/parts/types/<id:part_type_id>")
@permission_required("part.view")
def part_type(part_type_id: int):
    """Show a part type: the workshop's stock and ledger of it, and what other workshops have available."""
    part_type = db.get_or_404(PartType, part_type_id)
    levels = db.session.scalars(scoped(select(StockLevel), "stock.view")
                                .where(StockLevel.part_type_id == part_type.id)).all()
    moves = db.session.scalars(scoped(select(StockMove), "stock.view").where(StockMove.part_type_id == part_type.id)
                               .order_by(StockMove.id.desc()).limit(100)).all()
    elsewhere = db.session.execute(available_elsewhere(current_user.structure_id)
                                   .where(PartType.id == part_type.id)).all()
    move_form = MoveStockForm()
    move_form.location_id.choices = _locations()
    return render_template("parts/part_type.html", part_type=part_type, levels=levels, moves=moves,
                           elsewhere=elsewhere, take_form=TakeStockForm(), move_form=move_form)


@bp.route("/parts/drives")
@permission_required("stock.view")
def drives():
    """List the drives kept in the parts bank, with whether they may be reused."""
    return render_template("parts/drives.html", page=paginate(scoped(bank_drives(), "stock.view")))


@bp.route("/devices/<tag>/harvest", methods=["GET", "POST"])
@permission_required("device.work")
def harvest(tag: str):
    """Dismantle a device: what was taken out goes into the stock, its drives into the bank."""
    device = workshop_device(tag, current_user.structure_id)
    if device is None:
        abort(404)
    require("stock.manage", device)
    form = HarvestForm()
    choices = [SelectChoice(0, "—")] + [SelectChoice(t.id, t.name) for t in part_type_choices()]
    for line in form.lines:
        line.part_type_id.choices = choices
    form.location_id.choices = _locations()
    from_batch = request.args.get("batch") == "1"
    if form.validate_on_submit() and _harvest_quantities_given(form):
        lines = [(db.session.get(PartType, line.part_type_id.data), line.quantity.data, line.condition.data)
                 for line in form.lines if line.part_type_id.data]
        with refusal_on_form(form):
            harvest_device(device, by=current_user, lines=lines, drives_to_bank=form.drives_to_bank.data,
                           other_parts=(form.parts.data or "").splitlines(), notes=form.notes.data or "",
                           location=_location(form.location_id.data))
            flash(_("%(tag)s dismantled: the parts are in the stock.", tag=device.tag), "success")
            if from_batch:
                return _next_in_batch(device)
            return redirect(url_for("inventory.device", tag=device.tag))
    left = batch_items(batch_of(current_user, session_batch_key()), current_user) if from_batch else []
    return render_template("parts/harvest.html", form=form, device=device, from_batch=from_batch,
                           batch_left=sum(1 for item in left if item.is_ok)), form_status(form)


def _harvest_quantities_given(form: HarvestForm) -> bool:
    """Refuse a line with a part and no number of units: it is never taken as one unit."""
    given = True
    for line in form.lines:
        if line.part_type_id.data and line.quantity.data is None and not line.quantity.errors:
            line.quantity.errors = [_("Give the number of units taken out.")]
            given = False
    if not given:
        form.form_errors.append(_("Give the number of units of each part taken out."))
    return given


def _next_in_batch(device):
    """After dismantling a device of the scanned list: take it out of the list and open the next one to dismantle."""
    scans = batch_of(current_user, session_batch_key())
    leave_batch(scans, device)
    following = next_to_harvest(scans, current_user)
    if following is None:
        return redirect(url_for("inventory.batch"))
    return redirect(url_for("parts.harvest", tag=following.tag, batch=1))


def _repair(tag: str, repair_id: int) -> Repair:
    """Load an open repair of one of the workshop's devices."""
    device = workshop_device(tag, current_user.structure_id)
    repair = db.session.get(Repair, repair_id) if device is not None else None
    if repair is None or repair.device_id != device.id:
        abort(404)
    require("stock.manage", device)
    return repair


@bp.route("/devices/<tag>/repairs/<id:repair_id>/parts", methods=["GET", "POST"])
@permission_required("stock.manage")
def repair_parts(tag: str, repair_id: int):
    """Use parts of the stock, or a sanitized drive of the bank, in a repair."""
    repair = _repair(tag, repair_id)
    levels = db.session.scalars(scoped(select(StockLevel).join(PartType), "stock.manage").where(
        StockLevel.quantity > StockLevel.reserved, StockLevel.condition != Condition.FAULTY)
        .order_by(PartType.name)).all()
    use_form, drive_form = UsePartForm(), InstallDriveForm()
    use_form.level_id.choices = [SelectChoice(level.id, f"{level.part_type.name} · "
                                                        f"{vocabulary.CONDITION_LABELS[level.condition]} · "
                                                        f"{level.available}") for level in levels]
    if request.method == "POST":
        try:
            if "serial" in request.form and drive_form.validate_on_submit():
                install_drive(repair, drive_form.serial.data, by=current_user)
                flash(_("Drive installed."), "success")
            elif "level_id" in request.form and use_form.validate_on_submit():
                use_part(repair, load_allowed(StockLevel, use_form.level_id.data, "stock.manage", "stock.view"),
                         quantity=use_form.quantity.data, by=current_user)
                flash(_("Part taken from the stock."), "success")
            else:
                flash_form_errors(drive_form if "serial" in request.form else use_form)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        return redirect(url_for("parts.repair_parts", tag=repair.device.tag, repair_id=repair.id))
    used = db.session.scalars(select(StockMove).where(StockMove.repair_id == repair.id)).all()
    return render_template("parts/repair_parts.html", repair=repair, device=repair.device, use_form=use_form,
                           drive_form=drive_form, used=used, levels=levels)


@bp.route("/parts/drives/<id:drive_id>/erase", methods=["POST"])
@permission_required("stock.manage")
def erase_drive(drive_id: int):
    """Record the secure erase of a bank drive (hdparm or nvme-cli), so that it may be reused once verified."""
    drive = db.session.scalar(scoped(bank_drives(), "stock.manage").where(Drive.id == drive_id))
    if drive is None:
        abort(404)
    try:
        record_secure_erase(drive, by=current_user, tool=request.form.get("tool", ""),
                            technique=request.form.get("technique", ""), method=request.form.get("method", ""),
                            verification=request.form.get("verification", "none"))
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Erase recorded."), "success")
    return redirect(url_for("parts.drives"))


@bp.route("/parts/drives/<id:drive_id>/validate", methods=["POST"])
@permission_required("sanitization.validate")
def validate_drive(drive_id: int):
    """Validate, as the workshop's supervisor, the erase recorded for a bank drive."""
    drive = db.session.scalar(scoped(bank_drives(), "sanitization.validate").where(Drive.id == drive_id))
    if drive is None:
        abort(404)
    record = next((r for r in reversed(drive.sanitizations) if r.proves_erasure and r.needs_validation), None)
    if record is None:
        flash(_("This drive has no erase waiting for validation."), "error")
    else:
        validate_sanitization(record, by=current_user)
        flash(_("Sanitization validated."), "success")
    return redirect(url_for("parts.drives"))


@bp.route("/parts/bin-labels", methods=["GET", "POST"])
@permission_required("label.print")
def bin_labels():
    """Print the labels of the bins holding parts: the bin's code, its name and the parts kept in it."""
    return print_page("part-bins", partial(print_locations, label=part_bin_label),
                      request.args.getlist("code") or bins_with_parts(current_user))
