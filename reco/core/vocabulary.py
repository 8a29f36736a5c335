"""Names of audit-event actions in the user's language, for the timelines."""
from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "created": _l("Creation"),
    "updated": _l("Details changed"),
    "deactivated": _l("Account deactivated"),
    "reactivated": _l("Account reactivated"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
    "status": _l("Status changed"),
    "inventory_imported": _l("Donor's list imported"),
    "document_issued": _l("Document issued"),
    "received": _l("Received"),
    "transition": _l("State changed"),
    "diagnosed": _l("Diagnosis"),
    "hardware_report": _l("Hardware report imported"),
    "sanitization": _l("Sanitization recorded"),
    "sanitization_validated": _l("Sanitization validated"),
    "drive_destroyed": _l("Drive destroyed"),
    "drive_removed": _l("Drive taken out"),
    "repair": _l("Repair recorded"),
    "repair_closed": _l("Repair closed"),
    "moved": _l("Moved"),
}
