"""Checking a PDF file someone holds: is it exactly a document Reco issued, and what does it state."""
from __future__ import annotations

from dataclasses import dataclass, field

import pypdfium2
from flask_babel import lazy_gettext as _l

from reco.core.documents import Document, find_by_fingerprint
from reco.core.signing import check_signature

#: Largest file /verify reads, in MB: a donor report of thousands of devices stays far below.
VERIFY_MAX_MB = 10
VERIFY_MAX_BYTES = VERIFY_MAX_MB * 1024 * 1024
#: What each kind of document is called on the verification page.
KIND_LABELS = {
    "collection_receipt": _l("Collection receipt"),
    "donation_attestation": _l("Donation attestation"),
    "handover_receipt": _l("Handover receipt"),
    "signed_handover_receipt": _l("Signed handover receipt"),
    "donor_report": _l("Donor report and certificate of sanitization"),
    "annual_report": _l("Activity report"),
}
#: Outcomes of a check: the file is accepted as issued, or refused, with the reason.
ACCEPTED = ("identical", "signed")


@dataclass(frozen=True)
class FileCheck:
    """The verdict on an uploaded file, the document it is, and its text page by page when identical to the kept
    copy."""

    #: identical (byte for byte the kept copy), signed (the network's valid signature, kept copy since erased),
    #: empty, too_large, not_pdf, modified (claims a document but was changed) or unknown (Reco did not issue it)
    outcome: str
    document: Document | None = None
    #: the file's signature is the network's, intact and covering the whole file
    signature_valid: bool = False
    pages: list[list[str]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """Tell whether the file is exactly what Reco issued."""
        return self.outcome in ACCEPTED


def pdf_text(pdf: bytes) -> list[list[str]]:
    """Return the text of a PDF, one list of non-empty lines per page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            text = page.get_textpage().get_text_bounded()
            pages.append([line.strip() for line in text.splitlines() if line.strip()])
        return pages
    finally:
        document.close()


def check_file(data: bytes) -> FileCheck:
    """Tell whether ``data`` is a document Reco issued, unchanged: the kept copy, or signed by the network."""
    if not data:
        return FileCheck("empty")
    if len(data) > VERIFY_MAX_BYTES:
        return FileCheck("too_large")
    if not data.lstrip()[:5] == b"%PDF-":
        return FileCheck("not_pdf")
    signature = check_signature(data)
    document = find_by_fingerprint(signature.fingerprint)
    if document is None:
        return FileCheck("unknown", signature_valid=signature.valid)
    if document.pdf == data:
        return FileCheck("identical", document, signature.valid, pdf_text(data))
    if signature.valid:  # the kept copy was erased for data protection: Reco shows nothing more of it
        return FileCheck("signed", document, True)
    return FileCheck("modified", document)
