"""What a bench agent reads: the open collections, what a device still lacks before ready, its label's QR code."""
from datetime import timedelta

import jsonschema
import pytest
import zxingcpp
from PIL import Image

from reco.api.openapi import openapi_document
from reco.core.time import utcnow
from reco.donations.inventory_import import parse_inventory
from reco.donations.models import DonationStatus
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.lifecycle import transition_device
from reco.inventory.sanitization import record_secure_erase
from tests.factories import make_device, make_donation, make_donor, make_ready_device, make_token, make_user


def _headers(user) -> dict:
    return {"Authorization": f"Bearer {make_token(user)}"}


def _schema(name: str, array: bool = False) -> dict:
    """Return a response schema of the OpenAPI document (or a list of it), its references resolvable."""
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"components": openapi_document()["components"]} | ({"type": "array", "items": ref} if array else ref)


def test_open_collections_are_the_workshops_own_not_closed_newest_first(client, ctx):
    technician = make_user("technician")
    donor = make_donor(technician.structure, name="Mairie de Rennes")
    older = make_donation(donor, declared_counts=[], created_at=utcnow() - timedelta(days=3))
    import_declared_items(older, parse_inventory(b"Serial;Type\nA1;laptop\nA2;laptop\nA3;desktop\n"), by=None)
    make_device(older, serial="A1")
    make_device(older, serial="ZZ", type="screen")
    newer = make_donation(donor, collected_at=utcnow())
    closed = make_donation(donor)
    closed.status = DonationStatus.CLOSED
    elsewhere = make_donation(make_donor())  # another workshop's
    db.session.commit()
    response = client.get("/api/v1/donations/open", headers=_headers(technician))
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, _schema("OpenDonation", array=True))
    assert [d["id"] for d in body] == [newer.id, older.id]
    assert closed.id not in [d["id"] for d in body] and elsewhere.id not in [d["id"] for d in body]
    first, second = body
    assert first["donor_name"] == "Mairie de Rennes" and first["collected_at"] and first["reference"] == newer.reference
    assert (second["declared"], second["received"], second["collected_at"]) == (3, 2, None)
    assert second["status"] == "received"  # receiving its first device marked it received: still open
    prescriber = make_user("prescriber")
    assert client.get("/api/v1/donations/open", headers=_headers(prescriber)).status_code == 403


def test_open_collections_are_fifty_at_most(client, ctx):
    technician = make_user("technician")
    donor = make_donor(technician.structure)
    for _ in range(52):
        make_donation(donor)
    assert len(client.get("/api/v1/donations/open", headers=_headers(technician)).get_json()) == 50


def test_ready_missing_says_in_french_what_is_left_before_ready(client, ctx):
    technician = make_user("technician", locale="fr")
    headers = _headers(technician)
    device = make_device(make_donation(make_donor(technician.structure)),
                         drives=[{"serial": "SSD-LEFT", "capacity_gb": "256", "interface": "sata_ssd"}])
    body = client.get(f"/api/v1/devices/{device.tag}", headers=headers).get_json()
    jsonschema.validate(body, _schema("Device"))
    assert body["ready_missing"] == ["L'appareil n'a pas encore de diagnostic.",
                                     "Le disque SSD-LEFT n'a aucun effacement enregistré.",
                                     "L'appareil n'a pas de grade esthétique."]
    record_diagnosis(device, by=technician, grade="B", checks={"power_on": "ok"})
    record_secure_erase(device.drives[0], by=technician, tool="hdparm", technique="block_erase",
                        verification="last_pass")
    db.session.commit()
    body = client.get(f"/api/v1/devices/{device.tag}", headers=headers).get_json()
    assert body["state"] == "diagnosed"
    assert body["ready_missing"] == ["Il ne manque plus rien\u00a0: passez-le en «\u00a0Effacé\u00a0», puis en "
                                     "«\u00a0Prêt\u00a0»."]
    transition_device(device, "wiped", by=technician)
    db.session.commit()
    assert client.get(f"/api/v1/devices/{device.tag}", headers=headers).get_json()["ready_missing"] == [
        "Il ne manque plus rien\u00a0: passez-le en «\u00a0Prêt\u00a0»."]
    transition_device(device, "ready", by=technician)
    db.session.commit()
    assert client.get(f"/api/v1/devices/{device.tag}", headers=headers).get_json()["ready_missing"] == []
    ready = make_ready_device(technician.structure)
    assert client.get(f"/api/v1/devices/{ready.tag}", headers=headers).get_json()["ready_missing"] == []


@pytest.mark.parametrize("base", ["https://reco.example.org", "https://reco.example.org/"])
def test_the_label_qr_code_decodes_to_the_devices_address(client, ctx, app, base, monkeypatch):
    monkeypatch.setitem(app.config, "RECO_BASE_URL", base)
    technician = make_user("technician")
    device = make_device(make_donation(make_donor(technician.structure)))
    response = client.get(f"/api/v1/devices/{device.tag}/label-qr", headers=_headers(technician))
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, _schema("LabelQr"))
    url = f"https://reco.example.org/devices/{device.tag}"
    assert body["tag"] == device.tag and body["url"] == url
    rows = body["modules"]
    size = len(rows)
    assert all(len(row) == size and set(row) <= {"0", "1"} for row in rows)
    assert (size - 8 - 17) % 4 == 0  # a QR version: 21, 25, 29... modules, plus the quiet zone
    assert rows[:4] == rows[-4:] == ["0" * size] * 4
    assert all(row[:4] == row[-4:] == "0000" for row in rows)
    scale = 6
    image = Image.new("L", (size * scale, size * scale), 255)
    for y, row in enumerate(rows):
        for x, module in enumerate(row):
            if module == "1":
                image.paste(0, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    (decoded,) = zxingcpp.read_barcodes(image)
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode and decoded.text == url
    assert str(decoded.ec_level) in ("M", "15%")


def test_the_label_qr_code_of_another_workshops_device_is_not_found(client, ctx):
    technician = make_user("technician")
    other = make_device()
    response = client.get(f"/api/v1/devices/{other.tag}/label-qr", headers=_headers(technician))
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
