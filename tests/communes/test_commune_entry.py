"""Communes typed on forms and sent to the API: found by postcode and name, chosen among several, refused."""
from datetime import timedelta

import jsonschema
import pytest
from sqlalchemy import select

from reco.accounts.models import Role, Structure
from reco.api.openapi import SCHEMAS, openapi_document
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.models import PartnerReport, Prescription, PrescriptionStatus
from tests.conftest import login_as
from tests.factories import HOUSEHOLD, make_structure, make_token, make_user
from tests.scenarios import prescriber_network

LAST_MONTH = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@pytest.fixture
def sides(ctx):
    sides = prescriber_network()
    return sides | {"api": {"Authorization": f"Bearer {make_token(sides['prescriber'])}"}}


def _form(sides, action="submit", **changes):
    household = {k: v for k, v in HOUSEHOLD.items() if k != "insee_code"}  # people never type the code
    data = {k: ("y" if v is True else v) for k, v in (household | changes).items() if v is not False}
    return data | {"consent": "y", "consent_on": local_today().isoformat(), "action": action,
                   "workshop_id": sides["workshop"].id}


def _prescriptions():
    return db.session.scalars(select(Prescription)).all()


def test_a_postcode_and_a_name_give_the_commune_its_insee_code_and_registry_name(client, sides):
    login_as(client, sides["prescriber"])
    response = client.post("/prescriptions/new", data=_form(sides, postcode="35500", commune="vitre"))
    assert response.status_code == 302
    (prescription,) = _prescriptions()
    assert (prescription.insee_code, prescription.commune, prescription.postcode) == ("35360", "Vitré", "35500")
    assert "Vitré (35360)" in client.get(response.location).get_data(as_text=True)


def test_a_name_alone_fills_the_postcode_of_a_commune_that_has_only_one(client, sides):
    login_as(client, sides["prescriber"])
    assert client.post("/prescriptions/new", data=_form(sides, postcode="", commune="Fougères")).status_code == 302
    (prescription,) = _prescriptions()
    assert (prescription.insee_code, prescription.postcode) == ("35115", "35300")


def test_rennes_typed_with_its_postcode_35200_is_rennes_35238_on_the_form_never_moutiers(client, sides):
    """35200 is a postcode of Rennes and the INSEE code of Moutiers: the form stores Rennes, whatever is posted."""
    login_as(client, sides["prescriber"])
    response = client.post("/prescriptions/new", data=_form(sides, postcode="35200", commune="Rennes",
                                                            insee_code="35200"))
    assert response.status_code == 302
    (prescription,) = _prescriptions()
    assert (prescription.insee_code, prescription.commune) == ("35238", "Rennes")


def test_several_communes_bring_the_form_back_with_a_choice_then_the_one_chosen_is_stored(client, sides):
    login_as(client, sides["prescriber"])
    data = _form(sides, postcode="35130", commune="")
    first = client.post("/prescriptions/new", data=data)
    page = first.get_data(as_text=True)
    assert first.status_code == 422 and _prescriptions() == []
    assert "Plusieurs communes correspondent" in page and "Quelle commune\u00a0?" in page
    assert 'type="radio" value="35200"' in page and "Moutiers (35200) — Ille-et-Vilaine (35), 35130" in page
    assert 'href="#insee_code-0"' in page  # the error summary leads to the first commune offered
    assert 'type="radio" value="35238"' not in page
    chosen = client.post("/prescriptions/new", data=data | {"insee_code": "35200"})
    assert chosen.status_code == 302
    (prescription,) = _prescriptions()
    assert (prescription.insee_code, prescription.commune, prescription.postcode) == ("35200", "Moutiers", "35130")


def test_a_commune_chosen_out_of_those_offered_is_not_taken(client, sides):
    login_as(client, sides["prescriber"])
    refused = client.post("/prescriptions/new", data=_form(sides, postcode="35130", commune="",
                                                           insee_code="35238"))
    assert refused.status_code == 422 and _prescriptions() == []


