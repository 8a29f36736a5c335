"""The models of prescriptions: households' requests and reservations, installation visits, partner reports."""
from reco.prescriptions.models.partner_reports import PartnerReport, PartnerReportLine
from reco.prescriptions.models.prescriptions import (
    CHILDREN_FIELDS,
    CLOSED,
    TEXT_LIMITS,
    DigitalLevel,
    EquipmentWanted,
    InternetAtHome,
    Need,
    Prescription,
    PrescriptionStatus,
    Reservation,
    Urgency,
)
from reco.prescriptions.models.reasons import (
    REQUEST_GROUNDS,
    DeclineKind,
    EndKind,
    ErasureGround,
    MissedKind,
    ReleaseKind,
    ReturnKind,
)
from reco.prescriptions.models.visits import (
    OPEN_VISITS,
    Account,
    FirstStep,
    FollowUp,
    Slot,
    Visit,
    VisitMiss,
    VisitReport,
    VisitStatus,
)

__all__ = [
    "CHILDREN_FIELDS", "CLOSED", "OPEN_VISITS", "Account", "DigitalLevel", "EquipmentWanted", "FirstStep", "FollowUp",
    "InternetAtHome", "Need", "PartnerReport", "PartnerReportLine", "Prescription", "PrescriptionStatus",
    "Reservation", "Slot", "TEXT_LIMITS", "Urgency", "Visit", "VisitReport", "VisitStatus", "REQUEST_GROUNDS", "DeclineKind",
    "EndKind", "ErasureGround", "MissedKind", "ReleaseKind", "ReturnKind", "VisitMiss",
]
