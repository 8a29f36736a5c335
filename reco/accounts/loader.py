"""How Flask-Login finds the logged-in user, and the scan lookup for structures."""
from functools import cache

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import with_expression

from reco.accounts import bp
from reco.accounts.labels import KIND_LABELS, ROLE_LABELS
from reco.accounts.models import Structure, User
from reco.core.notices import unread_of
from reco.core.permissions import can
from reco.core.scanning import scan_lookup
from reco.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@cache
def _user_statement():
    """Return the statement reading the user bound as ``user_id`` with their unseen notices counted, built once so
    that its cache key is computed once."""
    return select(User).where(User.id == bindparam("user_id")) \
        .options(with_expression(User.unread_notices, unread_of(User.id)))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the active user of a session, if the session is still valid, with their unseen notices counted."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.scalar(_user_statement(), {"user_id": int(user_id)})
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@bp.app_context_processor
def account_labels():
    """Give templates the names of roles and structure kinds in the user's language."""
    return {"role_labels": ROLE_LABELS, "kind_labels": KIND_LABELS}


@scan_lookup
def find_structure(user, code: str) -> str | None:
    """Find a structure by its asset-tag prefix or its SIRET."""
    structure = db.session.scalar(
        select(Structure).where(or_(Structure.tag_prefix == code.upper(), Structure.siret == code))
    )
    if structure is not None and can(user, "structure.view", structure):
        return url_for("accounts.structure", structure_id=structure.id)
    return None

