"""The collection receipt (bordereau de collecte) and the donation attestation, as PDF."""
from __future__ import annotations

from datetime import date

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from reco.core.documents import Document, DocumentMeta, issue_document
from reco.core.pdf import build_pdf, paragraph, table
from reco.core.time import utcnow
from reco.donations.models import Donation
from reco.donations.services import declared_vs_received
from reco.inventory.models import DeviceState
from reco.inventory.vocabulary import TYPE_LABELS


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
    """Return what the collection receipt states, for its fingerprint and its pages."""
    summary = declared_vs_received(donation)
    when = donation.collected_at or donation.received_at
    return {
        "donation": donation.reference,
        "donor": donation.donor.name,
        "siren": donation.donor.siren,
        "date": (when.date() if when else donation.planned_date or utcnow().date()).isoformat(),
        "place": donation.pickup_address,
        "counts": [[row["type"].value, row["declared"], row["received"]] for row in summary["rows"]],
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


def collection_receipt_pdf(donation: Donation, content: dict, meta: DocumentMeta) -> bytes:
    """Build the collection receipt: donor, date, place, counts per type."""
    rows = [[_("Type of device"), _("Declared"), _("Collected")]]
    rows += [[str(TYPE_LABELS[row["type"]]), row["declared"], row["received"]]
             for row in declared_vs_received(donation)["rows"]]
    if len(rows) == 1:
        rows.append([_("No device declared or received yet."), "", ""])
    story = [
        *_donor_block(donation),
        paragraph(_("Collection"), "h2"),
        paragraph(_("Collection %(ref)s of %(date)s", ref=donation.reference,
                    date=format_date(date.fromisoformat(content["date"]), "long"))),
        paragraph(_("Place: %(place)s", place=donation.pickup_address or "—")),
        paragraph(_("Devices"), "h2"),
        table(rows, [90 * mm, 42 * mm, 42 * mm]),
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
