"""Two demo workshops exchange a part: a harvested laptop's RAM ends up in the other workshop's repair."""
import re

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _log_out(page):
    page.locator("form[action='/logout'] button").click()


def test_harvest_exchange_and_repair_with_the_trail(live_server, demo, page):
    # At Atelier Démo, a technician dismantles a received laptop: its RAM goes into the stock.
    log_in(page, live_server, "technician@demo.reco")
    page.goto(f"{live_server}/devices?state=received&type=laptop")
    tag = page.locator("tbody tr td a").first.inner_text()
    page.goto(f"{live_server}/devices/{tag}/harvest")
    page.locator("#lines-0-part_type_id").select_option(label="RAM DDR3L SO-DIMM 4 Go")
    page.locator("#lines-0-quantity").fill("2")
    page.locator("#lines-0-condition").select_option("tested_ok")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/devices/{tag}")
    _log_out(page)

    # At Atelier Voisin, the supervisor finds it in the bank and asks for one.
    log_in(page, live_server, "supervisor2@demo.reco")
    page.goto(f"{live_server}/parts/bank?attribute=generation=ddr3l")
    row = page.locator("tbody tr", has_text="Atelier Démo").filter(has_text="testée").first
    row.locator("input[name=quantity]").fill("1")
    row.get_by_role("button").click()
    page.wait_for_url(re.compile(r".*/parts/requests/\d+$"))
    request_url = page.url
    _log_out(page)

    # Atelier Démo sets it aside and ships it.
    log_in(page, live_server, "supervisor@demo.reco")
    page.goto(request_url)
    assert tag in page.locator("main").inner_text()  # where the part comes from
    page.locator("form[action$='/accept'] button").click()
    page.locator("form[action$='/ship'] button").click()
    page.wait_for_url(request_url)
    _log_out(page)

    # Atelier Voisin receives it and uses it in a repair.
    log_in(page, live_server, "technician2@demo.reco")
    page.goto(request_url)
    assert page.locator("form[action$='/receive']").count() == 0  # receiving is the supervisor's
    _log_out(page)
    log_in(page, live_server, "supervisor2@demo.reco")
    page.goto(request_url)
    page.locator("form[action$='/receive'] button").click()
    page.wait_for_url(request_url)
    page.goto(f"{live_server}/devices?state=diagnosed")
    voisin_tag = page.locator("tbody tr td a").first.inner_text()
    page.goto(f"{live_server}/devices/{voisin_tag}/repairs")
    page.locator("#problem").fill("Mémoire défectueuse")
    page.locator("#fault_type").select_option("system_board")
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server}/devices/{voisin_tag}")
    page.locator("#repairs a[href*='/repairs/'][href$='/parts']").first.click()
    ram = page.locator("#level_id option", has_text="RAM DDR3L").get_attribute("value")
    page.locator("#level_id").select_option(ram)
    page.locator("form:has(#level_id) button[type=submit]").click()
    assert "RAM DDR3L SO-DIMM 4 Go" in page.locator("main").inner_text()
    page.goto(f"{live_server}/devices/{voisin_tag}")
    assert "RAM DDR3L SO-DIMM 4 Go" in page.locator(".history").inner_text()
