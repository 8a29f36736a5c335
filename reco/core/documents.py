"""Issued documents: numbered, fingerprinted with SHA-256, kept, and verifiable by anyone."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Index, LargeBinary, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.audit import record_event
from reco.core.sequences import next_value
from reco.core.signing import sign_pdf
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class Document(db.Model):
    """A PDF document Reco issued, kept as it was printed and signed."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_object", "object_type", "object_id"),)
    audit_type = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. DEM-BC-2026-00001
    number: Mapped[str] = mapped_column(String(40), unique=True)
    #: e.g. "collection_receipt", "donation_attestation".
    kind: Mapped[str] = mapped_column(String(40))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the document's content, printed on it.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    structure = relationship("Structure", lazy="joined")

    def __str__(self) -> str:
        return self.number


@dataclass(frozen=True)
class DocumentMeta:
    """What every document prints: issuer, title, number, date, fingerprint and where to verify it."""

    issuer: str
    title: str
    number: str
    issued_at: datetime
    fingerprint: str
    verify_url: str


def fingerprint_of(content: dict) -> str:
    """Return the SHA-256 of a document's content, in a canonical JSON form."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def signed_pdf(meta: DocumentMeta, pdf: bytes) -> bytes:
    """Return a document's PDF signed with the network's key, as it is kept and served."""
    return sign_pdf(pdf, _("Document %(number)s issued by %(issuer)s", number=meta.number, issuer=meta.issuer))


def issue_document(*, kind: str, code: str, title: str, structure, obj, content: dict,
                   build: Callable[[DocumentMeta], bytes], by) -> Document:
    """Number, fingerprint, build, sign and keep a document about ``obj`` issued by ``structure``."""
    issued_at = utcnow()
    prefix = structure.tag_prefix or f"S{structure.id}"
    number = f"{prefix}-{code}-{issued_at.year}-{next_value(f'document:{prefix}:{code}:{issued_at.year}'):05d}"
    fingerprint = fingerprint_of({"number": number, "kind": kind, "issuer": structure.name,
                                  "issued_at": issued_at.isoformat(), "content": content})
    base = current_app.config["RECO_BASE_URL"].rstrip("/")
    meta = DocumentMeta(structure.name, title, number, issued_at, fingerprint, f"{base}/verify/{fingerprint}")
    document = Document(number=number, kind=kind, structure_id=structure.id, object_type=obj.audit_type,
                        object_id=str(obj.id), fingerprint=fingerprint, issued_at=issued_at,
                        issued_by_id=getattr(by, "id", None), pdf=signed_pdf(meta, build(meta)))
    db.session.add(document)
    db.session.flush()
    record_event(by, obj, "document_issued", kind=kind, number=number)
    return document


def documents_about(obj) -> list[Document]:
    """Return the documents issued about ``obj``, newest first."""
    return list(db.session.scalars(
        select(Document).where(Document.object_type == obj.audit_type, Document.object_id == str(obj.id))
        .order_by(Document.id.desc())))


def find_by_fingerprint(fingerprint: str) -> Document | None:
    """Return the document with this fingerprint, if Reco issued one."""
    fingerprint = (fingerprint or "").strip().lower()
    if len(fingerprint) != 64 or any(c not in "0123456789abcdef" for c in fingerprint):
        return None
    return db.session.scalar(select(Document).where(Document.fingerprint == fingerprint))
