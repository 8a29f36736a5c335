"""The communes registry: lookups by code, postcode and name, former communes, and refusals with candidates."""
import pytest

from reco.communes.registry import (
    CommuneAmbiguous,
    CommuneNotFound,
    candidates,
    commune_label,
    commune_names,
    current_commune,
    resolve,
    search_name,
    territory_names,
)


def test_rennes_postcode_typed_as_its_insee_code_is_refused_with_the_right_commune(ctx):
    """35200 is a postcode of Rennes and the INSEE code of Moutiers: typed for Rennes, it is refused."""
    with pytest.raises(CommuneNotFound) as refused:
        resolve(insee_code="35200", name="Rennes")
    assert [c.code for c in refused.value.candidates] == ["35238"]
    assert refused.value.details["candidates"][0]["name"] == "Rennes"
    with pytest.raises(CommuneNotFound):
        resolve(insee_code="35238", postcode="35130")


def test_a_postcode_that_is_no_insee_code_is_refused_with_the_communes_it_serves(ctx):
    with pytest.raises(CommuneNotFound) as refused:
        resolve(insee_code="35000")
    assert [c.code for c in refused.value.candidates] == ["35238"]


def test_the_insee_code_of_a_real_commune_is_accepted_even_when_it_looks_like_a_postcode(ctx):
    assert resolve(insee_code="35238").name == "Rennes"
    assert resolve(insee_code=" 35200 ").name == "Moutiers"  # 35200 is Moutiers' INSEE code, not only a postcode
    assert resolve(insee_code="01053").name == "Bourg-en-Bresse"


def test_an_unknown_code_is_refused_without_candidates(ctx):
    with pytest.raises(CommuneNotFound) as refused:
        resolve(insee_code="35999")
    assert refused.value.candidates == []


def test_former_communes_and_districts_map_to_the_current_commune(ctx):
    assert current_commune("01039").code == "01138"  # Béon, merged into Culoz-Béon
    assert current_commune("75112").code == "75056"  # Paris 12e → Paris
    assert commune_names(["01039", "75112", "35238", "99999"]) == {
        "01039": current_commune("01138").name, "75112": "Paris", "35238": "Rennes"}


def test_a_postcode_and_a_name_choose_one_commune_and_a_shared_postcode_is_ambiguous(ctx):
    assert resolve(postcode="35200", name="rennes").code == "35238"
    assert resolve(postcode="75012").code == "75056"
    several = candidates(postcode="35130")
    assert len(several) > 1 and "35200" in {c.code for c in several}
    with pytest.raises(CommuneAmbiguous) as refused:
        resolve(postcode="35130")
    assert {c.code for c in refused.value.candidates} == {c.code for c in several}


def test_names_match_without_accents_hyphens_or_the_saint_abbreviation(ctx):
    assert search_name("  Saint-Aubin-d’Aubigné ") == search_name("st aubin d aubigne")
    assert resolve(name="vitre").code == "35360"
    with pytest.raises(CommuneAmbiguous) as refused:
        resolve(name="Saint-Denis")
    assert {c.code for c in refused.value.candidates} == {"93066", "97411"}


def test_labels_and_territories_have_names(ctx):
    assert commune_label("35238") == "Rennes (35238)"
    assert commune_label("12345") == "12345"
    assert territory_names("departement", ["35"]) == {"35": "Ille-et-Vilaine"}
    rennes = current_commune("35238")
    assert territory_names("epci", [rennes.epci_code])[rennes.epci_code] == "Rennes Métropole"


def test_a_huge_name_code_or_postcode_is_refused_without_a_lookup_and_not_repeated_whole(ctx):
    huge = "x" * 100_000
    for given in ({"name": huge}, {"postcode": huge}, {"insee_code": huge}, {"insee_code": "35238", "name": huge},
                  {"insee_code": "35238", "postcode": huge}):
        with pytest.raises(CommuneNotFound) as refused:
            resolve(**given)
        assert len(refused.value.message) < 400
