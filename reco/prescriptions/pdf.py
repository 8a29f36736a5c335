"""The handover receipt (attestation de remise) given to the family with its device."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.units import mm
from reportlab.platypus import Image, Spacer

from reco.core.documents import Document, DocumentMeta, documents_about, issue_document
from reco.core.errors import DomainError
from reco.core.pdf import build_pdf, paragraph, table
from reco.core.printed import number
from reco.inventory.models import Device
from reco.inventory.vocabulary import ACCESSORY_LABELS, GRADE_LABELS, TYPE_LABELS
from reco.prescriptions.models import Prescription, VisitReport
from reco.prescriptions.privacy import note_personal_data_access, read_contact
from reco.prescriptions.signature import png_size

#: The kind of the copy of a handover receipt that carries the family's signature drawn on the screen.
SIGNED_RECEIPT = "signed_handover_receipt"
#: The largest the signature is drawn in its box.
SIGNATURE_BOX = (80 * mm, 26 * mm)


def _specs(device: Device) -> str:
    """Return the device's main specifications in one line."""
    parts = [device.cpu]
    if device.ram_bytes:
        parts.append(_("%(n)s GB of memory", n=number(device.ram_bytes / 1024 ** 3)))
    if device.storage_bytes:
        parts.append(_("%(n)s GB of storage", n=number(device.storage_bytes / 1000 ** 3, "#,##0")))
    if device.screen_inches:
        parts.append(_("%(n)s-inch screen", n=number(device.screen_inches)))
    if device.os_name:
        parts.append(device.os_name)
    return ", ".join(p for p in parts if p) or "—"


def receipt_content(prescription: Prescription, device: Device, contact_name: str) -> dict:
    """Return what the handover receipt states, for its fingerprint and its page."""
    workshop = prescription.workshop
    return {
        "household": prescription.code,
        "contact_name": contact_name,
        "device": {"tag": device.tag, "type": device.type.value, "brand": device.brand, "model": device.model,
                   "serial": device.serial, "specs": _specs(device),
                   "grade": device.grade.value if device.grade else None},
        "accessories": sorted(device.accessories or []),
        "warranty_months": workshop.warranty_months,
        "support_contact": workshop.support_contact,
    }


def handover_receipt_pdf(content: dict, meta: DocumentMeta, signature_png: bytes | None = None) -> bytes:
    """Build the handover receipt: device, accessories, warranty, support contact, household, signatures."""
    device = content["device"]
    accessories = ", ".join(str(ACCESSORY_LABELS.get(a, a)) for a in content["accessories"]) or _("none")
    rows = [
        [_("Asset tag"), device["tag"]],
        [_("Device"), f"{TYPE_LABELS[device['type']]} {device['brand']} {device['model']}".strip()],
        [_("Serial number"), device["serial"] or "—"],
        [_("Specifications"), device["specs"]],
        [_("Cosmetic grade"), str(GRADE_LABELS[device["grade"]]) if device["grade"] else "—"],
        [_("Accessories"), accessories],
    ]
    name = content["contact_name"] or "_" * 40
    story = [
        paragraph(_("Household"), "h2"),
        paragraph(_("Household code: %(code)s", code=content["household"])),
        paragraph(_("Received by: %(name)s", name=name)),
        paragraph(_("Device handed over"), "h2"),
        table(rows, [45 * mm, 129 * mm], header=False),
        paragraph(_("Warranty and support"), "h2"),
        paragraph(_("The device is refurbished: every function was tested and every previous data erased. The "
                    "workshop repairs or replaces it free of charge for %(n)d months from today, except damage "
                    "caused by a fall, liquid or misuse.", n=content["warranty_months"])),
        paragraph(_("In case of trouble, contact: %(contact)s",
                    contact=content["support_contact"] or meta.issuer)),
        paragraph(_("The device is given free of charge to the household; it may not be sold."), "small"),
        Spacer(1, 8 * mm),
        table([[_("For the household (name, date, signature)"), _("For the workshop or the installer (name, date, "
                                                                   "signature)")],
               _signature_cells(content.get("signed"), signature_png)], [87 * mm, 87 * mm]),
    ]
    if content.get("signed"):
        story[:0] = _signed_copy_notice(content["signed"])
    return build_pdf(meta, story)


