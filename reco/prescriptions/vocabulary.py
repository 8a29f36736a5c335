"""Names of the prescription vocabularies in the user's language."""
from flask_babel import lazy_gettext as _l

from reco.core.vocabulary import DETAIL_VALUE_LABELS
from reco.prescriptions.models import (
    Account,
    DeclineKind,
    DigitalLevel,
    EndKind,
    ErasureGround,
    MissedKind,
    ReleaseKind,
    ReturnKind,
    EquipmentWanted,
    FirstStep,
    FollowUp,
    InternetAtHome,
    Need,
    PrescriptionStatus,
    Slot,
    Urgency,
    VisitStatus,
)

PRESCRIPTION_STATUS_LABELS = {
    PrescriptionStatus.DRAFT: _l("draft"),
    PrescriptionStatus.SUBMITTED: _l("submitted"),
    PrescriptionStatus.ACCEPTED: _l("accepted, waiting for a device"),
    PrescriptionStatus.DECLINED: _l("declined"),
    PrescriptionStatus.WITHDRAWN: _l("withdrawn"),
    PrescriptionStatus.RESERVED: _l("device reserved"),
    PrescriptionStatus.EQUIPPED: _l("household equipped"),
    PrescriptionStatus.CANCELLED: _l("cancelled"),
}

NEED_LABELS = {
    Need.SCHOOL: _l("School follow-up"),
    Need.JOB_SEARCH: _l("Job search"),
    Need.ADMINISTRATION: _l("Administrative procedures"),
    Need.HEALTH: _l("Health"),
    Need.KEEPING_IN_TOUCH: _l("Keeping in touch with family and friends"),
}

DIGITAL_LEVEL_LABELS = {
    DigitalLevel.ASSISTANCE: _l("Needs someone to do it with them"),
    DigitalLevel.TRAINING: _l("Can learn with some training"),
    DigitalLevel.OCCASIONAL_HELP: _l("Nearly autonomous, occasional help"),
}

EQUIPMENT_LABELS = {
    EquipmentWanted.LAPTOP: _l("Laptop"),
    EquipmentWanted.DESKTOP: _l("Desktop computer"),
    EquipmentWanted.TABLET: _l("Tablet"),
    EquipmentWanted.ANY: _l("No preference"),
}

INTERNET_LABELS = {
    InternetAtHome.YES: _l("Yes"),
    InternetAtHome.NO: _l("No"),
    InternetAtHome.UNKNOWN: _l("Don't know"),
}

URGENCY_LABELS = {
    Urgency.NORMAL: _l("Normal"),
    Urgency.PRIORITY: _l("Priority (within a month)"),
    Urgency.URGENT: _l("Urgent (within a week)"),
}

CHILDREN_LABELS = {
    "children_preschool": _l("Children under 6 (nursery school or younger)"),
    "children_primary": _l("Children in primary school"),
    "children_middle": _l("Children in middle school (collège)"),
    "children_high": _l("Children in high school (lycée)"),
    "students": _l("Students in higher education"),
}

VISIT_STATUS_LABELS = {
    VisitStatus.REQUESTED: _l("to be planned"),
    VisitStatus.SCHEDULED: _l("planned"),
    VisitStatus.MISSED: _l("missed, to plan again"),
    VisitStatus.DONE: _l("done"),
    VisitStatus.CANCELLED: _l("cancelled"),
}

SLOT_LABELS = {
    Slot.MORNING: _l("morning (9:00–12:00)"),
    Slot.AFTERNOON: _l("afternoon (14:00–17:00)"),
    Slot.EVENING: _l("evening (17:00–19:00)"),
}

ACCOUNT_LABELS = {
    Account.EMAIL: _l("Email address"),
    Account.SCHOOL: _l("School account (ENT)"),
    Account.ADMINISTRATION: _l("Administration accounts (CAF, France Travail, impots.gouv...)"),
}

FIRST_STEP_LABELS = {
    FirstStep.TURN_ON: _l("Turning it on and off"),
    FirstStep.SAFE_BROWSING: _l("Browsing safely"),
    FirstStep.EMAIL: _l("Sending and reading email"),
    FirstStep.SCHOOL_PORTAL: _l("The school portal"),
}

FOLLOW_UP_LABELS = {
    FollowUp.ANOTHER_VISIT: _l("Another visit"),
    FollowUp.WORKSHOP_SESSION: _l("A group session"),
    FollowUp.DIGITAL_ADVISOR: _l("Referral to a conseiller numérique"),
}

#: What someone outside the prescribing structure saw the household's contact on (``personal_data_viewed``).
PERSONAL_DATA_SEEN_LABELS = {
    "contact": _l("contact and address"),
    "visit": _l("visit address"),
    "handover_receipt": _l("handover receipt"),
    "signed_handover_receipt": _l("signed handover receipt"),
}

