"""The one place that decides who may do what to which object.

Every question is (role, the user's structure, the object's structure, action).
``RULES`` maps each action to the roles allowed and the scope of objects they reach.
"""
from __future__ import annotations

import enum
from datetime import timedelta
from functools import wraps
from typing import NamedTuple

from flask import abort, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, bindparam, false, or_

from reco.core.roles import Role, TokenScope
from reco.core.errors import Forbidden
from reco.core.time import local_date, local_day_start, local_today
from reco.extensions import db, login_manager


class Scope(enum.Enum):
    """Which objects a role reaches for an action."""

    ANY = "any"  #: objects of every structure
    OWN = "own"  #: objects of the user's own structure
    SELF = "self"  #: objects that belong to the user themself
    ADDRESSED = "addressed"  #: objects addressed to the user's structure (a prescription to its workshop)
    HANDLING = "handling"  #: objects the user's structure is handling now (a household it hands a device to)
    PARTY = "party"  #: objects between the user's structure and another (a parts request, either side)
    RECEIVED_TODAY = "received_today"  #: devices of the user's structure the user received themself today


ALL_ROLES = tuple(Role)
_R = Role

#: action -> {role: scope}; a role absent from an action is refused.
RULES: dict[str, dict[Role, Scope]] = {
    # Administration of the network.
    "structure.manage": {_R.ADMIN: Scope.ANY},
    "user.manage": {_R.ADMIN: Scope.ANY},
    # Reading a structure's page.
    "structure.view": {_R.ADMIN: Scope.ANY} | {r: Scope.OWN for r in ALL_ROLES if r is not _R.ADMIN},
    # One's own account: password, language, API tokens.
    "account.manage": {r: Scope.SELF for r in ALL_ROLES},
    "token.revoke": {_R.ADMIN: Scope.ANY} | {r: Scope.SELF for r in ALL_ROLES if r is not _R.ADMIN},
    # The scan box in the header.
    "scan.use": {_R.ADMIN: Scope.ANY, _R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    # Donors and donations: the workshop's own business.
    "donor.manage": {_R.SUPERVISOR: Scope.OWN},
    "donor.view": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "donation.manage": {_R.SUPERVISOR: Scope.OWN},
    "donation.view": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "document.issue": {_R.SUPERVISOR: Scope.OWN},
    "document.view": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    # Devices at the workbench.
    "device.intake": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "device.view": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "device.work": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "sanitization.validate": {_R.SUPERVISOR: Scope.OWN},
    "location.view": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "location.manage": {_R.SUPERVISOR: Scope.OWN},
    "repair.export": {_R.SUPERVISOR: Scope.OWN},
    "label.print": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    # The workshop's label printer (address, queue, format, printing at intake): set up once.
    "label_printer.manage": {_R.ADMIN: Scope.ANY, _R.SUPERVISOR: Scope.OWN},
    # Prescriptions: written by the prescriber's structure, addressed to a workshop.
    "prescription.create": {_R.PRESCRIBER: Scope.OWN},
    "prescription.view": {_R.PRESCRIBER: Scope.OWN, _R.SUPERVISOR: Scope.ADDRESSED},
    "prescription.edit": {_R.PRESCRIBER: Scope.OWN},
    "prescription.export": {_R.PRESCRIBER: Scope.OWN},
    "prescription.erase": {_R.PRESCRIBER: Scope.OWN},
    # Who saw or erased a household's personal data outside the prescribing structure.
    "privacy.audit": {_R.ADMIN: Scope.ANY},
    "prescription.contact": {_R.PRESCRIBER: Scope.OWN, _R.SUPERVISOR: Scope.HANDLING},
    "prescription.decide": {_R.SUPERVISOR: Scope.ADDRESSED},
    "prescription.allocate": {_R.SUPERVISOR: Scope.ADDRESSED},
    # Cancelling an accepted prescription: the family no longer needs it (its prescriber) or cannot be equipped.
    "prescription.cancel": {_R.PRESCRIBER: Scope.OWN, _R.SUPERVISOR: Scope.ADDRESSED},
    # Installation visits: asked by the workshop (or the prescriber, if the workshop allows), made by an installer.
    "visit.request": {_R.SUPERVISOR: Scope.ADDRESSED, _R.PRESCRIBER: Scope.OWN},
    "visit.view": {_R.SUPERVISOR: Scope.OWN, _R.INSTALLER: Scope.ADDRESSED},
    "visit.schedule": {_R.SUPERVISOR: Scope.OWN, _R.INSTALLER: Scope.ADDRESSED},
    "visit.report": {_R.INSTALLER: Scope.ADDRESSED},
    "visit.cancel": {_R.SUPERVISOR: Scope.OWN},
    "visit.contact": {_R.INSTALLER: Scope.HANDLING},
    # What the workshop and the installer wrote about the household (note, missed visits): ends with the visit.
    "visit.note": {_R.SUPERVISOR: Scope.OWN, _R.INSTALLER: Scope.HANDLING},
    "handover.record": {_R.SUPERVISOR: Scope.ADDRESSED},
    "device.return": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    # Mistakes at intake: a technician corrects or voids what they received today, a supervisor anything.
    "device.correct": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.RECEIVED_TODAY},
    "device.void": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.RECEIVED_TODAY},
    "device.merge": {_R.SUPERVISOR: Scope.OWN},
    # Families equipped outside the pipeline, reported by partners; the network's totals.
    "partner_report.submit": {_R.PARTNER: Scope.OWN},
    "partner_report.view": {_R.PARTNER: Scope.OWN, _R.ADMIN: Scope.ANY},
    # Figures: a workshop's or a prescriber's own in full; the network's for partners, funders and the coordinator.
    "report.view": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN, _R.PRESCRIBER: Scope.OWN,
                    _R.PARTNER: Scope.ANY, _R.VIEWER: Scope.ANY, _R.ADMIN: Scope.ANY},
    "report.lists": {_R.SUPERVISOR: Scope.OWN},
    # The coordinator's whole lists of the network: devices, erasures and ORDS repairs, never a household.
    "report.network_lists": {_R.ADMIN: Scope.ANY},
    "impact.manage": {_R.ADMIN: Scope.ANY},
    # Records whose INSEE code the communes registry could not settle.
    "commune.review": {_R.ADMIN: Scope.ANY},
    # The parts bank: the shared catalogue, each workshop's own stock, requests between workshops.
    "part.view": {_R.SUPERVISOR: Scope.ANY, _R.TECHNICIAN: Scope.ANY},
    "part.catalogue": {_R.SUPERVISOR: Scope.ANY, _R.TECHNICIAN: Scope.ANY},
    "stock.view": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "stock.manage": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "part_request.create": {_R.SUPERVISOR: Scope.OWN, _R.TECHNICIAN: Scope.OWN},
    "part_request.view": {_R.SUPERVISOR: Scope.PARTY, _R.TECHNICIAN: Scope.PARTY},
    "part_request.answer": {_R.SUPERVISOR: Scope.ADDRESSED},
    "part_request.follow": {_R.SUPERVISOR: Scope.OWN},
    # Notices of changes, each addressed to one user.
    "notice.view": {r: Scope.SELF for r in ALL_ROLES},
    # The JSON API as such (each endpoint then checks its own action).
    "api.use": {r: Scope.SELF for r in ALL_ROLES},
}


