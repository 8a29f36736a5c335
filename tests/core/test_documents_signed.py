"""Issued documents are signed (PAdES), embed fonts that print every Latin letter, and /verify checks the file."""
import asyncio
import io
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pypdfium2
import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from reco.accounts.models import Role, User
from reco.config import ConfigurationError, load_config
from reco.core.documents import Document
from reco.core.errors import DomainError
from reco.core.signing import ensure_signing_key, outside_event_loop, signing_identity
from reco.core.time import local_today
from reco.core.verification import VERIFY_MAX_BYTES
from reco.donations.pdf import issue_collection_receipt, issue_donation_attestation
from reco.extensions import db
from reco.prescriptions.pdf import handover_receipt_for
from reco.prescriptions.privacy import erase_personal_data
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import report_visit, schedule_visit
from reco.reports.annual import annual_report
from reco.reports.donor_report import issue_donor_report
from reco.reports.figures import audience_of
from tests.conftest import login_as
from tests.factories import (
    HOUSEHOLD,
    make_device,
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_token,
    make_user,
)
from tests.scenarios import reserved_household

#: A serial and a donor with letters of Latin Extended-A, which Vera (reportlab's own font) cannot print.
SERIAL = "ŁÓDŹ-Œ42-Ő"  # serials are kept in capitals
DONOR = "Przedsiębiorstwo Łódź Œuvre Győr"


def _documents() -> dict[str, Document]:
    """Issue one document of every kind, about a donation whose donor and device need Latin Extended-A."""
    supervisor = make_user(Role.SUPERVISOR)
    workshop = supervisor.structure
    donation = make_donation(make_donor(workshop, name=DONOR))
    make_device(donation, serial=SERIAL)
    prescription = make_prescription(workshop=workshop, status="accepted", visit_wanted=False)
    reserve_device(prescription, make_ready_device(workshop), by=supervisor)
    documents = {
        "collection_receipt": issue_collection_receipt(donation, by=supervisor),
        "donation_attestation": issue_donation_attestation(donation, by=supervisor),
        "donor_report": issue_donor_report(donation, by=supervisor),
        "handover_receipt": handover_receipt_for(prescription, by=supervisor),
        "annual_report": annual_report(audience_of(supervisor), local_today().year, by=supervisor),
    }
    db.session.commit()
    return documents


def _validate(pdf: bytes):
    """Validate the last signature of ``pdf`` with pyHanko, trusting only the network's certificate."""
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]
    context = ValidationContext(trust_roots=[signing_identity().certificate])
    return outside_event_loop(lambda: validate_pdf_signature(signature, context))


def _edited(pdf: bytes, old: bytes, new: bytes) -> bytes:
    """Return ``pdf`` with one run of bytes replaced by another of the same length (the signature stays in place)."""
    assert len(old) == len(new) and pdf.count(old) >= 1
    return pdf.replace(old, new, 1)