def _signed_copy_notice(signed: dict) -> list:
    """Return the lines that say which receipt this copy signs, when, and the signature image's fingerprint."""
    return [paragraph(_("Signed copy of the handover receipt No. %(number)s, signed on the screen on %(date)s.",
                        number=signed["receipt_number"],
                        date=format_datetime(datetime.fromisoformat(signed["signed_at"]), "short"))),
            paragraph(_("Fingerprint of the receipt signed: %(fingerprint)s",
                        fingerprint=signed["receipt_fingerprint"]), "small"),
            paragraph(_("SHA-256 of the signature image: %(sha)s", sha=signed["signature_sha256"]), "small")]


def _signature_cells(signed: dict | None, signature_png: bytes | None) -> list:
    """Return the signature box's cells: blank to sign by hand, or the signature drawn and who collected it."""
    if signed is None or signature_png is None:
        return ["\n\n\n\n", "\n\n\n\n"]
    when = format_datetime(datetime.fromisoformat(signed["signed_at"]), "short")
    width, height = png_size(signature_png)
    scale = min(SIGNATURE_BOX[0] / width, SIGNATURE_BOX[1] / height)
    image = Image(io.BytesIO(signature_png), width=width * scale, height=height * scale, hAlign="LEFT")
    return [[paragraph(f"{signed['signer_name'] or '—'}, {when}", "cell"), image],
            [paragraph(f"{signed['collected_by']}, {when}", "cell"),
             paragraph(_("Signature collected on the screen by this person."), "small")]]


def handover_receipt_for(prescription: Prescription, *, by) -> Document:
    """Return the handover receipt of the device reserved for the household, issued now if it was not yet; it names
    the household only when ``by`` may read its contact (the workshop handing the device over, never a mediator)."""
    if not prescription.awaiting_handover or prescription.reservation is None:
        raise DomainError(str(_l("A handover receipt needs a device reserved for the household.")))
    receipt = current_handover_receipt(prescription)
    if receipt is not None:
        return receipt
    content = receipt_content(prescription, prescription.reservation.device,
                              _named_to(by, prescription, "handover_receipt"))
    return issue_document(kind="handover_receipt", code="AR", title=_("Handover receipt"),
                          structure=prescription.workshop, obj=prescription, content=content, by=by,
                          build=lambda meta: handover_receipt_pdf(content, meta))


def _named_to(user, prescription: Prescription, what: str) -> str:
    """Return the household's name for a receipt ``user`` issues, if they may read it, else an empty line."""
    contact = read_contact(user, prescription, what)
    return contact["contact_name"] if contact else ""


def receipt_pdf(prescription: Prescription, document: Document, *, by) -> bytes:
    """Return a handover receipt as printed, and log the read: the receipt to sign while the device is reserved, if
    ``by`` may read the household's name it carries; the signed copy at any time, always (it carries the family's
    signature)."""
    if document.kind != SIGNED_RECEIPT:
        if not prescription.awaiting_handover:
            raise DomainError(str(_l("The handover receipt can be printed only while the device is reserved for the "
                                     "household.")))
        read_contact(by, prescription, document.kind)
    else:
        note_personal_data_access(by, prescription, document.kind)
    return document.pdf


def current_handover_receipt(prescription: Prescription) -> Document | None:
    """Return the handover receipt issued since the device in force was reserved, if any."""
    reserved_at = prescription.reservation.reserved_at
    return next((d for d in documents_about(prescription)
                 if d.kind == "handover_receipt" and d.issued_at >= reserved_at), None)


def issue_signed_receipt(prescription: Prescription, receipt: Document, report: VisitReport, *, by) -> Document:
    """Issue the signed copy of ``receipt``: a new numbered document with the family's signature in its box."""
    device = prescription.reservation.device
    content = receipt_content(prescription, device, _named_to(by, prescription, SIGNED_RECEIPT)) | {
        "signed": {"receipt_number": receipt.number, "receipt_fingerprint": receipt.fingerprint,
                   "signer_name": report.signer_name, "signed_at": report.signed_at.isoformat(),
                   "collected_by": by.name, "signature_sha256": hashlib.sha256(report.signature_png).hexdigest()}}
    return issue_document(kind=SIGNED_RECEIPT, code="ARS", title=_("Signed handover receipt"),
                          structure=prescription.workshop, obj=prescription, content=content, by=by,
                          build=lambda meta: handover_receipt_pdf(content, meta, report.signature_png))
