"""A social worker prescribes, the workshop accepts, reserves the best-fitting device and prints the receipt."""
import re

import pypdfium2
import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_prescription_acceptance_reservation_and_receipt(live_server, demo, page):
    log_in(page, live_server, "prescriber@demo.reco")
    page.locator("nav.main-nav").get_by_role("link", name="Prescriptions", exact=True).click()
    page.get_by_role("link", name="Nouvelle prescription").click()
    assert page.get_by_label("Atelier qui fournit l'appareil").input_value() != ""
    page.get_by_label("Personne à contacter").fill("Mme Lina Haddad")
    page.get_by_label("Téléphone").fill("06 01 02 03 04")
    page.get_by_label("Adresse", exact=True).fill("12 rue de Vern, apt 5")
    page.get_by_label("Code postal").fill("35130")  # several communes: Reco asks which one
    page.get_by_label("Enfants à l'école élémentaire").fill("2")
    page.get_by_label("Suivi scolaire").check()
    page.get_by_label("Peut apprendre avec un peu de formation").check()
    page.get_by_label("Ordinateur portable").check()
    page.locator("input[name=internet][value=no]").check()
    page.locator("input[name=urgency][value=urgent]").check()
    page.get_by_label("Pourquoi est-ce urgent").fill("Devoirs en ligne au collège dès lundi")
    page.get_by_role("button", name="Envoyer à l'atelier").click()
    assert page.locator(".field .error").count() >= 1  # consent not ticked: explained, nothing saved
    page.get_by_label(re.compile("Le foyer a accepté")).check()
    page.get_by_role("button", name="Envoyer à l'atelier").click()
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})  # the communes to choose from fit a small phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(size)
    choice = page.locator("fieldset", has=page.locator("legend", has_text="Quelle commune"))
    choice.get_by_label(re.compile(r"^Moutiers \(35200\)")).check()
    assert page.locator("#error-summary").is_visible()
    page.get_by_role("button", name="Envoyer à l'atelier").click()
    page.wait_for_url(re.compile(r".*/prescriptions/\d+$"))
    assert "Moutiers (35200)" in page.locator("main").inner_text()
    code = re.search(r"FOY-[A-Z0-9]{6}", page.locator("h1").inner_text()).group(0)
    prescription_url = page.url
    assert "envoyée" in page.locator(".status").inner_text()
    _log_out(page)

    log_in(page, live_server, "supervisor@demo.reco")
    page.locator("nav.main-nav").get_by_role("link", name="Prescriptions reçues").click()
    rows = page.locator("tbody tr").all_inner_texts()
    position = next(n for n, row in enumerate(rows) if code in row)
    assert all("Urgente" in row for row in rows[:position + 1])  # the urgent ones first
    page.get_by_role("link", name=code).click()
    assert "Lina Haddad" not in page.content()  # an installer will go: no contact details for the workshop
    page.get_by_role("button", name=re.compile("Accepter")).click()
    page.wait_for_url(prescription_url)
    fitting = page.locator("table.fitting tbody tr")
    assert fitting.count() >= 1
    best = fitting.first.locator("td").first.inner_text()
    fitting.first.get_by_role("button", name="Réserver").click()
    page.wait_for_url(prescription_url)
    assert best in page.locator(".flashes").inner_text()
    assert "appareil réservé" in page.locator(".status").inner_text()
    form = page.eval_on_selector("form[action$='/handover-receipt']", "f => Object.fromEntries(new FormData(f))")
    receipt = page.request.post(prescription_url + "/handover-receipt", form=form)
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(receipt.body())
    text = "\n".join(p.get_textpage().get_text_range() for p in pdf)
    pdf.close()
    assert best in text and code in text and "Attestation de remise" in text
    _log_out(page)

    log_in(page, live_server, "prescriber@demo.reco")
    assert int(page.locator(".notices-link .badge").inner_text()) >= 2
    page.get_by_role("link", name=re.compile("Notifications")).click()
    about = page.locator("ul.notices li", has_text=code).all_inner_texts()
    assert len(about) == 2 and "appareil réservé" in about[0] and "acceptée" in about[1]
    page.get_by_role("link", name=code).first.click()
    assert "appareil réservé" in page.locator(".status").inner_text()
    assert best in page.locator("main").inner_text()
