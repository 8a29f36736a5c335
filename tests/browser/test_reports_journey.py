"""A funder reads the network's figures and exports them; a supervisor issues and verifies a donor report."""
import io
import re

import openpyxl
import pypdfium2
import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_funder_dashboard_export_and_donor_report(live_server, demo, page):
    log_in(page, live_server, "viewer@demo.reco")
    page.locator("nav.main-nav").get_by_role("link", name="Chiffres").click()
    page.wait_for_url(re.compile(r".*/reports$"))
    assert page.locator("svg.chart").count() >= 3  # charts drawn on the server, no script needed
    assert page.locator("#devices_type table tbody tr").count() >= 1
    assert "ADEME" in page.locator("#impact").inner_text()
    href = page.locator("#devices_type a", has_text="XLSX").get_attribute("href")
    response = page.request.get(live_server + href)
    assert response.ok
    sheet = openpyxl.load_workbook(io.BytesIO(response.body())).active
    assert sheet.title.startswith("Appareils") and sheet["A1"].value == "Type"
    assert isinstance(sheet["B2"].value, int)  # a count, as a number
    page.locator("form[action='/logout'] button").click()

    log_in(page, live_server, "supervisor@demo.reco")
    page.goto(f"{live_server}/donations")
    page.locator("tbody tr", has_text="Armor Conseil SAS").first.get_by_role("link").first.click()
    page.get_by_role("button", name=re.compile("rapport au donateur", re.I)).click()
    page.wait_for_url(re.compile(r".*issued=\d+"))
    pdf = page.request.get(live_server + page.locator("tr.highlight").get_by_role("link").first.get_attribute("href"))
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    document = pypdfium2.PdfDocument(pdf.body())
    text = "\n".join(p.get_textpage().get_text_range() for p in document)
    document.close()
    assert "Armor Conseil SAS" in text and "NIST" in text
    fingerprint = re.search(r"[0-9a-f]{64}", text).group(0)
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(f"{live_server}/verify")
    page.get_by_label("Empreinte SHA-256").fill(fingerprint)
    page.get_by_role("button", name="Vérifier", exact=True).click()
    assert "Authentique" in page.get_by_role("status").first.inner_text()
