"""A technician takes a received laptop to ready by scanning and importing real reports; a bad wipe stops it."""
import re

import pytest

from reco.demo import DEMO_PASSWORD, load_demo
from reco.donations.models import Donation
from reco.extensions import db
from reco.inventory.intake import receive_device
from reco.inventory.models import Device
from tests.inventory.workbench_helpers import FIXTURES, nwipe_log_for, unverified, wiped_in
from tests.browser.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def laptop(app):
    """A laptop just received at the demo workshop, not yet looked at."""
    with app.app_context():
        load_demo()
        donation = db.session.scalar(db.select(Donation).order_by(Donation.id))
        tag = receive_device(donation, by=None, type="laptop", brand="Dell", notes="Dell from the lot").device.tag
        db.session.commit()
    return tag


def _as_wiped_in(app, tag: str, name: str) -> None:
    """Give the laptop's drive the model and size of the loop device the real log ``name`` wiped."""
    with app.app_context():
        wiped_in(db.session.scalar(db.select(Device).where(Device.tag == tag)).drives[0], name)
        db.session.commit()


def _move(page, state_label):
    page.get_by_role("button", name=f"Passer à « {state_label} »").click()
    page.wait_for_load_state()


def test_from_received_to_ready(app, live_server, laptop, page, tmp_path):
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("technician@demo.reco")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")

    # The scan field has the focus: scan the tag, Enter.
    wait_until(page, "document.activeElement && document.activeElement.id === 'scan-code'")
    page.keyboard.type(laptop)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/devices/{laptop}")

    # Import the lshw report of the machine: specs and drive appear.
    page.get_by_label("Rapport matériel (lshw -json ou smartctl --json)").set_input_files(
        str(FIXTURES / "hardware/lshw/laptop-dell-latitude-e5530.json"))
    page.get_by_role("button", name="Importer le rapport").click()
    page.wait_for_load_state()
    assert "TF755AWHKL0LHM" in page.locator("#drives").inner_text()
    assert "i5-3340M" in page.locator("dl.facts").first.inner_text()

    # Diagnose and grade it.
    page.get_by_role("link", name="Diagnostiquer").click()
    page.get_by_label("Grade esthétique").select_option("B")
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    page.wait_for_url(f"{live_server}/devices/{laptop}")
    assert "Diagnostiqué" in page.locator(".lead").inner_text()

    # A failed wipe, then an unverified one: recorded, but the device cannot be wiped nor ready. The logs are real
    # ones of loop devices without serial: the drive gets their model and size, and each match is confirmed.
    for name, log in (("failed.log", nwipe_log_for("failed", "/dev/sda")),
                      ("unverified.log", unverified(nwipe_log_for("erased", "/dev/sda")))):
        _as_wiped_in(app, laptop, "failed" if name == "failed.log" else "erased")
        path = tmp_path / name
        path.write_bytes(log)
        page.get_by_label("Journal d'effacement nwipe (nwipe -l FILE)").set_input_files(str(path))
        page.get_by_role("button", name="Importer le journal d'effacement").click()
        page.get_by_role("button", name="Oui, enregistrer cet effacement pour ce disque").click()
        page.wait_for_load_state()
        assert page.locator("#why-wiped").count() == 1
        _move(page, "Effacé")
        assert "TF755AWHKL0LHM" in page.locator(".flash-error").inner_text()
        assert "Diagnostiqué" in page.locator(".lead").inner_text()

    # The verified wipe: now it can go to wiped, then ready.
    path = tmp_path / "erased.log"
    path.write_bytes(nwipe_log_for("noblank", "/dev/sda"))
    page.get_by_label("Journal d'effacement nwipe (nwipe -l FILE)").set_input_files(str(path))
    page.get_by_role("button", name="Importer le journal d'effacement").click()
    page.get_by_role("button", name="Oui, enregistrer cet effacement pour ce disque").click()
    page.wait_for_load_state()
    assert "Fill With Zeros" in page.locator("#drives").inner_text()
    _move(page, "Effacé")
    assert "Effacé" in page.locator(".lead").inner_text()
    _move(page, "Prêt")
    assert re.search(r"Prêt", page.locator(".lead").inner_text())
    timeline = page.locator(".timeline").inner_text()
    assert "Diagnostiqué → Effacé" in timeline and "Effacé → Prêt" in timeline
    assert "Effacement enregistré" in timeline
