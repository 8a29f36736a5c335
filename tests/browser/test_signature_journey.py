"""The family signs with a finger on the mediator's phone; the workshop downloads the signed handover receipt."""
import base64
import re
import struct

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from sqlalchemy import select

from reco.extensions import db
from reco.prescriptions.models import Prescription
from tests.browser.conftest import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"width": 390, "height": 844}
SIGNATURE_VALUE = "document.querySelector('input[name=signature]').value"


def _draw(page, strokes) -> None:
    """Draw strokes with the mouse, each a list of points given as fractions of the canvas."""
    canvas = page.locator("canvas.signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
        page.mouse.up()


def _png_size(data_url: str) -> tuple[int, int]:
    png = base64.b64decode(data_url.split(",", 1)[1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def test_the_family_signs_on_a_phone_and_the_workshop_downloads_the_signed_receipt(app, live_server, demo, chromium,
                                                                                     page):
    phone = chromium.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    log_in(mobile, live_server, "installer@demo.reco")
    mobile.goto(f"{live_server}/visits")
    mobile.locator("ul.visit-cards a").first.click()
    mobile.locator("a.big[href$='/report']").click()
    code = re.search(r"FOY-[A-Z0-9]{6}", mobile.locator("h1").inner_text()).group(0)

    canvas = mobile.locator("canvas.signature-canvas")
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 120
    assert canvas.evaluate("c => getComputedStyle(c).touchAction") == "none"
    wait_until(mobile, "document.querySelector('canvas.signature-canvas').width > 0")
    _draw(mobile, [[(0.1, 0.7), (0.3, 0.2), (0.5, 0.8)]])
    assert mobile.evaluate(SIGNATURE_VALUE).startswith("data:image/png;base64,")
    mobile.get_by_role("button", name="Effacer la signature").click()
    assert mobile.evaluate(SIGNATURE_VALUE) == ""

    # Sent without a signature nor a reason: refused, and said so beside the signature.
    for selector in ("#installed_working", "#internet_connected"):
        mobile.locator(selector).check()
    mobile.locator("form.report-form button[type=submit]").click()
    mobile.locator("p.error", has_text="Faites signer la famille").wait_for()

    _draw(mobile, [[(0.08, 0.6), (0.2, 0.25), (0.35, 0.75), (0.5, 0.3)], [(0.6, 0.5), (0.9, 0.45)]])
    signature = mobile.evaluate(SIGNATURE_VALUE)
    size = _png_size(signature)
    assert size == (mobile.evaluate("document.querySelector('canvas.signature-canvas').width"),
                    mobile.evaluate("document.querySelector('canvas.signature-canvas').height"))
    mobile.get_by_label("Nom de la personne qui signe").fill("Mme Héloïse Martin")
    mobile.locator("form.report-form button[type=submit]").click()
    mobile.wait_for_url(f"{live_server}/visits")
    assert code in mobile.locator(".flashes").inner_text()
    phone.close()

    log_in(page, live_server, "supervisor@demo.reco")
    page.goto(f"{live_server}/visits")
    page.locator("a", has_text=code).first.click()
    page.wait_for_url(re.compile(r".*/visits/\d+$"))
    assert "sur l'écran" in page.locator("main").inner_text()
    with app.app_context():
        prescription_id = db.session.scalar(select(Prescription.id).where(Prescription.code == code))
    page.goto(f"{live_server}/prescriptions/{prescription_id}")
    link = page.locator("main a", has_text=re.compile(r"-ARS-"))
    response = page.request.get(live_server + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.body())
    try:
        images = [image.get_px_size() for p in pdf for image in p.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))]
        text = "".join(p.get_textpage().get_text_range() for p in pdf)
    finally:
        pdf.close()
    assert size in images and "Mme Héloïse Martin" in text and "Attestation de remise signée" in text
