"""API for donors, donations, donor inventories and devices."""
import pytest
from sqlalchemy import func, select

from reco.donations.models import DeclaredItem, Donor
from reco.extensions import db
from tests.factories import make_device, make_donation, make_donor, make_token, make_user


@pytest.fixture
def supervisor(ctx):
    return make_user("supervisor")


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)}"}


def test_the_whole_intake_journey(client, supervisor):
    headers = _auth(supervisor)
    donor = client.post("/api/v1/donors", json={"name": "Armor", "kind": "company",
                                                "company_number": "852341700"}, headers=headers)
    assert donor.status_code == 201 and donor.get_json()["siren"] == "852341700"
    donation = client.post("/api/v1/donations", json={"donor_id": donor.get_json()["id"],
                                                      "planned_date": "2026-12-01",
                                                      "declared_counts": {"laptop": 3}}, headers=headers)
    assert donation.status_code == 201
    donation_id = donation.get_json()["id"]
    assert donation.headers["Location"] == f"/api/v1/donations/{donation_id}"
    csv = "N° de série;Type;Marque;N° d'inventaire\nSN1;portable;Dell;INV-1\nSN2;portable;HP;INV-2\n"
    imported = client.post(f"/api/v1/donations/{donation_id}/declared-items", data=csv.encode("latin-1"),
                           headers=headers | {"Content-Type": "text/csv"})
    assert imported.status_code == 201 and imported.get_json()["imported"] == 2
    device = client.post("/api/v1/devices", json={"donation_id": donation_id, "type": "laptop",
                                                  "donor_tag": "INV-2", "weight_kg": 2.2,
                                                  "drives": [{"serial": "WD-9", "capacity_bytes": 500107862016,
                                                              "interface": "ata_hdd"}]}, headers=headers)
    assert device.status_code == 201
    body = device.get_json()
    assert body["tag"].startswith(supervisor.structure.tag_prefix + "-")
    assert (body["serial"], body["brand"], body["declared_line"]) == ("SN2", "HP", 2)
    assert body["drives"][0]["capacity_bytes"] == 500107862016
    for code in (body["tag"], "sn2", "INV-2"):
        found = client.get(f"/api/v1/devices/{code}", headers=headers)
        assert found.status_code == 200 and found.get_json()["tag"] == body["tag"]
    summary = client.get(f"/api/v1/donations/{donation_id}", headers=headers).get_json()
    assert (summary["declared"], summary["received"], summary["outstanding"], summary["status"]) == (
        3, 1, 2, "received")


def test_a_csv_with_bad_lines_gets_422_with_every_line_and_imports_nothing(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items",
                           data=b"Serial;Type;Date\nA;laptop;\nB;rocket;\nC;laptop;2020-13-45\nD;laptop;;x\n",
                           headers=_auth(supervisor) | {"Content-Type": "text/csv"})
    assert response.status_code == 422
    assert [e["line"] for e in response.get_json()["errors"]] == [3, 4, 5]
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 0


@pytest.mark.parametrize("body", [b"", b"\x00\x01\x02binary", b"Colour;Size\nred;big\n", b"Serial;Type\n"])
def test_unusable_csv_bodies_get_422(client, supervisor, body):
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items", data=body,
                           headers=_auth(supervisor) | {"Content-Type": "text/csv"})
    assert response.status_code == 422 and response.get_json()["message"]
    assert "errors" in response.get_json()


def test_duplicate_serials_need_allow_duplicates(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    url = f"/api/v1/donations/{donation.id}/declared-items"
    data = b"Serial;Type\nA;laptop\nA;laptop\n"
    refused = client.post(url, data=data, headers=_auth(supervisor))
    assert refused.status_code == 422 and refused.get_json()["error"] == "duplicate_serials"
    accepted = client.post(url + "?allow_duplicates=1", data=data, headers=_auth(supervisor))
    assert accepted.status_code == 201 and accepted.get_json()["duplicates"] == ["A"]


@pytest.mark.parametrize("payload,field", [
    ({"kind": "company"}, "name"), ({"name": "X"}, "kind"), ({"name": 5, "kind": "company"}, "name"),
    ({"name": "X", "kind": "company", "company_number": "123"}, "company_number"),
    ({"name": "X", "kind": "company", "email": ["a"]}, "email"),
])
def test_bad_donors_get_422_naming_the_field(client, supervisor, payload, field):
    response = client.post("/api/v1/donors", json=payload, headers=_auth(supervisor))
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


@pytest.mark.parametrize("name,limit", [("name", 160), ("address", 200), ("city", 120), ("email", 254),
                                        ("phone", 30)])
def test_too_long_donor_fields_get_422_instead_of_being_cut(client, supervisor, name, limit):
    payload = {"name": "Mairie", "kind": "company", name: "9" * (limit + 1)}
    response = client.post("/api/v1/donors", json=payload, headers=_auth(supervisor))
    assert response.status_code == 422 and name in response.get_json()["fields"]
    assert f"{limit}" in response.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Donor)) == 0


def test_a_too_long_pickup_address_gets_422_instead_of_being_cut(client, supervisor):
    donor = make_donor(supervisor.structure)
    response = client.post("/api/v1/donations", json={"donor_id": donor.id, "pickup_address": "x" * 301},
                           headers=_auth(supervisor))
    assert response.status_code == 422 and "pickup_address" in response.get_json()["fields"]
    assert response.get_json()["message"].startswith("Adresse d'enlèvement")


@pytest.mark.parametrize("data,content_type", [("not json", "application/json"), ("[1, 2]", "application/json"),
                                                ("name=x", "application/x-www-form-urlencoded")])
def test_bodies_that_are_not_json_objects_get_422(client, supervisor, data, content_type):
    response = client.post("/api/v1/donors", data=data, headers=_auth(supervisor) | {"Content-Type": content_type})
    assert response.status_code == 422 and response.is_json


