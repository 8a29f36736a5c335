"""The coordinator's pages: structures and users, validated forms, lists that filter and paginate."""
from reco.accounts.models import Structure, User
from reco.core.audit import events_for
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import PASSWORD, make_structure, make_user


def _admin(client):
    admin = make_user("admin")
    login_as(client, admin)
    return admin


def test_create_a_structure(client, ctx):
    _admin(client)
    response = client.post("/admin/structures/new", data={
        "name": "Atelier Sud", "kinds": ["workshop", "partner"], "postcode": "35500", "commune": "vitre",
        "siret": "", "tag_prefix": "sud"})
    assert response.status_code == 302
    structure = db.session.scalar(db.select(Structure).where(Structure.name == "Atelier Sud"))
    assert structure.tag_prefix == "SUD" and structure.is_workshop and structure.is_partner
    assert (structure.insee_code, structure.commune) == ("35360", "Vitré")  # found by the registry, never typed
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Atelier Sud" in page and "Création" in page and "Vitré (35360)" in page


def test_a_bad_structure_form_explains_each_field_and_saves_nothing(client, ctx):
    _admin(client)
    response = client.post("/admin/structures/new", data={
        "name": "Atelier Sud", "kinds": ["workshop"], "commune": "Nulle-Part-sur-Vilaine", "tag_prefix": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Aucune commune ne correspond" in page and 'aria-invalid="true"' in page
    assert 'href="#commune"' in page  # the error summary leads to the commune typed
    assert db.session.scalar(db.select(Structure).where(Structure.name == "Atelier Sud")) is None


def test_edit_a_structure_shows_its_history(client, ctx):
    _admin(client)
    structure = make_structure("prescriber", name="CCAS Test")
    response = client.post(f"/admin/structures/{structure.id}/edit", data={
        "name": "CCAS de Test", "kinds": ["prescriber"], "commune": "Fougères", "insee_code": "35238"})
    assert response.status_code == 302  # the code kept from Rennes is no choice among Fougères' communes: dropped
    page = client.get(f"/structures/{structure.id}").get_data(as_text=True)
    assert "CCAS de Test" in page and "Fougères (35115)" in page and "Informations modifiées" in page


def test_structure_list_filters_and_paginates(client, ctx):
    _admin(client)
    for n in range(30):
        make_structure("prescriber", name=f"CCAS {n:02d}")
    make_structure("workshop", name="Atelier Filtré")
    page = client.get("/admin/structures?q=ccas").get_data(as_text=True)
    assert "CCAS 00" in page and "CCAS 29" not in page and "Page 1 sur 2" in page
    page2 = client.get("/admin/structures?q=ccas&page=2").get_data(as_text=True)
    assert "CCAS 29" in page2
    workshops = client.get("/admin/structures?kind=workshop").get_data(as_text=True)
    assert "Atelier Filtré" in workshops and "CCAS 00" not in workshops
    assert client.get("/admin/structures?page=abc").status_code == 200
    assert client.get("/admin/structures?page=999999999999").status_code == 200
    assert client.get("/admin/structures?q=" + "x" * 5000).status_code == 200


def test_create_a_user_who_can_then_log_in(client, ctx):
    _admin(client)
    structure = make_structure("workshop")
    response = client.post("/admin/users/new", data={
        "email": "New.Tech@Example.org", "name": "Nouvelle Technicienne", "structure_id": structure.id,
        "role": "technician", "locale": "", "password": "a long first password"})
    assert response.status_code == 302
    client.post("/logout")
    login = client.post("/login", data={"email": "new.tech@example.org", "password": "a long first password"})
    assert login.status_code == 302


def test_a_user_with_a_role_that_does_not_fit_is_refused(client, ctx):
    _admin(client)
    structure = make_structure("prescriber")
    response = client.post("/admin/users/new", data={
        "email": "x@example.org", "name": "X", "structure_id": structure.id, "role": "technician",
        "locale": "", "password": "a long first password"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(User).where(User.email == "x@example.org")) is None


def test_a_user_in_an_unknown_structure_is_refused(client, ctx):
    _admin(client)
    response = client.post("/admin/users/new", data={
        "email": "x@example.org", "name": "X", "structure_id": 999999, "role": "viewer",
        "locale": "", "password": "a long first password"})
    assert response.status_code == 422


def test_reset_a_forgotten_password(client, ctx):
    _admin(client)
    user = make_user("technician")
    response = client.post(f"/admin/users/{user.id}/edit", data={
        "email": user.email, "name": user.name, "structure_id": user.structure_id, "role": "technician",
        "locale": "", "password": "a brand new password"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a brand new password")
    assert "password_reset" in [e.action for e in events_for(user)]


def test_deactivate_and_reactivate(client, ctx):
    _admin(client)
    user = make_user("technician")
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    assert user.name not in client.get("/admin/users").get_data(as_text=True)
    assert user.name in client.get("/admin/users?status=inactive").get_data(as_text=True)
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True


def test_the_admin_cannot_deactivate_themself(client, ctx):
    admin = _admin(client)
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "propre compte" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True


def test_unknown_objects_give_404(client, ctx):
    _admin(client)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/structures/999999").status_code == 404


def test_users_see_their_own_structure_page_with_colleagues(client, ctx):
    user = make_user("technician")
    colleague = make_user("supervisor", structure=user.structure)
    login_as(client, user)
    page = client.get(f"/structures/{user.structure_id}").get_data(as_text=True)
    assert colleague.name in page
    assert "Historique" not in page


def test_password_form_on_the_account_page(client, ctx):
    user = make_user("prescriber")
    login_as(client, user)
    bad = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "new long password",
                                                 "confirm": "different long password"})
    assert bad.status_code == 422
    good = client.post("/account/password", data={"current_password": PASSWORD,
                                                  "new_password": "new long password",
                                                  "confirm": "new long password"})
    assert good.status_code == 302
    assert client.get("/account").status_code == 200


def test_tokens_are_created_shown_once_and_revoked_from_the_account_page(client, ctx):
    user = make_user("technician")
    login_as(client, user)
    page = client.post("/account/tokens", data={"label": "poste 2"}).get_data(as_text=True)
    token = page.split('id="new-token">')[1].split("<")[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/account").get_data(as_text=True)
    db.session.expire_all()
    token_id = db.session.get(User, user.id).tokens[0].id
    client.post(f"/account/tokens/{token_id}/revoke")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_coordinator_sets_sanitization_validation_for_a_workshop(client, ctx):
    _admin(client)
    structure = make_structure("workshop", tag_prefix="VAL")
    response = client.post(f"/admin/structures/{structure.id}/edit", data={
        "name": structure.name, "kinds": ["workshop"], "commune": "Rennes", "insee_code": "35238",
        "tag_prefix": "VAL", "sanitization_needs_validation": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Structure, structure.id).sanitization_needs_validation is True
