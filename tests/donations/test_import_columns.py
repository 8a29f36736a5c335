"""Donor lists as companies send them: title lines, totals and empty lines, comments, columns to map that are
remembered for the donor, and refusals that say why."""
import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from reco.donations.columns import column_letter, find_header, is_total, updated_memory
from reco.donations.inventory_import import guess_field, parse_inventory
from reco.donations.models import DeclaredItem
from reco.extensions import db
from reco.inventory.models import DeviceType
from tests.conftest import login_as
from tests.factories import make_donation, make_donor, make_user, xlsx_of


ABOVE, EMPTY = "au-dessus des noms de colonnes", "ligne vide"  # the reasons, in the network's language



#: As a company's asset manager exports it: a title, a date, a blank line, the table, a blank line and a total.
COMPANY_XLSX = [
    ["Inventaire du parc informatique — Armor Conseil"],
    ["Extraction du", date(2026, 11, 3)],
    [],
    ["N° de série", "Marque", "Modèle", "Type", "Commentaires"],
    ["5CG71234", "HP", "ProBook 430", "Portable", "Écran rayé"],
    [None, None, None, None, None],
    ["CZC9876", "HP", "Compaq 8100", "Unité centrale", None],
    ["MON42", "Dell", "P2214H", "écran", "Sans pied"],
    [],
    ["Total", None, None, None, 3],
]

#: French Excel's "CSV (séparateur : point-virgule)": Windows-1252, a title line padded with separators, a total.
COMPANY_CSV = ("Liste des matériels donnés;;;;\r\n"
               ";;;;\r\n"
               "Code machine;Marque;Type;Remarques;Couleur\r\n"
               "X1;HP;portable;clavier QWERTY;noir\r\n"
               ";;;;\r\n"
               "X2;Dell;fixe;;gris\r\n"
               "TOTAL :;;2 postes;;\r\n")


def test_an_xlsx_with_title_lines_blank_lines_and_a_total_is_read_and_they_are_listed():
    parsed = parse_inventory(xlsx_of(COMPANY_XLSX), "parc.xlsx")
    assert parsed.header_line == 4
    assert parsed.mapping == ["serial", "brand", "model", "device_type", "comment"]
    assert not parsed.errors and not parsed.unknown_columns
    assert [(line.number, line.serial, line.device_type, line.comment) for line in parsed.lines] == [
        (5, "5CG71234", DeviceType.LAPTOP, "Écran rayé"), (7, "CZC9876", DeviceType.DESKTOP, ""),
        (8, "MON42", DeviceType.SCREEN, "Sans pied")]
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (1, ABOVE), (2, ABOVE), (6, EMPTY), (9, EMPTY), (10, "total")]
    assert "Armor Conseil" in parsed.skipped[0].text and parsed.skipped[-1].text == "Total · 3"
    assert [row[0] for row in parsed.preview] == ["5CG71234", "CZC9876", "MON42"]


def test_a_french_excel_csv_in_windows_1252_with_a_title_line_finds_its_separator_and_header():
    parsed = parse_inventory(COMPANY_CSV.encode("cp1252"), "liste.csv")
    assert parsed.header_line == 3
    assert parsed.headers == ["Code machine", "Marque", "Type", "Remarques", "Couleur"]
    assert parsed.mapping == ["", "brand", "device_type", "comment", ""]
    assert parsed.samples[0] == ["X1", "X2"] and parsed.samples[4] == ["noir", "gris"]
    mapped = parse_inventory(COMPANY_CSV.encode("cp1252"), "liste.csv", ["serial", "brand", "device_type", "comment",
                                                                         "ignore"], header_line=3)
    assert not mapped.errors
    assert [(line.number, line.serial, line.comment) for line in mapped.lines] == [(4, "X1", "clavier QWERTY"),
                                                                                   (6, "X2", "")]
    assert [(s.line, s.reason) for s in mapped.skipped] == [(1, ABOVE), (5, EMPTY),
                                                            (7, "total")]


def test_a_header_line_chosen_by_hand_wins_over_the_one_found():
    data = b"Serial;Type\nSerial;Type\nA1;laptop\n"
    assert parse_inventory(data).header_line == 1
    chosen = parse_inventory(data, header_line=2)
    assert chosen.header_line == 2 and [line.serial for line in chosen.lines] == ["A1"]
    assert parse_inventory(data, header_line=99).header_line == 1  # out of the file: found again


def test_line_numbers_are_the_files_even_after_many_empty_lines():
    parsed = parse_inventory(b";;\n" * 40 + b"Serial;Type\nA1;laptop\n")
    assert parsed.header_line == 41 and [line.number for line in parsed.lines] == [42]


@pytest.mark.parametrize("row, total", [
    (["Total", "", "3"], True), (["TOTAL :", "12"], True), (["", "Sous-total", "4"], True),
    (["Total général"], True), (["Somme", "5"], True), (["Totaux"], True),
    (["Totally", "laptop"], False), (["PC-TOTAL-01", "laptop"], False), ([], False)])
def test_total_lines(row, total):
    assert is_total(row) is total


def test_the_header_is_the_line_naming_most_known_columns_else_the_widest():
    rows = [["Inventaire 2026"], [], ["Serial", "Brand", "Type"], ["A", "HP", "laptop"]]
    assert find_header(rows, guess_field) == 2
    assert find_header([["Liste"], ["Code", "Genre", "Truc"], ["A", "B", "C"]], guess_field) == 1


