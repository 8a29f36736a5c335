"""The donor report and certificate of sanitization of one donation (PDF): what became of every device and drive."""
from __future__ import annotations

from collections import Counter

from flask_babel import format_decimal
from flask_babel import gettext as _
from reportlab.lib.units import mm
from sqlalchemy import func, select

from reco.core.documents import Document, DocumentMeta, issue_document
from reco.core.pdf import build_pdf, paragraph, table
from reco.donations.models import Donation, DonationStatus
from reco.extensions import db
from reco.inventory.models import Device, DeviceState, Drive
from reco.inventory.vocabulary import (
    INTERFACE_LABELS,
    LEVEL_LABELS,
    SANITIZATION_RESULT_LABELS,
    TECHNIQUE_LABELS,
    TYPE_LABELS,
    VERIFICATION_LABELS,
)
from reco.prescriptions.models import Prescription, PrescriptionStatus, Reservation
from reco.reports.figures import SMALL_CELL
from reco.reports.models import factors_by_type

#: What became of a device, from its state.
OUTCOMES = {DeviceState.DELIVERED: "reused", DeviceState.HARVESTED: "harvested", DeviceState.RECYCLED: "recycled"}


def _outcome_label(outcome: str) -> str:
    """Return an outcome in the user's language."""
    return {"reused": _("reused by a household"), "harvested": _("dismantled for its parts"),
            "recycled": _("recycled (WEEE)"), "in_progress": _("in progress")}[outcome]


def _destination(drive: Drive) -> str:
    """Return where a drive's media went: reused in a device given away, kept for reuse, destroyed; or not yet."""
    if drive.is_destroyed:
        return _("destroyed, recycled")
    device = drive.device
    if device is not None and device.state is DeviceState.RECYCLED:
        return _("recycling")
    if not drive.is_sanitized:
        return _("in progress")
    if device is not None and device.state is DeviceState.DELIVERED:
        return _("external reuse (in a device given to a household)")
    if device is None:
        return _("internal reuse (kept by the workshop)")
    return _("in progress")


def report_content(donation: Donation) -> dict:
    """Return what the report states: devices with their outcome, drives with their records, families, impact."""
    devices = list(db.session.scalars(select(Device).where(Device.donation_id == donation.id,
                                                           Device.state != DeviceState.VOIDED).order_by(Device.id)))
    drives = list(db.session.scalars(select(Drive).where(Drive.donation_id == donation.id).order_by(Drive.id)))
    factors = factors_by_type()
    weight = co2e = 0.0
    for device in devices:
        factor = factors.get(device.type)
        if device.state in (DeviceState.DELIVERED, DeviceState.HARVESTED):
            weight += float(device.weight_kg) if device.weight_kg is not None else float(
                factor.weight_kg if factor else 0)
        if device.state is DeviceState.DELIVERED and factor is not None:
            co2e += float(factor.co2e_avoided_kg)
    communes = Counter(dict(db.session.execute(
        select(Prescription.commune, func.count(Prescription.id))
        .join(Reservation, Reservation.prescription_id == Prescription.id)
        .join(Device, Device.id == Reservation.device_id)
        .where(Device.donation_id == donation.id, Device.state == DeviceState.DELIVERED,
               Prescription.status == PrescriptionStatus.EQUIPPED, Reservation.released_at.is_(None))
        .group_by(Prescription.commune)).all()))
    return {
        "donation": donation.reference, "donor": donation.donor.name, "siren": donation.donor.siren,
        "final": donation.status is DonationStatus.CLOSED,
        "devices": [[d.tag, d.type.value, d.donor_tag, d.serial, OUTCOMES.get(d.state, "in_progress")]
                    for d in devices],
        "drives": [_drive_row(drive) for drive in drives],
        "families": {commune or "—": count for commune, count in sorted(communes.items()) if count >= SMALL_CELL},
        "families_elsewhere": any(count < SMALL_CELL for count in communes.values()),
        "sources": sorted({f.source for f in factors.values() if f.source}),
        "weight_kg": round(weight, 1), "co2e_kg": round(co2e, 1),
    }


