"""The one place that decides who may do what to which object.

Every question is (role, the user's structure, the object's structure, action).
``RULES`` maps each action to the roles allowed and the scope of objects they reach.
"""
from __future__ import annotations

import enum
from functools import wraps

from flask import abort, g
from flask_login import current_user

from reco.accounts.models import Role
from reco.extensions import login_manager


class Scope(enum.Enum):
    """Which objects a role reaches for an action."""

    ANY = "any"  #: objects of every structure
    OWN = "own"  #: objects of the user's own structure
    SELF = "self"  #: objects that belong to the user themself


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
    # The JSON API as such (each endpoint then checks its own action).
    "api.use": {r: Scope.SELF for r in ALL_ROLES},
}


def _owner_user_id(obj) -> int | None:
    """Return the user an object belongs to, if it belongs to one."""
    if getattr(obj, "audit_type", None) == "user":
        return obj.id
    return getattr(obj, "user_id", None)


def can(user, action: str, obj=None) -> bool:
    """Tell whether ``user`` may do ``action``, on ``obj`` when one is given."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    scope = RULES[action].get(user.role)
    if scope is None:
        return False
    if obj is None or scope is Scope.ANY:
        return True
    if scope is Scope.OWN:
        return obj.structure_id == user.structure_id
    return _owner_user_id(obj) == user.id


def acting_user():
    """Return the user of this request: the API token's user, else the logged-in user."""
    return g.get("api_user") or current_user


def require(action: str, obj=None) -> None:
    """Stop the request with 403 unless the acting user may do ``action`` (on ``obj``)."""
    if not can(acting_user(), action, obj):
        abort(403)


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
