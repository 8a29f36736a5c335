"""The collection receipt (bordereau de collecte) and the donation attestation, as PDF."""
from __future__ import annotations

from datetime import date

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy import select

from reco.core.documents import Document, DocumentMeta, issue_document
from reco.core.pdf import build_pdf, paragraph, table
from reco.core.time import utcnow
from reco.donations.models import DeclaredItem, Donation
from reco.donations.services import declared_vs_received
from reco.extensions import db
from reco.inventory.models import DeviceState, DeviceType
from reco.inventory.vocabulary import TYPE_LABELS

#: Rows of the donor's list per table on the receipt, so that long lists lay out quickly.
RECEIPT_ROWS_PER_TABLE = 200


def _donor_block(donation: Donation) -> list:
    """Return the paragraphs that identify the donor."""
    donor = donation.donor
    lines = [donor.name]
    if donor.siret or donor.siren:
        lines.append(f"SIRET {donor.siret}" if donor.siret else f"SIREN {donor.siren}")
    address = " ".join(p for p in (donor.address, donor.postcode, donor.city) if p)
    if address:
        lines.append(address)
    if donor.contact_name:
        lines.append(_("Contact: %(name)s", name=donor.contact_name))
    return [paragraph(_("Donor"), "h2"), paragraph("\n".join(lines))]


def _signatures() -> list:
    """Return the signature boxes of the donor and the workshop."""
    boxes = table([[_("For the donor (name, date, signature)"), _("For the workshop (name, date, signature)")],
                   ["\n\n\n", "\n\n\n"]], [87 * mm, 87 * mm])
    return [Spacer(1, 8 * mm), boxes]


def receipt_content(donation: Donation) -> dict:
    """Return what the collection receipt states (counts declared and received, the donor's list), for its pages."""
    summary = declared_vs_received(donation)
    when = donation.collected_at or donation.received_at
    lines = db.session.execute(select(DeclaredItem.line_number, DeclaredItem.device_type, DeclaredItem.brand,
                                      DeclaredItem.model, DeclaredItem.serial, DeclaredItem.donor_tag)
                               .where(DeclaredItem.donation_id == donation.id).order_by(DeclaredItem.line_number))
    return {
        "donation": donation.reference,
        "donor": donation.donor.name,
        "siren": donation.donor.siren,
        "date": (when.date() if when else donation.planned_date or utcnow().date()).isoformat(),
        "place": donation.pickup_address,
        "counts": [[row["type"].value, row["declared"], row["received"]] for row in summary["rows"]],
        "declared_lines": [[line.line_number, line.device_type.value, f"{line.brand} {line.model}".strip(),
                            line.serial or "", line.donor_tag or ""] for line in lines],
    }


def attestation_content(donation: Donation) -> dict:
    """Return what the donation attestation states: every item received and the declared value."""
    return {
        "donation": donation.reference,
        "donor": donation.donor.name,
        "siren": donation.donor.siren,
        "declared_value": str(donation.declared_value) if donation.declared_value is not None else None,
        "items": [[d.tag, d.type.value, d.brand, d.model, d.serial, d.donor_tag] for d in donation.devices
                  if d.state is not DeviceState.VOIDED],
    }


def _receipt_counts(content: dict) -> list:
    """Return the counts per type: declared, and received once devices arrived; a sentence when none was declared."""
    declared = sum(declared for _type, declared, _received in content["counts"])
    received = sum(received for _type, _declared, received in content["counts"])
    story = []
    if not declared:
        story.append(paragraph(_("Nothing was declared for this collection yet: the devices will be counted when "
                                 "they arrive at the workshop.")))
    if not declared and not received:
        return story
    columns = [i for i, total in ((1, declared), (2, received)) if total]
    header = {1: _("Declared"), 2: _("Received at the workshop")}
    rows = [[_("Type of device"), *(header[i] for i in columns)]]
    rows += [[str(TYPE_LABELS[DeviceType(row[0])]), *(row[i] for i in columns)] for row in content["counts"]
             if any(row[i] for i in columns)]
    rows.append([_("Total"), *(declared if i == 1 else received for i in columns)])
    return [*story, table(rows, [90 * mm, *([84 * mm / len(columns)] * len(columns))])]


