"""What answers give away: another workshop's objects look absent, households' pages are never cached, their names
stay out of addresses, and browsers are told to keep to HTTPS."""
import pytest

from reco.config import load_config
from reco.donations.pdf import issue_collection_receipt
from reco.extensions import db
from reco.inventory.locations import create_location
from tests.conftest import login_as
from tests.factories import make_donation, make_donor, make_prescription, make_structure, make_token, make_user

MISSING = 2 ** 31 - 2


def _elsewhere():
    """Return a supervisor and the donor, donation, document and location of another workshop."""
    supervisor = make_user("supervisor")
    other = make_structure("workshop")
    donor = make_donor(other)
    donation = make_donation(donor)
    document = issue_collection_receipt(donation, by=None)
    location = create_location(other, by=None, name="Étagère B")
    db.session.commit()
    return supervisor, donor, donation, document, location


def test_another_workshops_objects_answer_404_like_missing_ones(client, ctx):
    supervisor, donor, donation, document, location = _elsewhere()
    login_as(client, supervisor)
    for path in ("/donors/{}", "/donors/{}/edit", "/donations/{}", "/donations/{}/import", "/donations/{}/intake",
                 "/documents/{}.pdf", "/locations/{}"):
        object_id = {"donors": donor.id, "donations": donation.id, "documents": document.id,
                     "locations": location.id}[path.split("/")[1]]
        assert client.get(path.format(object_id)).status_code == 404, path
        assert client.get(path.format(MISSING)).status_code == 404, path
    for path in (f"/donations/{donation.id}/status", f"/donors/{donor.id}/donations/new"):
        assert client.post(path).status_code == 404, path


def test_the_api_answers_404_for_another_workshops_donation(client, ctx):
    supervisor, donor, donation, _document, _location = _elsewhere()
    headers = {"Authorization": f"Bearer {make_token(supervisor)}"}
    assert client.get(f"/api/v1/donations/{donation.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/donations/{MISSING}", headers=headers).status_code == 404
    elsewhere = client.post("/api/v1/donations", json={"donor_id": donor.id}, headers=headers)
    missing = client.post("/api/v1/donations", json={"donor_id": MISSING}, headers=headers)
    assert elsewhere.status_code == missing.status_code == 422
    assert elsewhere.get_json() == missing.get_json()


def test_household_pages_and_files_are_never_cached(client, ctx):
    prescription = make_prescription()
    login_as(client, prescription.created_by)
    pages = ("/prescriptions", f"/prescriptions/{prescription.id}", f"/prescriptions/{prescription.id}/export.json")
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    supervisor = make_user("supervisor", structure=prescription.workshop)
    login_as(client, supervisor)
    listed = client.get("/reports/lists/prescriptions.csv")
    assert prescription.code in listed.get_data(as_text=True)
    listed.close()
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    api = client.get(f"/api/v1/prescriptions/{prescription.id}",
                     headers={"Authorization": f"Bearer {make_token(supervisor)}"})
    assert api.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_a_household_name_is_searched_without_appearing_in_any_address(client, ctx):
    prescription = make_prescription(contact_name="Mme Awa Diop")
    make_prescription(prescription.created_by, prescription.workshop, contact_name="M. Jean Le Goff")
    login_as(client, prescription.created_by)
    form = client.get("/prescriptions").get_data(as_text=True)
    assert 'method="post"' in form.split('role="search"')[0].rsplit("<form", 1)[1]
    response = client.post("/prescriptions", data={"q": "diop", "status": ""})
    assert response.status_code == 302
    assert "diop" not in response.headers["Location"].lower()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mme Awa Diop" in page and "Jean Le Goff" not in page
    assert "Jean Le Goff" in client.get("/prescriptions").get_data(as_text=True)  # a plain visit lists them all
    cleared = client.post("/prescriptions", data={"q": ""})
    from reco.prescriptions.views import SEARCH_KEY

    with client.session_transaction() as session:
        assert SEARCH_KEY not in session
    assert "Jean Le Goff" in client.get(cleared.headers["Location"]).get_data(as_text=True)


def test_hsts_is_sent_in_production_and_over_https(app, client, ctx, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "RECO_HSTS_SECONDS", 31536000)
    assert "Strict-Transport-Security" not in client.get("/login").headers  # plain HTTP in development
    secure = client.get("/login", base_url="https://reco.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    monkeypatch.setitem(app.config, "RECO_ENV", "production")
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    monkeypatch.setitem(app.config, "RECO_HSTS_SECONDS", 0)
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://reco.example.org").headers


@pytest.mark.parametrize("environ,seconds", [
    ({}, 0), ({"RECO_HSTS_SECONDS": "600"}, 600),
    ({"RECO_ENV": "production"}, 31536000), ({"RECO_ENV": "production", "RECO_HSTS_SECONDS": "0"}, 0)])
def test_hsts_lasts_a_year_in_production_unless_configured(tmp_path, environ, seconds):
    if environ.get("RECO_ENV") == "production":
        environ = environ | {"RECO_SECRET_KEY": "k" * 40, "RECO_BASE_URL": "https://reco.example.org"}
    assert load_config(tmp_path, environ)["RECO_HSTS_SECONDS"] == seconds
