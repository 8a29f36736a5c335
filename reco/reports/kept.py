"""Kept documents read again: the last one issued stands while it still states what is true now."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import select

from reco.core.documents import Document, documents_about, fingerprint_of
from reco.core.permissions import can
from reco.extensions import db


def current_document(obj, kind: str, content: dict) -> Document | None:
    """Return the newest ``kind`` document about ``obj`` that states ``content`` (its fingerprint says so), if any."""
    for document in documents_about(obj):
        if document.kind != kind:
            continue
        printed = fingerprint_of({"number": document.number, "kind": kind, "issuer": document.structure.name,
                                  "issued_at": document.issued_at.astimezone(timezone.utc).isoformat(),
                                  "content": content})
        if printed == document.fingerprint:
            return document
    return None


def readable_document(number: str, user) -> Document | None:
    """Return the kept document of this number if ``user`` may read it as the pages allow, else None.

    Documents about a donation go to its workshop's staff (``document.view``); an annual report goes to the
    structure it was made for, whose figures it holds. Handover receipts hold a household's name: only their page
    gives them, while the device is reserved, and logs it.
    """
    document = db.session.scalar(select(Document).where(Document.number == (number or "")[:40]))
    if document is None:
        return None
    if document.object_type == "donation":
        return document if can(user, "document.view", document) else None
    if document.kind == "annual_report":
        return document if can(user, "report.view") and document.structure_id == user.structure_id else None
    return None
