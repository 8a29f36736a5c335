"""A company's spreadsheet on the import preview: the header under its titles, the column to map named on screen,
the mapping remembered for the donor's corrected list, and a refused import that says why."""
import re
from datetime import date

import pytest

from tests.browser.conftest import log_in, wait_until
from tests.factories import xlsx_of

pytestmark = [pytest.mark.browser, pytest.mark.committed]



def _rows(second_serial: str):
    return [["Parc informatique — Armor Conseil SAS"], ["Extraction du", date(2026, 11, 3)], [],
            ["Code machine", "Marque", "Type", "Commentaires", "Centre de coût", "Site", "Service", "Utilisateur",
             "Bureau", "Étage"],
            ["PZ1", "Lenovo", "portable", "Batterie faible", "CC-12", "Rennes", "Compta", "J. Martin", "B12", "2"],
            ["PZ1" if second_serial == "PZ1" else second_serial, "HP", "fixe", None, "CC-12", "Rennes", "RH",
             "L. Petit", "B14", "2"],
            [], ["Total", None, 2]]


def _text(locator) -> str:
    return locator.inner_text().replace("\xa0", " ").replace("\u202f", " ")


def _open_preview(page, live_server, donation_url, path) -> None:
    page.goto(donation_url)
    page.get_by_role("link", name="Importer la liste du donateur").click()
    page.get_by_label("Liste du donateur").set_input_files(str(path))
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.wait_for_url(re.compile(r".*/import/\d+$"))


def test_a_company_spreadsheet_is_mapped_on_screen_and_the_mapping_is_remembered(live_server, demo, page,
                                                                                   tmp_path):
    log_in(page, live_server, "supervisor@demo.reco")
    page.locator("nav.main-nav").get_by_role("link", name="Donateurs", exact=True).click()
    page.get_by_role("link", name="Armor Conseil SAS").click()
    page.get_by_role("link", name="Planifier une collecte").click()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r".*/donations/\d+$"))
    donation_url = page.url

    first = tmp_path / "parc.xlsx"
    first.write_bytes(xlsx_of(_rows("PZ1")))
    _open_preview(page, live_server, donation_url, first)
    header = page.get_by_label("Ligne qui porte les noms de colonnes")
    assert header.input_value() == "4"
    # The unrecognised column is named, with its values, and its choice is on screen: not off to the right.
    choice = page.get_by_label("Colonne « Code machine » (A)")
    assert "PZ1" in page.locator("#unknown-columns").inner_text()
    box = choice.bounding_box()
    assert box["x"] + box["width"] <= 1280 and box["y"] < 800
    choice.select_option("serial")
    for name in ("Centre de coût", "Site", "Service", "Utilisateur", "Bureau", "Étage"):
        page.locator("#unknown-columns").get_by_label(f"« {name} »").select_option("ignore")
    page.get_by_role("button", name="Vérifier à nouveau avec ces colonnes").click()
    skipped = _text(page.locator("#skipped-lines"))
    assert "Ligne 7 : ligne vide" in skipped and "Ligne 8 : total" in skipped
    # Importing with a repeated serial without ticking the box says why, next to the box.
    page.get_by_role("button", name="Importer ces lignes").click()
    wait_until(page, "document.activeElement && document.activeElement.id === 'error-summary'")
    assert "apparaissent plusieurs fois" in _text(page.locator("#error-summary"))
    page.locator("#error-summary a").first.click()
    wait_until(page, "document.activeElement && document.activeElement.id === 'allow_duplicates'")
    assert "cochez la case" in _text(page.locator("#allow_duplicates-error"))

    # The donor sends a corrected list: its columns are recognised as chosen the first time.
    corrected = tmp_path / "parc corrigé.xlsx"
    corrected.write_bytes(xlsx_of(_rows("MXZ2")))
    _open_preview(page, live_server, donation_url, corrected)
    assert page.locator("#unknown-columns").count() == 0
    assert page.locator("#known-columns").get_attribute("open") is not None  # nothing left to map: shown open
    assert page.get_by_label("Colonne « Code machine » (A)").input_value() == "serial"
    assert page.get_by_label("Colonne « Étage » (J)").input_value() == "ignore"
    assert "comme choisi pour une liste précédente de ce donateur" in _text(page.locator("#known-columns"))
    page.get_by_role("button", name="Importer ces lignes").click()
    page.wait_for_url(donation_url)
    assert "2 lignes importées" in page.locator(".flashes").inner_text()
    page.locator("#outstanding-lines summary").click()
    assert "Batterie faible" in page.locator("#outstanding-lines").inner_text()