#: Names of a prescription's fields, for the history of what was changed.
PRESCRIPTION_FIELD_LABELS = {
    "contact_name": _l("Person to contact"),
    "contact_phone": _l("Phone"),
    "address": _l("Address"),
    "postcode": _l("Postcode"),
    "commune": _l("Commune"),
    "insee_code": _l("INSEE code of the commune"),
    "qpv": _l("priority neighbourhood (QPV)"),
    "adults": _l("Adults"),
    **CHILDREN_LABELS,
    "needs": _l("What the computer is for"),
    "digital_level": _l("Ease with computers"),
    "equipment": _l("Equipment wanted"),
    "internet": _l("Internet at home"),
    "visit_wanted": _l("Installation"),
    "urgency": _l("Urgency"),
    "urgency_reason": _l("Why is it urgent?"),
    "comment": _l("Comment"),
    "consent_on": _l("Day the household agreed"),
}

#: Kinds of reasons about a household (reco/prescriptions/models/reasons.py): what events keep of a reason.
END_KIND_LABELS = {
    EndKind.NO_LONGER_NEEDED: _l("the household no longer needs it"),
    EndKind.EQUIPPED_ELSEWHERE: _l("equipped by another means"),
    EndKind.MOVED: _l("the household moved away"),
    EndKind.UNREACHABLE: _l("the household cannot be reached"),
    EndKind.MISTAKE: _l("written by mistake or twice"),
    EndKind.OTHER: _l("other reason"),
}

DECLINE_KIND_LABELS = {
    DeclineKind.OUT_OF_AREA: _l("outside the workshop's area"),
    DeclineKind.NOT_ELIGIBLE: _l("does not meet the workshop's criteria"),
    DeclineKind.NO_SUITABLE_DEVICE: _l("no suitable device expected"),
    DeclineKind.DUPLICATE: _l("household already prescribed"),
    DeclineKind.INCOMPLETE: _l("prescription incomplete"),
    DeclineKind.OTHER: _l("other reason"),
}

MISSED_KIND_LABELS = {
    MissedKind.NOBODY_HOME: _l("nobody at home"),
    MissedKind.NO_ANSWER: _l("no answer to calls"),
    MissedKind.WRONG_ADDRESS: _l("address not found"),
    MissedKind.POSTPONED: _l("postponed by the household"),
    MissedKind.INSTALLER_UNAVAILABLE: _l("installer unavailable"),
    MissedKind.OTHER: _l("other reason"),
}

RELEASE_KIND_LABELS = {
    ReleaseKind.DEVICE_FAULT: _l("device faulty"),
    ReleaseKind.BETTER_DEVICE: _l("another device suits better"),
    ReleaseKind.HOUSEHOLD_POSTPONED: _l("postponed by the household"),
    ReleaseKind.UNREACHABLE: _l("the household cannot be reached"),
    ReleaseKind.INSTALLER_UNAVAILABLE: _l("installer unavailable"),
    ReleaseKind.OTHER: _l("other reason"),
}

RETURN_KIND_LABELS = {
    ReturnKind.FAULT: _l("fault"),
    ReturnKind.DAMAGED: _l("damaged"),
    ReturnKind.NOT_SUITED: _l("does not suit the household"),
    ReturnKind.NO_LONGER_NEEDED: _l("the household no longer needs it"),
    ReturnKind.OTHER: _l("other reason"),
}

ERASURE_GROUND_LABELS = {
    ErasureGround.HOUSEHOLD_REQUEST: _l("the household asked for its data to be erased"),
    ErasureGround.CONSENT_WITHDRAWN: _l("the household withdrew its consent"),
    ErasureGround.OBJECTION: _l("the household objected to the processing"),
    ErasureGround.RETENTION: _l("automatic erasure after the retention period"),
}

#: The kinds a prescription's events may carry, whatever the action (their values do not overlap in meaning).
PRESCRIPTION_REASON_LABELS = {**RETURN_KIND_LABELS, **RELEASE_KIND_LABELS, **DECLINE_KIND_LABELS,
                              **END_KIND_LABELS}
VISIT_REASON_LABELS = {**MISSED_KIND_LABELS, **RELEASE_KIND_LABELS}

DETAIL_VALUE_LABELS.update({
    "prescription.reason_kind": PRESCRIPTION_REASON_LABELS,
    "visit.reason_kind": VISIT_REASON_LABELS,
    "reservation.reason_kind": RELEASE_KIND_LABELS,
    "device.reason": RETURN_KIND_LABELS,
    "ground": ERASURE_GROUND_LABELS,
    "slot": SLOT_LABELS,
    "what": PERSONAL_DATA_SEEN_LABELS,
    "prescription.from": PRESCRIPTION_STATUS_LABELS,
    "prescription.to": PRESCRIPTION_STATUS_LABELS,
    "visit.from": VISIT_STATUS_LABELS,
    "visit.to": VISIT_STATUS_LABELS,
    "prescription.fields": PRESCRIPTION_FIELD_LABELS,
})
