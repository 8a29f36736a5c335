"""« Tout fonctionne » on the diagnosis page: one click sets the checklist to OK in the page, the technician changes
the exception and saves; without JavaScript the same button brings the page back set."""
import pytest

from reco.demo import load_demo
from reco.donations.models import Donation
from reco.extensions import db
from reco.inventory.intake import receive_device
from reco.inventory.models import Device
from tests.browser.conftest import log_in, wait_until
from tests.inventory.workbench_helpers import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.committed]

CHECKS = ("power_on", "screen", "keyboard", "pointing_device", "ports", "wifi", "webcam", "audio", "battery",
          "charger")


@pytest.fixture
def laptops(app):
    """Two laptops just received at the demo workshop."""
    with app.app_context():
        load_demo()
        donation = db.session.scalar(db.select(Donation).order_by(Donation.id))
        tags = [receive_device(donation, by=None, type="laptop", brand="Dell").device.tag for _ in range(2)]
        db.session.commit()
    return tags


def _ticked(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('tr[data-check]')).map(
        row => [row.dataset.check, (row.querySelector('input:checked') || {}).value || null]))""")


def _checks(app, tag) -> dict:
    with app.app_context():
        return db.session.scalar(db.select(Device).where(Device.tag == tag)).diagnosis.checks


def test_everything_works_in_one_click_then_the_exception(app, live_server, laptops, page):
    tag = laptops[0]
    log_in(page, live_server, "technician@demo.reco")
    page.goto(f"{live_server}/devices/{tag}")
    page.get_by_label("Rapport matériel (lshw -json ou smartctl --json)").set_input_files(
        str(FIXTURES / "hardware/lshw/laptop-dell-latitude-e5530.json"))
    page.get_by_role("button", name="Importer le rapport").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Diagnostiquer").click()
    page.wait_for_url(f"{live_server}/devices/{tag}/diagnosis")
    assert _ticked(page) == dict.fromkeys(CHECKS) | {"webcam": "ok"}
    assert "D'après le rapport matériel" in page.locator("tr[data-check=webcam]").inner_text()
    page.evaluate("() => { window.notReloaded = true; }")

    page.get_by_role("button", name="Tout fonctionne").click()
    wait_until(page, "document.querySelectorAll('tr[data-check] input[value=ok]:checked').length === 10")
    assert page.evaluate("() => window.notReloaded === true")  # done in the page, nothing sent
    assert "Tous les points sont à « OK »" in page.get_by_role("status").inner_text().replace("\xa0", " ")

    page.get_by_label("Clavier: Défaillant").check()
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    page.wait_for_url(f"{live_server}/devices/{tag}")
    assert _checks(app, tag) == dict.fromkeys(CHECKS, "ok") | {"keyboard": "faulty"}


def test_everything_works_without_javascript(app, live_server, laptops, chromium):
    tag = laptops[1]
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "technician@demo.reco")
        page.goto(f"{live_server}/devices/{tag}/diagnosis")
        assert page.locator("tr[data-check] input:checked").count() == 0
        page.get_by_label("Grade esthétique").select_option("A")
        page.get_by_role("button", name="Tout fonctionne").click()
        page.wait_for_load_state()
        assert page.locator("tr[data-check] input[value=ok]:checked").count() == 10
        assert page.get_by_label("Grade esthétique").input_value() == "A"
        page.get_by_label("Son: Sans objet").check()
        page.get_by_label("Processeur").fill("i5-3340M")
        page.get_by_label("Processeur").press("Enter")  # Enter in a field saves: it never sets the checklist
        page.wait_for_url(f"{live_server}/devices/{tag}")
        assert _checks(app, tag) == dict.fromkeys(CHECKS, "ok") | {"audio": "na"}
    finally:
        context.close()
