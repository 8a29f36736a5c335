"""Names of audit-event actions and of their details in the user's language, for the timelines."""
import re
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from reco.core.i18n import format_day

EVENT_LABELS = {
    "created": _l("Creation"),
    "updated": _l("Details changed"),
    "deactivated": _l("Account deactivated"),
    "reactivated": _l("Account reactivated"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
    "tokens_revoked": _l("All API tokens revoked"),
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
    "personal_data_viewed": _l("Contact details seen outside the prescribing structure"),
    "personal_data_erased": _l("Personal data erased"),
    "device_returned": _l("Device brought back"),
    "requested": _l("Asked for"),
    "scheduled": _l("Visit planned"),
    "rescheduled": _l("Visit planned again"),
    "missed": _l("Visit missed"),
    "cancelled": _l("Cancelled"),
    "reported": _l("Visit reported"),
    "handed_over": _l("Handed over at the workshop"),
    "corrected": _l("Correction"),
    "accepted": _l("Accepted"),
    "shipped": _l("Shipped"),
    "declined": _l("Declined"),
    "part_used": _l("Spare part used"),
    "drive_installed": _l("Drive from the bank installed"),
    "drive_added": _l("Drive added"),
    "voided": _l("Voided (received by mistake)"),
    "merged": _l("Merged with another device"),
    "merged_into": _l("Merged into another device"),
    "declared_items_deleted": _l("Declared lines deleted"),
    "commune_corrected": _l("Commune set from the communes registry"),
}

#: Names of the details that events carry (``Event.details`` keys), shown after the action in the timelines.
DETAIL_LABELS = {
    "after": _l("after"),
    "another_machine_with_same_code": _l("another machine with the same code"),
    "before": _l("before"),
    "changes": _l("changes"),
    "code": _l("code"),
    "commune": _l("commune"),
    "serial": _l("serial number"),
    "declared_line": _l("declared line"),
    "device": _l("device"),
    "donation": _l("collection"),
    "donor_id": _l("donor"),
    "drive": _l("drive"),
    "drives": _l("drives"),
    "duplicates": _l("duplicates"),
    "failing": _l("failing drives"),
    "families": _l("families"),
    "fault_type": _l("fault type"),
    "faults": _l("faults"),
    "faulty": _l("checks failed"),
    "fields": _l("fields changed"),
    "kept": _l("device kept"),
    "from": _l("from"),
    "grade": _l("grade"),
    "insee_code": _l("INSEE code"),
    "installer": _l("installer"),
    "kind": _l("kind"),
    "kinds": _l("kinds"),
    "label": _l("label"),
    "lines": _l("lines"),
    "log_sha256": _l("log fingerprint (SHA-256)"),
    "method": _l("method"),
    "mismatch_confirmed": _l("reserved though it does not fit"),
    "month": _l("month"),
    "name": _l("name"),
    "number": _l("number"),
    "on": _l("date"),
    "origin": _l("taken from"),
    "planned": _l("date planned"),
    "part": _l("part"),
    "quantity": _l("quantity"),
    "reason": _l("reason"),
    "reason_kind": _l("reason"),
    "ground": _l("ground"),
    "requested_on": _l("asked on"),
    "months": _l("months"),
    "released_line": _l("declared line released"),
    "registry": _l("release of the registry"),
    "receipt_signed": _l("receipt signed"),
    "repair": _l("repair"),
    "result": _l("result"),
    "role": _l("role"),
    "scope": _l("access"),
    "slot": _l("time slot"),
    "status": _l("status"),
    "structure": _l("structure"),
    "to": _l("to"),
    "token_id": _l("token"),
    "tokens": _l("tokens"),
    "verification": _l("verification"),
    "version": _l("version"),
    "what": _l("seen"),
    "witness": _l("witness"),
    "workshop": _l("workshop"),
}

#: Names of the values details take, by detail name or, for one kind of object only, by "object_type.detail";
#: each feature registers its vocabularies (e.g. "slot": SLOT_LABELS).
DETAIL_VALUE_LABELS: dict[str, dict] = {}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def _value_labels(object_type: str, key: str) -> dict:
    """Return the names of the values of detail ``key`` of an ``object_type`` event."""
    return DETAIL_VALUE_LABELS.get(f"{object_type}.{key}") or DETAIL_VALUE_LABELS.get(key) or {}


def _field_name(object_type: str, name: str) -> str:
    """Return the name of a field or a detail met inside a detail (what changed, what moved)."""
    labels = _value_labels(object_type, "fields")
    return str(labels[name]) if name in labels else str(DETAIL_LABELS.get(name, name))


def _change(object_type: str, name: str, item) -> str:
    """Return an item of a detail: a change as « before → after », else the value."""
    if isinstance(item, dict) and set(item) == {"before", "after"}:
        item = [item["before"], item["after"]]
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return " → ".join(detail_value(object_type, name, v) for v in item)
    return detail_value(object_type, name, item)


def detail_value(object_type: str, key: str, value) -> str:
    """Return a detail's value as people read it: named, yes or no, dates and numbers in the user's language."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        return format_decimal(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(detail_value(object_type, key, v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(_("%(key)s: %(value)s", key=_field_name(object_type, name),
                           value=_change(object_type, name, item)) for name, item in value.items())
    if value is None:
        return "—"
    text = str(value)
    labels = _value_labels(object_type, key)
    if text in labels:
        return str(labels[text])
    try:
        if _ISO_DATE.fullmatch(text):
            return format_day(date.fromisoformat(text), "EEEE d MMMM y")
        if _ISO_MONTH.fullmatch(text):
            return format_day(date.fromisoformat(f"{text}-01"), "MMMM y")
    except ValueError:  # typed text shaped like a date that is none, e.g. a reason "2026-13-01"
        pass
    return text
