"""The history of households and visits shows every detail in words: no stored code, date or yes/no in raw form."""
import ast
import re
from datetime import timedelta

from flask import render_template_string

from reco.core.audit import Event
from reco.core.time import local_today, utcnow
from reco.prescriptions.models import PrescriptionStatus, Slot
from reco.prescriptions.services import FIELDS
from reco.prescriptions.vocabulary import PERSONAL_DATA_SEEN_LABELS
from tests.core.test_event_labels import _detail_keys, _event_calls, _modules, _name

ON = (local_today() + timedelta(days=6)).isoformat()
PLANNED = (local_today() + timedelta(days=1)).isoformat()
STATUSES = [s.value for s in PrescriptionStatus]
#: Codes that are French words as well (a field named after what it holds).
FRENCH_WORDS = {"commune", "version"}
#: Details that hold what a person wrote or a name, shown as written.
FREE_TEXTS = {"reason", "installer", "workshop", "device"}


def _seen_values() -> set[str]:
    """Return the kinds of page the code logs a look at personal data from (constant arguments)."""
    found = set(PERSONAL_DATA_SEEN_LABELS)
    for module in _modules():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _name(node.func) in ("note_personal_data_access", "read_contact") \
                    and len(node.args) > 2 and isinstance(node.args[2], ast.Constant):
                found.add(node.args[2].value)
    return found


def _samples() -> list[tuple[str, str, dict]]:
    """Return (object type, action, details) covering each detail the households' and visits' code records."""
    samples = [
        ("prescription", "created", {"workshop": "Atelier Nord"}),
        ("prescription", "updated", {"fields": list(FIELDS)}),
        ("prescription", "device_returned", {"device": "DEM-00012", "reason_kind": "fault"}),
        ("prescription", "personal_data_erased", {"ground": "household_request", "requested_on": PLANNED}),
        ("prescription", "personal_data_erased", {"ground": "retention", "months": 24}),
        ("visit", "requested", {"installer": "Médiation Sud"}),
        ("visit", "missed", {"reason_kind": "nobody_home", "planned": PLANNED, "on": ON, "slot": "morning"}),
        ("visit", "cancelled", {"reason_kind": "device_fault"}),
        ("visit", "reported", {"receipt_signed": True}),
        ("visit", "handed_over", {"receipt_signed": False}),
        ("partner_report", "corrected", {"month": "2026-11", "families": 12, "version": 2}),
    ]
    samples += [("prescription", "status", {"from": a, "to": b, "device": "DEM-00012", "reason_kind": kind})
                for (a, b), kind in zip(zip(STATUSES, STATUSES[1:] + STATUSES[:1]),
                                        ["moved", "not_eligible", "device_fault", "fault", "other", "mistake",
                                         "better_device", "no_longer_needed"])]
    samples += [("prescription", "personal_data_viewed", {"what": what}) for what in sorted(_seen_values())]
    samples += [("visit", action, {"on": ON, "slot": slot.value}) for action in ("scheduled", "rescheduled")
                for slot in Slot]
    return samples


def _raw_forms(details: dict) -> set[str]:
    """Return how the details' stored codes would read if shown raw."""
    raw = set(details)
    for key, value in details.items():
        if key in FREE_TEXTS:
            continue
        values = value if isinstance(value, list) else [value]
        raw |= {v for v in values if isinstance(v, str) and re.fullmatch(r"[a-z_]+|\d{4}-\d{2}(-\d{2})?", v)}
        raw |= {"true", "false", "True", "False"} if isinstance(value, bool) else set()
    return raw


def _render(events) -> str:
    page = render_template_string('{% from "macros.html" import history with context %}{{ history(events) }}',
                                  events=events)
    return re.sub(r"<[^>]+>", " ", page)


def test_the_samples_cover_every_detail_the_households_and_visits_record():
    recorded = set()
    for module, call in _event_calls(_modules()):
        if module.name.startswith("reco.prescriptions"):
            recorded |= _detail_keys(call, module)
    sampled = {key for _type, _action, details in _samples() for key in details}
    assert recorded <= sampled, f"add a sample of these details to this test: {sorted(recorded - sampled)}"


def test_every_detail_of_a_household_or_visit_history_reads_as_french_words(app):
    with app.test_request_context():
        for object_type, action, details in _samples():
            text = _render([Event(object_type=object_type, object_id="1", action=action, details=details,
                                  at=utcnow())])
            words = set(re.findall(r"[\w-]+", text))
            raw = {code for code in _raw_forms(details) if code in words or "_" in code and code in text}
            assert not raw - FRENCH_WORDS, \
                f"{object_type} {action}: {sorted(raw)} shown raw in {' '.join(text.split())!r}"


def test_the_history_names_values_in_french(app):
    events = [Event(object_type="visit", object_id="1", action="missed", at=utcnow(),
                    details={"reason": "famille absente", "planned": "2026-12-01", "on": "2026-12-10",
                             "slot": "morning"}),
              Event(object_type="visit", object_id="1", action="reported", at=utcnow(), details={"receipt_signed": True}),
              Event(object_type="prescription", object_id="1", action="personal_data_viewed", at=utcnow(),
                    details={"what": "visit"})]
    with app.test_request_context():
        text = " ".join(_render(events).replace("\xa0", " ").split())
    assert "date prévue : mardi 1er décembre 2026" in text and "date : jeudi 10 décembre 2026" in text
    assert "créneau : matin" in text and "reçu signé : oui" in text and "consulté : adresse de la visite" in text


def test_typed_text_shaped_like_a_date_that_is_none_reads_as_typed(app):
    events = [Event(object_type="prescription", object_id="1", action="withdrawn", at=utcnow(),
                    details={"reason": "2026-13-01"}),
              Event(object_type="visit", object_id="1", action="missed", at=utcnow(), details={"reason": "2026-00"})]
    with app.test_request_context():
        text = _render(events)
    assert "2026-13-01" in text and "2026-00" in text