def _declared_lines(content: dict) -> list:
    """Return the donor's list as declared: one row per line with its serial and donor's tag."""
    lines = content["declared_lines"]
    if not lines:
        return []
    header = [_("Line"), _("Type"), _("Brand and model"), _("Serial number"), _("Donor's tag")]
    widths = [14 * mm, 28 * mm, 47 * mm, 45 * mm, 40 * mm]
    story = [paragraph(_("The donor's list"), "h2")]
    for start in range(0, len(lines), RECEIPT_ROWS_PER_TABLE):
        rows = [[n, str(TYPE_LABELS[DeviceType(kind)]), model, serial, tag]
                for n, kind, model, serial, tag in lines[start:start + RECEIPT_ROWS_PER_TABLE]]
        story.append(table([header, *rows], widths))
    return story


def collection_receipt_pdf(donation: Donation, content: dict, meta: DocumentMeta) -> bytes:
    """Build the collection receipt from its content: donor, date, place, counts per type, the donor's list."""
    story = [
        *_donor_block(donation),
        paragraph(_("Collection"), "h2"),
        paragraph(_("Collection %(ref)s of %(date)s", ref=content["donation"],
                    date=format_date(date.fromisoformat(content["date"]), "long"))),
        paragraph(_("Place: %(place)s", place=content["place"] or "—")),
        paragraph(_("Devices"), "h2"),
        *_receipt_counts(content),
        *_declared_lines(content),
        *_signatures(),
    ]
    return build_pdf(meta, story)


def donation_attestation_pdf(donation: Donation, content: dict, meta: DocumentMeta) -> bytes:
    """Build the donation attestation with the annex listing every item received."""
    value = (_("Value declared by the donor: %(value)s €", value=format_decimal(donation.declared_value, "#,##0.00"))
             if donation.declared_value is not None else _("The donor declared no value."))
    devices = [d for d in donation.devices if d.state is not DeviceState.VOIDED]
    rows = [[_("Our tag"), _("Type"), _("Brand and model"), _("Serial number"), _("Donor's tag")]]
    rows += [[d.tag, str(TYPE_LABELS[d.type]), f"{d.brand} {d.model}".strip(), d.serial or "", d.donor_tag or ""]
             for d in devices]
    story = [
        *_donor_block(donation),
        paragraph(_("Attestation"), "h2"),
        paragraph(_("%(workshop)s certifies that it received from the donor above, as a gift, the %(n)d items "
                    "listed in the annex (collection %(ref)s).", workshop=meta.issuer, n=len(devices),
                    ref=donation.reference)),
        paragraph(value),
        paragraph(_("The tax receipt (Cerfa 16216) remains the association's accountant's task; this document "
                    "provides the list of items to annex to it."), "small"),
        paragraph(_("Annex: items received"), "h2"),
        table(rows, [31 * mm, 24 * mm, 49 * mm, 40 * mm, 30 * mm]),
        *_signatures(),
    ]
    return build_pdf(meta, story)


def issue_collection_receipt(donation: Donation, *, by) -> Document:
    """Issue a numbered collection receipt for ``donation``."""
    content = receipt_content(donation)
    return issue_document(kind="collection_receipt", code="BC", title=_("Collection receipt"),
                          structure=donation.workshop, obj=donation, content=content, by=by,
                          build=lambda meta: collection_receipt_pdf(donation, content, meta))


def issue_donation_attestation(donation: Donation, *, by) -> Document:
    """Issue a numbered donation attestation for ``donation``."""
    content = attestation_content(donation)
    return issue_document(kind="donation_attestation", code="AD", title=_("Donation attestation"),
                          structure=donation.workshop, obj=donation, content=content, by=by,
                          build=lambda meta: donation_attestation_pdf(donation, content, meta))
