"""A keyboard-wedge scanner at the intake: scanner-speed typing, a CR+LF suffix, repeated scans, double Enters."""
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from reco.donations.inventory_import import parse_inventory
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.models import Device
from tests.factories import PASSWORD, make_donation, make_donor, make_structure, make_user
from tests.browser.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.committed]

#: Twenty machines declared by the donor; lines 7 and 8 share a donor's tag, only their serials differ.
LINES = [(f"SN-{n:03d}", "INV-DUP" if n in (7, 8) else f"INV-{n:03d}") for n in range(1, 21)]


@pytest.fixture
def collection(app):
    """A workshop's technician and a collection whose donor declared ``LINES``."""
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="SCN")
        technician = make_user("technician", structure=workshop)
        donation = make_donation(make_donor(workshop))
        csv = "Serial;Type;Brand;Model;Asset tag\n" + "".join(
            f"{serial};laptop;Dell;E5530;{tag}\n" for serial, tag in LINES)
        import_declared_items(donation, parse_inventory(csv.encode()), by=None)
        db.session.commit()
        return technician.email, donation.id


def _scan(page, code: str) -> None:
    """Type a code as a scanner does (a few ms a character), then its CR+LF suffix: two Enters at once."""
    wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code' && "
               "document.readyState === 'complete'")
    with page.expect_navigation():
        page.keyboard.type(code, delay=4)
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")


def _said(page) -> str:
    """Wait for the page that answers a scan and return what its messages say."""
    page.wait_for_load_state("load")
    wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code'")
    return " | ".join(page.locator(".flashes, .already-received, [role=status]").all_inner_texts())


def _count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Device.id)).all())


def test_twenty_intakes_with_a_scanner_make_twenty_devices_on_their_own_lines(app, live_server, page,
                                                                             collection):
    email, donation_id = collection
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/donations/{donation_id}/intake")

    # Scan to receive: each scan receives its machine; the second Enter of CR+LF never makes a second one.
    page.get_by_role("link", name="Passer en mode « scanner pour recevoir »").click()
    page.wait_for_url(re.compile(r".*auto=1$"))
    for n, (serial, tag) in enumerate(LINES[:16], start=1):
        if n == 7:  # two lines share this tag: it cannot say which machine this is
            _scan(page, tag)
            page.wait_for_url(re.compile(r".*auto=1$"))
            assert "scannez plutôt le numéro de série" in _said(page) and _count(app) == 6
        _scan(page, serial if tag == "INV-DUP" else tag.lower())
        page.wait_for_url(re.compile(r".*auto=1&last=SCN-\d{6}$"))
        said = _said(page)
        assert re.search(r"Réceptionné\u00a0: SCN-\d{6}, ligne|Déjà reçu\u00a0: SCN-\d{6}", said), said
        assert _count(app) == n
        if n in (3, 9, 12):  # the same machine scanned again a moment later
            _scan(page, LINES[n - 2][0])
            page.wait_for_url(re.compile(r".*last=SCN-\d{6}$"))
            assert "Déjà reçu" in _said(page) and _count(app) == n

    # Check, then receive: Enter only looks up, even twice; Ctrl+Enter (or the button) receives.
    page.get_by_role("link", name="Vérifier chaque machine avant de la recevoir").click()
    for n, (serial, tag) in enumerate(LINES[16:], start=17):
        _scan(page, tag)
        page.wait_for_url(re.compile(rf".*code={tag}$"))
        said = _said(page)
        assert f"ligne {n}" in said and _count(app) == n - 1
        if n == 18:  # the next machine is scanned before this one is received: only a lookup
            _scan(page, LINES[n][1])
            page.wait_for_url(re.compile(rf".*code={LINES[n][1]}$"))
            assert f"ligne {n + 1}" in _said(page) and _count(app) == n - 1
            _scan(page, tag)
            page.wait_for_url(re.compile(rf".*code={tag}$"))
            _said(page)
        with page.expect_navigation():
            if n == 20:
                page.get_by_role("button", name="3. Réceptionnez cet appareil").dblclick()
            else:
                page.keyboard.press("Control+Enter")
        page.wait_for_url(re.compile(r".*/intake\?last=SCN-\d{6}$"))
        assert re.search(rf"Réceptionné\u00a0: SCN-\d{{6}}, ligne {n} |Déjà reçu\u00a0: SCN-\d{{6}}", _said(page))
        assert _count(app) == n
    _scan(page, "SN-020")  # a machine already received is opened, not received again
    page.wait_for_url(re.compile(r".*code=SN-020$"))
    assert "Déjà reçu dans cette collecte" in _said(page)

    with app.app_context():
        devices = db.session.scalars(select(Device).options(joinedload(Device.declared_item))).unique().all()
        assert len(devices) == 20
        assert sorted(d.declared_item.line_number for d in devices) == list(range(1, 21))
        assert all(d.serial == d.declared_item.serial for d in devices)
