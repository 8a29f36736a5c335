"""The family's signature at the handover: kept with who, when and the receipt it signs, printed, erased."""
import base64
import io
import zlib

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from reco.core.audit import events_for
from reco.core.documents import Document, documents_about
from reco.core.errors import ValidationFailed
from reco.extensions import db
from reco.inventory.models import DeviceState
from reco.prescriptions.models import PrescriptionStatus, VisitReport
from reco.prescriptions.pdf import SIGNED_RECEIPT, handover_receipt_for
from reco.prescriptions.privacy import erase_personal_data
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.services import household_export
from reco.prescriptions.visits import record_handover, report_visit
from tests.conftest import login_as
from tests.factories import make_prescription, make_ready_device, make_token
from tests.scenarios import reserved_household

REPORT = {"installed_working": True, "internet_connected": True, "accounts": ["email"], "first_steps": ["turn_on"],
          "digital_level": "training", "follow_ups": []}


def png(width=600, height=200, ink=True, mode="RGBA") -> bytes:
    """Return a PNG as a signature pad draws it: a transparent or white background, a stroke if ``ink``."""
    image = Image.new(mode, (width, height), (255, 255, 255, 0) if mode == "RGBA" else "white")
    if ink:
        ImageDraw.Draw(image).line([(20, height - 30), (width // 3, 30), (width - 40, height // 2)],
                                   fill=(16, 36, 58, 255) if mode == "RGBA" else "black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(data: bytes, kind="image/png") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


SIGNATURE = data_url(png())


@pytest.fixture
def chain(ctx):
    return reserved_household(mediator={"name": "Léa Médiatrice"}, visit=True, contact_name="Mme Awa Diop")


def _signed_copy(prescription) -> Document:
    return next(d for d in documents_about(prescription) if d.kind == SIGNED_RECEIPT)


def _images(pdf: bytes) -> list[tuple[int, int]]:
    """Return the pixel size of every image drawn in a PDF."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [image.get_px_size() for page in document
                for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))]
    finally:
        document.close()


def test_the_signature_is_kept_with_who_when_and_the_receipt_issued_at_the_door(chain):
    assert documents_about(chain["prescription"]) == []  # nobody printed the receipt beforehand
    report = report_visit(chain["visit"], by=chain["mediator"], signature=SIGNATURE, signer_name=" Awa Diop ",
                          **REPORT)
    receipt = next(d for d in documents_about(chain["prescription"]) if d.kind == "handover_receipt")
    assert report.signature_png == png() and report.receipt_signed and report.signer_name == "Awa Diop"
    assert report.reported_by_id == chain["mediator"].id and report.signed_at is not None
    assert (report.receipt_number, report.receipt_sha256) == (receipt.number, receipt.fingerprint)
    assert receipt.issued_by_id == chain["mediator"].id and report.no_signature_reason == ""
    signed = _signed_copy(chain["prescription"])
    assert signed.number.split("-")[1] == "ARS" and signed.issued_by_id == chain["mediator"].id
    assert chain["device"].state is DeviceState.DELIVERED
    assert chain["prescription"].status is PrescriptionStatus.EQUIPPED


def test_a_receipt_printed_while_reserved_is_the_one_signed(chain):
    printed = handover_receipt_for(chain["prescription"], by=chain["supervisor"])
    report = report_visit(chain["visit"], by=chain["mediator"], signature=SIGNATURE, **REPORT)
    assert (report.receipt_number, report.receipt_sha256) == (printed.number, printed.fingerprint)
    assert [d.kind for d in documents_about(chain["prescription"])] == [SIGNED_RECEIPT, "handover_receipt"]


def test_the_signed_copy_prints_the_signature_and_names_the_receipt_it_signs(chain):
    report = report_visit(chain["visit"], by=chain["mediator"], signature=SIGNATURE, signer_name="Awa Diop",
                          **REPORT)
    signed = _signed_copy(chain["prescription"])
    assert (600, 200) in _images(signed.pdf)
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(signed.pdf))
    assert report.receipt_number in text and "Awa Diop" in text and "Léa Médiatrice" in text
    assert report.receipt_sha256 in text.replace("\r", "").replace("\n", "")
    receipt = next(d for d in documents_about(chain["prescription"]) if d.kind == "handover_receipt")
    assert _images(receipt.pdf) == []  # the receipt as issued stays as it was


def test_without_a_signature_the_reason_is_required_and_nothing_changes(chain):
    with pytest.raises(ValidationFailed) as refusal:
        report_visit(chain["visit"], by=chain["mediator"], **REPORT)
    assert list(refusal.value.fields) == ["no_signature_reason"]
    assert db.session.scalar(select(func.count(VisitReport.id))) == 0
    assert chain["device"].state is DeviceState.RESERVED
    report = report_visit(chain["visit"], by=chain["mediator"], no_signature_reason="La famille n'a pas pu signer",
                          **REPORT)
    assert not report.receipt_signed and report.signature_png is None and report.signed_at is None
    assert report.no_signature_reason == "La famille n'a pas pu signer" and report.receipt_number
    assert [d.kind for d in documents_about(chain["prescription"])] == ["handover_receipt"]


def test_a_handover_at_the_workshop_is_signed_too(chain):
    other = make_prescription(chain["prescriber"], chain["workshop"], status="accepted")
    reserve_device(other, make_ready_device(chain["workshop"]), by=chain["supervisor"])
    with pytest.raises(ValidationFailed):
        record_handover(other, by=chain["supervisor"], internet_connected=True, no_signature_reason="   ")
    report = record_handover(other, by=chain["supervisor"], internet_connected=True, signature=SIGNATURE)
    assert report.receipt_signed and report.reported_by_id == chain["supervisor"].id
    assert report.receipt_number == next(d.number for d in documents_about(other) if d.kind == "handover_receipt")
    assert (600, 200) in _images(_signed_copy(other).pdf)


def _truncated_png() -> bytes:
    data = png()
    return data[:len(data) // 2]


def _noise_png(width=1200, height=600) -> bytes:
    image = Image.frombytes("RGB", (width, height), bytes((i * 7919) % 251 for i in range(width * height * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def _bad_idat_png() -> bytes:
    """A PNG whose header is right but whose image data is not zlib."""
    data = png()
    start = data.index(b"IDAT")
    length = int.from_bytes(data[start - 4:start], "big")
    garbage = bytes(length)
    return data[:start + 4] + garbage + zlib.crc32(b"IDAT" + garbage).to_bytes(4, "big") + data[start + 8 + length:]


@pytest.mark.parametrize("value, reason", [
    ("n'importe quoi", "n'est pas une image PNG"),
    ("data:image/png;base64,!!!!", "abîmée"),
    (data_url(b"GIF89a" + bytes(40), "image/gif"), "n'est pas une image PNG"),
    (data_url(b"%PDF-1.7 not an image at all, really"), "n'est pas une image PNG"),
    (data_url(_truncated_png()), "abîmée"),
    (data_url(_bad_idat_png()), "abîmée"),
    (data_url(png(3000, 200)), "3000 × 200 pixels"),
    (data_url(png(60, 20)), "60 × 20 pixels"),
    (data_url(png(ink=False)), "vide"),
    (data_url(png(ink=False, mode="RGB")), "vide"),
    (data_url(_noise_png()), "dépasse 200 Ko"),
    ("data:image/png;base64," + "A" * 400_000, "dépasse 200 Ko"),
    (["data:image/png;base64,"], "n'est pas une image PNG"),
    (12, "n'est pas une image PNG"),
])
def test_anything_but_a_signature_drawn_is_refused_with_the_reason(chain, value, reason):
    with pytest.raises(ValidationFailed) as refusal:
        report_visit(chain["visit"], by=chain["mediator"], signature=value, no_signature_reason="", **REPORT)
    assert reason in refusal.value.fields["signature"][0]
    assert "Effacez-la et signez à nouveau" in refusal.value.fields["signature"][0]
    assert db.session.scalar(select(func.count(VisitReport.id))) == 0
    assert documents_about(chain["prescription"]) == []


def test_the_signature_is_in_the_households_export_and_erased_with_its_personal_data(chain):
    report = report_visit(chain["visit"], by=chain["mediator"], signature=SIGNATURE, signer_name="Awa Diop",
                          **REPORT)
    exported = household_export(chain["prescription"])["handover_signatures"]
    assert exported == [{"receipt_number": report.receipt_number, "receipt_fingerprint": report.receipt_sha256,
                         "signed_by": "Awa Diop", "signed_at": report.signed_at.isoformat(),
                         "collected_by": "Léa Médiatrice", "signature": SIGNATURE, "no_signature_reason": None}]
    erase_personal_data(chain["prescription"], by=chain["prescriber"])
    db.session.flush()
    db.session.expire_all()
    report = db.session.get(VisitReport, report.id)
    assert report.signature_png is None and report.signer_name == "" and report.receipt_signed
    assert report.receipt_number and report.signed_at is not None  # the figures and the proof's number stay
    signed = _signed_copy(chain["prescription"])
    assert _images(signed.pdf) == [] and b"Awa Diop" not in signed.pdf
    assert household_export(chain["prescription"])["handover_signatures"][0]["signature"] is None


def test_the_reason_is_erased_with_the_personal_data(chain):
    report = report_visit(chain["visit"], by=chain["mediator"], no_signature_reason="Mme Diop était à l'hôpital",
                          **REPORT)
    erase_personal_data(chain["prescription"], by=chain["prescriber"])
    assert report.no_signature_reason == ""


def test_the_signed_copy_is_downloaded_after_the_handover_by_the_workshop_only(client, chain):
    report_visit(chain["visit"], by=chain["mediator"], signature=SIGNATURE, **REPORT)
    db.session.commit()
    prescription = chain["prescription"]
    signed = _signed_copy(prescription)
    receipt = next(d for d in documents_about(prescription) if d.kind == "handover_receipt")
    login_as(client, chain["supervisor"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert signed.number in page
    response = client.get(f"/prescriptions/{prescription.id}/documents/{signed.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert (600, 200) in _images(response.data)
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(response.data))
    assert "Léa Médiatrice" in text and "Awa Diop" not in text  # who collected it, not the household's name
    assert client.get(f"/prescriptions/{prescription.id}/documents/{receipt.id}.pdf").status_code == 302
    assert {"what": SIGNED_RECEIPT} in [e.details for e in events_for(prescription)
                                        if e.action == "personal_data_viewed"]
    login_as(client, chain["mediator"])
    assert client.get(f"/prescriptions/{prescription.id}/documents/{signed.id}.pdf").status_code == 403


def test_the_report_form_takes_the_signature_and_refuses_garbage_with_a_422(client, chain):
    db.session.commit()
    visit = chain["visit"]
    login_as(client, chain["mediator"])
    page = client.get(f"/visits/{visit.id}/report").get_data(as_text=True)
    assert 'name="signature"' in page and "signature.js" in page and "<canvas" in page
    form = {"installed_working": "y", "internet_connected": "y"}
    neither = client.post(f"/visits/{visit.id}/report", data=form)
    assert neither.status_code == 422 and "Faites signer la famille" in neither.get_data(as_text=True)
    garbage = client.post(f"/visits/{visit.id}/report", data=form | {"signature": "data:image/png;base64,AAAA"})
    assert garbage.status_code == 422 and "Effacez-la et signez à nouveau" in garbage.get_data(as_text=True)
    done = client.post(f"/visits/{visit.id}/report", data=form | {"signature": SIGNATURE, "signer_name": "Awa"})
    assert done.status_code == 302
    report = db.session.scalars(select(VisitReport)).one()
    assert report.signature_png == png() and report.signer_name == "Awa"
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert report.receipt_number in page


def test_the_api_takes_the_signature_or_the_reason(client, chain):
    db.session.commit()
    headers = {"Authorization": f"Bearer {make_token(chain['mediator'])}"}
    url = f"/api/v1/visits/{chain['visit'].id}/report"
    refused = client.post(url, headers=headers, json=REPORT | {"receipt_signed": True})
    assert refused.status_code == 422 and "no_signature_reason" in refused.json["fields"]
    garbage = client.post(url, headers=headers, json=REPORT | {"signature": {"png": "no"}})
    assert garbage.status_code == 422 and "signature" in garbage.json["fields"]
    done = client.post(url, headers=headers, json=REPORT | {"signature": SIGNATURE, "signer_name": "Awa"})
    assert done.status_code == 200, done.json
    assert db.session.scalars(select(VisitReport)).one().receipt_signed
