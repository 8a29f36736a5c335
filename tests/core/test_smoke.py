from tests.conftest import login_as
from tests.factories import make_user


def test_login_page_in_french(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page and "<h1>Connexion à Reco</h1>" in page and "Se connecter</button>" in page
    assert "Log in" not in page


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_home_logged_in(client, ctx):
    user = make_user("admin")
    login_as(client, user)
    response = client.get("/")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert user.name in response.get_data(as_text=True)
