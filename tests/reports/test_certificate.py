"""The donor report's certificate of sanitization (NIST SP 800-88, IEEE 2883), the annual report and their API."""
from datetime import date

import pypdfium2
import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.core.documents import Document
from reco.core.printed import identifier
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.diagnosis import apply_hardware_report, record_diagnosis
from reco.inventory.sanitization import import_erasure_log, record_destruction, validate_sanitization
from reco.reports.annual import families_chart
from reco.reports.certificate import manufacturer_of
from reco.reports.donor_report import issue_donor_report
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_structure, make_token, make_user
from tests.inventory.workbench_helpers import fixture, nwipe_log_for, wiped_in

LONG_SERIAL = "WD-WXA1E63JKLMN0123456789ABCDEFGHJK"
LONG_TAG = "ARMOR-PARC-INFORMATIQUE-2019-000042"


def pdf_text(data: bytes) -> str:
    """Return the text of every page of a PDF, as a reader's copy and paste would give it."""
    return "\n".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(data))


@pytest.fixture
def certified(ctx):
    """A donation whose workshop validates wipes: a laptop wiped by nwipe and validated, a drive shredded."""
    workshop = make_structure("workshop", name="Atelier Réemploi", address="3 allée Marie Curie", postcode="35200",
                              commune="Rennes", insee_code="35238",
                              siret="12345678900012", sanitization_needs_validation=True)
    technician = make_user(Role.TECHNICIAN, structure=workshop, name="Léa Technicienne")
    supervisor = make_user(Role.SUPERVISOR, structure=workshop, name="Claire Encadrante")
    donation = make_donation(make_donor(workshop, name="Armor Conseil"))
    laptop = make_device(donation, type="laptop", donor_tag="INV-0007")
    apply_hardware_report(laptop, fixture("hardware/lshw/laptop-dell-latitude-e5530.json"), by=technician)
    record_diagnosis(laptop, by=technician, grade="B", checks={"power_on": "ok"})
    wiped_in(laptop.drives[0])  # the real log is of a 64 MiB loop device: the drive has its model and size
    (wipe,) = import_erasure_log(laptop, nwipe_log_for("erased", "/dev/sda"), by=technician,
                                 confirm_anonymised=True).records
    validate_sanitization(wipe, by=supervisor)
    desktop = make_device(donation, type="desktop", serial="CZC1234XYZ", donor_tag=LONG_TAG,
                          drives=[{"serial": LONG_SERIAL, "model": "WDC WD5000AAKX-08U6AA0", "capacity_gb": "500",
                                   "interface": "ata_hdd"}])
    record_destruction(desktop.drives[0], by=supervisor, method="shred", on=date(2026, 12, 4), witness="Jean Témoin")
    db.session.commit()
    return {"workshop": workshop, "supervisor": supervisor, "technician": technician, "donation": donation,
            "laptop": laptop, "desktop": desktop, "wipe": wipe}


def test_the_certificate_states_every_nist_field_of_a_wiped_and_validated_drive(certified):
    document = issue_donor_report(certified["donation"], by=certified["supervisor"])
    text = pdf_text(document.pdf)
    drive = certified["laptop"].drives[0]
    for expected in ("Certificat d'effacement des données", "NIST SP 800-88", "IEEE 2883", "Atelier Réemploi",
                     "3 allée Marie Curie, 35200 Rennes (INSEE 35238)", "SIRET 12345678900012", drive.serial,
                     drive.model, certified["laptop"].tag,
                     "INV-0007", "Effacement (Clear)", "Réécriture", "nwipe 0.33", "Fill With Zeros",
                     "Dernière passe", "Réussi", "données effacées de façon prouvée", "Début", "Fin",
                     "Léa Technicienne, Technicien d'atelier", "Claire Encadrante, Responsable d'atelier",
                     "en cours à l'atelier", "J'atteste", "signature", certified["wipe"].log.sha256):
        assert expected in text, expected
    assert document.number in text and document.fingerprint in text
    started = certified["wipe"].started_at
    assert f"{started.astimezone(__import__('zoneinfo').ZoneInfo('Europe/Paris')):%H:%M}" in text


def test_a_destroyed_drive_states_its_method_witness_and_date_and_a_long_serial_stays_whole(certified):
    text = pdf_text(issue_donor_report(certified["donation"], by=certified["supervisor"]).pdf)
    for expected in ("Western Digital", "WDC WD5000AAKX-08U6AA0", "Disque dur (ATA/SATA) · 500 Go", "Destruction",
                     "Broyé", "Jean Témoin", "4 déc. 2026", "détruit", certified["desktop"].tag):
        assert expected in text, expected
    lines = text.splitlines()
    assert any(LONG_SERIAL in line for line in lines) and any(LONG_TAG in line for line in lines)


