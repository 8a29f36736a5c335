"""API endpoints of the foundation: who am I, and the OpenAPI document."""
from flask import g, jsonify

from reco.api import bp
from reco.api.openapi import openapi_document
from reco.core.permissions import permission_required


@bp.route("/me")
@permission_required("api.use")
def me():
    """Return the token's user and structure."""
    user = g.api_user
    return jsonify(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        locale=user.locale,
        structure={
            "id": user.structure.id,
            "name": user.structure.name,
            "kinds": sorted(k.value for k in user.structure.kinds),
        },
    )


@bp.route("/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
