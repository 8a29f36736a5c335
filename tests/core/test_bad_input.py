"""Bad input on purpose: huge ids, NUL characters, wrong JSON types, damaged files; never a 500, never a half-write."""
import io
import json
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from reco.core.audit import Event
from reco.donations.models import DeclaredCount, DeclaredItem, DonationStatus
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_token, make_user


@pytest.fixture
def supervisor(ctx):
    return make_user("supervisor")


def _auth(user):
    return {"Authorization": f"Bearer {make_token(user)}"}


@pytest.mark.parametrize("path", ["/donations/99999999999999999999", "/donors/2147483648", "/structures/0",
                                  "/documents/-1.pdf", "/donations/1e5/intake"])
def test_ids_out_of_range_are_404(client, supervisor, path):
    login_as(client, supervisor)
    assert client.get(path).status_code == 404


def test_api_ids_out_of_range(client, supervisor):
    headers = _auth(supervisor)
    assert client.get("/api/v1/donations/1099511627776", headers=headers).status_code == 404
    response = client.post("/api/v1/devices", json={"donation_id": 2 ** 40, "type": "laptop"}, headers=headers)
    assert response.status_code == 422


def test_nul_characters_are_refused(client, supervisor):
    assert client.post("/login", data={"email": "a\x00@b.c", "password": "x"}).status_code == 400
    login_as(client, supervisor)
    response = client.get("/donors?q=%00")
    assert response.status_code == 400 and "caractère NUL invisible" in response.text
    assert client.post("/donors/new", data={"name": "A\x00B", "kind": "company"}).status_code == 400
    response = client.post("/api/v1/donors", json={"name": "A\x00B", "kind": "company"}, headers=_auth(supervisor))
    assert response.status_code == 422
    donation = make_donation(make_donor(supervisor.structure))
    csv = b"Serial;Type;Brand\n" + b"A;laptop;HP\n" * 500 + b"B;laptop;H\x00P\n"
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items", data=csv, headers=_auth(supervisor))
    assert response.status_code == 422


@pytest.mark.parametrize("payload", [
    {"declared_counts": {"laptop": True}}, {"declared_counts": {"laptop": 2.7}}, {"declared_counts": {"laptop": [3]}},
    {"declared_value": True}, {"declared_value": [1]}, {"declared_value": "1e999999"},
    {"declared_value": 9999999999.999}, {"planned_date": "31/12/2026"}, {"planned_date": 20261231},
])
def test_wrong_json_types_for_donations_get_422(client, supervisor, payload):
    donor = make_donor(supervisor.structure)
    response = client.post("/api/v1/donations", json={"donor_id": donor.id} | payload, headers=_auth(supervisor))
    assert response.status_code == 422, response.get_json()


def test_json_infinity_is_refused(client, supervisor):
    donor = make_donor(supervisor.structure)
    body = '{"donor_id": %d, "declared_counts": {"laptop": Infinity}}' % donor.id
    response = client.post("/api/v1/donations", data=body, headers=_auth(supervisor) | {
        "Content-Type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("drives", [[{"serial": 12345}], [{"model": 5}], [{"model": ["x"]}], [{"capacity_gb": "NaN"}],
                                    [{"capacity_gb": "Infinity"}], [{"capacity_gb": "1e999999"}],
                                    [{"capacity_bytes": True}], "all", [None]])
def test_wrong_drive_types_get_422_and_spend_no_tag(client, supervisor, drives):
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post("/api/v1/devices", json={"donation_id": donation.id, "type": "laptop", "drives": drives},
                           headers=_auth(supervisor))
    assert response.status_code == 422
    good = client.post("/api/v1/devices", json={"donation_id": donation.id, "type": "laptop", "serial": "SN-1"},
                       headers=_auth(supervisor))
    assert good.get_json()["tag"].endswith("-000001")


@pytest.mark.parametrize("field,value", [("serial", 123), ("weight_kg", [3]), ("accessories", [1]), ("type", 5)])
def test_wrong_device_field_types_get_422(client, supervisor, field, value):
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post("/api/v1/devices", json={"donation_id": donation.id, "type": "laptop", field: value},
                           headers=_auth(supervisor))
    assert response.status_code == 422


def test_deeply_nested_json_gets_422(client, supervisor):
    body = "[" * 100000 + "]" * 100000
    response = client.post("/api/v1/donors", data=body, headers=_auth(supervisor) | {
        "Content-Type": "application/json"})
    assert response.status_code == 422


def test_the_web_intake_refuses_non_finite_capacities(client, supervisor):
    login_as(client, supervisor)
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post(f"/donations/{donation.id}/intake", data={"type": "laptop", "drives-0-serial": "D",
                                                                      "drives-0-capacity_gb": "NaN"})
    assert response.status_code == 422


def test_an_over_long_serial_in_an_inventory_is_a_line_error(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    csv = f"Serial;Type\nOK-1;laptop\n{'S' * 100};laptop\n".encode()
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items", data=csv, headers=_auth(supervisor))
    assert response.status_code == 422 and [e["line"] for e in response.get_json()["errors"]] == [3]


def test_a_damaged_xlsx_is_refused_with_a_message(client, supervisor):
    book = Workbook()
    book.active.append(["Serial", "Type"])
    buffer = io.BytesIO()
    book.save(buffer)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items", data=damaged.getvalue(),
                           headers=_auth(supervisor))
    assert response.status_code == 422 and response.get_json()["message"]