def test_no_commune_is_explained_on_the_field_typed(client, sides):
    login_as(client, sides["prescriber"])
    response = client.post("/prescriptions/new", data=_form(sides, postcode="", commune="Nulle-Part-sur-Vilaine"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _prescriptions() == []
    assert 'id="commune-error"' in page and 'href="#commune"' in page and 'name="insee_code"' not in page
    other = client.post("/prescriptions/new", data=_form(sides, postcode="35200", commune="Vitré"))
    page = other.get_data(as_text=True)
    assert other.status_code == 422 and "Aucune commune ne correspond" in page
    assert 'name="insee_code"' not in page  # Vitré is another commune than 35200's: nothing to choose, correct it


def test_a_draft_keeps_an_unsettled_commune_and_sending_it_asks_for_the_choice(client, sides):
    login_as(client, sides["prescriber"])
    draft = client.post("/prescriptions/new", data=_form(sides, action="draft", postcode="35130", commune=""))
    assert draft.status_code == 302
    (prescription,) = _prescriptions()
    assert prescription.status is PrescriptionStatus.DRAFT and prescription.insee_code == ""
    assert "commune à choisir" in client.get(draft.location).get_data(as_text=True)
    edit = f"/prescriptions/{prescription.id}/edit"
    sent = client.post(edit, data=_form(sides, postcode="35130", commune=""))
    assert sent.status_code == 422 and 'type="radio" value="35200"' in sent.get_data(as_text=True)
    assert client.post(edit, data=_form(sides, postcode="35130", commune="", insee_code="35102")).status_code == 302
    db.session.refresh(prescription)
    assert prescription.status is PrescriptionStatus.SUBMITTED
    assert (prescription.insee_code, prescription.commune) == ("35102", "Drouges")
    page = client.get(edit).get_data(as_text=True)
    assert '<input type="hidden" name="insee_code" value="35102">' in page  # the choice kept while it is edited


def test_the_api_refuses_rennes_35200_with_rennes_as_the_candidate(client, sides):
    """The Rennes case: 35200 sent as Rennes' INSEE code is its postcode, and Moutiers' code: refused, 422."""
    body = HOUSEHOLD | {"consent": True, "insee_code": "35200", "commune": "Rennes", "postcode": "35200"}
    refused = client.post("/api/v1/prescriptions", headers=sides["api"], json=body)
    assert refused.status_code == 422 and _prescriptions() == []
    error = refused.get_json()
    jsonschema.validate(error, SCHEMAS["Error"] | {"components": {"schemas": SCHEMAS}})
    assert error["error"] == "unknown_commune" and "insee_code" in error["fields"]
    assert error["candidates"] == [{"insee_code": "35238", "name": "Rennes", "departement": "35",
                                    "postcodes": ["35000", "35200", "35700"]}]
    accepted = client.post("/api/v1/prescriptions", headers=sides["api"], json=body | {"insee_code": "35238"})
    assert accepted.status_code == 201 and accepted.get_json()["insee_code"] == "35238"


def test_the_api_takes_a_postcode_and_a_commune_and_lists_candidates_when_several_match(client, sides):
    body = {k: v for k, v in HOUSEHOLD.items() if k != "insee_code"} | {"consent": True}
    found = client.post("/api/v1/prescriptions", headers=sides["api"],
                        json=body | {"postcode": "35500", "commune": "Vitre"})
    assert found.status_code == 201 and (found.get_json()["insee_code"], found.get_json()["commune"]) == (
        "35360", "Vitré")
    several = client.post("/api/v1/prescriptions", headers=sides["api"],
                          json=body | {"postcode": "35130", "commune": ""})
    error = several.get_json()
    assert several.status_code == 422 and error["error"] == "ambiguous_commune"
    assert {c["insee_code"] for c in error["candidates"]} >= {"35200", "35102", "35125"}
    assert all(c["departement"] == "35" and c["postcodes"] == ["35130"] for c in error["candidates"])
    unknown = client.post("/api/v1/prescriptions", headers=sides["api"], json=body | {"insee_code": "35999"})
    assert unknown.status_code == 422 and unknown.get_json()["candidates"] == []
    with_others = client.post("/api/v1/prescriptions", headers=sides["api"],
                              json=body | {"postcode": "35130", "commune": "", "contact_phone": "12"})
    error = with_others.get_json()  # the commune's candidates come along with the other fields refused
    assert error["error"] == "ambiguous_commune" and {"contact_phone", "insee_code"} <= set(error["fields"])
    assert len(error["candidates"]) > 1 and len(_prescriptions()) == 1


def test_the_openapi_document_describes_the_candidates(client):
    document = openapi_document()
    error = document["components"]["schemas"]["Error"]["properties"]
    assert error["candidates"]["items"] == {"$ref": "#/components/schemas/CommuneCandidate"}
    lines = document["components"]["schemas"]["PartnerReportIn"]["properties"]["lines"]["items"]
    assert "insee_code" not in lines["required"] and "postcode" in lines["properties"]


@pytest.fixture
def partner(ctx):
    return make_user(Role.PARTNER)


def test_a_partner_line_by_name_asks_which_saint_denis_then_records_it(client, partner):
    login_as(client, partner)
    data = {"month": LAST_MONTH, "lines-0-commune": "Saint-Denis", "lines-0-device_type": "laptop",
            "lines-0-families": "6", "lines-0-accompanied": "2",
            "lines-1-commune": "Vitré", "lines-1-device_type": "tablet", "lines-1-families": "3"}
    asked = client.post("/partner-reports/new", data=data)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422 and db.session.scalars(select(PartnerReport)).all() == []
    assert 'name="lines-0-insee_code" type="radio" value="93066"' in page
    assert 'name="lines-0-insee_code" type="radio" value="97411"' in page and "La Réunion (974)" in page
    assert 'name="lines-1-insee_code" type="radio"' not in page
    recorded = client.post("/partner-reports/new", data=data | {"lines-0-insee_code": "97411"})
    assert recorded.status_code == 302
    report = db.session.scalars(select(PartnerReport)).one()
    assert sorted((line.insee_code, line.commune) for line in report.lines) == [("35360", "Vitré"),
                                                                                ("97411", "Saint-Denis")]
    shown = client.get(recorded.location).get_data(as_text=True)
    assert "Saint-Denis (97411)" in shown and "Vitré (35360)" in shown
    again = client.get(f"/partner-reports/new?month={LAST_MONTH}").get_data(as_text=True)
    assert 'name="lines-0-insee_code" value="97411"' in again or 'name="lines-1-insee_code" value="97411"' in again


def test_a_partner_line_with_no_commune_is_explained_on_its_line(client, partner):
    login_as(client, partner)
    refused = client.post("/partner-reports/new", data={
        "month": LAST_MONTH, "lines-0-commune": "Nulle-Part", "lines-0-device_type": "laptop",
        "lines-0-families": "2"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="lines-0-commune-error"' in page and "ligne 1\u00a0:" in page


def test_the_partner_api_refuses_rennes_35200_and_lists_each_lines_candidates(client, partner):
    headers = {"Authorization": f"Bearer {make_token(partner)}"}
    line = {"device_type": "laptop", "families": 4}
    refused = client.post("/api/v1/partner-reports", headers=headers, json={"month": LAST_MONTH, "lines": [
        line | {"insee_code": "35360"}, line | {"insee_code": "35200", "commune": "Rennes"}]})
    error = refused.get_json()
    assert refused.status_code == 422 and error["error"] == "unknown_commune"
    assert list(error["line_candidates"]) == ["lines[1]"] and "lines[1].insee_code" in error["fields"]
    assert error["line_candidates"]["lines[1]"][0]["insee_code"] == "35238"
    several = client.post("/api/v1/partner-reports", headers=headers, json={"month": LAST_MONTH, "lines": [
        line | {"postcode": "35130"}]})
    assert several.get_json()["error"] == "ambiguous_commune"
    named = client.post("/api/v1/partner-reports", headers=headers, json={"month": LAST_MONTH, "lines": [
        line | {"postcode": "35200", "commune": "rennes"}]})
    assert named.status_code == 201
    assert [(x.insee_code, x.commune) for x in db.session.scalars(select(PartnerReport)).one().lines] == [
        ("35238", "Rennes")]


def test_the_structure_form_asks_which_commune_then_shows_its_name_with_the_code(client, ctx):
    login_as(client, make_user("admin"))
    data = {"name": "CCAS de la Guerche", "kinds": ["prescriber"], "postcode": "35130", "commune": ""}
    asked = client.post("/admin/structures/new", data=data)
    assert asked.status_code == 422 and 'type="radio" value="35125"' in asked.get_data(as_text=True)
    assert db.session.scalar(select(Structure).where(Structure.name == "CCAS de la Guerche")) is None
    created = client.post("/admin/structures/new", data=data | {"insee_code": "35125"})
    assert created.status_code == 302
    structure = db.session.scalar(select(Structure).where(Structure.name == "CCAS de la Guerche"))
    assert (structure.insee_code, structure.commune) == ("35125", "La Guerche-de-Bretagne")
    assert "La Guerche-de-Bretagne (35125)" in client.get(created.location).get_data(as_text=True)
    edit = client.get(f"/admin/structures/{structure.id}/edit").get_data(as_text=True)
    assert '<input type="hidden" name="insee_code" value="35125">' in edit  # kept while the postcode and name stay
    kept = client.post(f"/admin/structures/{structure.id}/edit", data=data | {
        "commune": "La Guerche-de-Bretagne", "insee_code": "35125"})
    assert kept.status_code == 302


def test_the_partner_api_refuses_a_huge_commune_name_with_a_422(client, sides, ctx):
    partner = make_user(Role.PARTNER, structure=make_structure("partner"))
    line = {"insee_code": "35238", "commune": "x" * 100_000, "device_type": "laptop", "families": 3}
    response = client.post("/api/v1/partner-reports", json={"month": LAST_MONTH, "lines": [line]},
                           headers={"Authorization": f"Bearer {make_token(partner)}"})
    assert response.status_code == 422 and response.get_json()["error"] == "unknown_commune"
    assert len(response.get_data()) < 5_000
