"""Scanning without a scanner: a tablet's camera films one of our labels and the scan field gets its tag, read by
the WebAssembly reader Reco serves (the browser's own BarcodeDetector is taken away, as Debian's Chromium lacks it).

Chromium films a Y4M file instead of a camera: a label rendered by reco.labels, rasterised with pypdfium2, or a
manufacturer's sticker (a serial as Code 39, an EAN-13) drawn by python-barcode."""
import io
import re

import barcode
import pypdfium2
import pytest
from barcode.writer import ImageWriter
from PIL import Image

from reco.accounts.models import Structure
from reco.extensions import db
from reco.labels.printing import print_devices
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, log_in, wait_until
from tests.factories import PASSWORD, make_device, make_donation, make_donor, make_structure, make_user

pytestmark = [pytest.mark.browser, pytest.mark.committed]

WIDTH, HEIGHT = 800, 600
#: The camera films a second of white before the label: time enough to cancel before anything is read.
BLANK_FRAMES = 10
CAMERA = "Scanner avec la caméra"


def frame(image: Image.Image) -> bytes:
    """Return one Y4M frame (4:2:0) of a grey image: its luma plane, then neutral chroma."""
    chroma = bytes([128]) * ((image.width // 2) * (image.height // 2))
    return b"FRAME\n" + image.tobytes() + chroma + chroma


def label_frame(pdf: bytes, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """Return one Y4M frame of the first label of ``pdf``, centred on a white background."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        label = document[0].render(scale=8, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    label.thumbnail((width - 80, height - 80), Image.Resampling.LANCZOS)
    image = Image.new("L", (width, height), 255)
    image.paste(label, ((width - label.width) // 2, (height - label.height) // 2))
    return frame(image)


@pytest.fixture
def workshop_device(app):
    """A technician of a workshop with one device, and the device's tag."""
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="CAM")
        technician = make_user("technician", structure=workshop)
        device = make_device(make_donation(make_donor(workshop)), brand="Dell", model="Latitude E7450",
                             serial="5CG1234XYZ", donor_tag="4006381333931")
        db.session.commit()
        return technician.email, device.tag


def sticker_frame(symbology: str, code: str) -> bytes:
    """Return one Y4M frame of a manufacturer's sticker: ``code`` as a Code 39 or EAN-13 (python-barcode)."""
    buffer = io.BytesIO()
    options = {"add_checksum": False} if symbology == "code39" else {}  # serial stickers carry no check digit
    barcode.get(symbology, code, writer=ImageWriter(), options=options).write(buffer, {"module_width": 0.4,
                                                                                       "dpi": 200})
    sticker = Image.open(buffer).convert("L")
    sticker.thumbnail((WIDTH - 80, HEIGHT - 80), Image.Resampling.LANCZOS)
    image = Image.new("L", (WIDTH, HEIGHT), 255)
    image.paste(sticker, ((WIDTH - sticker.width) // 2, (HEIGHT - sticker.height) // 2))
    return frame(image)


@pytest.fixture
def filming(chromium, tmp_path):
    """Open a tab of a Chromium whose camera films a frame (a second of white first): this test's browser only."""
    opened = []

    def open_tab(picture: bytes):
        video = tmp_path / f"camera-{len(opened)}.y4m"
        blank = frame(Image.new("L", (WIDTH, HEIGHT), 255))
        video.write_bytes(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
                          + blank * BLANK_FRAMES + picture * 20)
        browser = chromium.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])
        context = browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768}, has_touch=True)
        context.add_init_script("delete window.BarcodeDetector;")
        opened.append(browser)
        return context.new_page()

    yield open_tab
    for browser in opened:
        browser.close()


@pytest.fixture
def camera_page(app, filming, workshop_device):
    """A tab whose camera films the device's label, rendered by reco.labels."""
    _email, tag = workshop_device
    with app.test_request_context():
        workshop = db.session.scalar(db.select(Structure).where(Structure.tag_prefix == "CAM"))
        pdf = print_devices(workshop, [tag], format_key="brother-ql-62x29")
        db.session.rollback()
    return filming(label_frame(pdf))


def _camera_off(page) -> bool:
    return page.evaluate("""() => { const d = document.querySelector('dialog.camera-scan');
        return !d.open && !d.querySelector('video').srcObject && !d.hasAttribute('data-camera'); }""")


def test_the_camera_reads_our_label_into_the_batch_as_a_scanner_would(live_server, workshop_device, camera_page):
    email, tag = workshop_device
    page = camera_page
    log_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server}/batch")
    button = page.locator("[data-camera-for=batch-code]")
    assert button.inner_text() == CAMERA and button.get_attribute("type") == "button"
    with page.expect_navigation(url=re.compile(r".*/batch$"), timeout=30_000):
        button.click()
        page.get_by_role("dialog", name=CAMERA).wait_for()
    # The code filled the field and Enter sent it, as with a keyboard-wedge scanner: the device is in the list.
    page.wait_for_selector(f"table >> text={tag}")
    assert page.locator("#batch-count").inner_text() == "1 code dans la liste"


def test_the_camera_stops_after_a_read_and_on_cancel(live_server, workshop_device, camera_page):
    email, tag = workshop_device
    page = camera_page
    log_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server}/labels/devices")
    codes = page.get_by_label("Codes à imprimer, un par ligne")
    page.locator("[data-camera-for=codes]").click()
    wait_until(page, "document.getElementById('codes').value !== ''", timeout=30)
    # A text area gets the code and a new line, ready for the next one; the camera is off and the field focused.
    assert codes.input_value() == f"{tag}\n"
    assert _camera_off(page) and page.evaluate("document.activeElement.id") == "codes"
    assert page.evaluate("typeof window.ZXingWASM") == "object"  # read by the WebAssembly reader

    # Cancelled before anything is read: the camera stops, nothing is typed.
    page.evaluate("document.getElementById('codes').value = ''")
    page.locator("[data-camera-for=scan-code]").click()
    dialog = page.get_by_role("dialog", name=CAMERA)
    dialog.get_by_role("button", name="Annuler").click()
    assert _camera_off(page) and page.locator("#scan-code").input_value() == ""
    assert page.evaluate("document.activeElement.id") == "scan-code"


@pytest.mark.parametrize("symbology,code", [("code39", "5CG1234XYZ"), ("ean13", "400638133393")])
def test_a_serial_sticker_opens_its_device_from_the_scan_box(live_server, workshop_device, filming, symbology, code):
    email, tag = workshop_device
    page = filming(sticker_frame(symbology, code))
    log_in(page, live_server, email, PASSWORD)
    button = page.locator("[data-camera-for=scan-code]")
    assert button.get_attribute("aria-describedby") == "scan-code-label"
    assert page.locator("#scan-code-label").inner_text() == "Scannez ou saisissez un code"
    with page.expect_navigation(url=re.compile(rf".*/devices/{tag}$"), timeout=30_000):
        button.click()
    assert tag in page.locator("h1").inner_text()


def test_no_camera_button_without_a_camera(live_server, workshop_device, page):
    email, _tag = workshop_device
    log_in(page, live_server, email, PASSWORD)
    page.goto(f"{live_server}/batch")
    page.wait_for_load_state("load")
    assert page.locator("#batch-code").is_visible()
    page.wait_for_timeout(300)
    assert page.locator(".camera-scan-button").count() == 0
