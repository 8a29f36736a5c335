"""API endpoints of the foundation: who am I, and the OpenAPI document."""
from flask import g, jsonify

from reco.accounts.models import Structure
from reco.api import bp
from reco.api.openapi import openapi_document
from reco.core.permissions import permission_required, require
from reco.extensions import db


def structure_json(structure: Structure) -> dict:
    """Return the public description of a structure."""
    return {
        "id": structure.id,
        "name": structure.name,
        "kinds": sorted(k.value for k in structure.kinds),
        "commune": structure.commune,
        "insee_code": structure.insee_code,
        "tag_prefix": structure.tag_prefix,
    }


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
        structure=structure_json(user.structure),
    )


@bp.route("/structures/<id:structure_id>")
@permission_required("api.use")
def structure(structure_id: int):
    """Return a structure the token's user may see."""
    structure = db.get_or_404(Structure, structure_id)
    require("structure.view", structure)
    return jsonify(structure_json(structure))


@bp.route("/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
