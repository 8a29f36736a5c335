"""The whole permission matrix: every action, every role, own and other structure."""
from types import SimpleNamespace

import pytest

from reco.accounts.models import Role
from reco.core.permissions import RULES, can
from reco.prescriptions.models import Prescription, PrescriptionStatus, Visit, VisitStatus
from tests.factories import make_structure, make_token, make_user

A, S, T, P, IN, PA, V = (Role.ADMIN, Role.SUPERVISOR, Role.TECHNICIAN, Role.PRESCRIBER, Role.INSTALLER,
                        Role.PARTNER, Role.VIEWER)
ROLES = (A, S, T, P, IN, PA, V)
NONE = {}

#: action -> {role: (without object, object of own structure or self, object of another structure or person)}
#: A role absent from an action's row is refused everything.
EXPECTED = {
    "structure.manage": {A: (True, True, True)},
    "user.manage": {A: (True, True, True)},
    "structure.view": {A: (True, True, True), S: (True, True, False), T: (True, True, False),
                       P: (True, True, False), IN: (True, True, False), PA: (True, True, False),
                       V: (True, True, False)},
    "account.manage": {r: (True, True, False) for r in ROLES},
    "token.revoke": {A: (True, True, True)} | {r: (True, True, False) for r in ROLES if r is not A},
    "scan.use": {A: (True, True, True), S: (True, True, False), T: (True, True, False)},
    "api.use": {r: (True, True, False) for r in ROLES} | {A: (True, True, False)},
    "donor.manage": {S: (True, True, False)},
    "donor.view": {S: (True, True, False), T: (True, True, False)},
    "donation.manage": {S: (True, True, False)},
    "donation.view": {S: (True, True, False), T: (True, True, False)},
    "document.issue": {S: (True, True, False)},
    "document.view": {S: (True, True, False), T: (True, True, False)},
    "device.intake": {S: (True, True, False), T: (True, True, False)},
    "device.view": {S: (True, True, False), T: (True, True, False)},
    "device.work": {S: (True, True, False), T: (True, True, False)},
    "sanitization.validate": {S: (True, True, False)},
    "location.view": {S: (True, True, False), T: (True, True, False)},
    "location.manage": {S: (True, True, False)},
    "repair.export": {S: (True, True, False)},
    "label.print": {S: (True, True, False), T: (True, True, False)},
    "label_printer.manage": {A: (True, True, True), S: (True, True, False)},
    "prescription.create": {P: (True, True, False)},
    "prescription.view": {P: (True, True, False), S: (True, True, False)},
    "prescription.edit": {P: (True, True, False)},
    "prescription.export": {P: (True, True, False)},
    "prescription.erase": {P: (True, True, False)},
    "privacy.audit": {A: (True, True, True)},
    "prescription.contact": {P: (True, True, False), S: (True, True, False)},
    "prescription.decide": {S: (True, True, False)},
    "prescription.allocate": {S: (True, True, False)},
    "prescription.cancel": {P: (True, True, False), S: (True, True, False)},
    "notice.view": {r: (True, True, False) for r in ROLES},
    "visit.request": {S: (True, True, False), P: (True, True, False)},
    "visit.view": {S: (True, True, False), IN: (True, True, False)},
    "visit.schedule": {S: (True, True, False), IN: (True, True, False)},
    "visit.report": {IN: (True, True, False)},
    "visit.cancel": {S: (True, True, False)},
    "visit.contact": {IN: (True, True, False)},
    "visit.note": {S: (True, True, False), IN: (True, True, False)},
    "handover.record": {S: (True, True, False)},
    "device.return": {S: (True, True, False), T: (True, True, False)},
    # A technician reaches only the devices they received today (tests/inventory/test_corrections.py).
    "device.correct": {S: (True, True, False), T: (True, False, False)},
    "device.void": {S: (True, True, False), T: (True, False, False)},
    "device.merge": {S: (True, True, False)},
    "partner_report.submit": {PA: (True, True, False)},
    "partner_report.view": {PA: (True, True, False), A: (True, True, True)},
    "report.view": {S: (True, True, False), T: (True, True, False), P: (True, True, False), PA: (True, True, True),
                    V: (True, True, True), A: (True, True, True)},
    "report.lists": {S: (True, True, False)},
    "report.network_lists": {A: (True, True, True)},
    "impact.manage": {A: (True, True, True)},
    "commune.review": {A: (True, True, True)},
    "part.view": {S: (True, True, True), T: (True, True, True)},
    "part.catalogue": {S: (True, True, True), T: (True, True, True)},
    "stock.view": {S: (True, True, False), T: (True, True, False)},
    "stock.manage": {S: (True, True, False), T: (True, True, False)},
    "part_request.create": {S: (True, True, False), T: (True, True, False)},
    "part_request.view": {S: (True, True, False), T: (True, True, False)},
    "part_request.answer": {S: (True, True, False)},
    "part_request.follow": {S: (True, True, False)},
}

