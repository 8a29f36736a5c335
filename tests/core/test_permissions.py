"""The whole permission matrix: every action, every role, own and other structure."""
import pytest

from reco.accounts.models import Role
from reco.core.permissions import RULES, can
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
}

#: Actions whose objects belong to a person rather than a structure.
PERSONAL = {"account.manage", "token.revoke", "api.use"}


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
    return user.structure, make_structure("partner")


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
