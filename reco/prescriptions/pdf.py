"""The handover receipt (attestation de remise) given to the family with its device."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from reco.core.documents import Document, DocumentMeta, issue_document
from reco.core.pdf import build_pdf, paragraph, table
from reco.core.printed import number
from reco.inventory.models import Device
from reco.inventory.vocabulary import ACCESSORY_LABELS, GRADE_LABELS, TYPE_LABELS
from reco.prescriptions.models import Prescription


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


def handover_receipt_pdf(content: dict, meta: DocumentMeta) -> bytes:
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
               ["\n\n\n\n", "\n\n\n\n"]], [87 * mm, 87 * mm]),
    ]
    return build_pdf(meta, story)


def issue_handover_receipt(prescription: Prescription, *, by, with_contact: bool) -> Document:
    """Issue a numbered handover receipt for the device reserved for ``prescription``."""
    device = prescription.reservation.device
    content = receipt_content(prescription, device, prescription.contact_name if with_contact else "")
    return issue_document(kind="handover_receipt", code="AR", title=_("Handover receipt"),
                          structure=prescription.workshop, obj=prescription, content=content, by=by,
                          build=lambda meta: handover_receipt_pdf(content, meta))
