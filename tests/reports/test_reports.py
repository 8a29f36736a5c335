"""Figures, dashboard, exports and donor reports: what is counted agrees with the lists, small counts hidden."""
import csv
import http.cookiejar
import io
import re
import urllib.parse
import urllib.request
from datetime import timedelta

import openpyxl
import pypdfium2
import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.core.documents import Document
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import record_handover
from reco.reports.figures import audience_of, median_days, parse_period, summary
from reco.reports.models import ImpactFactor
from tests.conftest import login_as
from tests.factories import (
    PASSWORD,
    make_device,
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_structure,
    make_token,
    make_user,
)

TODAY = local_today()


@pytest.fixture
def network(ctx):
    workshop = make_structure("workshop")
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    prescriber = make_user(Role.PRESCRIBER)
    donation = make_donation(make_donor(workshop, name="Armor Conseil"))
    for _ in range(3):
        make_device(donation, type="laptop", weight_kg="2.5")
    equipped = []
    for commune, insee, postcode in (("Rennes", "35238", "35200"), ("Rennes", "35238", "35200"),
                                     ("Vitré", "35360", "35500")):
        prescription = make_prescription(prescriber, workshop, status="accepted", commune=commune, insee_code=insee,
                                         postcode=postcode, visit_wanted=False)
        device = make_ready_device(workshop)
        reserve_device(prescription, device, by=supervisor)
        record_handover(prescription, by=supervisor, internet_connected=True, no_signature_reason="Attestation papier signée")
        equipped.append(prescription)
    db.session.commit()
    return {"workshop": workshop, "supervisor": supervisor, "prescriber": prescriber, "donation": donation,
            "equipped": equipped}


def _summary(client, user, **period):
    headers = {"Authorization": f"Bearer {make_token(user)}"}
    return client.get("/api/v1/reports/summary", headers=headers, query_string=period)


def _list_total(client, query) -> int:
    page = client.get(f"/devices?{query}").get_data(as_text=True)
    return int(re.search(r'<p class="count">(\d+) ', page).group(1))


def test_the_summary_agrees_with_the_lists_it_counts(client, network):
    body = _summary(client, network["supervisor"]).get_json()
    assert body["scope"] == "workshop" and body["small_counts_hidden"] is False
    assert body["families_equipped"] == {"pipeline": 3, "declared": 0}
    login_as(client, network["supervisor"])
    span = f"received_from={body['from']}&received_to={body['to']}"
    assert body["devices_received"] == _list_total(client, span) == 6
    for state in ("ready", "delivered", "harvested", "recycled"):
        assert body[f"devices_{state}"] == _list_total(client, f"{span}&state={state}")
    assert body["devices_delivered"] == 3 and body["drives_sanitized"] == 3
    assert body["co2e_avoided_kg"] == 3 * 27 * 3 and body["weight_diverted_kg"] == 3 * 2.0


def test_bad_periods_and_roles_are_refused(client, network):
    refused = _summary(client, network["supervisor"], **{"from": "2026-05-01", "to": "2026-01-01"})
    assert refused.status_code == 422 and refused.get_json()["message"]
    assert _summary(client, network["supervisor"], **{"from": "yesterday"}).status_code == 422
    assert _summary(client, network["supervisor"], **{"from": "1990-01-01"}).status_code == 422
    assert _summary(client, make_user(Role.TECHNICIAN, structure=network["workshop"])).status_code == 200
    assert _summary(client, network["supervisor"], commune="35000").status_code == 422
    assert _summary(client, make_user(Role.INSTALLER)).status_code == 403


def test_network_audiences_see_small_counts_hidden(client, network):
    viewer = make_user(Role.VIEWER)
    body = _summary(client, viewer).get_json()
    assert body["scope"] == "network" and body["small_counts_hidden"] is True
    login_as(client, viewer)
    page = client.get("/reports").get_data(as_text=True)
    assert "&lt; 5" in page and "Rennes" in page
    assert not re.search(r"<td>[1-4]</td>", page)


