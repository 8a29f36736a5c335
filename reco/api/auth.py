"""Bearer-token authentication of every API call, and the limits of bench tokens."""
from flask import abort, g, request

from reco.accounts.services import token_for
from reco.api import bp
from reco.core.permissions import require_token_scope

#: Endpoints anyone may read without a token.
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate_token():
    """Find the user of the bearer token, or stop with 401; a bench token outside the workbench stops with 403."""
    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    record = token_for(token.strip()) if scheme.lower() == "bearer" else None
    if record is None:
        abort(401)
    g.api_user = record.user
    require_token_scope(record.scope, request.endpoint)
    return None
