"""A supervisor plans a collection, imports the donor's list, receives by scanning, issues and verifies documents."""
import re

import pypdfium2
import pytest

from reco.demo import DEMO_PASSWORD, load_demo
from reco.extensions import db
from tests.browser.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.committed]

CSV = ("N° de série;Marque;Modèle;Genre;N° d'inventaire\n"
       "PF1ABC;Lenovo;ThinkPad T470;portable;GIFT-001\n"
       "PF1ABD;Lenovo;ThinkPad T470;portable;GIFT-002\n"
       "MXL9;HP;EliteDesk 800;fixe;GIFT-003\n")


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()
        db.session.commit()


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_collection_import_intake_documents_and_verification(live_server, demo, page, tmp_path):
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("supervisor@demo.reco")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")

    # Plan a collection from a donor.
    page.locator("nav.main-nav").get_by_role("link", name="Donateurs", exact=True).click()
    page.get_by_role("link", name="Armor Conseil SAS").click()
    page.get_by_role("link", name="Planifier une collecte").click()
    page.get_by_label("Date d'enlèvement prévue").fill("2026-12-15")
    page.get_by_label("Ordinateur portable").fill("2")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r".*/donations/\d+$"))
    donation_url = page.url

    # Import the donor's list; one column is not recognised and is mapped by hand.
    page.get_by_role("link", name="Importer la liste du donateur").click()
    csv_file = tmp_path / "liste-armor.csv"
    csv_file.write_bytes(CSV.encode("cp1252"))
    page.get_by_label("Liste du donateur").set_input_files(str(csv_file))
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.wait_for_url(re.compile(r".*/import/\d+$"))
    assert "PF1ABC" in page.locator("table.preview").inner_text()
    page.locator("#column-3").select_option("device_type")
    page.get_by_role("button", name="Vérifier à nouveau avec ces colonnes").click()
    assert "3 lignes d'appareils prêtes" in page.get_by_role("status").first.inner_text()
    page.get_by_role("button", name="Importer ces lignes").click()
    page.wait_for_url(donation_url)
    assert "3 lignes importées" in page.locator(".flashes").inner_text()

    # Receive two machines by scanning their donor tags: Enter looks each up, Ctrl+Enter receives it.
    page.get_by_role("link", name="Réceptionner des appareils").first.click()
    wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code'")
    page.keyboard.type("MISSCAN-42")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*code=MISSCAN-42"))
    assert "MISSCAN-42" in page.get_by_role("status").first.inner_text()
    wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code' && "
               "document.activeElement.selectionEnd - document.activeElement.selectionStart === 10")
    tags = []
    for code in ("GIFT-001", "gift-003"):
        wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code'")
        page.keyboard.type(code)  # replaces the selected text, as a scanner does
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*code={re.escape(code)}$"))
        assert "ligne" in page.get_by_role("status").first.inner_text()
        wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code'")
        page.keyboard.press("Control+Enter")
        page.wait_for_url(re.compile(r".*/intake\?last=.*"))
        message = page.locator(".flash-success").first.inner_text()
        tags.append(re.search(r"DEM-\d{6}", message).group(0))
    assert tags[0] != tags[1]
    assert tags[1] in page.locator("tr.highlight").inner_text()

    # Issue both documents and check that the PDF carries its fingerprint.
    page.goto(donation_url)
    page.get_by_role("button", name="Émettre le bordereau de collecte").click()
    page.wait_for_url(re.compile(r".*issued=\d+"))
    page.get_by_role("button", name="Émettre l'attestation de don").click()
    page.wait_for_url(re.compile(r".*issued=\d+"))
    row = page.locator("tr.highlight")
    pdf_href = row.get_by_role("link").first.get_attribute("href")
    pdf = page.request.get(live_server + pdf_href)
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    text = _pdf_text(pdf.body())
    assert all(tag in text for tag in tags)
    fingerprint = re.search(r"[0-9a-f]{64}", text).group(0)

    # Anyone can verify the document, without logging in.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(f"{live_server}/verify")
    page.get_by_label("Empreinte SHA-256").fill(fingerprint)
    page.get_by_role("button", name="Vérifier", exact=True).click()
    assert "Authentique" in page.get_by_role("status").first.inner_text()
    assert "Atelier Démo" in page.locator("dl.facts").inner_text()
