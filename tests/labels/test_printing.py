"""Printing jobs: checked before anything is drawn, through the pages and the API."""
import html

import pytest

from reco.extensions import db
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_token, make_user
from tests.labels.label_helpers import decode_pdf


@pytest.fixture
def workshop_devices(ctx):
    technician = make_user("technician")
    donation = make_donation(make_donor(technician.structure))
    return technician, [make_device(donation) for _ in range(3)]


def test_print_a_batch_on_a_partly_used_sheet_through_the_page(client, workshop_devices):
    technician, devices = workshop_devices
    login_as(client, technician)
    page = client.get("/labels/devices", query_string={"tag": [d.tag for d in devices]})
    assert devices[0].tag in page.get_data(as_text=True)
    response = client.post("/labels/devices", data={"codes": "\n".join(d.tag for d in devices),
                                                     "format": "a4-avery-l7160", "copies": "1", "skip": "5"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert sorted(f["text"] for f in decode_pdf(response.data)) == sorted(d.tag for d in devices)
    roll = client.post("/labels/devices", data={"codes": devices[0].tag, "format": "dymo-11354", "copies": "1"})
    assert [f["text"] for f in decode_pdf(roll.data)] == [devices[0].tag]
    db.session.expire_all()
    assert technician.structure.label_format == "dymo-11354"
    again = client.get("/labels/devices", query_string={"tag": devices[0].tag}).get_data(as_text=True)
    assert '<option selected value="dymo-11354">' in again


@pytest.mark.parametrize("data,field", [
    ({"format": "nope"}, "format"), ({"copies": "0"}, "copies"), ({"copies": "10000"}, "copies"),
    ({"skip": "21"}, "skip"), ({"codes": "UNKNOWN-1"}, "codes"),
])
def test_bad_print_requests_are_explained(client, workshop_devices, data, field):
    technician, devices = workshop_devices
    login_as(client, technician)
    form = {"codes": devices[0].tag, "format": "a4-avery-l7160", "copies": "1", "skip": "0"} | data
    response = client.post("/labels/devices", data=form)
    assert response.status_code == 422 and response.mimetype == "text/html"


def test_another_workshops_device_is_an_unknown_tag(client, workshop_devices):
    technician, _devices = workshop_devices
    theirs = make_device()
    response = client.get("/api/v1/labels.pdf", query_string={"tags": theirs.tag, "format": "dymo-11354"},
                          headers={"Authorization": f"Bearer {make_token(technician)}"})
    assert response.status_code == 422 and response.get_json()["fields"]["tags"] == [theirs.tag]


def test_api_formats_and_pdf(client, workshop_devices):
    technician, devices = workshop_devices
    headers = {"Authorization": f"Bearer {make_token(technician)}"}
    formats = client.get("/api/v1/label-formats", headers=headers).get_json()
    assert {f["key"] for f in formats} >= {"brother-ql-62x29", "a4-avery-l7651"}
    tags = ",".join(d.tag for d in devices)
    response = client.get("/api/v1/labels.pdf", query_string={"tags": tags, "format": "brother-ql-62x29",
                                                              "copies": 2}, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert sorted(f["text"] for f in decode_pdf(response.data)) == sorted(d.tag for d in devices for _ in range(2))
    bad = client.get("/api/v1/labels.pdf", query_string={"tags": tags + ",NOPE-1,ZZZ-2", "format": "x"},
                     headers=headers)
    assert bad.status_code == 422 and list(bad.get_json()["fields"]) == ["format"]
    unknown = client.get("/api/v1/labels.pdf", query_string={"tags": tags + ",NOPE-1,ZZZ-2",
                                                             "format": "dymo-11354"}, headers=headers)
    assert unknown.status_code == 422 and unknown.get_json()["fields"]["tags"] == ["NOPE-1", "ZZZ-2"]
    for query in ({"tags": tags, "format": "a4-avery-l7160", "skip": 21}, {"tags": tags, "copies": "many"},
                  {"tags": "", "format": "dymo-11354"}):
        assert client.get("/api/v1/labels.pdf", query_string=query, headers=headers).status_code == 422


def test_location_labels_through_the_page(client, ctx):
    from reco.inventory.locations import create_location

    supervisor = make_user("supervisor")
    location = create_location(supervisor.structure, by=None, name="Étagère A")
    db.session.commit()
    login_as(client, supervisor)
    response = client.post("/labels/locations", data={"codes": location.code, "format": "a4-avery-l7651",
                                                      "copies": "2", "skip": "0"})
    assert [f["text"] for f in decode_pdf(response.data)] == [location.code, location.code]


def test_without_a_format_the_first_one_is_used(client, workshop_devices):
    technician, devices = workshop_devices
    response = client.get("/api/v1/labels.pdf", query_string={"tags": devices[0].tag},
                          headers={"Authorization": f"Bearer {make_token(technician)}"})
    assert response.status_code == 200 and [f["text"] for f in decode_pdf(response.data)] == [devices[0].tag]


def test_the_print_form_takes_any_code_the_scan_box_takes(client, ctx):
    technician = make_user("technician")
    donation = make_donation(make_donor(technician.structure))
    by_serial = make_device(donation, serial="5CG1234XYZ")
    by_donor_tag = make_device(donation, donor_tag="ARMOR-0042")
    twins = [make_device(make_donation(donation.donor), donor_tag="ARMOR-TWIN") for _ in range(2)]
    login_as(client, technician)
    page = client.get("/labels/devices").get_data(as_text=True)
    assert "Codes à imprimer, un par ligne" in page and "numéros de série" in page and "data-scan" in page

    response = client.post("/labels/devices", data={"codes": f"5cg1234xyz\nARMOR-0042\n{twins[0].tag}",
                                                     "format": "dymo-11354", "copies": "1"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert [f["text"] for f in decode_pdf(response.data)] == [by_serial.tag, by_donor_tag.tag, twins[0].tag]

    shared = client.post("/labels/devices", data={"codes": "ARMOR-TWIN", "format": "dymo-11354", "copies": "1"})
    assert shared.status_code == 422
    assert "Plusieurs appareils ont ces codes\u00a0: ARMOR-TWIN. Scannez plutôt notre n° d'inventaire." in \
        html.unescape(shared.get_data(as_text=True))
    unknown = client.post("/labels/devices", data={"codes": "NOPE-1", "format": "dymo-11354", "copies": "1"})
    assert unknown.status_code == 422
    assert "Aucun appareil de l'atelier n'a ces codes\u00a0: NOPE-1." in html.unescape(unknown.get_data(as_text=True))