@pytest.mark.parametrize("payload,field", [
    ({"type": "laptop"}, "donation_id"), ({"donation_id": "1", "type": "laptop"}, "donation_id"),
    ({"donation_id": 999999, "type": "laptop"}, "donation_id"),
    ({"donation_id": None, "type": "laptop"}, "donation_id"),
])
def test_bad_devices_get_422(client, supervisor, payload, field):
    response = client.post("/api/v1/devices", json=payload, headers=_auth(supervisor))
    assert response.status_code == 422 and field in response.get_json()["fields"]


def test_bad_device_fields_get_422_and_no_tag_is_spent_in_vain(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    for payload in ({"type": "rocket"}, {"type": "laptop", "drives": "all"}, {"type": "laptop", "weight_kg": -1},
                    {"type": "laptop", "accessories": ["jetpack"]},
                    {"type": "laptop", "drives": [{"capacity_bytes": "x"}]}):
        response = client.post("/api/v1/devices", json={"donation_id": donation.id} | payload,
                               headers=_auth(supervisor))
        assert response.status_code == 422, payload
    good = client.post("/api/v1/devices", json={"donation_id": donation.id, "type": "laptop", "serial": "SN-GOOD"},
                       headers=_auth(supervisor))
    assert good.get_json()["tag"].endswith("-000001")


def test_other_workshops_objects_are_forbidden_or_unknown(client, supervisor):
    other_donation = make_donation()
    other_device = make_device(other_donation, serial="THEIRS")
    headers = _auth(supervisor)
    # Another workshop's objects answer as unknown ones: 404, or 422 for an id given in the body.
    assert client.get(f"/api/v1/donations/{other_donation.id}", headers=headers).status_code == 404
    assert client.post("/api/v1/devices", json={"donation_id": other_donation.id, "type": "laptop"},
                       headers=headers).status_code == 422
    assert client.post("/api/v1/donations", json={"donor_id": other_donation.donor_id},
                       headers=headers).status_code == 422
    for code in (other_device.tag, "THEIRS", "NOTHING-HERE"):
        response = client.get(f"/api/v1/devices/{code}", headers=headers)
        assert response.status_code == 404 and code not in str(response.get_json().get("tags", ""))


def test_a_serial_shared_by_two_devices_is_ambiguous(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    a, b = make_device(donation, serial="TWIN"), make_device(donation, serial="TWIN", again=True)
    response = client.get("/api/v1/devices/twin", headers=_auth(supervisor))
    assert response.status_code == 409 and sorted(response.get_json()["tags"]) == sorted([a.tag, b.tag])


def test_a_technician_receives_but_does_not_plan(client, ctx):
    technician = make_user("technician")
    donation = make_donation(make_donor(technician.structure))
    headers = _auth(technician)
    assert client.post("/api/v1/devices", json={"donation_id": donation.id, "type": "desktop", "brand": "HP"},
                       headers=headers).status_code == 201
    assert client.post("/api/v1/donors", json={"name": "X", "kind": "company"}, headers=headers).status_code == 403


def test_a_csv_body_over_the_size_limit_gets_413_json(app, client, supervisor, monkeypatch):
    donation = make_donation(make_donor(supervisor.structure))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items",
                           data=b"Serial;Type\n" + b"A;laptop\n" * 1000, headers=_auth(supervisor))
    assert response.status_code == 413 and response.get_json()["error"] == "payload_too_large"
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 0


def test_the_same_list_sent_twice_gets_409_unless_allow_reimport(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    url = f"/api/v1/donations/{donation.id}/declared-items"
    data = b"Serial;Type;Asset tag\nSN1;laptop;INV-1\nSN2;desktop;INV-2\n"
    assert client.post(url, data=data, headers=_auth(supervisor)).status_code == 201
    again = client.post(url, data=data, headers=_auth(supervisor))
    assert again.status_code == 409
    body = again.get_json()
    assert body["error"] == "already_imported" and body["lines"] == [1, 2]
    assert body["message"].startswith("Cette liste a déjà été importée le") and supervisor.name in body["message"]
    assert "?allow_reimport=1" in body["message"]
    other_export = "N° de série;Type;N° d'inventaire\nsn2;fixe;inv-2\nsn1;portable;inv-1\n".encode("latin-1")
    same_lines = client.post(url, data=other_export, headers=_auth(supervisor))
    assert same_lines.status_code == 409 and same_lines.get_json()["message"].startswith("Ces lignes ont déjà")
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 2
    forced = client.post(url + "?allow_reimport=1", data=data, headers=_auth(supervisor))
    assert forced.status_code == 201 and forced.get_json()["imported"] == 2
    assert client.get(f"/api/v1/donations/{donation.id}", headers=_auth(supervisor)).get_json()["declared"] == 4


def test_repeated_donor_tags_are_reported_and_imported(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items", headers=_auth(supervisor),
                           data=b"Serial;Type;Asset tag\nA;laptop;T1\nB;laptop;T2\nC;laptop;t1\n")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["imported"], body["duplicates"], body["duplicate_tags"]) == (3, [], ["T1"])
    assert body["warnings"] == [{"line": 2, "message": "N° d'inventaire du donateur T1 en double"},
                                {"line": 4, "message": "N° d'inventaire du donateur T1 en double"}]


def test_the_reimport_switch_is_documented(client, supervisor):
    document = client.get("/api/v1/openapi.json", headers=_auth(supervisor)).get_json()
    operation = document["paths"]["/donations/{donation_id}/declared-items"]["post"]
    assert "allow_reimport" in [p["name"] for p in operation["parameters"]]
    assert "409" in operation["responses"] and "already_imported" in operation["description"]
