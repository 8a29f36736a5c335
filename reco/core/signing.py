"""The network's signature on issued documents (PAdES, pyHanko): its key and certificate, signing, checking."""
from __future__ import annotations

import asyncio
import io
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from reco.core.errors import DomainError
from reco.core.time import utcnow

#: Name of the signature field Reco adds to every document it issues.
FIELD = "Reco"
#: Years the self-signed certificate created at set-up stays valid.
SELF_SIGNED_YEARS = 30


def _generate(directory: Path) -> None:
    """Write a new RSA key and its self-signed document-signing certificate into ``directory``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    host = current_app.config["RECO_BASE_URL"].split("://")[-1].split("/")[0] or "reco"
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Reco document signing ({host})"[:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Reco")])
    now = utcnow()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * SELF_SIGNED_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256()))
    key_file = directory / "key.pem"
    with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    (directory / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def ensure_signing_key() -> bool:
    """Create the network's key and self-signed certificate in the instance folder unless set; say if created."""
    config = current_app.config
    if not config["RECO_SIGNING_GENERATE"] or Path(config["RECO_SIGNING_CERT"]).exists():
        return False
    target = Path(config["RECO_SIGNING_CERT"]).parent
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = Path(tempfile.mkdtemp(prefix=".signing-", dir=target.parent))
    try:
        _generate(draft)
        os.rename(draft, target)  # atomic: of two processes creating it at once, one wins and the other reads it
    except OSError:
        if not Path(config["RECO_SIGNING_CERT"]).exists():
            raise
        return False
    finally:
        shutil.rmtree(draft, ignore_errors=True)
    return True


@dataclass(frozen=True)
class SigningIdentity:
    """The network's signing key and certificate, with the certificates of its chain."""

    key: object
    certificate: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...]


def signing_identity() -> SigningIdentity:
    """Load the network's signing key and certificate (creating them at first use when none is configured)."""
    ensure_signing_key()
    config = current_app.config
    try:
        certificates = list(load_certs_from_pemder_data(Path(config["RECO_SIGNING_CERT"]).read_bytes()))
        password = config["RECO_SIGNING_KEY_PASSWORD"].encode() or None
        key = load_private_key_from_pemder_data(Path(config["RECO_SIGNING_KEY"]).read_bytes(), passphrase=password)
    except (OSError, ValueError) as exc:
        raise DomainError(f"RECO_SIGNING_KEY / RECO_SIGNING_CERT: {exc}") from exc
    if not certificates:
        raise DomainError(f"RECO_SIGNING_CERT: no certificate in {config['RECO_SIGNING_CERT']}")
    return SigningIdentity(key, certificates[0], tuple(certificates[1:]))


def outside_event_loop(call):
    """Return ``call()``, a pyHanko entry point that runs its own event loop: in this thread, or in a worker thread
    when this one already runs a loop (a browser driven from the same process, an asynchronous server)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(call).result()


def sign_pdf(pdf: bytes, reason: str) -> bytes:
    """Return ``pdf`` signed with the network's key as a PAdES baseline signature covering the whole file."""
    identity = signing_identity()
    signer = signers.SimpleSigner(signing_cert=identity.certificate, signing_key=identity.key,
                                  cert_registry=SimpleCertificateStore.from_certs(identity.chain))
    meta = signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha256", reason=reason,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    output = outside_event_loop(lambda: signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta,
                                                          signer=signer))
    return output.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """What the signature of a PDF file says: whether the network signed exactly this file, and what it states."""

    #: the file carries a signature at all
    signed: bool
    #: signed with the network's key, intact, covering the whole file, nothing added after
    valid: bool
    #: the fingerprint the file states in its metadata (its subject), if any
    fingerprint: str


def check_signature(pdf: bytes) -> SignatureCheck:
    """Validate the signature of an uploaded PDF against the network's certificate; never raise on a bad file."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        trailer = reader.trailer_view
        info = trailer["/Info"] if "/Info" in trailer else {}
        fingerprint = str(info["/Subject"]) if "/Subject" in info else ""
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any unreadable upload is simply "not a document Reco issued"
        return SignatureCheck(False, False, "")
    if not signatures:
        return SignatureCheck(False, False, fingerprint)
    context = ValidationContext(trust_roots=[signing_identity().certificate])
    try:
        status = outside_event_loop(lambda: validate_pdf_signature(signatures[-1], context))
    except Exception:  # noqa: BLE001 - a signature that cannot even be read is not a valid one
        return SignatureCheck(True, False, fingerprint)
    valid = (len(signatures) == 1 and status.bottom_line and status.intact and status.trusted
             and status.coverage is SignatureCoverageLevel.ENTIRE_FILE
             and status.modification_level in (None, ModificationLevel.NONE))
    return SignatureCheck(True, valid, fingerprint)