#: The API endpoints a bench token (a stick on the workbench) may call: who am I, look a device up, receive one in an
#: open collection, post its hardware reports and erasure logs, and its labels. Anything else is refused with 403.
BENCH_ENDPOINTS = frozenset({
    "api.me", "api.get_device", "api.receive_device_api", "api.open_donations", "api.label_qr",
    "api.post_hardware_report", "api.post_erasure_log", "api.label_formats", "api.labels_pdf",
    "api.print_device_label",
})


def may_hold_bench_token(user) -> bool:
    """Tell whether ``user`` may get a bench token: only people who work on devices."""
    return can(user, "device.work")


def require_token_scope(scope: str, endpoint: str | None) -> None:
    """Refuse with 403 an endpoint the token's scope does not reach (a bench token outside the workbench)."""
    if scope == TokenScope.BENCH and endpoint not in BENCH_ENDPOINTS:
        raise Forbidden(str(_l("This token is limited to the workbench (workshop station): it cannot do this. "
                               "Use a full-access token, or log in to Reco.")))


def _owner_user_id(obj):
    """Return the user an object belongs to, if it belongs to one (given a model, the column that says it)."""
    if getattr(obj, "audit_type", None) == "user":
        return obj.id
    return getattr(obj, "user_id", None)


def scope_of(user, action: str) -> Scope | None:
    """Return the scope of objects ``user`` reaches for ``action``; None when they may not do it at all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return RULES[action].get(user.role)


def can(user, action: str, obj=None) -> bool:
    """Tell whether ``user`` may do ``action``, on ``obj`` when one is given."""
    scope = scope_of(user, action)
    if scope is None:
        return False
    if obj is None or scope is Scope.ANY:
        return True
    if scope is Scope.OWN:
        return obj.structure_id == user.structure_id
    if scope is Scope.ADDRESSED:
        return obj.addressed_to_id == user.structure_id
    if scope is Scope.HANDLING:
        return obj.handling_structure_id == user.structure_id
    if scope is Scope.PARTY:
        return user.structure_id in (obj.structure_id, obj.addressed_to_id)
    if scope is Scope.RECEIVED_TODAY:
        received_at = getattr(obj, "received_at", None)
        return (obj.structure_id == user.structure_id and getattr(obj, "received_by_id", None) == user.id
                and received_at is not None and local_date(received_at) == local_today())
    return _owner_user_id(obj) == user.id


class ScopeValues(NamedTuple):
    """What a scope's condition compares with: the user's structure and id, and the bounds of their day."""

    structure_id: object
    user_id: object
    day_start: object
    day_end: object


#: The acting user's values as bound parameters, for a statement built once and run for anyone with
#: ``scope_parameters(user)``: its cache key is computed once, not at every request.
SCOPE_PARAMETERS = ScopeValues(bindparam("scope_structure_id"), bindparam("scope_user_id"),
                               bindparam("scope_day_start"), bindparam("scope_day_end"))


def scope_values(user) -> ScopeValues:
    """Return what a scope's condition compares with for ``user``."""
    today = local_today()
    return ScopeValues(user.structure_id, user.id, local_day_start(today), local_day_start(today + timedelta(days=1)))