def test_a_sheet_with_a_far_away_cell_is_read_quickly_and_correctly(client, supervisor):
    book = Workbook()
    sheet = book.active
    sheet.append(["Serial", "Type"])
    for n in range(2000):
        sheet.append([f"S{n}", "laptop"])
    sheet["XFD1"] = "note"
    buffer = io.BytesIO()
    book.save(buffer)
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items", data=buffer.getvalue(),
                           headers=_auth(supervisor))
    assert response.status_code == 201 and response.get_json()["imported"] == 2000


def test_a_refused_web_form_writes_nothing(client, supervisor):
    login_as(client, supervisor)
    donation = make_donation(make_donor(supervisor.structure))
    response = client.post(f"/donations/{donation.id}/edit", data={"count_laptop": "12", "declared_value": "lots"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DeclaredCount)) == 0
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "updated")) == 0


def test_a_refused_transition_writes_no_event(client, supervisor):
    device = make_device(make_donation(make_donor(supervisor.structure)))
    headers = _auth(supervisor)
    before = db.session.scalar(select(func.count()).select_from(Event))
    response = client.post(f"/api/v1/devices/{device.tag}/transitions", json={"to": "ready"}, headers=headers)
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Event)) == before


def test_a_closed_collection_takes_no_import(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure), status=DonationStatus.CLOSED)
    response = client.post(f"/api/v1/donations/{donation.id}/declared-items", data=b"Serial;Type\nA;laptop\n",
                           headers=_auth(supervisor))
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 0


def test_lists_and_scans_never_show_another_workshops_objects(client, supervisor):
    login_as(client, supervisor)
    theirs = make_device(serial="THEIR-SERIAL")
    mine = make_device(make_donation(make_donor(supervisor.structure)), serial="MY-SERIAL")
    devices = client.get("/devices").get_data(as_text=True)
    assert mine.tag in devices and theirs.tag not in devices
    donations = client.get("/donations?status=all").get_data(as_text=True)
    assert theirs.donation.reference not in donations and mine.donation.reference in donations
    assert client.get("/scan", query_string={"code": "THEIR-SERIAL"}).status_code == 404
    assert client.get(f"/devices/{theirs.tag}").status_code == 404
    response = client.post("/api/v1/devices", json={"donation_id": mine.donation_id, "type": "laptop",
                                                    "serial": "THEIR-SERIAL"}, headers=_auth(supervisor))
    assert response.get_json()["warnings"] == []


def test_proxy_count_makes_the_app_trust_the_forwarded_address():
    from werkzeug.middleware.proxy_fix import ProxyFix

    from reco import create_app

    app = create_app({"TESTING": True, "RECO_PROXY_COUNT": 1, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(app.wsgi_app, ProxyFix)
    seen = []
    app.add_url_rule("/whoami", "whoami", lambda: seen.append(__import__("flask").request.remote_addr) or "ok")
    app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7"]


def test_json_error_bodies_are_json_even_for_unknown_routes(client):
    response = client.post("/api/v1/nowhere", data=json.dumps({}))
    assert response.status_code == 404 and response.is_json and response.get_json()["error"] == "not_found"


def test_lone_surrogates_in_json_are_refused(client, supervisor):
    device = make_device(make_donation(make_donor(supervisor.structure)))
    body = '{"problem": "\\ud800", "fault_type": "boot"}'
    response = client.post(f"/api/v1/devices/{device.tag}/repairs", data=body,
                           headers=_auth(supervisor) | {"Content-Type": "application/json"})
    assert response.status_code == 422


def test_implausible_report_figures_are_not_stored(client, supervisor):
    device = make_device(make_donation(make_donor(supervisor.structure)))
    report = {"json_format_version": [1, 0], "smartctl": {"version": [7, 3], "exit_status": 0},
              "device": {"name": "/dev/sda", "type": "sat", "protocol": "ATA"}, "model_name": "Disk \ud800",
              "serial_number": "BIG-1", "user_capacity": {"bytes": 10 ** 20}, "smart_status": {"passed": True},
              "power_on_time": {"hours": 10 ** 19}, "rotation_rate": 7200}
    data = json.dumps(report).encode()
    response = client.post(f"/api/v1/devices/{device.tag}/hardware-reports", data=data, headers=_auth(supervisor))
    assert response.status_code == 201
    (drive,) = response.get_json()["device"]["drives"]
    assert drive["serial"] == "BIG-1" and drive["capacity_bytes"] is None and drive["smart_passed"] is True
    assert drive["model"] == "Disk ?"


def test_a_recycling_weight_that_rounds_to_nothing_is_refused_and_the_slip_kept(client, supervisor):
    device = make_device(make_donation(make_donor(supervisor.structure)))
    headers = _auth(supervisor)
    refused = client.post(f"/api/v1/devices/{device.tag}/transitions",
                          json={"to": "recycled", "weight_kg": "0,001", "slip_number": "DEEE-42"}, headers=headers)
    assert refused.status_code == 422
    done = client.post(f"/api/v1/devices/{device.tag}/transitions",
                       json={"to": "recycled", "weight_kg": "0,5", "slip_number": "DEEE-42"}, headers=headers)
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(type(device), device.id).exit.slip_number == "DEEE-42"


def test_more_labels_than_allowed_are_refused_not_cut(client, supervisor):
    login_as(client, supervisor)
    device = make_device(make_donation(make_donor(supervisor.structure)))
    codes = "\n".join([device.tag] * 2001)
    response = client.post("/labels/devices", data={"codes": codes, "format": "dymo-11354", "copies": "1"})
    assert response.status_code == 422
