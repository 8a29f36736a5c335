"""Sessions that end for good, tokens revoked at once, passwords that are hard to guess, login limits per account."""
import pytest

from reco.accounts.models import User
from reco.accounts.services import create_user, password_problem
from reco.cli import create_user_command
from reco.demo import DEMO_PASSWORD
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import PASSWORD, make_structure, make_user


def _login(client, email, password="wrong password", **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def _replay(client, cookie: str) -> None:
    client.set_cookie("session", cookie)


def test_a_session_cookie_replayed_after_logout_no_longer_works(client, ctx):
    user = make_user("technician")
    assert _login(client, user.email, PASSWORD).status_code == 302
    cookie = client.get_cookie("session").value
    assert client.get("/account").status_code == 200
    client.post("/logout")
    _replay(client, cookie)
    assert client.get("/account").status_code == 302


def test_logging_out_ends_the_other_sessions_of_the_account(app, ctx):
    user = make_user("technician")
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        assert _login(device, user.email, PASSWORD).status_code == 302
    laptop.post("/logout")
    assert phone.get("/account").status_code == 302


def test_a_session_cookie_replayed_after_a_password_change_no_longer_works(client, ctx):
    user = make_user("technician")
    assert _login(client, user.email, PASSWORD).status_code == 302
    cookie = client.get_cookie("session").value
    changed = client.post("/account/password", data={"current_password": PASSWORD,
                                                     "new_password": "un vélo bleu sous la pluie",
                                                     "confirm": "un vélo bleu sous la pluie"})
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200  # the session that changed it goes on
    _replay(client, cookie)
    assert client.get("/account").status_code == 302


def test_the_account_page_says_tokens_survive_a_password_change_and_revokes_them_all(client, ctx):
    user = make_user("technician")
    other = make_user("technician", structure=user.structure)
    login_as(client, other)
    kept = client.post("/account/tokens", data={"label": "autre"}).get_data(as_text=True)
    kept = kept.split('id="new-token">')[1].split("<")[0]
    login_as(client, user)
    tokens = []
    for label in ("poste 1", "poste 2"):
        page = client.post("/account/tokens", data={"label": label}).get_data(as_text=True)
        tokens.append(page.split('id="new-token">')[1].split("<")[0])
    page = client.get("/account").get_data(as_text=True)
    assert "vos jetons d'API continuent de fonctionner" in page
    assert "Révoquer tous mes jetons" in page
    response = client.post("/account/tokens/revoke-all")
    assert response.status_code == 302
    assert "2 jetons sont révoqués" in client.get("/account").get_data(as_text=True)
    for token in tokens:
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {kept}"}).status_code == 200
    assert "Révoquer tous mes jetons" not in client.get("/account").get_data(as_text=True)


def test_revoking_all_tokens_needs_the_csrf_token(client, ctx, csrf_enabled):
    user = make_user("technician")
    login_as(client, user)
    assert client.post("/account/tokens/revoke-all").status_code == 400


WEAK = ["azertyuiop", "1234567890", "motdepasse123", "Password1234", "aaaaaaaaaaaa", "soleil2024"]


@pytest.mark.parametrize("password", WEAK)
def test_common_and_trivial_passwords_are_refused(ctx, password):
    assert password_problem(password, "awa.diop@example.org") is not None


def test_a_password_made_of_the_email_is_refused(ctx):
    assert password_problem("awa.diop.reco", "awa.diop@example.org") is not None


@pytest.mark.parametrize("password", [DEMO_PASSWORD, PASSWORD, "un vélo bleu sous la pluie", "a long first password"])
def test_sentences_and_the_demo_password_are_accepted(ctx, password):
    assert password_problem(password, "admin@demo.reco") is None


def test_the_account_page_refuses_a_common_password(client, ctx):
    user = make_user("technician")
    login_as(client, user)
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "azertyuiop",
                                                      "confirm": "azertyuiop"})
    assert response.status_code == 422
    assert "parmi les plus courants" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_the_coordinator_cannot_give_a_new_account_a_trivial_password(client, ctx):
    login_as(client, make_user("admin"))
    workshop = make_structure("workshop")
    response = client.post("/admin/users/new", data={
        "email": "new.tech@example.org", "name": "New Tech", "structure_id": workshop.id, "role": "technician",
        "locale": "", "password": "motdepasse123"})
    assert response.status_code == 422
    assert "trop facile à deviner" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "new.tech@example.org")) is None


def test_the_command_line_refuses_a_common_password(app, ctx):
    workshop = make_structure("workshop", name="Atelier CLI")
    result = app.test_cli_runner().invoke(create_user_command, [
        "--email", "x@example.org", "--name", "X", "--role", "technician", "--structure", workshop.name,
        "--password", "Password1234"])
    assert result.exit_code != 0 and "parmi les plus courants" in result.output
    with pytest.raises(Exception):
        create_user(by=None, email="y@example.org", name="Y", structure=workshop, role="technician",
                    password="qwertyuiop")


def test_failed_logins_count_per_account_so_colleagues_at_one_address_still_log_in(app, client, ctx):
    careless = make_user("technician")
    colleague = make_user("technician", structure=careless.structure)
    limit = int(app.config["RECO_LOGIN_LIMIT"].split()[0])
    for _ in range(limit):
        assert _login(client, careless.email).status_code == 401
    assert _login(client, careless.email, PASSWORD).status_code == 429
    assert _login(client, colleague.email, PASSWORD).status_code == 302


def test_the_account_limit_holds_from_any_address(app, client, ctx):
    user = make_user("technician")
    limit = int(app.config["RECO_LOGIN_LIMIT"].split()[0])
    for n in range(limit):
        address = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
        assert _login(client, user.email.upper(), environ_base=address).status_code == 401
    assert _login(client, user.email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 429


def test_one_address_trying_many_accounts_is_still_limited(app, client, ctx):
    limit = int(app.config["RECO_LOGIN_ADDRESS_LIMIT"].split()[0])
    for n in range(limit):
        assert _login(client, f"guess{n}@example.org").status_code == 401
    assert _login(client, "guess-last@example.org").status_code == 429
