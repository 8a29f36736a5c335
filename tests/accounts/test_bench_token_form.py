"""Mon compte: a token limited to the workbench is created from the token form and listed with its access."""
from html import unescape

from reco.accounts.models import User
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import make_user


def test_a_technician_creates_a_bench_token_that_is_listed_as_such(client, ctx):
    user = make_user("technician", locale="fr")
    login_as(client, user)
    form = unescape(client.get("/account").get_data(as_text=True))
    assert "Poste d'atelier (banc)\u00a0: uniquement le banc de l'atelier" in form
    assert "une clé USB perdue n'expose rien d'autre" in form
    page = client.post("/account/tokens", data={"label": "Clé banc 1", "scope": "bench"}).get_data(as_text=True)
    token = page.split('id="new-token">')[1].split("<")[0]
    db.session.expire_all()
    assert [t.scope for t in db.session.get(User, user.id).tokens] == ["bench"]
    listed = unescape(client.get("/account").get_data(as_text=True))
    assert "<th>Accès</th>" in listed and "<td>Poste d'atelier (banc)</td>" in listed
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/reports/summary", headers=headers).status_code == 403


def test_a_token_is_full_access_by_default(client, ctx):
    user = make_user("supervisor", locale="fr")
    login_as(client, user)
    client.post("/account/tokens", data={"label": "script"})
    db.session.expire_all()
    assert [t.scope for t in db.session.get(User, user.id).tokens] == ["full"]
    assert "<td>Accès complet</td>" in unescape(client.get("/account").get_data(as_text=True))


def test_someone_who_does_not_work_on_devices_gets_no_bench_token(client, ctx):
    user = make_user("prescriber", locale="fr")
    login_as(client, user)
    assert "Poste d'atelier" not in unescape(client.get("/account").get_data(as_text=True))
    refused = client.post("/account/tokens", data={"label": "banc", "scope": "bench"})
    assert refused.status_code == 422
    assert "Accès\u00a0: Seule l'équipe de l'atelier (encadrants et techniciens) peut créer un jeton de poste " \
        "d'atelier." in unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(User, user.id).tokens == []