def test_exports_open_in_french_excel_and_in_xlsx(client, network):
    login_as(client, network["supervisor"])
    response = client.get("/reports/tables/families_commune.csv")
    assert response.data.startswith("\ufeff".encode()) and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [["Rennes (35238)", "2"], ["Vitré (35360)", "1"]]
    assert b"," in client.get("/reports/tables/families_commune.csv?sep=comma").data
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/reports/tables/families_commune.xlsx").data))
    assert [c.value for c in list(workbook.active.iter_rows())[1]] == ["Rennes (35238)", 2]
    assert workbook.active.title == "Familles équipées par commune"
    assert client.get("/reports/tables/nothing.csv").status_code == 404
    devices = client.get("/reports/lists/devices.csv").data.decode("utf-8-sig").splitlines()
    assert len(devices) == 7 and devices[0].startswith('"N° d\'inventaire";"Type";"Type (code)";')
    prescriptions = client.get("/reports/lists/prescriptions.csv").data.decode("utf-8-sig")
    assert network["equipped"][0].code in prescriptions and "Awa Diop" not in prescriptions


def test_the_donor_report_is_issued_and_verifiable(client, network):
    login_as(client, network["supervisor"])
    donation = network["donation"]
    response = client.post(f"/donations/{donation.id}/documents/donor_report")
    assert response.status_code == 302
    document = db.session.scalars(select(Document).where(Document.kind == "donor_report")).one()
    pdf = client.get(f"/documents/{document.id}.pdf")
    text = "\n".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(pdf.data))
    assert document.number in text and "Armor Conseil" in text and "NIST" in text
    assert client.get(f"/verify/{document.fingerprint}").status_code == 200


