"""The batch page at the workbench: a scanned location is where the list goes, its field a few Tabs from the scan
field; the list leaves as recycled (one weight, one slip) or dismantled one device after the other. And the parts:
a technician asks another workshop, a harvest line without units is refused, parts move from bin to bin."""
import re

import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.extensions import db
from reco.inventory.locations import create_location
from reco.inventory.models import Device, DeviceState, Location
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind, PartRequest, StockLevel
from reco.parts.stock import add_stock
from tests.browser.conftest import log_in, wait_until
from tests.factories import PASSWORD, make_device, make_donation, make_donor, make_structure, make_user

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def bench(app):
    """A technician, four devices received and a shelf of the workshop."""
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="LOT")
        technician = make_user("technician", structure=workshop)
        donation = make_donation(make_donor(workshop))
        tags = [make_device(donation, weight_kg="2").tag for _ in range(4)]
        shelf = create_location(workshop, by=technician, name="Étagère DEEE", kind="shelf")
        db.session.commit()
        return {"email": technician.email, "tags": tags, "shelf": shelf.code}


def _scan(page, code):
    wait_until(page, "document.activeElement && document.activeElement.id === 'batch-code' && "
                     "document.readyState === 'complete'")
    with page.expect_navigation():
        page.keyboard.type(code, delay=4)
        page.keyboard.press("Enter")


def _states(app, tags):
    with app.app_context():
        return [db.session.scalar(select(Device.state).where(Device.tag == tag)) for tag in tags]


def test_a_scanned_location_is_the_destination_a_few_tabs_away(app, live_server, bench, page):
    log_in(page, live_server, bench["email"], PASSWORD)
    page.goto(f"{live_server}/batch")
    for code in (*bench["tags"][:2], bench["shelf"].lower()):
        _scan(page, code)
    said = page.get_by_role("status").first.inner_text().replace("\xa0", " ")
    assert "Destination : Étagère DEEE" in said, said
    assert page.locator("#batch-count").inner_text() == "2 codes dans la liste"  # not « Code inconnu »
    assert page.locator("text=Code inconnu").count() == 0
    destination = page.get_by_label("Scannez un emplacement")
    assert destination.input_value() == bench["shelf"]
    presses = 0
    while page.evaluate("document.activeElement.id") != "batch-location":
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 3, page.evaluate("document.activeElement.outerHTML")
    page.get_by_role("button", name="Les déplacer à cet emplacement").click()
    page.wait_for_selector("text=Rien n'a encore été scanné.")
    assert "Appareils traités : 2 sur 2." in page.get_by_role("status").first.inner_text().replace("\xa0", " ")


def test_the_list_is_recycled_with_one_weight_and_one_slip(app, live_server, bench, page):
    log_in(page, live_server, bench["email"], PASSWORD)
    page.goto(f"{live_server}/batch")
    for tag in bench["tags"][:3]:
        _scan(page, tag)
    assert page.locator("#batch-state option", has_text="Recyclé").count() == 0
    page.get_by_role("button", name="Les recycler (filière DEEE)").click()
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    assert "Donnez le poids de toute la liste" in summary.inner_text().replace("\xa0", " ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert _states(app, bench["tags"][:3]) == [DeviceState.RECEIVED] * 3
    page.get_by_label("Poids de toute la liste remise (kg)").fill("7,5")
    page.get_by_label("Numéro de bordereau DEEE").fill("BSD-2026-7")
    page.get_by_role("button", name="Les recycler (filière DEEE)").click()
    page.wait_for_selector("text=Rien n'a encore été scanné.")
    assert "Appareils traités : 3 sur 3." in page.get_by_role("status").first.inner_text().replace("\xa0", " ")
    assert _states(app, bench["tags"][:3]) == [DeviceState.RECYCLED] * 3


def test_the_list_is_dismantled_one_device_after_the_other(app, live_server, bench, page):
    log_in(page, live_server, bench["email"], PASSWORD)
    page.goto(f"{live_server}/batch")
    for tag in bench["tags"][:2]:
        _scan(page, tag)
    page.get_by_role("button", name="Les démonter un par un").click()
    for n, tag in enumerate(bench["tags"][:2]):
        page.wait_for_url(f"{live_server}/devices/{tag}/harvest?batch=1")
        said = " | ".join(page.get_by_role("status").all_inner_texts()).replace("\xa0", " ")
        assert f"Liste scannée : {2 - n} appareil" in said, said
        page.locator("#parts").fill("Carte mère")
        page.get_by_role("button", name="Démonter", exact=True).click()
    page.wait_for_url(f"{live_server}/batch")
    assert page.locator("#batch-count").inner_text() == "0 code dans la liste"
    assert _states(app, bench["tags"][:2]) == [DeviceState.HARVESTED] * 2


@pytest.fixture
def parts(app):
    """Two workshops: ours with a technician, RAM in a bin and a second bin; theirs with RAM to give."""
    with app.app_context():
        here, there = make_structure("workshop", tag_prefix="ICI"), make_structure("workshop", tag_prefix="LAB")
        technician = make_user(Role.TECHNICIAN, structure=here)
        ram = create_part_type(by=technician, category="ram", name="RAM DDR4 SO-DIMM 8 Go")
        bins = [create_location(here, by=technician, name=name, kind="bin") for name in ("Bac A", "Bac B")]
        add_stock(here, ram, quantity=5, condition="tested_ok", kind=MoveKind.RECEIVED, by=technician,
                  location=bins[0])
        add_stock(there, ram, quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED, by=None)
        device = make_device(make_donation(make_donor(here)))
        db.session.commit()
        return {"email": technician.email, "ram": ram.id, "bins": [b.code for b in bins], "tag": device.tag}


def test_a_technician_asks_harvests_with_units_and_moves_parts_between_bins(app, live_server, parts, page):
    log_in(page, live_server, parts["email"], PASSWORD)
    # The bank tells them to ask, and lets them.
    page.goto(f"{live_server}/parts/bank")
    row = page.locator("tbody tr", has_text="RAM DDR4").first
    row.locator("input[name=quantity]").fill("2")
    row.get_by_role("button", name="Demander").click()
    page.wait_for_url(re.compile(r".*/parts/requests/\d+$"))
    with app.app_context():
        assert db.session.scalar(select(PartRequest.quantity)) == 2

    # A harvest line without its number of units is refused, with the reason beside it.
    page.goto(f"{live_server}/devices/{parts['tag']}/harvest")
    page.locator("#lines-0-part_type_id").select_option(label="RAM DDR4 SO-DIMM 8 Go")
    page.get_by_role("button", name="Démonter", exact=True).click()
    page.wait_for_load_state("load")
    assert "Indiquez le nombre d'unités retirées." in page.locator("main").inner_text()
    assert _states(app, [parts["tag"]]) == [DeviceState.RECEIVED]

    # Three units go from bin A to bin B.
    page.goto(f"{live_server}/parts/types/{parts['ram']}")
    row = page.locator("tbody tr", has_text=parts["bins"][0])
    row.get_by_label("Déplacer").fill("3")
    row.get_by_label("vers").select_option(label=f"{parts['bins'][1]} · Bac B")
    row.get_by_role("button", name="Les déplacer").click()
    page.wait_for_selector("text=Pièces déplacées.")
    with app.app_context():
        by_code = dict(db.session.execute(select(Location.code, StockLevel.quantity)
                                          .join(Location, Location.id == StockLevel.location_id)).all())
    assert by_code == {parts["bins"][0]: 2, parts["bins"][1]: 3}
