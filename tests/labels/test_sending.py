"""Labels sent straight to the workshop's printer: a fake Brother QL on 127.0.0.1, a fake CUPS ``lp``, failures."""
import os
import re
import socket
import sys
import threading
from html import unescape

import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.extensions import db
from reco.inventory.models import Device, Location
from reco.labels import raster, sending
from reco.labels.formats import load_formats
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_structure, make_token, make_user
from tests.labels.label_helpers import decode_pdf
from tests.labels.printer_helpers import FakeBrother, barcodes, closed_port, raster_pages

BROTHER_FORMAT = "brother-ql-62x29"
FORMATS = load_formats()[0]
BROTHER_FORMATS = [key for key, fmt in FORMATS.items() if fmt.driver == "brother_ql"]
PDF_FORMATS = [key for key, fmt in FORMATS.items() if fmt.driver != "brother_ql"]


@pytest.fixture
def brother():
    printer = FakeBrother()
    yield printer
    printer.close()


def fake_lp(tmp_path, monkeypatch, exit_code: int = 0, stderr: str = ""):
    """Put on PATH an ``lp`` that records its arguments and its standard input, and answers like CUPS."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "lp"
    script.write_text(f"""#!{sys.executable}
import sys
open({str(tmp_path / 'args')!r}, "w").write("\\n".join(sys.argv[1:]))
open({str(tmp_path / 'stdin.pdf')!r}, "wb").write(sys.stdin.buffer.read())
sys.stderr.write({stderr!r})
print("request id is etiquettes-12 (1 file(s))")
sys.exit({exit_code})
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


@pytest.fixture
def workshop(ctx):
    """A workshop with a supervisor, a technician and two devices received."""
    supervisor = make_user(Role.SUPERVISOR)
    structure = supervisor.structure
    technician = make_user(Role.TECHNICIAN, structure=structure)
    donation = make_donation(make_donor(structure))
    devices = [make_device(donation, serial=f"SN-{n}") for n in range(2)]
    return {"structure": structure, "supervisor": supervisor, "technician": technician, "donation": donation,
            "devices": devices}


def set_brother(structure, port: int, auto_print: bool = False, format_key: str = BROTHER_FORMAT):
    sending.set_label_printer(structure, by=None, kind="brother_ql", host="127.0.0.1", port=port, model="QL-820NWB",
                              format_key=format_key, auto_print=auto_print)
    db.session.commit()


def set_cups(structure, auto_print: bool = False, format_key: str = "dymo-11354"):
    sending.set_label_printer(structure, by=None, kind="cups", queue="etiquettes", format_key=format_key,
                              auto_print=auto_print)
    db.session.commit()


