"""Home page by role, the scan box, and error pages."""
import pytest

from reco.accounts.models import Role
from tests.conftest import login_as
from tests.factories import make_structure, make_user

#: Menu entries each role sees (besides Home).
MENUS = {
    Role.ADMIN: ["Chiffres", "Structures", "Utilisateurs", "Données personnelles", "Communes à corriger",
                 "Mon compte"],
    Role.SUPERVISOR: ["Collectes", "Scanner un lot", "Appareils", "Emplacements", "Pièces", "Donateurs",
                      "Prescriptions reçues", "Liste d'attente", "Prescriptions", "Visites", "Chiffres", "Mon compte"],
    Role.TECHNICIAN: ["Collectes", "Scanner un lot", "Appareils", "Emplacements", "Pièces", "Donateurs",
                      "Chiffres", "Mon compte"],
    Role.PRESCRIBER: ["Prescriptions", "Chiffres", "Mon compte"],
    Role.INSTALLER: ["Visites", "Mon compte"],
    Role.PARTNER: ["Familles que nous avons équipées", "Chiffres", "Mon compte"],
    Role.VIEWER: ["Chiffres", "Mon compte"],
}


def _menu(page: str) -> list[str]:
    nav = page.split('<nav class="main-nav"')[1].split("</nav>")[0]
    return [part.split(">", 1)[1].split("<")[0] for part in nav.split("<a ")[1:]]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_menu(client, ctx, role):
    login_as(client, make_user(role))
    page = client.get("/").get_data(as_text=True)
    assert _menu(page) == ["Accueil", *MENUS[role]]
    assert ('id="scan-code"' in page) == (role in (Role.ADMIN, Role.SUPERVISOR, Role.TECHNICIAN))


def test_the_scan_field_has_focus_on_the_workbench_home(client, ctx):
    login_as(client, make_user("technician"))
    page = client.get("/").get_data(as_text=True)
    assert "data-autofocus" in page


def test_scanning_a_workshop_prefix_opens_its_page(client, ctx):
    user = make_user("supervisor")
    login_as(client, user)
    response = client.get("/scan", query_string={"code": f"  {user.structure.tag_prefix.lower()}\t"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/structures/{user.structure_id}"


def test_a_scan_that_matches_nothing_says_so_and_keeps_the_field_ready(client, ctx):
    login_as(client, make_user("technician"))
    response = client.get("/scan", query_string={"code": "NOPE-000001"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "NOPE-000001" in page and "data-autofocus" in page


def test_a_scan_never_opens_another_structures_object(client, ctx):
    other = make_structure("workshop")
    login_as(client, make_user("technician"))
    assert client.get("/scan", query_string={"code": other.tag_prefix}).status_code == 404


@pytest.mark.parametrize("code", ["", " ", "\x00\x01", "x" * 10000, "é€😀", "'; DROP TABLE users; --"])
def test_strange_scans_never_fail(client, ctx, code):
    login_as(client, make_user("technician"))
    expected = {400} if "\x00" in code else {200, 404}
    assert client.get("/scan", query_string={"code": code}).status_code in expected


def test_error_pages_are_friendly_and_french(client, ctx):
    login_as(client, make_user("technician"))
    page = client.get("/nowhere").get_data(as_text=True)
    assert "Page introuvable" in page
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403 and "Accès refusé" in forbidden.get_data(as_text=True)


def test_an_unexpected_error_gives_a_friendly_500_page(app, client, ctx, monkeypatch):
    import reco.core.views as views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render_template", broken)
    login_as(client, make_user("technician"))
    response = client.get("/")
    assert response.status_code == 500
    assert "Une erreur inattendue" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # The camera scan's barcode reader is WebAssembly served by Reco: compiling it is allowed, eval is not.
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp and "'unsafe-eval'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
