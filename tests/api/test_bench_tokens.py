"""Bench tokens: a stick on the workbench reaches the workbench's endpoints only, and a revocation works at once."""
import json

import pytest

from reco.accounts.models import ApiToken
from reco.accounts.services import issue_token, revoke_token
from reco.core.errors import ValidationFailed
from reco.core.permissions import BENCH_ENDPOINTS
from reco.extensions import db
from reco.inventory.models import Device
from tests.factories import make_device, make_donation, make_donor, make_prescription, make_token, make_user
from tests.inventory.workbench_helpers import fixture

REFUSAL = "Ce jeton est limité au poste d'atelier (banc)\u00a0: il ne permet pas cette action."


def _bench_token(user) -> str:
    token = issue_token(user, by=user, label="Banc 1", scope="bench")
    db.session.commit()
    return token


@pytest.fixture
def bench(ctx):
    technician = make_user("technician", locale="fr")
    donation = make_donation(make_donor(technician.structure))
    device = make_device(donation, type="laptop", serial="SN-BENCH")
    return {"user": technician, "donation": donation, "device": device,
            "headers": {"Authorization": f"Bearer {_bench_token(technician)}"}}


def test_a_bench_token_is_refused_outside_the_workbench_with_a_french_message(client, bench):
    headers, tag = bench["headers"], bench["device"].tag
    prescription = make_prescription(workshop=bench["user"].structure)
    refused = [
        client.get(f"/api/v1/prescriptions/{prescription.id}", headers=headers),
        client.post("/api/v1/parts/requests", json={}, headers=headers),
        client.get("/api/v1/reports/summary?from=2026-01-01", headers=headers),
        client.get(f"/api/v1/structures/{bench['user'].structure_id}", headers=headers),
        client.get(f"/api/v1/donations/{bench['donation'].id}", headers=headers),
        client.post(f"/api/v1/devices/{tag}/diagnosis", json={"grade": "A"}, headers=headers),
        client.post(f"/api/v1/devices/{tag}/transitions", json={"to": "recycled"}, headers=headers),
        client.post(f"/api/v1/devices/{tag}/void", json={}, headers=headers),
    ]
    for response in refused:
        assert response.status_code == 403, response.request.path
        assert response.get_json()["error"] == "forbidden"
        assert response.get_json()["message"].startswith(REFUSAL)
    assert db.session.get(Device, bench["device"].id).state.value == "received"
    # The same person's full token may do them.
    full = {"Authorization": f"Bearer {make_token(bench['user'])}"}
    assert client.post(f"/api/v1/devices/{tag}/diagnosis", json={"grade": "A"}, headers=full).status_code == 201


def test_a_bench_token_reaches_every_workbench_endpoint(client, bench):
    headers, tag = bench["headers"], bench["device"].tag
    answers = {
        "api.me": client.get("/api/v1/me", headers=headers),
        "api.get_device": client.get("/api/v1/devices/SN-BENCH", headers=headers),
        "api.receive_device_api": client.post("/api/v1/devices", headers=headers, json={
            "donation_id": bench["donation"].id, "type": "desktop", "serial": "SN-NEW"}),
        "api.open_donations": client.get("/api/v1/donations/open", headers=headers),
        "api.label_qr": client.get(f"/api/v1/devices/{tag}/label-qr", headers=headers),
        "api.post_hardware_report": client.post(
            f"/api/v1/devices/{tag}/hardware-reports?confirm_serial=1",
            headers=headers | {"Content-Type": "application/json"}, data=fixture("hardware/lshw/laptop-dell-latitude-e5530.json")),
        "api.post_erasure_log": client.post(f"/api/v1/devices/{tag}/erasure-logs", headers=headers, data=b"",
                                            content_type="text/plain"),
        "api.label_formats": client.get("/api/v1/label-formats", headers=headers),
        "api.labels_pdf": client.get(f"/api/v1/labels.pdf?tags={tag}&format=dymo-11354", headers=headers),
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "api.me": 200, "api.get_device": 200, "api.receive_device_api": 201, "api.open_donations": 200,
        "api.label_qr": 200, "api.post_hardware_report": 201, "api.post_erasure_log": 422, "api.label_formats": 200,
        "api.labels_pdf": 200}
    assert answers["api.post_erasure_log"].get_json()["error"] != "forbidden"
    assert set(answers) <= BENCH_ENDPOINTS


def test_every_bench_endpoint_exists(app):
    assert BENCH_ENDPOINTS <= {rule.endpoint for rule in app.url_map.iter_rules()}


def test_a_revoked_bench_token_is_refused_at_once(client, bench):
    headers = bench["headers"]
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    revoke_token(db.session.query(ApiToken).filter_by(scope="bench").one(), by=bench["user"])
    db.session.commit()
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorized"


def test_only_workshop_staff_get_a_bench_token(ctx):
    for role in ("prescriber", "installer", "partner", "viewer", "admin"):
        with pytest.raises(ValidationFailed) as refused:
            issue_token(make_user(role), by=None, scope="bench")
        assert "scope" in refused.value.fields
    with pytest.raises(ValidationFailed):
        issue_token(make_user("technician"), by=None, scope="everything")
    assert issue_token(make_user("supervisor"), by=None, scope="bench").startswith("reco_")


def test_tokens_are_full_unless_asked(client, ctx):
    user = make_user("technician")
    make_token(user)
    assert [t.scope for t in user.tokens] == ["full"]
    body = json.loads(client.get("/api/v1/openapi.json").data)
    assert "Idempotency-Key" in json.dumps(body["paths"]["/devices"]["post"]["parameters"])
