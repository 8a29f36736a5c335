"""Pages of the bank: what other workshops can give, asking for it, and following requests both ways."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.core.audit import events_for
from reco.core.errors import DomainError
from reco.core.forms import flash_form_errors
from reco.core.inputs import form_id
from reco.core.pagination import RowPage
from reco.core.permissions import load_allowed, permission_required, scoped
from reco.extensions import db
from reco.parts import bp
from reco.parts.bank import (
    REQUEST_LIFECYCLE,
    STEPS,
    ask_parts,
    available_elsewhere,
    step_permission,
    take_step,
)
from reco.parts.forms import CATEGORY_FILTER, AskForm, CloseRequestForm, ReceiveForm
from reco.parts.models import PartRequest, PartType, StockLevel, StockMove
from reco.parts.views import _filters, _location, _locations


@bp.route("/parts/bank")
@permission_required("part.view")
def bank():
    """Show what other workshops have available, and the requests made and received."""
    filters = _filters()
    rows = RowPage(available_elsewhere(current_user.structure_id, **filters))
    requests = db.session.scalars(scoped(select(PartRequest), "part_request.view").order_by(PartRequest.id.desc())
                                  .limit(50)).all()
    return render_template("parts/bank.html", page=rows, filters=filters, categories=CATEGORY_FILTER,
                           requests=requests, ask_form=AskForm())


@bp.route("/parts/requests", methods=["POST"])
@permission_required("part_request.create")
def ask():
    """Ask another workshop for some of the units it has available."""
    form = AskForm()
    if form.validate_on_submit():
        try:
            part_request = ask_parts(
                by=current_user, owner=db.session.get(Structure, form_id("owner_id") or 0),
                part_type=db.session.get(PartType, form_id("part_type_id") or 0),
                condition=request.form.get("condition", ""), quantity=form.quantity.data, note=form.note.data or "")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("Request sent to %(workshop)s.", workshop=part_request.owner.name), "success")
            return redirect(url_for("parts.request_page", request_id=part_request.id))
    else:
        flash_form_errors(form)
    return redirect(url_for("parts.bank"))


@bp.route("/parts/requests/<id:request_id>")
@permission_required("part_request.view")
def request_page(request_id: int):
    """Show a request, where its parts come from, and the actions each side may take."""
    part_request = load_allowed(PartRequest, request_id, "part_request.view", "part_request.view")
    source = (StockMove.stock_level_id == part_request.stock_level_id if part_request.stock_level_id else
              StockMove.stock_level_id.in_(select(StockLevel.id).where(
                  StockLevel.workshop_id == part_request.owner_id, StockLevel.part_type_id == part_request.part_type_id,
                  StockLevel.condition == part_request.condition)))
    origins = db.session.scalars(select(StockMove).where(source, StockMove.quantity > 0)
                                 .order_by(StockMove.id.desc()).limit(20)).all()
    moves = db.session.scalars(select(StockMove).where(StockMove.request_id == part_request.id)
                               .order_by(StockMove.id)).all()
    receive_form = ReceiveForm()
    receive_form.location_id.choices = _locations()
    return render_template("parts/request.html", part_request=part_request, origins=origins, moves=moves,
                           history=events_for(part_request), receive_form=receive_form,
                           close_form=CloseRequestForm(), steps=_offered_steps(part_request))


def _offered_steps(part_request: PartRequest) -> list:
    """Return the steps the request's page offers the user: (step, move, what its form asks: a reason, a place)."""
    step_of = {name: step for step, name in STEPS.items()}
    asks = {"received": "location", "declined": "reason", "cancelled": "reason"}
    return [(step_of[move.name], move, asks.get(move.name))
            for move, _problems in REQUEST_LIFECYCLE.offered(part_request, current_user)]


@bp.route("/parts/requests/<id:request_id>/<action>", methods=["POST"])
@permission_required("part_request.view")
def act(request_id: int, action: str):
    """Accept, ship, receive, decline or cancel a request."""
    if action not in STEPS:
        abort(404)
    part_request = load_allowed(PartRequest, request_id, step_permission(action), "part_request.view")
    form = ReceiveForm() if action == "receive" else CloseRequestForm()
    if action == "receive":
        form.location_id.choices = _locations()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("parts.request_page", request_id=part_request.id))
    try:
        take_step(part_request, action, by=current_user,
                  location=_location(form.location_id.data) if action == "receive" else None,
                  reason=form.reason.data or "" if action != "receive" else "")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Request updated."), "success")
    return redirect(url_for("parts.request_page", request_id=part_request.id))
