"""Bearer-token authentication of every API call."""
from flask import abort, g, request

from reco.accounts.services import user_for_token
from reco.api import bp

#: Endpoints anyone may read without a token.
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate_token():
    """Find the user of the bearer token, or stop with 401."""
    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401)
    g.api_user = user
    return None
