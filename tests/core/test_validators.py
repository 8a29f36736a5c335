import pytest

from reco.core.validators import insee_valid, siren_valid, siret_valid


@pytest.mark.parametrize("value,ok", [("732829320", True), ("732 829 320", True), ("732829321", False),
                                      ("73282932", False), ("", False), ("abcdefghi", False)])
def test_siren(value, ok):
    assert siren_valid(value) is ok


@pytest.mark.parametrize("value,ok", [
    ("73282932000074", True), ("732 829 320 00074", True), ("73282932000075", False),
    ("35600000000048", True),  # La Poste head office: ordinary Luhn key
    ("35600000000001", True),  # La Poste establishment: digits add up to a multiple of 5
    ("35600000000002", False), ("1234567890123", False), ("7328293200007A", False),
])
def test_siret(value, ok):
    assert siret_valid(value) is ok


@pytest.mark.parametrize("value,ok", [
    ("35238", True), ("2A004", True), ("2b033", True), ("29019", True), ("01001", True), ("97411", True),
    ("3523", False), ("2C004", False), ("", False), (None, False),
    ("20123", False),  # Corsica is 2A or 2B since 1976
    ("00123", False), ("96123", False), ("97711", False), ("99999", False),  # no such département
    ("35000", False),  # a postcode: no commune is numbered 000
])
def test_insee(value, ok):
    assert insee_valid(value) is ok