#: Actions whose objects belong to a person rather than a structure.
PERSONAL = {"account.manage", "token.revoke", "api.use", "notice.view"}


def test_every_rule_is_in_the_matrix():
    assert set(RULES) == set(EXPECTED)


def _objects(action, user):
    """Return (own object, other object) for ``action`` seen from ``user``."""
    if action in PERSONAL:
        colleague = make_user(user.role, structure=user.structure)
        if action == "token.revoke":
            make_token(user)
            make_token(colleague)
            return user.tokens[-1], colleague.tokens[-1]
        return user, colleague
    if action.startswith(("prescription.", "visit.", "handover.", "part_request.")):
        return _prescription_seen_from(user.structure), _prescription_seen_from(make_structure("partner"))
    return user.structure, make_structure("partner")


def _prescription_seen_from(structure):
    """Return a prescription written by, addressed to and handled by ``structure`` (each side checks its own)."""
    return SimpleNamespace(structure_id=structure.id, addressed_to_id=structure.id,
                           handling_structure_id=structure.id)


def test_the_installers_access_to_the_address_ends_with_the_visit(ctx):
    installer = make_structure("installer")
    mediator = make_user(IN, structure=installer)
    visit = Visit(installer_id=installer.id, workshop_id=make_structure("workshop").id, status=VisitStatus.SCHEDULED)
    assert can(mediator, "visit.view", visit) and can(mediator, "visit.contact", visit)
    assert can(mediator, "visit.note", visit)
    visit.status = VisitStatus.DONE
    assert can(mediator, "visit.view", visit) and not can(mediator, "visit.contact", visit)
    assert not can(mediator, "visit.note", visit)


def test_the_handling_scope_follows_the_prescription(ctx):
    workshop, ccas = make_structure("workshop"), make_structure("prescriber")
    supervisor = make_user(S, structure=workshop)
    prescription = Prescription(structure_id=ccas.id, workshop_id=workshop.id, status=PrescriptionStatus.ACCEPTED,
                                visit_wanted=True)
    assert can(supervisor, "prescription.view", prescription)
    assert not can(supervisor, "prescription.contact", prescription)
    prescription.visit_wanted = False
    assert can(supervisor, "prescription.contact", prescription)
    prescription.status = PrescriptionStatus.EQUIPPED
    assert not can(supervisor, "prescription.contact", prescription)
    assert not can(make_user(P, structure=ccas), "prescription.decide", prescription)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_matrix(ctx, action, role):
    user = make_user(role)
    own, other = _objects(action, user)
    expected = EXPECTED[action].get(role, (False, False, False))
    assert (can(user, action), can(user, action, own), can(user, action, other)) == expected


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_inactive_user_may_do_nothing(ctx, action):
    user = make_user(Role.ADMIN, active=False)
    assert not can(user, action)
    assert not can(user, action, user.structure)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_nobody_may_do_anything(ctx, action):
    assert not can(None, action)


def test_unknown_action_is_a_programming_error(ctx):
    with pytest.raises(KeyError):
        can(make_user(Role.ADMIN), "device.teleport")