def _with_incremental_update(pdf: bytes) -> bytes:
    """Return ``pdf`` with an incremental update, appended after the signature, that changes the document's title."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    reference = writer.trailer.raw_get("/Info")
    reference.get_object()[NameObject("/Title")] = TextStringObject("Edited after signing")
    writer.mark_update(reference)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_every_kind_of_document_is_signed_with_the_networks_key_and_intact(app, ctx):
    documents = _documents()
    assert set(documents) == {"collection_receipt", "donation_attestation", "donor_report", "handover_receipt",
                              "annual_report"}
    for kind, document in documents.items():
        status = _validate(document.pdf)
        assert status.bottom_line and status.intact and status.valid and status.trusted, kind
        assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE, kind
        assert status.modification_level in (None, ModificationLevel.NONE), kind
        assert status.signing_cert.sha256 == signing_identity().certificate.sha256, kind
        assert "/ETSI.CAdES.detached" in str(PdfFileReader(io.BytesIO(document.pdf)).embedded_signatures[0]
                                            .sig_object["/SubFilter"]), kind


def test_an_edited_copy_fails_validation(app, ctx):
    documents = _documents()
    for kind, document in documents.items():
        pdf = document.pdf
        # a byte of the content the signature covers (the document's producer text) changed in place
        edited = _edited(pdf, b"ReportLab", b"ReportLub")
        status = _validate(edited)
        assert not status.intact and not status.bottom_line, kind
        # an incremental update appended after the signature: the signed part is intact, the file is not
        updated = _with_incremental_update(pdf)
        status = _validate(updated)
        assert status.intact and status.coverage is not SignatureCoverageLevel.ENTIRE_FILE, kind
        assert status.modification_level is not ModificationLevel.NONE, kind


def test_a_handover_receipt_erased_for_data_protection_stays_signed_and_its_original_verifiable(app, ctx, client):
    chain = reserved_household(visit=True, visit_wanted=False)
    prescription, supervisor, mediator, visit = (chain[k] for k in ("prescription", "supervisor", "mediator", "visit"))
    document = handover_receipt_for(prescription, by=supervisor)
    original = document.pdf
    schedule_visit(visit, by=mediator, on=local_today() + timedelta(days=1), slot="morning")
    report_visit(visit, by=mediator, installed_working=True, internet_connected=True, accounts=[], first_steps=[],
                 digital_level="training", follow_ups=[], no_signature_reason="Attestation papier signée")
    erase_personal_data(prescription, by=supervisor)
    db.session.commit()
    status = _validate(document.pdf)
    assert status.bottom_line and status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert HOUSEHOLD["contact_name"] in _text(original) and HOUSEHOLD["contact_name"] not in _text(document.pdf)
    response = _upload(client, original)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "signature valide du réseau" in page and document.number in page
    assert HOUSEHOLD["contact_name"] not in page and response.headers["Cache-Control"] == "no-store"


def test_the_key_is_created_once_in_the_instance_folder_readable_by_its_owner_only(app, ctx, tmp_path, monkeypatch):
    folder = tmp_path / "instance" / "signing"
    monkeypatch.setitem(app.config, "RECO_SIGNING_KEY", str(folder / "key.pem"))
    monkeypatch.setitem(app.config, "RECO_SIGNING_CERT", str(folder / "cert.pem"))
    assert ensure_signing_key() is True
    assert ensure_signing_key() is False
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    certificate = signing_identity().certificate
    assert certificate.self_signed and "digital_signature" in certificate.key_usage_value.native
    default = Path(app.instance_path) / "signing" / "key.pem"
    assert load_config(Path(app.instance_path), {})["RECO_SIGNING_KEY"] == str(default)
    repository = Path(__file__).resolve().parents[2]
    assert "instance/" in (repository / ".gitignore").read_text().splitlines()  # never committed


def test_a_configured_key_and_certificate_are_used_and_never_replaced(app, ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "RECO_SIGNING_KEY", str(tmp_path / "made" / "key.pem"))
    monkeypatch.setitem(app.config, "RECO_SIGNING_CERT", str(tmp_path / "made" / "cert.pem"))
    ensure_signing_key()
    (tmp_path / "made" / "key.pem").rename(tmp_path / "network.key")
    (tmp_path / "made" / "cert.pem").rename(tmp_path / "network.crt")
    monkeypatch.setitem(app.config, "RECO_SIGNING_KEY", str(tmp_path / "network.key"))
    monkeypatch.setitem(app.config, "RECO_SIGNING_CERT", str(tmp_path / "network.crt"))
    monkeypatch.setitem(app.config, "RECO_SIGNING_GENERATE", False)
    assert signing_identity().certificate.dump() == load_cert_from_pemder(str(tmp_path / "network.crt")).dump()
    supervisor = make_user(Role.SUPERVISOR)
    document = issue_collection_receipt(make_donation(make_donor(supervisor.structure)), by=supervisor)
    assert _validate(document.pdf).bottom_line
    (tmp_path / "network.crt").unlink()
    assert ensure_signing_key() is False and not (tmp_path / "network.crt").exists()
    with pytest.raises(DomainError, match="RECO_SIGNING_CERT"):
        signing_identity()


def test_the_key_and_the_certificate_are_configured_together():
    with pytest.raises(ConfigurationError, match="RECO_SIGNING_CERT"):
        load_config(Path("/tmp"), {"RECO_SIGNING_KEY": "/etc/reco/key.pem"})
    config = load_config(Path("/srv/instance"), {"RECO_SECRET_KEY": "k" * 32})
    assert config["RECO_SIGNING_KEY"] == "/srv/instance/signing/key.pem" and config["RECO_SIGNING_GENERATE"]


def _text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_every_font_is_embedded_and_prints_latin_extended_letters(app, ctx, tmp_path):
    assert shutil.which("pdffonts"), "pdffonts (Debian poppler-utils) is installed by .ci/run"
    for kind, document in _documents().items():
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(document.pdf)
        lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
        fonts = lines[2:]
        assert fonts, kind
        for line in fonts:
            name, *columns = line.split()
            emb = columns[-5]
            assert emb == "yes", f"{kind}: {line}"
            assert "DejaVuSans" in name, f"{kind}: {line}"
        if kind in ("donation_attestation", "collection_receipt", "donor_report"):
            text = _text(document.pdf)
            assert DONOR in text, kind
        if kind in ("donation_attestation", "donor_report"):
            assert SERIAL in _text(document.pdf), kind


def test_routes_that_serve_kept_documents_serve_the_signed_kept_bytes(app, ctx, client):
    documents = _documents()
    supervisor = db.session.get(User, documents["collection_receipt"].issued_by_id)
    login_as(client, supervisor)
    for kind in ("collection_receipt", "donation_attestation", "donor_report"):
        document = documents[kind]
        response = client.get(f"/documents/{document.id}.pdf")
        assert response.status_code == 200 and response.data == document.pdf, kind
        assert _validate(response.data).bottom_line, kind
    receipt = documents["handover_receipt"]
    response = client.get(f"/prescriptions/{receipt.object_id}/documents/{receipt.id}.pdf")
    assert response.status_code == 200 and response.data == receipt.pdf
    response = client.get(f"/reports/annual.pdf?year={local_today().year}")
    assert response.status_code == 200 and response.data == documents["annual_report"].pdf
    token = {"Authorization": f"Bearer {make_token(supervisor)}"}
    for kind in ("donor_report", "annual_report"):
        response = client.get(f"/api/v1/documents/{documents[kind].number}.pdf", headers=token)
        assert response.status_code == 200 and response.data == documents[kind].pdf, kind


def _upload(client, data: bytes, name: str = "document.pdf"):
    """Post ``data`` as the file of the /verify form, encoded in memory (no temporary file left open)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name, content_type="application/pdf")})
    return client.post("/verify", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_verify_recognises_the_exact_file_and_shows_what_it_states(app, ctx, client):
    documents = _documents()
    certificate = documents["donor_report"]
    response = _upload(client, certificate.pdf)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "exactement le document émis par Reco" in page and certificate.number in page
    assert "valide" in page and SERIAL in page and DONOR in page
    for kind, document in documents.items():
        response = _upload(client, document.pdf)
        assert response.status_code == 200 and document.number in response.get_data(as_text=True), kind


def test_verify_refuses_an_edited_file_with_a_clear_message(app, ctx, client):
    document = _documents()["donation_attestation"]
    for edited in (_edited(document.pdf, b"ReportLab", b"ReportLub"), _with_incremental_update(document.pdf)):
        response = _upload(client, edited)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, page
        assert f"prétend être le document {document.number}" in page and "modifié" in page


def test_verify_refuses_a_file_reco_did_not_issue(app, ctx, client):
    response = _upload(client, b"%PDF-1.7\n%%EOF\n")
    assert response.status_code == 422 and "Reco n'a pas émis ce fichier" in response.get_data(as_text=True)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.pdf", "Le fichier est vide"),
    (b"PK\x03\x04 not a pdf", "photo.zip", "n'est pas un PDF"),
    (b"%PDF-" + b"0" * VERIFY_MAX_BYTES, "huge.pdf", "plus de 10 Mo"),
])
def test_verify_answers_a_bad_upload_with_a_clear_4xx(app, ctx, client, data, name, message):
    response = _upload(client, data, name)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_verify_without_a_file_or_above_the_sites_limit_is_a_4xx(app, ctx, client, monkeypatch):
    response = client.post("/verify", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choisissez le fichier PDF" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = _upload(client, b"%PDF-" + b"0" * 2000)
    assert response.status_code == 413 and "Fichier trop volumineux" in response.get_data(as_text=True)


def test_verify_needs_the_csrf_token(app, ctx, client, csrf_enabled):
    response = _upload(client, b"%PDF-1.7\n")
    assert response.status_code == 400


def test_verify_by_fingerprint_still_answers(app, ctx, client):
    document = _documents()["collection_receipt"]
    response = client.get(f"/verify/{document.fingerprint}")
    assert response.status_code == 200 and document.number in response.get_data(as_text=True)
    assert document.fingerprint in _text(document.pdf)


def test_a_document_is_signed_and_checked_where_an_event_loop_already_runs(app, ctx):
    from reportlab.pdfgen.canvas import Canvas

    from reco.core.signing import check_signature, sign_pdf

    buffer = io.BytesIO()
    page = Canvas(buffer)
    page.drawString(100, 700, "Reco")
    page.save()

    async def inside_a_loop():
        with app.app_context():
            signed = sign_pdf(buffer.getvalue(), "test")
            return signed, check_signature(signed)

    with ThreadPoolExecutor(max_workers=1) as elsewhere:  # a thread of its own, whatever runs in this one
        signed, check = elsewhere.submit(asyncio.run, inside_a_loop()).result()
    assert check.signed and check.valid and signed.startswith(b"%PDF-")
