"""Logging in and out: generic failures, rate limiting, inactive users, safe redirects."""
import pytest

from reco.accounts.models import User
from reco.accounts.services import set_user_active
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import PASSWORD, make_user


def _login(client, email, password, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_login_with_the_right_password_opens_the_home_page(client, ctx):
    user = make_user("technician", email="Tech@Example.org")
    response = _login(client, "  tech@EXAMPLE.org ", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and user.name in home.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None


@pytest.mark.parametrize("email,password", [("known@example.org", "wrong password"),
                                            ("nobody@example.org", PASSWORD)])
def test_a_failed_login_does_not_say_which_part_was_wrong(client, ctx, email, password):
    make_user("technician", email="known@example.org")
    response = _login(client, email, password)
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_an_inactive_user_cannot_log_in(client, ctx):
    user = make_user("technician", active=False)
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_a_deactivated_user_loses_their_open_session(client, ctx):
    user = make_user("technician")
    login_as(client, user)
    assert client.get("/").status_code == 200
    set_user_active(user, False, by=None)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_repeated_failures_are_rate_limited_with_a_readable_page(app, client, ctx):
    make_user("technician", email="known@example.org")
    limit = int(app.config["RECO_LOGIN_LIMIT"].split()[0])
    for _ in range(limit):
        assert _login(client, "known@example.org", "wrong password").status_code == 401
    response = _login(client, "known@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_successful_logins_are_not_counted_against_the_limit(app, client, ctx):
    user = make_user("technician")
    limit = int(app.config["RECO_LOGIN_LIMIT"].split()[0])
    for _ in range(limit + 2):
        assert _login(client, user.email, PASSWORD).status_code == 302
        client.post("/logout")


def test_login_goes_back_to_the_page_asked_for(client, ctx):
    user = make_user("admin")
    response = _login(client, user.email, PASSWORD, query_string={"next": "/admin/users"})
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_login_never_redirects_to_another_site(client, ctx, target):
    user = make_user("admin")
    response = _login(client, user.email, PASSWORD, query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(client, ctx):
    login_as(client, make_user("technician"))
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_a_post_without_csrf_token_is_refused_with_an_explanation(client, ctx, csrf_enabled):
    user = make_user("technician")
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 400
    assert "Revenez en arrière, rechargez la page et renvoyez le formulaire." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_with_the_csrf_token_from_the_form(client, ctx, csrf_enabled):
    user = make_user("technician")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_a_huge_form_gets_a_413_page(app, client, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post("/login", data={"email": "a@b.c", "password": "x" * 5000})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)
