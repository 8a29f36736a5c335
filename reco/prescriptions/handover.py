"""The family's signature at the handover: checked with the report, kept with the handover receipt it signs."""
from __future__ import annotations

import base64

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import User
from reco.core.errors import ValidationFailed
from reco.core.time import utcnow
from reco.extensions import db
from reco.prescriptions.lifecycle import PRESCRIPTION
from reco.prescriptions.models import Visit, VisitReport
from reco.prescriptions.pdf import handover_receipt_for, issue_signed_receipt
from reco.prescriptions.signature import PREFIX, parse_signature

#: The longest signer's name and reason for not signing.
LIMITS = {"signer_name": 120, "no_signature_reason": 500}


def signature_answers(fields: dict, errors: dict[str, list[str]]) -> dict:
    """Return the report's signature columns; add to ``errors`` what needs a correction."""
    clean = {}
    for name, limit in LIMITS.items():
        value = fields.get(name) or ""
        if not isinstance(value, str) or len(value) > limit:
            errors[name] = [str(_l("text too long or of the wrong type"))]
            value = ""
        clean[name] = value.strip()
    try:
        signature = parse_signature(fields.get("signature"))
    except ValidationFailed as refusal:
        errors.update(refusal.fields)
        signature = None
    if signature is None and "signature" not in errors and not clean["no_signature_reason"]:
        errors["no_signature_reason"] = [str(_l("Have the family sign on the screen, or say here why it did not "
                                                "sign."))]
    if signature is not None:
        clean["no_signature_reason"] = ""
    return clean | {"receipt_signed": signature is not None,
                    "signature_png": signature.png if signature is not None else None}


def keep_receipt(report: VisitReport, visit: Visit, *, by: User) -> None:
    """Tie the report to the handover receipt (issued now if it was not yet) and issue its signed copy if signed."""
    prescription = visit.prescription
    PRESCRIPTION.check(prescription, "equip", given={"reservation_id": visit.reservation_id}, by_service=True)
    receipt = handover_receipt_for(prescription, by=by)
    report.receipt_number, report.receipt_sha256 = receipt.number, receipt.fingerprint
    if report.signature_png is not None:
        report.signed_at = utcnow()
        issue_signed_receipt(prescription, receipt, report, by=by)


def signatures_export(prescription) -> list[dict]:
    """Return what each handover to the household kept of its signature, for its right of access."""
    reports = db.session.scalars(select(VisitReport).join(Visit).where(Visit.prescription_id == prescription.id)
                                 .order_by(VisitReport.id))
    return [{"receipt_number": r.receipt_number, "receipt_fingerprint": r.receipt_sha256,
             "signed_by": r.signer_name or None, "signed_at": r.signed_at.isoformat() if r.signed_at else None,
             "collected_by": r.reported_by.name if r.reported_by else None,
             "signature": PREFIX + base64.b64encode(r.signature_png).decode() if r.signature_png else None,
             "no_signature_reason": r.no_signature_reason or None} for r in reports]
