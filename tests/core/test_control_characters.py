"""Control characters: cleaned from every form and every API payload, and never breaking an export."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.core.inputs import without_controls
from reco.donations.models import Donor
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_structure, make_token, make_user


def _cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row]


def test_names_stored_with_control_characters_still_export(client, ctx):
    workshop = make_structure("workshop", name="Atelier\x01 Nord\x1b")
    donor = make_donor(workshop, name="Armor\x01 Conseil\x0b")
    donation = make_donation(donor)
    for n in range(5):
        make_device(donation, brand="Dell\x02", model="Latitude\x7f E5530", serial=f"SN\x01{n}")
    supervisor = make_user("supervisor", structure=workshop)
    login_as(client, supervisor)
    response = client.get("/reports/tables/devices_donor.xlsx")
    assert response.status_code == 200
    assert "Armor Conseil" in _cells(response.data)
    listed = client.get("/reports/lists/devices.xlsx")
    assert listed.status_code == 200 and "Latitude E5530" in _cells(listed.data)
    login_as(client, make_user("admin"))
    network = client.get("/reports/network/devices.xlsx")
    assert network.status_code == 200 and "Atelier Nord" in _cells(network.data)
    csv = client.get("/reports/network/devices.csv")
    assert "Atelier Nord" in csv.get_data(as_text=True)
    csv.close()


def test_forms_clean_control_characters_out_of_every_field(client, ctx):
    supervisor = make_user("supervisor")
    login_as(client, supervisor)
    response = client.post("/donors/new", data={"name": "Armor\x01 Conseil\x1f", "kind": "company",
                                                "contact_name": "Awa\x0b Diop", "city": "Rennes\r\n"})
    assert response.status_code == 302
    donor = db.session.scalar(select(Donor).where(Donor.workshop_id == supervisor.structure_id))
    assert (donor.name, donor.contact_name) == ("Armor Conseil", "Awa Diop")


def test_the_api_cleans_control_characters_out_of_payloads(client, ctx):
    supervisor = make_user("supervisor")
    response = client.post("/api/v1/donors", json={"name": "Armor\x01 Conseil\u0085", "kind": "company",
                                                   "contact_name": "Awa\x1b Diop"},
                           headers={"Authorization": f"Bearer {make_token(supervisor)}"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == "Armor Conseil"
    donor = db.session.get(Donor, response.get_json()["id"])
    assert (donor.name, donor.contact_name) == ("Armor Conseil", "Awa Diop")


def test_text_keeps_its_tabs_and_line_breaks():
    assert without_controls({"a\x01": ["x\ty\nz\r\n\x00", 3]}) == {"a": ["x\ty\nz\r\n\x00", 3]}


def test_a_structure_name_from_the_coordinators_form_is_cleaned(client, ctx):
    login_as(client, make_user("admin"))
    response = client.post("/admin/structures/new", data={"name": "Atelier\x01 Sud", "kinds": ["partner"],
                                                          "postcode": "35500", "commune": "vitre"})
    assert response.status_code == 302
    assert db.session.scalar(select(Structure).where(Structure.name == "Atelier Sud")) is not None
