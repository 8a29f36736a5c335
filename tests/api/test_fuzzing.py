"""Schemathesis fuzzes every API operation on a live server, as each role, on its own structure's objects and others'.

Each role's token sends positive data (valid by the OpenAPI document) and negative data (invalid by it); every
answer must be documented (status code, content type, headers, body schema), never a 500, and invalid data must be
refused with a 4xx. Paths, queries and bodies take seeded ids of the token's structure and of others, and a few
known-good bodies (real tool outputs, a valid CSV...) reach each operation's success answer. Generation is
derandomized: for the same code, every run sends the same requests.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reco.accounts.models import Role
from reco.core.permissions import RULES
from reco.core.time import local_today
from reco.donations.inventory_import import parse_inventory
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.models import Location
from reco.parts.bank import ask_parts
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind
from reco.parts.stock import add_stock
from reco.prescriptions.partner_reports import submit_partner_report
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import request_visit
from reco.reports.donor_report import issue_donor_report
from tests.factories import (
    HOUSEHOLD,
    make_device,
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_structure,
    make_token,
    make_user,
)
from tests.inventory.workbench_helpers import fixture, nwipe_log_for

ROLES = (Role.SUPERVISOR, Role.TECHNICIAN, Role.PRESCRIBER, Role.INSTALLER, Role.PARTNER, Role.VIEWER, Role.ADMIN)
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
#: Cases per target (all generated, or a seeded id fixed) when the role has the operation's permission.
EXAMPLES = 6
#: Cases per mode when the role lacks the permission: it gets 403 before anything is read.
REFUSED_EXAMPLES = 2
#: Invalid data must get a 4xx (negative_data_rejection). Valid data is not required to succeed
#: (positive_data_acceptance is left out): unknown ids, another structure's objects and the pipeline's rules
#: rightly refuse much of what the document allows, with a documented 403, 404, 409 or 422.
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance,
          response_headers_conformance, negative_data_rejection]
SETTINGS = settings(
    derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
    # Health checks judge the generator (slow, filtered or large inputs), not the API under test.
    suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
)
LAST_MONTH = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)
MONTH_BEFORE = (LAST_MONTH - timedelta(days=1)).replace(day=1)
GOOD_REPORT = {"installed_working": True, "internet_connected": True, "accounts": ["email"],
               "first_steps": ["turn_on"], "digital_level": "assistance", "follow_ups": [],
               "no_signature_reason": "Attestation papier signée"}


@dataclass
class World:
    """The seeded data: a token per role, ids to put in paths, queries and bodies, and known-good requests."""

    tokens: dict[Role, str] = field(default_factory=dict)
    paths: dict[str, list] = field(default_factory=dict)
    queries: dict[str, list] = field(default_factory=dict)
    bodies: dict[str, list] = field(default_factory=dict)
    good: dict[str, list[dict]] = field(default_factory=dict)


def _side(name: str, partner, *, prescribers_request_visits: bool) -> dict:
    """Seed a workshop with its prescriber and installer structures, devices, a collection, prescriptions, stock."""
    installer_org = make_structure("installer", name=f"Installateur {name}")
    workshop = make_structure("workshop", name=f"Atelier {name}", usual_installer=installer_org,
                              prescribers_request_visits=prescribers_request_visits)
    prescriber_org = make_structure("prescriber", name=f"Prescripteur {name}", usual_workshop=workshop)
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    technician = make_user(Role.TECHNICIAN, structure=workshop)
    prescriber = make_user(Role.PRESCRIBER, structure=prescriber_org)
    installer = make_user(Role.INSTALLER, structure=installer_org)
    donor = make_donor(workshop)
    donation = make_donation(donor)
    import_declared_items(donation, parse_inventory(f"Serial;Type;Asset tag\nSN-{name}2;laptop;INV-{name}2\n"
                                                    .encode()), by=None)
    received = make_device(donation, serial=f"SN-{name}1", donor_tag=f"INV-{name}1",
                           drives=[{"serial": f"DRV-{name}1", "capacity_gb": "500", "interface": "ata_hdd"}])
    received.drives[0].device_path = "/dev/sda"
    diagnosed = make_device(donation, type="desktop", drives=[{"serial": f"DRV-{name}2", "capacity_gb": "250"}])
    record_diagnosis(diagnosed, by=technician, grade="B", checks={"power_on": "ok"})
    ready, spare = make_ready_device(workshop), make_ready_device(workshop)
    submitted = make_prescription(prescriber, workshop)
    accepted = make_prescription(prescriber, workshop, status="accepted")
    reserved = make_prescription(prescriber, workshop, status="accepted")
    reserve_device(reserved, make_ready_device(workshop), by=supervisor)
    visited = make_prescription(prescriber, workshop, status="accepted")
    reserve_device(visited, make_ready_device(workshop), by=supervisor)
    visit = request_visit(visited, by=supervisor, installer=installer_org)
    ram = create_part_type(by=supervisor, category="ram", name=f"RAM DDR4 {name}", attributes={"generation": "ddr4"})
    location = Location(workshop_id=workshop.id, code=f"{workshop.tag_prefix}-L0001", name="Étagère", kind="shelf")
    db.session.add(location)
    db.session.flush()
    add_stock(workshop, ram, quantity=5, condition="tested_ok", kind=MoveKind.RECEIVED, by=supervisor,
              location=location)
    submit_partner_report(partner, by=supervisor, month=MONTH_BEFORE, lines=[])
    report = issue_donor_report(donation, by=supervisor)
    db.session.commit()
    return {"report": report,
            "workshop": workshop, "prescriber_org": prescriber_org, "installer_org": installer_org,
            "supervisor": supervisor, "technician": technician, "prescriber": prescriber, "installer": installer,
            "donor": donor, "donation": donation, "devices": [received, diagnosed, ready], "spare": spare,
            "drive": received.drives[0], "prescriptions": [submitted, accepted, reserved, visited], "visit": visit,
            "ram": ram, "location": location}


def _seed() -> World:
    """Seed our side (A: the tokens' structures), another (B), and part requests between three workshops."""
    partner = make_structure("partner", name="Partenaire")
    a = _side("A", partner, prescribers_request_visits=True)
    b = _side("B", partner, prescribers_request_visits=False)
    c = make_structure("workshop", name="Atelier C")
    c_supervisor = make_user(Role.SUPERVISOR, structure=c)
    c_ram = create_part_type(by=c_supervisor, category="ram", name="RAM DDR4 C", attributes={"generation": "ddr4"})
    add_stock(c, c_ram, quantity=5, condition="tested_ok", kind=MoveKind.RECEIVED, by=c_supervisor)
    a_asks_b = ask_parts(by=a["supervisor"], owner=b["workshop"], part_type=b["ram"], condition="tested_ok",
                         quantity=1)
    b_asks_a = ask_parts(by=b["supervisor"], owner=a["workshop"], part_type=a["ram"], condition="tested_ok",
                         quantity=2)
    b_asks_c = ask_parts(by=b["supervisor"], owner=c, part_type=c_ram, condition="tested_ok", quantity=1)
    users = {Role.SUPERVISOR: a["supervisor"], Role.TECHNICIAN: a["technician"], Role.PRESCRIBER: a["prescriber"],
             Role.INSTALLER: a["installer"], Role.PARTNER: make_user(Role.PARTNER, structure=partner),
             Role.VIEWER: make_user(Role.VIEWER, structure=make_structure("partner", name="Financeur")),
             Role.ADMIN: make_user(Role.ADMIN, structure=make_structure("partner", name="Coordination"))}
    db.session.commit()
    received, diagnosed, ready = (d.tag for d in a["devices"])
    submitted, accepted, reserved, _visited = (p.id for p in a["prescriptions"])
    return World(
        tokens={role: make_token(user) for role, user in users.items()},
        paths={
            "structure_id": [s.id for s in (a["workshop"], b["workshop"], a["prescriber_org"], a["installer_org"],
                                            partner)],
            "code": [received, "SN-A1", "INV-A1", b["devices"][0].tag, "SN-B1"],
            "tag": [received, diagnosed, ready, b["devices"][0].tag],
            "donation_id": [a["donation"].id, b["donation"].id],
            "drive_id": [a["drive"].id, b["drive"].id],
            "request_id": [a_asks_b.id, b_asks_a.id, b_asks_c.id],
            "prescription_id": [p.id for p in a["prescriptions"]] + [b["prescriptions"][0].id,
                                                                      b["prescriptions"][2].id],
            "visit_id": [a["visit"].id, b["visit"].id],
            "number": [a["report"].number, b["report"].number],
        },
        queries={"tags": [received, f"{received},{diagnosed},{ready}", b["devices"][0].tag]},
        bodies={
            "donation_id": [a["donation"].id, b["donation"].id], "donor_id": [a["donor"].id, b["donor"].id],
            "owner_id": [a["workshop"].id, b["workshop"].id, c.id], "part_type_id": [a["ram"].id, b["ram"].id],
            "workshop_id": [a["workshop"].id, b["workshop"].id],
            "installer_id": [a["installer_org"].id, b["installer_org"].id],
            "tag": [a["spare"].tag, b["spare"].tag], "location": [a["location"].code],
        },
        good={
            "POST /devices": [{"body": {"donation_id": a["donation"].id, "type": "laptop", "serial": "SN-A9",
                                        "accessories": ["charger"], "weight_kg": "2,1",
                                        "drives": [{"serial": "DRV-A9", "capacity_gb": 128, "interface": "nvme"}]}}],
            "POST /donations": [{"body": {"donor_id": a["donor"].id, "planned_date": local_today().isoformat(),
                                          "declared_counts": {"laptop": 3}, "declared_value": "1200,50"}}],
            "POST /donations/{donation_id}/declared-items": [{
                "path_parameters": {"donation_id": a["donation"].id},
                "body": "Serial;Type;Asset tag\nSN-A8;laptop;INV-A8\n", "media_type": "text/csv"}],
            "POST /devices/{tag}/erasure-logs": [{"path_parameters": {"tag": received},
                                                  "body": nwipe_log_for("erased", "/dev/sda").decode()}],
            "POST /devices/{tag}/hardware-reports": [
                {"path_parameters": {"tag": received},
                 "body": json.loads(fixture("hardware/lshw/laptop-dell-latitude-e5530.json"))},
                {"path_parameters": {"tag": diagnosed},
                 "body": json.loads(fixture("hardware/smartctl/sata-ssd-kingston-a400-240gb.json"))}],
            "POST /devices/{tag}/transitions": [
                {"path_parameters": {"tag": ready}, "body": {"to": "in_repair", "reason": "Clavier"}},
                {"path_parameters": {"tag": diagnosed},
                 "body": {"to": "harvested", "parts": ["écran"],
                          "stock": [{"part_type_id": a["ram"].id, "quantity": 1, "condition": "tested_ok"}]}}],
            "POST /parts/requests": [{"body": {"owner_id": b["workshop"].id, "part_type_id": b["ram"].id,
                                               "quantity": 1, "condition": "tested_ok"}}],
            "POST /parts/requests/{request_id}/{action}": [
                {"path_parameters": {"request_id": b_asks_a.id, "action": "accept"}, "body": {}},
                {"path_parameters": {"request_id": a_asks_b.id, "action": "cancel"}, "body": {"reason": "Trouvé"}}],
            "POST /prescriptions": [{"body": HOUSEHOLD | {"consent": True}}],
            "POST /prescriptions/{prescription_id}/decision": [{"path_parameters": {"prescription_id": submitted},
                                                                "body": {"accept": True}}],
            "POST /prescriptions/{prescription_id}/reservation": [{"path_parameters": {"prescription_id": accepted},
                                                                   "body": {"tag": a["spare"].tag}}],
            "POST /prescriptions/{prescription_id}/visits": [{"path_parameters": {"prescription_id": reserved},
                                                              "body": {"installer_id": a["installer_org"].id}}],
            "POST /visits/{visit_id}/report": [{"path_parameters": {"visit_id": a["visit"].id}, "body": GOOD_REPORT}],
            "POST /partner-reports": [{"body": {"month": LAST_MONTH.isoformat()[:7], "lines": [
                {"insee_code": "35238", "device_type": "laptop", "families": 3}]}}],
        },
    )


def _allowed_operations(app, role: Role) -> set[str]:
    """Return the labels ("POST /devices") of the operations whose permission the role has, read from the views."""
    allowed = set()
    for rule in app.url_map.iter_rules():
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        if rule.endpoint.startswith("api.") and permission and role in RULES[permission]:
            path = rule.rule.removeprefix("/api/v1")
            for name in rule.arguments:
                for converter in ("", "id:", "path:"):
                    path = path.replace(f"<{converter}{name}>", f"{{{name}}}")
            allowed |= {f"{method} {path}" for method in rule.methods - {"HEAD", "OPTIONS"}}
    return allowed


def _targets(operation, mode: GenerationMode, world: World) -> list[dict]:
    """Return what each run fixes: nothing, each seeded id in the path or query, then the known-good requests."""
    targets = [{}]
    for parameter in operation.path_parameters:
        targets += [{"path_parameters": {parameter.name: v}} for v in world.paths.get(parameter.name, [])]
    for parameter in operation.query:
        targets += [{"query": {parameter.name: v}} for v in world.queries.get(parameter.name, [])]
    if mode is GenerationMode.NEGATIVE:
        # With the path fixed, only a body with a schema or a query is left to make invalid (besides the token).
        negatable = any(body.definition.get("schema") for body in operation.body) or len(operation.query)
        return targets if negatable else targets[:1]
    return targets + world.good.get(operation.label, [])


def _examples(operation, mode: GenerationMode, target: dict, permitted: bool) -> int:
    """Return how many cases to send: one when nothing is left to generate (a GET of a seeded id)."""
    if not permitted:
        return REFUSED_EXAMPLES
    body_fixed = "body" in target or not operation.body
    if target and mode is GenerationMode.POSITIVE and body_fixed and not len(operation.query):
        return 1
    return EXAMPLES


def _strategy(operation, mode: GenerationMode, target: dict, world: World, permitted: bool):
    """Return the cases of one run; those about seeded objects keep the token, and take seeded ids in the body."""
    strategy = operation.as_strategy(mode, **target)
    if target:  # requests without a valid token are left to the fully generated runs
        strategy = strategy.filter(lambda case: not operation.schema.is_security_param_negated(case))
    if mode is GenerationMode.NEGATIVE or not permitted or "body" in target:
        return strategy
    choices = st.fixed_dictionaries({name: st.sampled_from([None, *values]) for name, values in world.bodies.items()})

    def with_seeded_ids(pair):
        case, ids = pair
        if isinstance(case.body, dict):
            case.body.update({name: value for name, value in ids.items() if value is not None})
        return case

    return st.tuples(strategy, choices).map(with_seeded_ids)


def _fuzz(strategy, examples: int, session: requests.Session, base_url: str) -> int:
    """Send ``examples`` cases and check each answer; return how many requests were sent."""
    sent = []

    @settings(SETTINGS, max_examples=examples)
    @given(case=strategy)
    def run(case):
        sent.append(case)
        case.call_and_validate(base_url=base_url, session=session, checks=CHECKS)

    run()
    return len(sent)


@pytest.mark.committed
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_every_generated_request_gets_a_documented_answer(app, live_server, role):
    with app.app_context():
        world = _seed()
    config = schemathesis.Config.from_dict({"auth": {"openapi": {"bearer": {"bearer": world.tokens[role]}}}})
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json", config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    allowed = _allowed_operations(app, role)
    assert allowed <= {operation.label for operation in operations}
    session, sent, failures = requests.Session(), 0, []
    for operation in operations:
        permitted = operation.label in allowed
        for mode in MODES:
            for target in _targets(operation, mode, world) if permitted else [{}]:
                strategy = _strategy(operation, mode, target, world, permitted)
                try:
                    sent += _fuzz(strategy, _examples(operation, mode, target, permitted), session,
                                  f"{live_server}/api/v1")
                except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every failure is listed below
                    failures.append(f"{role} {mode.value} {operation.label} {target}:\n{error}")
    print(f"{role}: {len(operations)} operations, {len(allowed)} permitted, {sent} requests")
    assert not failures, "\n\n".join(failures)
