"""From a prescription to a family equipped: reservation, visit asked, the mediator's report on a phone."""
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from reco.core.time import local_today
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"width": 390, "height": 844}


def _submit(page, form_selector):
    page.locator(f"{form_selector} button[type=submit]").first.click()


def test_prescription_to_family_equipped_and_partner_totals(live_server, demo, chromium, page):
    # The social worker sends a prescription for a household that wants a visit at home.
    log_in(page, live_server, "prescriber@demo.reco")
    page.goto(f"{live_server}/prescriptions/new")
    page.locator("#consent").check()
    for name, value in (("contact_name", "M. Yann Le Goff"), ("contact_phone", "0622334455"),
                        ("address", "5 rue d'Antrain"), ("postcode", "35700"), ("commune", "Rennes")):
        page.locator(f"#{name}").fill(value)
    for selector in ("input[name=needs][value=job_search]", "input[name=digital_level][value=assistance]",
                     "input[name=equipment][value=laptop]", "input[name=internet][value=yes]"):
        page.locator(selector).check()
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(re.compile(r".*/prescriptions/\d+$"))
    prescription_url = page.url
    code = re.search(r"FOY-[A-Z0-9]{6}", page.locator("h1").inner_text()).group(0)
    page.locator("form[action='/logout'] button").click()

    # The supervisor accepts, reserves the best fit and asks the usual installer for a visit.
    log_in(page, live_server, "supervisor@demo.reco")
    page.goto(prescription_url)
    page.locator("button[name=accept][value='1']").click()
    page.wait_for_url(prescription_url)
    page.locator("table.fitting tbody tr").first.locator("button").click()
    page.wait_for_url(prescription_url)
    assert page.locator("#installer_id option:checked").inner_text() == "Médiation Numérique 35"
    page.locator("#note").fill("Code porte 1234B")
    _submit(page, "form[action$='/visits']")
    page.wait_for_url(prescription_url)
    assert "Médiation Numérique 35" in page.locator("ul.visits").inner_text()
    page.locator("form[action='/logout'] button").click()

    # The mediator, on a phone, plans the visit and reports it at the family's door.
    phone = chromium.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    log_in(mobile, live_server, "installer@demo.reco")
    mobile.goto(f"{live_server}/visits")
    mobile.locator("ul.visit-cards a", has_text=code).click()
    assert "M. Yann Le Goff" in mobile.content() and "Code porte 1234B" in mobile.content()
    tomorrow = local_today() + timedelta(days=1)
    mobile.locator("#scheduled_on").fill(tomorrow.isoformat())
    mobile.locator("input[name=slot][value=afternoon]").check()
    _submit(mobile, "form[action$='/schedule']")
    mobile.wait_for_url(re.compile(r".*/visits/\d+$"))
    visit_url = mobile.url
    mobile.goto(f"{live_server}/visits/week?start={tomorrow.isoformat()}")
    assert code in mobile.locator(".week").inner_text()
    mobile.goto(visit_url)
    mobile.locator("a.big[href$='/report']").click()
    report_button = mobile.locator("form.report-form button[type=submit]")
    box = report_button.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] >= 44  # a big target that fits the screen
    for selector in ("#installed_working", "#internet_connected", "input[name=accounts][value=email]",
                     "input[name=first_steps][value=turn_on]", "input[name=digital_level][value=training]"):
        mobile.locator(selector).check()
    mobile.locator("#no_signature_reason").fill("Attestation papier signée")
    report_button.click()
    mobile.wait_for_url(f"{live_server}/visits")
    assert code in mobile.locator(".flashes").inner_text()
    mobile.goto(visit_url)
    assert "M. Yann Le Goff" not in mobile.content()  # the address is gone once the visit is closed
    phone.close()

    # The social worker is told, and sees the household equipped.
    log_in(page, live_server, "prescriber@demo.reco")
    page.locator(".notices-link").click()
    latest = page.locator("ul.notices li", has_text=code).first.inner_text()
    assert "foyer équipé" in latest
    page.goto(prescription_url)
    assert "foyer équipé" in page.locator(".status").first.inner_text()
    page.locator("form[action='/logout'] button").click()

    # A partner reports last month; the funder sees it beside the pipeline's figures.
    last_month = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    log_in(page, live_server, "partner@demo.reco")
    page.goto(f"{live_server}/partner-reports/new")
    page.locator("#month").fill(last_month)
    page.locator("#lines-0-commune").fill("Vitré")
    page.locator("#lines-0-device_type").select_option("tablet")
    page.locator("#lines-0-families").fill("17")
    page.locator("#lines-0-accompanied").fill("9")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/partner-reports/\d+$"))
    page.locator("form[action='/logout'] button").click()
    log_in(page, live_server, "viewer@demo.reco")
    page.goto(f"{live_server}/reports")
    month_name = format_date(date.fromisoformat(f"{last_month}-01"), "MMM y", locale="fr")
    row = page.locator("#families_month tbody tr", has_text=month_name).inner_text()
    assert row.split("\t")[-1] == "15"  # corrected from 10 to 17 families, shown rounded to a multiple of 5