def flashes(page) -> str:
    """Return the text of the page's notices."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", m)) for m in
                    re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page.get_data(as_text=True), re.S))


def pdf_link(page) -> str:
    """Return the address of the PDF a notice offers."""
    return unescape(re.search(r'href="(/labels/[a-z]+\.pdf[^"]*)"', page.get_data(as_text=True)).group(1))


@pytest.mark.parametrize("format_key", BROTHER_FORMATS)
def test_the_device_page_sends_the_label_to_a_network_brother_that_prints_its_barcode(client, workshop, brother,
                                                                                      format_key):
    device = workshop["devices"][0]
    set_brother(workshop["structure"], brother.port, format_key=format_key)
    login_as(client, workshop["technician"])
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert 'action="/labels/devices/send"' in page and "csrf_token" in page
    response = client.post("/labels/devices/send", data={"tag": device.tag, "next": f"/devices/{device.tag}"},
                           follow_redirects=True)
    assert response.status_code == 200 and response.request.path == f"/devices/{device.tag}"
    assert "Étiquette envoyée à l'imprimante Brother QL-820NWB" in flashes(response)
    assert len(brother.wait(1)) == 1
    pages = raster_pages(brother.jobs[0])
    assert len(pages) == 1 and pages[0].width == 720  # the QL's 720-dot head
    assert barcodes(pages[0]) == [device.tag]


def test_the_batch_and_the_locations_go_to_the_printer_in_one_job(client, workshop, brother):
    structure = workshop["structure"]
    db.session.add_all([Location(workshop_id=structure.id, code=f"{structure.tag_prefix}-L{n}", name=f"Bac {n}",
                                 kind="bin") for n in (1, 2)])
    db.session.commit()
    set_brother(structure, brother.port)
    login_as(client, workshop["technician"])
    tags = [d.tag for d in workshop["devices"]]
    response = client.post("/labels/devices/send", data={"tag": tags, "next": "/batch"})
    assert response.status_code == 302 and response.location == "/batch"
    response = client.post("/labels/locations/send", data={"next": "/locations"}, follow_redirects=True)
    assert "2 étiquettes envoyées" in flashes(response)
    decoded = []
    for job in brother.wait(2):
        decoded.append([code for page in raster_pages(job) for code in barcodes(page)])
    assert decoded == [tags, [f"{structure.tag_prefix}-L1", f"{structure.tag_prefix}-L2"]]


def test_an_unreachable_printer_is_said_and_the_pdf_offered(client, workshop):
    device = workshop["devices"][0]
    set_brother(workshop["structure"], closed_port())
    login_as(client, workshop["technician"])
    response = client.post("/labels/devices/send", data={"tag": device.tag, "next": f"/devices/{device.tag}"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "injoignable" in flashes(response) and "connexion refusée" in flashes(response)
    pdf = client.get(pdf_link(response))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert [f["text"] for f in decode_pdf(pdf.data)] == [device.tag]


def test_a_printer_that_never_reads_gives_up_within_the_timeout(workshop, monkeypatch):
    printer = FakeBrother(read=False)
    monkeypatch.setattr(sending, "STALL_TIMEOUT", 0.3)
    monkeypatch.setattr(sending, "PAGE_ALLOWANCE", 0.2)
    monkeypatch.setattr(raster, "brother_raster", lambda fmt, pdf, model: bytes(64 << 20))  # far more than buffers
    try:
        set_brother(workshop["structure"], printer.port)
        result = sending.send_device_labels(workshop["structure"], [workshop["devices"][0].tag])
    finally:
        printer.close()
    assert not result.sent and result.error == "unreachable"
    assert "pas de réponse à temps" in result.message


def test_an_unknown_host_or_a_name_lookup_that_hangs_is_not_reachable(workshop, monkeypatch):
    sending.set_label_printer(workshop["structure"], by=None, kind="brother_ql", host="imprimante.invalid",
                              port=9100, model="QL-700", format_key=BROTHER_FORMAT)
    tag = workshop["devices"][0].tag

    def unknown(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    result = sending.send_device_labels(workshop["structure"], [tag])
    assert not result.sent and result.error == "unreachable" and "adresse inconnue" in result.message
    hang = threading.Event()
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: hang.wait(30))
    monkeypatch.setattr(sending, "STALL_TIMEOUT", 0.2)
    result = sending.send_device_labels(workshop["structure"], [tag])
    hang.set()
    assert not result.sent and result.error == "unreachable" and "pas de réponse à temps" in result.message


@pytest.mark.parametrize("format_key", PDF_FORMATS)
def test_cups_gets_the_pdf_on_the_standard_input_of_lp(client, workshop, tmp_path, monkeypatch, format_key):
    record = fake_lp(tmp_path, monkeypatch)
    device = workshop["devices"][0]
    set_cups(workshop["structure"], format_key=format_key)
    login_as(client, workshop["technician"])
    response = client.post("/labels/devices/send", data={"tag": device.tag, "next": f"/devices/{device.tag}"},
                           follow_redirects=True)
    assert "Étiquette envoyée à l'imprimante file CUPS etiquettes" in flashes(response)
    args = (record / "args").read_text().split("\n")
    assert args[:2] == ["-d", "etiquettes"] and args[-1] == "-"
    media = FORMATS[format_key].media
    assert (f"media={media}" in args) == bool(media) and "print-scaling=none" in args
    assert [f["text"] for f in decode_pdf((record / "stdin.pdf").read_bytes())] == [device.tag]


def test_a_cups_queue_that_refuses_or_an_lp_missing_is_said(client, workshop, tmp_path, monkeypatch):
    fake_lp(tmp_path, monkeypatch, exit_code=1, stderr="lp: The printer or class does not exist.\n")
    device = workshop["devices"][0]
    set_cups(workshop["structure"])
    login_as(client, workshop["technician"])
    response = client.post("/labels/devices/send", data={"tag": device.tag, "next": f"/devices/{device.tag}"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "The printer or class does not exist" in flashes(response) and pdf_link(response)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = sending.send_device_labels(workshop["structure"], [device.tag])
    assert not result.sent and result.error == "unreachable" and "lp" in result.message


def test_without_a_printer_the_button_opens_the_print_page(client, workshop):
    device = workshop["devices"][0]
    login_as(client, workshop["technician"])
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert f'href="/labels/devices?tag={device.tag}"' in page
    response = client.post("/labels/devices/send", data={"tag": device.tag})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'action="/labels/devices"' in page
    assert re.search(rf'<textarea[^>]*name="codes"[^>]*>\s*{device.tag}\s*</textarea>', page)


@pytest.mark.parametrize("with_printer", [False, True])
def test_many_labels_open_the_filled_print_page_and_never_a_huge_address(client, workshop, brother, with_printer):
    if with_printer:
        set_brother(workshop["structure"], brother.port)
    login_as(client, workshop["technician"])
    tags = [f"{workshop['structure'].tag_prefix}-{n:06d}" for n in range(1, sending.MAX_SENT + 50)]
    response = client.post("/labels/devices/send", data={"tag": tags, "next": "/batch"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.location is None
    assert "\n".join(tags) in unescape(page) and 'action="/labels/devices"' in page
    assert ("100 étiquettes" in flashes(response)) is with_printer
    assert brother.jobs == []


def _receive(client, donation, serial: str):
    return client.post(f"/donations/{donation.id}/intake", data={"type": "laptop", "serial": serial,
                                                                 "intake_key": f"key-{serial}"},
                       follow_redirects=True)


def test_intake_prints_each_label_after_the_receipt(client, workshop, brother):
    set_brother(workshop["structure"], brother.port, auto_print=True)
    login_as(client, workshop["technician"])
    response = _receive(client, workshop["donation"], "AUTO-1")
    device = db.session.scalar(select(Device).where(Device.serial == "AUTO-1"))
    assert device is not None and "Étiquette envoyée" in flashes(response)
    assert barcodes(raster_pages(brother.wait(1)[0])[0]) == [device.tag]
    assert 'id="intake-code"' in response.get_data(as_text=True)  # the scan field is still there, focused
    assert "data-autofocus" in response.get_data(as_text=True)


def test_a_printer_failing_at_intake_never_fails_the_receipt(client, workshop):
    set_brother(workshop["structure"], closed_port(), auto_print=True)
    login_as(client, workshop["technician"])
    response = _receive(client, workshop["donation"], "AUTO-2")
    assert response.status_code == 200
    device = db.session.scalar(select(Device).where(Device.serial == "AUTO-2"))
    assert device is not None
    notices = flashes(response)
    assert f"{device.tag} est bien reçu. Imprimante" in notices and "n'est pas imprimée" in notices
    assert pdf_link(response) == f"/labels/devices.pdf?tag={device.tag}"
    assert f"Imprimer l'étiquette de {device.tag}" in unescape(response.get_data(as_text=True))


def test_the_api_prints_a_label_or_says_why_not(client, workshop, brother):
    device = workshop["devices"][0]
    headers = {"Authorization": f"Bearer {make_token(workshop['technician'])}"}
    url = f"/api/v1/devices/{device.tag}/label/print"
    assert client.post(url, headers=headers).get_json()["error"] == "no_printer"
    set_brother(workshop["structure"], brother.port)
    answer = client.post(url, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["sent"] is True
    assert answer.get_json()["printer"] == f"Brother QL-820NWB (127.0.0.1:{brother.port})"
    set_brother(workshop["structure"], closed_port())
    answer = client.post(url, headers=headers)
    body = answer.get_json()
    assert answer.status_code == 503 and body["sent"] is False and body["error"] == "unreachable"
    assert body["pdf_url"] == f"/api/v1/labels.pdf?tags={device.tag}&format={BROTHER_FORMAT}"
    assert client.get(body["pdf_url"], headers=headers).mimetype == "application/pdf"


def test_the_api_refuses_another_workshop_and_roles_without_label_print(client, workshop, brother):
    set_brother(workshop["structure"], brother.port)
    device = workshop["devices"][0]
    stranger = make_user(Role.SUPERVISOR, structure=make_structure())
    viewer = make_user(Role.VIEWER, structure=workshop["structure"])
    url = f"/api/v1/devices/{device.tag}/label/print"
    assert client.post(url, headers={"Authorization": f"Bearer {make_token(stranger)}"}).status_code == 404
    assert client.post(url, headers={"Authorization": f"Bearer {make_token(viewer)}"}).status_code == 403
    set_brother(stranger.structure, brother.port)
    login_as(client, stranger)
    response = client.post("/labels/devices/send", data={"tag": device.tag}, follow_redirects=True)
    assert "n'est pas imprimée" in flashes(response) and device.tag in flashes(response)
    assert brother.jobs == []


def test_the_supervisor_sets_the_printer_up_with_checked_settings(client, workshop):
    structure = workshop["structure"]
    url = f"/structures/{structure.id}/label-printer"
    login_as(client, workshop["technician"])
    assert client.get(url).status_code == 403
    login_as(client, make_user(Role.SUPERVISOR, structure=make_structure()))
    assert client.get(url).status_code == 403
    login_as(client, workshop["supervisor"])
    assert "label-printer" in client.get(f"/structures/{structure.id}").get_data(as_text=True)
    good = {"kind": "brother_ql", "host": "192.168.1.40", "port": "9100", "model": "QL-810W",
            "format": BROTHER_FORMAT, "auto_print": "y"}
    for bad, field, message in (
            ({"host": "192.168.1 .40"}, "host", "sans espaces"), ({"port": "70000"}, "port", "65535"),
            ({"model": "QL-1100"}, "model", None), ({"format": "a4-avery-l7160"}, "format", "rouleaux Brother"),
            ({"kind": "cups", "queue": "mes étiquettes"}, "queue", "sans espaces")):
        response = client.post(url, data=good | bad)
        assert response.status_code == 422, (bad, response.get_data(as_text=True)[:300])
        if message:
            assert message in response.get_data(as_text=True), bad
    response = client.post(url, data=good, follow_redirects=True)
    assert response.status_code == 200 and "Brother QL-810W (192.168.1.40)" in flashes(response)
    db.session.expire_all()
    assert (structure.label_printer_kind, structure.label_printer_host, structure.label_printer_port,
            structure.label_auto_print) == ("brother_ql", "192.168.1.40", 9100, True)
    response = client.post(url, data={"kind": "cups", "queue": "etiquettes", "format": "dymo-11354"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (structure.label_printer_kind, structure.label_printer_host, structure.label_printer_queue,
            structure.label_auto_print) == ("cups", "", "etiquettes", False)
