"""API v1: bearer tokens, JSON errors and the OpenAPI document."""
import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from reco.accounts.models import ApiToken, User
from reco.accounts.services import revoke_token, set_user_active
from reco.extensions import db
from tests.factories import make_device, make_donation, make_donor, make_structure, make_token, make_user


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_me_returns_the_tokens_user(client, ctx):
    user = make_user("supervisor")
    response = client.get("/api/v1/me", headers=_bearer(make_token(user)))
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == user.email
    assert body["role"] == "supervisor"
    assert body["structure"]["id"] == user.structure.id
    assert body["structure"]["kinds"] == ["workshop"]
    assert body["structure"]["tag_prefix"] == user.structure.tag_prefix


def test_a_known_token_on_another_structure_gets_403_json(client, ctx):
    user = make_user("technician")
    other = make_structure("workshop")
    response = client.get(f"/api/v1/structures/{other.id}", headers=_bearer(make_token(user)))
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden" and response.get_json()["message"]
    own = client.get(f"/api/v1/structures/{user.structure_id}", headers=_bearer(make_token(user)))
    assert own.status_code == 200 and own.get_json()["name"] == user.structure.name


def test_an_unknown_structure_gets_404_json(client, ctx):
    response = client.get("/api/v1/structures/999999", headers=_bearer(make_token(make_user("admin"))))
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer nope", "Basic dXNlcjpwYXNz",
                                    "Bearer reco_" + "x" * 43, "Bearer reco_" + "x" * 5000])
def test_missing_or_unknown_tokens_get_401_json(client, ctx, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"] == "unauthorized"
    assert response.get_json()["message"]


def test_only_the_hash_of_a_token_is_stored(ctx):
    user = make_user("technician")
    token = make_token(user)
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert token not in stored
    assert all(token not in str(value) for value in stored)


def test_a_revoked_token_stops_working(client, ctx):
    user = make_user("technician")
    token = make_token(user)
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    revoke_token(user.tokens[0], by=user)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_tokens_of_a_deactivated_user_stop_working(client, ctx):
    user = make_user("technician")
    token = make_token(user)
    set_user_active(user, False, by=None)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_token_use_is_recorded(client, ctx):
    user = make_user("technician")
    token = make_token(user)
    client.get("/api/v1/me", headers=_bearer(token))
    db.session.expire_all()
    assert db.session.get(User, user.id).tokens[0].last_used_at is not None


def test_a_session_cookie_does_not_authenticate_the_api(client, ctx):
    from tests.conftest import login_as

    login_as(client, make_user("admin"))
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_api_paths_get_404_json(client, ctx):
    response = client.get("/api/v1/nothing-here", headers=_bearer(make_token(make_user("admin"))))
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_wrong_method_gets_405_json(client, ctx):
    response = client.post("/api/v1/me", headers=_bearer(make_token(make_user("admin"))))
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_api_messages_are_french_first_english_on_request(client):
    message_fr = client.get("/api/v1/me").get_json()["message"]
    message_en = client.get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_json()["message"]
    assert message_fr.startswith("Un jeton d'API valide est requis")
    assert message_en.startswith("A valid API token is required")


def test_openapi_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert "/me" in document["paths"]


def test_a_nul_character_in_the_query_string_gets_the_documented_400(client, ctx):
    response = client.get("/api/v1/reports/summary?commune=%00", headers=_bearer(make_token(make_user("viewer"))))
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert "caractère NUL" in response.get_json()["message"]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert all("400" in operation["responses"] for operations in paths.values() for operation in operations.values())


def test_empty_optional_query_values_mean_the_default_as_documented(client, ctx):
    technician = make_user("technician")
    tag = make_device(make_donation(make_donor(technician.structure))).tag
    headers = _bearer(make_token(technician))
    assert client.get("/api/v1/reports/summary?from=&to=", headers=headers).status_code == 200
    assert client.get(f"/api/v1/labels.pdf?tags={tag}&skip=&copies=", headers=headers).status_code == 200
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    parameters = paths["/reports/summary"]["get"]["parameters"] + paths["/labels.pdf"]["get"]["parameters"]
    for parameter in parameters:
        if parameter["name"] in ("from", "to", "skip", "copies"):
            jsonschema.validate("", parameter["schema"])


def test_optional_request_fields_are_documented_as_taking_null_and_required_ones_not(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    device = schemas["DeviceIn"]
    jsonschema.validate({"donation_id": 1, "type": "laptop", "brand": None, "accessories": None}, device)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"donation_id": None, "type": "laptop"}, device)
    assert "null" in schemas["DriveIn"]["properties"]["model"]["type"]
    assert "null" not in schemas["Device"]["properties"]["brand"]["type"]  # answers are unchanged


def test_openapi_describes_every_api_route(app, client):
    documented = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes - {"/openapi.json"} == documented
