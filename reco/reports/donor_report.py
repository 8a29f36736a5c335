"""The donor report and certificate of sanitization of one donation (PDF): what became of every device and drive."""
from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak
from sqlalchemy import func, select

from reco.core.documents import Document, DocumentMeta, issue_document
from reco.core.pdf import build_pdf, paragraph, table
from reco.core.printed import identifier, number
from reco.donations.models import Donation, DonationStatus
from reco.extensions import db
from reco.inventory.models import Device, DeviceState, Drive
from reco.inventory.vocabulary import TYPE_LABELS
from reco.prescriptions.models import Prescription, PrescriptionStatus, Reservation
from reco.reports.certificate import certificate_story, drive_content
from reco.reports.figures import SMALL_CELL, derived
from reco.reports.kept import current_document
from reco.reports.models import factors_by_type

#: What became of a device, from its state.
OUTCOMES = {DeviceState.DELIVERED: "reused", DeviceState.HARVESTED: "harvested", DeviceState.RECYCLED: "recycled"}


def _outcome_label(outcome: str) -> str:
    """Return an outcome in the user's language."""
    return {"reused": _("reused by a household"), "harvested": _("dismantled for its parts"),
            "recycled": _("recycled (WEEE)"), "in_progress": _("in progress")}[outcome]


def _impact(value: float | None, unit: str) -> str:
    """Return a weight or CO2e as printed, or why it is not."""
    return _("not published (fewer than 5 devices)") if value is None else f"{number(value)} {unit}"


def report_content(donation: Donation) -> dict:
    """Return what the report states: devices with their outcome, drives with their records, families, impact."""
    devices = list(db.session.scalars(select(Device).where(Device.donation_id == donation.id,
                                                           Device.state != DeviceState.VOIDED).order_by(Device.id)))
    drives = list(db.session.scalars(select(Drive).where(Drive.donation_id == donation.id).order_by(Drive.id)))
    factors = factors_by_type()
    weight = co2e = 0.0
    reused = delivered = 0
    for device in devices:
        factor = factors.get(device.type)
        if device.state in (DeviceState.DELIVERED, DeviceState.HARVESTED):
            reused += 1
            weight += float(device.weight_kg) if device.weight_kg is not None else float(
                factor.weight_kg if factor else 0)
        if device.state is DeviceState.DELIVERED:
            delivered += 1
            co2e += float(factor.co2e_avoided_kg) if factor is not None else 0.0
    communes = Counter(dict(db.session.execute(
        select(Prescription.commune, func.count(Prescription.id))
        .join(Reservation, Reservation.prescription_id == Prescription.id)
        .join(Device, Device.id == Reservation.device_id)
        .where(Device.donation_id == donation.id, Device.state == DeviceState.DELIVERED,
               Prescription.status == PrescriptionStatus.EQUIPPED, Reservation.released_at.is_(None))
        .group_by(Prescription.commune)).all()))
    workshop = donation.workshop
    return {
        "donation": donation.reference, "donor": donation.donor.name, "siren": donation.donor.siren,
        "final": donation.status is DonationStatus.CLOSED,
        "workshop": {"name": workshop.name, "address": workshop.address, "postcode": workshop.postcode,
                     "commune": workshop.commune, "insee_code": workshop.insee_code, "siret": workshop.siret},
        "devices": [[d.tag, d.type.value, d.donor_tag, d.serial, OUTCOMES.get(d.state, "in_progress")]
                    for d in devices],
        "drives": sorted((drive_content(drive) for drive in drives),
                         key=lambda drive: (drive["device"] or "", drive["serial"] or "")),
        "families": {commune or "—": count for commune, count in sorted(communes.items()) if count >= SMALL_CELL},
        "families_elsewhere": any(count < SMALL_CELL for count in communes.values()),
        "sources": sorted({f.source for f in factors.values() if f.source}),
        # the donor is outside the workshop: the rule of the network's figures, whoever issues the report
        "weight_kg": derived(round(weight, 1), reused, True, -1),
        "co2e_kg": derived(round(co2e, 1), delivered, True, -2),
    }


def donor_report_pdf(content: dict, meta: DocumentMeta) -> bytes:
    """Build the donor report and certificate of sanitization."""
    status = _("Final report: the donation is closed.") if content["final"] else _(
        "Report in progress: devices still at the workshop are marked « in progress ».")
    widths = [25 * mm, 22 * mm, 44 * mm, 44 * mm, 39 * mm]
    rows = [[_("Our tag"), _("Type"), _("Donor's tag"), _("Serial number"), _("Outcome")]]
    rows += [[identifier(tag, widths[0]), str(TYPE_LABELS[kind]), identifier(donor_tag or "", widths[2]),
              identifier(serial or "", widths[3]), _outcome_label(outcome)]
             for tag, kind, donor_tag, serial, outcome in content["devices"]]
    families = [[_("Commune"), _("Families equipped")]] + [[commune, number(count)]
                                                           for commune, count in content["families"].items()]
    if content["families_elsewhere"]:
        families.append([_("Other communes (fewer than 5 families each)"), "—"])
    story = [
        paragraph(_("Donor: %(donor)s", donor=content["donor"]) + (f" (SIREN {content['siren']})"
                                                                   if content["siren"] else "")),
        paragraph(_("Collection %(ref)s", ref=content["donation"])),
        paragraph(status, "small"),
        paragraph(_("Devices"), "h2"),
        table(rows, widths) if len(rows) > 1 else paragraph(_("No device was received with this donation.")),
        paragraph(_("Families equipped with these devices"), "h2"),
        table(families, [120 * mm, 54 * mm]) if len(families) > 1 else paragraph(_("None yet.")),
        paragraph(_("Communes with fewer than 5 families are not named, to protect the households."), "small"),
        paragraph(_("Impact"), "h2"),
        paragraph(_("Weight kept out of waste: %(weight)s. Greenhouse gases avoided: %(co2)s.",
                    weight=_impact(content["weight_kg"], "kg"), co2=_impact(content["co2e_kg"], "kg CO2e"))),
        paragraph(_("Factors used are those of the network's figures page. Sources: %(sources)s",
                    sources="; ".join(content["sources"]) or "—"), "small"),
        PageBreak(),
        *certificate_story(content),
    ]
    return build_pdf(meta, story)


def issue_donor_report(donation: Donation, *, by) -> Document:
    """Issue a numbered donor report and certificate of sanitization for ``donation``."""
    content = report_content(donation)
    return issue_document(kind="donor_report", code="RD", title=_("Donor report and certificate of sanitization"),
                          structure=donation.workshop, obj=donation, content=content, by=by,
                          build=lambda meta: donor_report_pdf(content, meta))


def current_donor_report(donation: Donation, *, by) -> Document:
    """Return the last donor report of ``donation`` if it still states what is true now, else issue a new one."""
    return current_document(donation, "donor_report", report_content(donation)) or issue_donor_report(donation, by=by)

