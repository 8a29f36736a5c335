"""Scan, receive, label comes out: intake with the workshop's Brother QL printing each label, then the printer off."""
import re

import pytest

from reco.donations.inventory_import import parse_inventory
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.labels.sending import set_label_printer
from tests.browser.conftest import log_in, wait_until
from tests.browser.test_responsive import check_width
from tests.factories import PASSWORD, make_donation, make_donor, make_structure, make_user
from tests.labels.printer_helpers import FakeBrother, barcodes, closed_port, raster_pages

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def printer():
    brother = FakeBrother()
    yield brother
    brother.close()


def _printer_port(app, workshop_id: int, port: int) -> None:
    from reco.accounts.models import Structure

    with app.app_context():
        set_label_printer(db.session.get(Structure, workshop_id), by=None, kind="brother_ql", host="127.0.0.1",
                          port=port, model="QL-810W", format_key="brother-ql-62x29", auto_print=True)
        db.session.commit()


def _scan(page, code: str) -> None:
    """Type a code as a scanner does, with its Enter, in the focused scan field."""
    wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code' && "
               "document.readyState === 'complete'")
    with page.expect_navigation():
        page.keyboard.type(code, delay=4)
        page.keyboard.press("Enter")


def _said(page) -> str:
    page.wait_for_load_state("load")
    wait_until(page, "document.activeElement && document.activeElement.id === 'intake-code'")
    return " | ".join(page.locator(".flashes").all_inner_texts())


def test_each_scan_receives_and_prints_and_a_printer_off_never_stops_the_intake(app, live_server, page, printer):
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="PRT")
        technician = make_user("technician", structure=workshop)
        donation = make_donation(make_donor(workshop))
        csv = "Serial;Type;Brand;Model\n" + "".join(f"SN-{n};laptop;Lenovo;T480\n" for n in range(1, 4))
        import_declared_items(donation, parse_inventory(csv.encode()), by=None)
        db.session.commit()
        email, donation_id, workshop_id = technician.email, donation.id, workshop.id
    _printer_port(app, workshop_id, printer.port)
    log_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server}/donations/{donation_id}/intake?auto=1")

    tags = []
    for serial in ("SN-1", "SN-2"):
        _scan(page, serial)
        page.wait_for_url(re.compile(r".*auto=1&last=PRT-\d{6}$"))
        said = _said(page)  # the scan field has the focus again, ready for the next machine
        assert "Étiquette envoyée à l'imprimante Brother QL-810W" in said, said
        tags.append(re.search(r"PRT-\d{6}", said).group(0))
    assert [code for job in printer.wait(2) for label in raster_pages(job) for code in barcodes(label)] == tags

    _printer_port(app, workshop_id, closed_port())  # the printer is switched off
    _scan(page, "SN-3")
    page.wait_for_url(re.compile(r".*auto=1&last=PRT-\d{6}$"))
    said = _said(page)
    third = re.search(r"PRT-\d{6}", said).group(0)
    assert f"{third} est bien reçu. Imprimante" in said and "injoignable" in said
    link = page.get_by_role("link", name="Télécharger le PDF à la place")
    assert link.get_attribute("href") == f"/labels/devices.pdf?tag={third}"

    with page.expect_navigation():  # printing it again by hand, once the printer is back
        _printer_port(app, workshop_id, printer.port)
        page.get_by_role("button", name=f"Imprimer l'étiquette de {third}").click()
    assert "Étiquette envoyée" in _said(page)
    assert [code for label in raster_pages(printer.wait(3)[2]) for code in barcodes(label)] == [third]

    problems = []  # with a printer, the intake and device pages carry a print form: still usable on a phone
    for path in (f"/donations/{donation_id}/intake?last={third}", f"/devices/{third}"):
        page.goto(f"{live_server}{path}")
        problems += [p for width in (320, 390) for p in check_width(page, "technician", path, width)]
    assert problems == []