def test_the_annual_report_and_the_factors(client, network):
    login_as(client, make_user(Role.VIEWER))
    pdf = client.get(f"/reports/annual.pdf?year={TODAY.year}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get("/reports/annual.pdf?year=1999").status_code == 302
    admin = make_user(Role.ADMIN)
    login_as(client, admin)
    response = client.post("/admin/impact-factors", data={
        "device_type": "tablet", "weight_kg": "0,45", "manufacture_co2e_kg": "63", "avoided_co2e_kg_per_year": "10",
        "years_of_use": "2", "source": "ADEME"})
    assert response.status_code == 302
    assert db.session.get(ImpactFactor, "tablet").co2e_avoided_kg == 20
    refused = client.post("/admin/impact-factors", data={
        "device_type": "tablet", "weight_kg": "-1", "manufacture_co2e_kg": "63", "avoided_co2e_kg_per_year": "10",
        "years_of_use": "2"})
    assert refused.status_code == 422


def test_period_filter_keeps_devices_of_other_periods_out(client, network):
    old = TODAY - timedelta(days=800)
    body = _summary(client, network["supervisor"], **{"from": old.isoformat(),
                                                      "to": (old + timedelta(days=10)).isoformat()}).get_json()
    assert body["devices_received"] == 0 and body["families_equipped"]["pipeline"] == 0


def test_people_who_give_are_never_named_in_the_figures(client, network):
    from reco.donations.models import DonorKind

    person = make_donor(network["workshop"], name="Jean Dupont", kind=DonorKind.INDIVIDUAL)
    make_device(make_donation(person), type="tablet")
    login_as(client, make_user(Role.VIEWER))
    page = client.get("/reports").get_data(as_text=True)
    assert "Dupont" not in page and "Armor Conseil" in page
    login_as(client, network["supervisor"])
    assert "Dupont" not in client.get("/reports/tables/devices_donor.csv").data.decode("utf-8-sig")


def test_counts_leaving_their_structure_are_rounded_or_hidden_so_none_is_recovered(client, network):
    from reco.reports.figures import protected

    assert [protected(n, True) for n in (0, 1, 4, 5, 6, 7, 8, 12)] == [0, None, None, 5, 5, 5, 10, 10]
    assert protected(3, False) == 3
    body = _summary(client, make_user(Role.VIEWER)).get_json()
    assert body["families_equipped"]["pipeline"] is None and body["devices_received"] == 5
    assert body["co2e_avoided_kg"] is None and body["weight_diverted_kg"] is None  # 3 × 81 would give 3 away


def test_prescribers_see_their_households_and_the_devices_they_received_only(client, network):
    make_device(make_donation(make_donor(make_structure("workshop"), name="Société Secrète")))
    body = _summary(client, network["prescriber"]).get_json()
    assert body["scope"] == "prescriber" and body["devices_received"] == 3 == body["devices_delivered"]
    login_as(client, network["prescriber"])
    assert "Société Secrète" not in client.get("/reports").get_data(as_text=True)


def test_exports_never_carry_formulas(client, network):
    make_device(make_donation(make_donor(network["workshop"], name="=HYPERLINK(\"http://x\")")), brand="@SUM(A1)")
    login_as(client, network["supervisor"])
    donors = client.get("/reports/tables/devices_donor.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in donors
    devices = client.get("/reports/lists/devices.csv").data.decode("utf-8-sig")
    assert "'@SUM(A1)" in devices
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/reports/tables/devices_donor.xlsx").data)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_odd_dates_and_years_get_a_page_not_an_error(client, network):
    login_as(client, network["supervisor"])
    assert client.get("/devices?received_from=2020-01-01&received_to=9999-12-31").status_code == 200
    assert client.get("/reports/annual.pdf?year=abc").status_code == 302
    assert client.get("/reports?commune=ABCDE").status_code == 302


def test_erasures_waiting_for_validation_are_not_counted(client, network):
    network["workshop"].sanitization_needs_validation = True
    db.session.commit()
    body = _summary(client, network["supervisor"]).get_json()
    assert body["drives_sanitized"] == 0
    coordinator = make_user(Role.ADMIN)
    assert summary(audience_of(coordinator), parse_period("", ""))["drives_sanitized"] == 0
    network["workshop"].sanitization_needs_validation = False
    db.session.commit()
    assert summary(audience_of(coordinator), parse_period("", ""))["drives_sanitized"] == 3


def test_the_median_wait_is_the_middle_one_or_the_mean_of_the_two_middle_ones(network):
    audience, period = audience_of(network["supervisor"]), parse_period("", "")
    for prescription, days in zip(network["equipped"], (2, 5.5, 10)):
        prescription.decided_at = prescription.equipped_at - timedelta(days=days)
    db.session.commit()
    assert median_days(audience, period) == 5.5
    network["equipped"][2].decided_at = None
    db.session.commit()
    assert median_days(audience, period) == 3.8
    for prescription in network["equipped"]:
        prescription.decided_at = None
    db.session.commit()
    assert median_days(audience, period) is None


def test_the_coordinator_exports_the_devices_and_erasures_of_the_whole_network(client, network):
    other = make_structure("workshop", name="Atelier du Sud")
    make_ready_device(other)
    db.session.commit()
    login_as(client, make_user(Role.ADMIN))
    rows = list(csv.reader(io.StringIO(client.get("/reports/network/devices.csv").get_data(as_text=True)
                                       .lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == ["Atelier", "N° d'inventaire"]
    assert len(rows) == 1 + 7 and {row[0] for row in rows[1:]} == {network["workshop"].name, "Atelier du Sud"}
    erasures = client.get("/reports/network/sanitizations.csv?sep=comma").get_data(as_text=True).splitlines()
    assert len(erasures) == 1 + 4 and sum("Atelier du Sud" in line for line in erasures) == 1
    assert client.get("/reports/network/prescriptions.csv").status_code == 404
    page = client.get("/reports").get_data(as_text=True)
    assert "/reports/network/devices.csv" in page and "/reports/network/repairs.xlsx" in page
    repairs = client.get("/reports/network/repairs.csv").data.decode("utf-8-sig").splitlines()
    assert repairs[0].startswith('"id","data_provider","country",')
    login_as(client, network["supervisor"])
    assert client.get("/reports/network/devices.csv").status_code == 403
    assert client.get("/reports/network/repairs.csv").status_code == 403
    assert "/reports/network/" not in client.get("/reports").get_data(as_text=True)
    own = client.get("/reports/lists/devices.csv").get_data(as_text=True).splitlines()
    assert len(own) == 1 + 6 and not any(line.startswith(other.tag_prefix) for line in own[1:])


@pytest.mark.committed
@pytest.mark.parametrize("path", ["/reports/lists/devices.csv", "/reports/lists/prescriptions.csv",
                                  "/reports/lists/sanitizations.csv", "/repairs.csv"])
def test_streamed_exports_reach_their_end_through_a_real_server(app, live_server, path):
    with app.app_context():
        supervisor = make_user(Role.SUPERVISOR)
        for _ in range(3):
            make_ready_device(supervisor.structure)
        email = supervisor.email
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{live_server}/login", data=urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode())
    with opener.open(f"{live_server}{path}") as response:
        body = response.read().decode("utf-8-sig")
    lines = body.splitlines()
    assert len(lines) >= 1 and lines[0]
    if path == "/reports/lists/devices.csv":
        assert len(lines) == 4 and all(line.count(";") == 12 for line in lines)