def _drive_row(drive: Drive) -> dict:
    """Return a drive's line of the certificate: the drive, its passing (or last) record, its destination."""
    record = drive.passing_sanitization or (drive.sanitizations[-1] if drive.sanitizations else None)
    device = drive.device or drive.removed_from
    row = {"serial": drive.serial, "model": drive.model, "media": drive.interface.value if drive.interface else None,
           "device": device.tag if device else None, "destination": _destination(drive), "record": None}
    if record is not None:
        row["record"] = {"level": record.level.value, "technique": record.technique.value, "tool": record.tool.value,
                         "verification": record.verification.value, "result": record.result.value,
                         "passing": record.is_passing,
                         "started": record.started_at.isoformat() if record.started_at else None,
                         "ended": (record.ended_at or record.created_at).isoformat(),
                         "operator": record.operator.name if record.operator else None}
    return row


def donor_report_pdf(content: dict, meta: DocumentMeta) -> bytes:
    """Build the donor report and certificate of sanitization."""
    status = _("Final report: the donation is closed.") if content["final"] else _(
        "Report in progress: devices still at the workshop are marked « in progress ».")
    rows = [[_("Our tag"), _("Type"), _("Donor's tag"), _("Serial number"), _("Outcome")]]
    rows += [[tag, str(TYPE_LABELS[kind]), donor_tag or "", serial or "", _outcome_label(outcome)]
             for tag, kind, donor_tag, serial, outcome in content["devices"]]
    drives = [[_("Drive"), _("Media"), _("Device"), _("Sanitization"), _("Verification, result"), _("Date, operator"),
               _("Destination")]]
    for drive in content["drives"]:
        record = drive["record"]
        media = str(INTERFACE_LABELS[drive["media"]]) if drive["media"] else "—"
        if record is None:
            sanitization, check, when = _("no record yet"), "", ""
        else:
            sanitization = (f"{LEVEL_LABELS[record['level']]} · {TECHNIQUE_LABELS[record['technique']]} · "
                            f"{record['tool']}")
            check = (f"{VERIFICATION_LABELS[record['verification']]} · "
                     f"{SANITIZATION_RESULT_LABELS[record['result']]}" + ("" if record["passing"] else
                                                                          " · " + _("does not prove erasure")))
            when = f"{record['ended'][:10]} · {record['operator'] or ''}"
        drives.append([f"{drive['serial'] or '—'}\n{drive['model']}", media, drive["device"] or "", sanitization,
                       check, when, drive["destination"]])
    families = [[_("Commune"), _("Families equipped")]] + [[commune, str(count)]
                                                           for commune, count in content["families"].items()]
    if content["families_elsewhere"]:
        families.append([_("Other communes (fewer than 5 families each)"), "—"])
    story = [
        paragraph(_("Donor: %(donor)s", donor=content["donor"]) + (f" (SIREN {content['siren']})"
                                                                   if content["siren"] else "")),
        paragraph(_("Collection %(ref)s", ref=content["donation"])),
        paragraph(status, "small"),
        paragraph(_("Devices"), "h2"),
        table(rows, [28 * mm, 26 * mm, 32 * mm, 40 * mm, 48 * mm]),
        paragraph(_("Certificate of sanitization (NIST SP 800-88)"), "h2"),
        table(drives, [30 * mm, 18 * mm, 22 * mm, 34 * mm, 26 * mm, 24 * mm, 20 * mm]) if len(drives) > 1 else
        paragraph(_("No drive was received with this donation.")),
        paragraph(_("Families equipped with these devices"), "h2"),
        table(families, [120 * mm, 54 * mm]) if len(families) > 1 else paragraph(_("None yet.")),
        paragraph(_("Communes with fewer than 5 families are not named, to protect the households."), "small"),
        paragraph(_("Impact"), "h2"),
        paragraph(_("Weight kept out of waste: %(kg)s kg. Greenhouse gases avoided: %(co2)s kg CO2e.",
                    kg=format_decimal(content["weight_kg"]), co2=format_decimal(content["co2e_kg"]))),
        paragraph(_("Factors used are those of the network's figures page. Sources: %(sources)s",
                    sources="; ".join(content["sources"]) or "—"), "small"),
    ]
    return build_pdf(meta, story)


def issue_donor_report(donation: Donation, *, by) -> Document:
    """Issue a numbered donor report and certificate of sanitization for ``donation``."""
    content = report_content(donation)
    return issue_document(kind="donor_report", code="RD", title=_("Donor report and certificate of sanitization"),
                          structure=donation.workshop, obj=donation, content=content, by=by,
                          build=lambda meta: donor_report_pdf(content, meta))

