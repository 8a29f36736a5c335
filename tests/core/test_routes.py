"""Every route of the web UI and the API, as every role, on its own structure's objects and another's."""
import pytest

from reco.accounts.models import Role
from tests.conftest import login_as
from tests.factories import make_structure, make_token, make_user

ROLES = tuple(Role)
ANON = "anonymous"
ADMIN_ONLY = {Role.ADMIN: 200}

#: (endpoint, method, path with {own}/{other} structure ids, {self}/{colleague} user ids and {token} ids,
#:  expected status per role; roles not listed get `default`; ANON is the status without login)
ROUTES = [
    ("core.home", "GET", "/", {}, 200, 302),
    ("core.scan", "GET", "/scan", {Role.ADMIN: 200, Role.SUPERVISOR: 200, Role.TECHNICIAN: 200}, 403, 302),
    ("core.set_language", "POST", "/lang/en", {}, 302, 302),
    ("accounts.login", "GET", "/login", {}, 302, 200),
    ("accounts.logout", "POST", "/logout", {}, 302, 302),
    ("accounts.account", "GET", "/account", {}, 200, 302),
    ("accounts.preferences", "POST", "/account/preferences", {}, 422, 302),
    ("accounts.password", "POST", "/account/password", {}, 422, 302),
    ("accounts.create_token", "POST", "/account/tokens", {}, 200, 302),
    ("accounts.revoke", "POST", "/account/tokens/{token}/revoke", {}, 302, 302),
    ("accounts.revoke", "POST", "/account/tokens/{colleague_token}/revoke", {Role.ADMIN: 302}, 403, 302),
    ("accounts.structures", "GET", "/admin/structures", ADMIN_ONLY, 403, 302),
    ("accounts.new_structure", "GET", "/admin/structures/new", ADMIN_ONLY, 403, 302),
    ("accounts.new_structure", "POST", "/admin/structures/new", {Role.ADMIN: 422}, 403, 302),
    ("accounts.structure", "GET", "/structures/{own}", {}, 200, 302),
    ("accounts.structure", "GET", "/structures/{other}", ADMIN_ONLY, 403, 302),
    ("accounts.edit_structure", "GET", "/admin/structures/{other}/edit", ADMIN_ONLY, 403, 302),
    ("accounts.edit_structure", "POST", "/admin/structures/{other}/edit", {Role.ADMIN: 302}, 403, 302),
    ("accounts.users", "GET", "/admin/users", ADMIN_ONLY, 403, 302),
    ("accounts.new_user", "GET", "/admin/users/new", ADMIN_ONLY, 403, 302),
    ("accounts.new_user", "POST", "/admin/users/new", {Role.ADMIN: 422}, 403, 302),
    ("accounts.user", "GET", "/admin/users/{colleague}", ADMIN_ONLY, 403, 302),
    ("accounts.edit_user", "GET", "/admin/users/{colleague}/edit", ADMIN_ONLY, 403, 302),
    ("accounts.edit_user", "POST", "/admin/users/{colleague}/edit", {Role.ADMIN: 422}, 403, 302),
    ("accounts.set_active", "POST", "/admin/users/{colleague}/active", {Role.ADMIN: 302}, 403, 302),
    ("api.me", "GET", "/api/v1/me", {}, 200, 401),
    ("api.structure", "GET", "/api/v1/structures/{own}", {}, 200, 401),
    ("api.structure", "GET", "/api/v1/structures/{other}", ADMIN_ONLY, 403, 401),
    ("api.openapi", "GET", "/api/v1/openapi.json", {}, 200, 200),
]


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == {route[0] for route in ROUTES}


@pytest.mark.parametrize("role", [*ROLES, ANON])
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[1]} {r[2]}")
def test_route(app, ctx, client, route, role):
    endpoint, method, path, per_role, default, anonymous = route
    structure = make_structure("workshop", "prescriber", "installer", "partner")
    user = make_user(Role.TECHNICIAN if role == ANON else role, structure=structure)
    colleague = make_user(Role.TECHNICIAN, structure=structure)
    make_token(colleague)
    token = make_token(user)
    ids = {"own": structure.id, "other": make_structure("partner").id, "self": user.id,
           "colleague": colleague.id, "token": user.tokens[0].id, "colleague_token": colleague.tokens[0].id}
    headers = {}
    if role != ANON:
        if endpoint.startswith("api."):
            headers["Authorization"] = f"Bearer {token}"
        else:
            login_as(client, user)
    response = client.open(path.format(**ids), method=method, headers=headers)
    expected = anonymous if role == ANON else per_role.get(role, default)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