def scope_parameters(user) -> dict:
    """Return the values of SCOPE_PARAMETERS for ``user``."""
    return {parameter.key: value for parameter, value in zip(SCOPE_PARAMETERS, scope_values(user))}


def scope_clause(model, scope: Scope | None, of: ScopeValues):
    """Return the condition keeping the rows of ``model`` that ``scope`` reaches (None: every row), compared with
    ``of``: a user's values or SCOPE_PARAMETERS."""
    # Mirrors can(): the model's structure_id, addressed_to_id and handling_structure_id are columns or hybrid
    # attributes, which read the same on an object and in SQL.
    if scope is None:
        return false()
    if scope is Scope.ANY:
        return None
    if scope is Scope.OWN:
        return model.structure_id == of.structure_id
    if scope is Scope.ADDRESSED:
        return model.addressed_to_id == of.structure_id
    if scope is Scope.HANDLING:
        return model.handling_structure_id == of.structure_id
    if scope is Scope.PARTY:
        return or_(model.structure_id == of.structure_id, model.addressed_to_id == of.structure_id)
    if scope is Scope.RECEIVED_TODAY:
        own = model.structure_id == of.structure_id
        received_by, received_at = getattr(model, "received_by_id", None), getattr(model, "received_at", None)
        if received_by is None or received_at is None:
            return false()
        return and_(own, received_by == of.user_id, received_at >= of.day_start, received_at < of.day_end)
    owner = _owner_user_id(model)
    return false() if owner is None else owner == of.user_id


def scoped(statement, action: str, user=None):
    """Keep in a select the rows of its first model that ``user`` (the acting user by default) may ``action``."""
    user = acting_user() if user is None else user
    scope = scope_of(user, action)
    model = statement.column_descriptions[0]["entity"]
    clause = scope_clause(model, scope, scope_values(user) if scope is not None else None)
    return statement if clause is None else statement.where(clause)


def acting_user():
    """Return the user of this request: the API token's user, else the logged-in user."""
    return g.get("api_user") or current_user


def require(action: str, obj=None) -> None:
    """Stop the request with 403 unless the acting user may do ``action`` (on ``obj``)."""
    if not can(acting_user(), action, obj):
        abort(403)


def load_allowed(model, object_id: int, action: str, view_action: str):
    """Load an object the acting user may do ``action`` on; 404 when they may not even ``view_action`` it."""
    obj = db.session.get(model, object_id)
    if obj is None or not can(acting_user(), view_action, obj):
        abort(404)
    require(action, obj)
    return obj


def permission_required(action: str):
    """Decorate a view: log in first, then ``action`` must be allowed."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = acting_user()
            if not user.is_authenticated:
                return login_manager.unauthorized()
            require(action)
            return view(*args, **kwargs)

        wrapped.permission = action
        return wrapped

    return decorator