def test_identifiers_shrink_to_fit_their_cell_and_never_split():
    from reportlab.lib.units import mm

    from reco.core.pdf import register_fonts

    register_fonts()
    cell = identifier(LONG_SERIAL, 40 * mm)
    assert cell.style.fontSize < 8.5 and cell.style.splitLongWords == 0
    assert identifier("DEM-000123", 40 * mm).style.fontSize == 8.5


@pytest.mark.parametrize("model,maker", [("ST500DM002-1BD142", "Seagate"), ("Samsung SSD 970 EVO 500GB", "Samsung"),
                                         ("KINGSTON SA400S37240G", "Kingston"), ("HDT722520DLAT80", "Hitachi"),
                                         ("WDC WD5000AAKX", "Western Digital"), ("Disque X", None), ("", None)])
def test_the_maker_of_a_drive_is_read_from_its_model(model, maker):
    assert manufacturer_of(model) == maker


def test_the_handover_receipt_writes_numbers_the_french_way(ctx):
    from reco.prescriptions.pdf import _specs

    device = make_device(make_donation(), type="laptop", serial="5CG1")
    device.ram_bytes, device.screen_inches = 8 * 1024 ** 3, 15.6
    specs = _specs(device)
    assert "8 Go de mémoire" in specs and "écran de 15,6 pouces" in specs


def test_the_annual_report_is_numbered_fingerprinted_paged_and_kept(client, certified):
    login_as(client, certified["supervisor"])
    response = client.get(f"/reports/annual.pdf?year={local_today().year}")
    assert response.status_code == 200
    document = db.session.scalars(select(Document).where(Document.kind == "annual_report")).one()
    text = pdf_text(response.data)
    assert document.number in text and document.fingerprint in text and "Page 1" in text
    assert document.number.startswith(f"{certified['workshop'].tag_prefix}-RA-")
    assert client.get(f"/verify/{document.fingerprint}").status_code == 200
    again = client.get(f"/reports/annual.pdf?year={local_today().year}")
    assert again.data == response.data  # the same figures: the same kept document, no new number
    assert db.session.scalar(select(db.func.count(Document.id)).where(Document.kind == "annual_report")) == 1


def test_a_chart_with_no_data_says_so_instead_of_drawing_an_empty_axis(client, ctx):
    assert "Aucune donnée" in families_chart([]).text
    assert "Aucune donnée" in families_chart([["2026-01", None, 0]]).text
    login_as(client, make_user(Role.VIEWER))
    text = pdf_text(client.get("/reports/annual.pdf?year=2001").data)
    assert "Aucune donnée" in text


def _bearer(user):
    return {"Authorization": f"Bearer {make_token(user)}"}


def test_the_api_gives_the_donor_report_and_kept_documents_to_their_workshop_only(client, certified):
    donation, supervisor = certified["donation"], certified["supervisor"]
    response = client.get(f"/api/v1/donations/{donation.id}/report.pdf", headers=_bearer(supervisor))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    number = response.headers["X-Document-Number"]
    assert number in pdf_text(response.data)
    again = client.get(f"/api/v1/donations/{donation.id}/report.pdf", headers=_bearer(supervisor))
    assert again.headers["X-Document-Number"] == number  # nothing changed: the same kept document
    kept = client.get(f"/api/v1/documents/{number}.pdf", headers=_bearer(certified["technician"]))
    assert kept.status_code == 200 and kept.data == response.data
    other = make_user(Role.SUPERVISOR, structure=make_structure("workshop"))
    assert client.get(f"/api/v1/donations/{donation.id}/report.pdf", headers=_bearer(other)).status_code == 404
    assert client.get(f"/api/v1/documents/{number}.pdf", headers=_bearer(other)).status_code == 404
    assert client.get(f"/api/v1/documents/{number}.pdf", headers=_bearer(make_user(Role.VIEWER))).status_code == 404
    assert client.get("/api/v1/documents/NOPE-RD-2026-00001.pdf", headers=_bearer(supervisor)).status_code == 404
    refused = client.get(f"/api/v1/donations/{donation.id}/report.pdf", headers=_bearer(certified["technician"]))
    assert refused.status_code == 403
    assert client.get(f"/api/v1/donations/{donation.id}/report.pdf").status_code == 401
    assert client.get(f"/api/v1/documents/{number}.pdf").status_code == 401


def test_the_api_gives_an_annual_report_to_the_structure_it_was_made_for(client, ctx):
    viewer = make_user(Role.VIEWER)
    login_as(client, viewer)
    client.get(f"/reports/annual.pdf?year={local_today().year}")
    number = db.session.scalars(select(Document.number).where(Document.kind == "annual_report")).one()
    assert client.get(f"/api/v1/documents/{number}.pdf", headers=_bearer(viewer)).status_code == 200
    colleague = make_user(Role.VIEWER, structure=viewer.structure)
    assert client.get(f"/api/v1/documents/{number}.pdf", headers=_bearer(colleague)).status_code == 200
    assert client.get(f"/api/v1/documents/{number}.pdf", headers=_bearer(make_user(Role.VIEWER))).status_code == 404