def test_remembered_choices_keep_only_what_usual_names_do_not_give():
    memory = updated_memory({"couleur": "ignore"}, ["Code machine", "Marque", "Couleur", "Vide"],
                            ["serial", "brand", "brand", ""], guess_field)
    assert memory == {"code machine": "serial", "couleur": "brand"}
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(26) == "AA"


# The preview page.

def _supervisor(client):
    user = make_user("supervisor")
    login_as(client, user)
    return user


def _upload(client, donation, data: bytes, name: str) -> str:
    response = client.post(f"/donations/{donation.id}/import", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).replace("\u202f", " ")


def test_the_preview_names_unknown_columns_before_the_table_and_remembers_their_mapping_for_the_donor(client, ctx):
    user = _supervisor(client)
    donor = make_donor(user.structure)
    donation = make_donation(donor)
    first = _upload(client, donation, COMPANY_CSV.encode("cp1252"), "liste.csv")
    page = client.get(first).get_data(as_text=True)
    unknown = re.search(r'id="unknown-columns">(.*?)</div>\s*</div>\s*<details', page, re.S).group(1)
    assert page.index('id="unknown-columns"') < page.index('class="preview"')
    assert "2 colonnes n'ont pas été reconnues" in _text(unknown)
    assert "Colonne « Code machine » (A)" in _text(unknown) and "Par exemple : X1, X2" in _text(unknown)
    assert "Colonne « Couleur » (E)" in _text(unknown) and 'id="column-0"' in unknown and 'id="column-4"' in unknown
    assert 'id="column-1"' not in unknown  # Marque is recognised
    assert "Ligne 1 : au-dessus des noms de colonnes — « Liste des matériels donnés »" in _text(page)
    assert "Les noms de colonnes ont été trouvés à la ligne 3 ; les lignes au-dessus sont des titres" in _text(page)
    checked = client.post(first, data={"header_line": "3", "header_was": "3", "column-0": "serial",
                                       "column-1": "brand", "column-2": "device_type", "column-3": "comment",
                                       "column-4": "ignore", "action": "map"})
    assert checked.status_code == 200
    text = _text(checked.get_data(as_text=True))
    assert "2 lignes d'appareils prêtes à être importées" in text
    assert "Ligne 7 : total — « TOTAL : · 2 postes »" in text and "Ligne 5 : ligne vide" in text
    db.session.expire_all()
    assert donor.import_columns == {"code machine": "serial", "couleur": "ignore"}

    corrected = COMPANY_CSV.replace("X2;Dell", "X3;Dell")
    second = _upload(client, make_donation(donor), corrected.encode("cp1252"), "liste corrigée.csv")
    page = client.get(second).get_data(as_text=True)
    assert 'id="unknown-columns"' not in page
    assert re.search(r'<option value="serial" selected>', re.search(
        r'<select id="column-0".*?</select>', page, re.S).group(0))
    assert "comme choisi pour une liste précédente de ce donateur" in _text(page)
    done = client.post(second, data={"header_was": "3", "column-0": "serial", "column-1": "brand",
                                     "column-2": "device_type", "column-3": "comment", "column-4": "ignore",
                                     "action": "import"})
    assert done.status_code == 302
    items = db.session.scalars(select(DeclaredItem).order_by(DeclaredItem.serial)).all()
    assert [(i.serial, i.comment) for i in items] == [("X1", "clavier QWERTY"), ("X3", "")]
    assert "clavier QWERTY" in client.get(f"/donations/{items[0].donation_id}").get_data(as_text=True)
    other = make_donor(user.structure, name="Autre donateur")
    third = _upload(client, make_donation(other), corrected.encode("cp1252"), "liste.csv")
    assert 'id="unknown-columns"' in client.get(third).get_data(as_text=True)  # another donor: not remembered


def test_choosing_another_header_line_reads_the_columns_again(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    url = _upload(client, donation, b"Serial;Type\nSerial;Type\nA1;laptop\n", "l.csv")
    page = client.post(url, data={"header_line": "2", "header_was": "1", "column-0": "ignore",
                                  "column-1": "ignore", "action": "map"}).get_data(as_text=True)
    assert '<option value="2" selected>' in page
    assert "1 ligne d'appareil prête à être importée" in _text(page)  # the old mapping was for the old header
    refused = client.post(url, data={"header_line": "2", "header_was": "1", "action": "import"})
    assert refused.status_code == 422
    assert "La ligne des noms de colonnes a changé" in _text(refused.get_data(as_text=True))
    assert db.session.scalar(select(DeclaredItem.id)) is None


def test_every_refused_import_says_why_next_to_what_to_change(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    url = _upload(client, donation, b"Serial;Type\nA;laptop\nA;laptop\n", "l.csv")
    form = {"column-0": "serial", "column-1": "device_type", "action": "import"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    summary = re.search(r'id="error-summary".*?</div>', page, re.S).group(0)
    assert 'href="#allow_duplicates"' in summary and "apparaissent plusieurs fois" in summary
    box = re.search(r'id="repeated-serials">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert 'id="allow_duplicates-error"' in box and 'aria-invalid="true"' in box
    unknown = client.post(url, data={"column-0": "", "column-1": "device_type", "action": "import"})
    assert unknown.status_code == 422
    assert "Indiquez ce que contient chaque colonne" in _text(unknown.get_data(as_text=True))
    errors = _upload(client, donation, b"Serial;Type\nA;rocket\n", "e.csv")
    bad = client.post(errors, data=form)
    assert bad.status_code == 422 and "Le fichier contient des erreurs : rien n'a été importé" in _text(
        bad.get_data(as_text=True))
    assert db.session.scalar(select(DeclaredItem.id)) is None
