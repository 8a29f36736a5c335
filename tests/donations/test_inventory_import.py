"""Reading donor inventories as companies send them."""
import hashlib
from datetime import date

import pytest

from reco.donations.inventory_import import InventoryFileError, guess_field, parse_inventory
from reco.inventory.models import DeviceType
from tests.factories import xlsx_of

FRENCH = ("N° de série;Marque;Modèle;Type;N° d'inventaire;Date d'achat\n"
          "5CG7 1234;HP;ProBook 430 G4;Portable;INV-001;15/03/2018\n"
          "CZC9876;HP;Compaq 8100;Unité centrale;INV-002;2017-01-31\n"
          "\n"
          "MON42;Dell;P2214H;écran;INV-003;\n")



@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_french_csv_in_every_usual_encoding(encoding):
    parsed = parse_inventory(FRENCH.encode(encoding))
    assert parsed.mapping == ["serial", "brand", "model", "device_type", "donor_tag", "purchase_date"]
    assert not parsed.errors
    assert [(line.number, line.device_type, line.serial, line.donor_tag) for line in parsed.lines] == [
        (2, DeviceType.LAPTOP, "5CG7 1234", "INV-001"), (3, DeviceType.DESKTOP, "CZC9876", "INV-002"),
        (5, DeviceType.SCREEN, "MON42", "INV-003")]
    assert parsed.lines[0].purchase_date == date(2018, 3, 15)
    assert parsed.lines[1].purchase_date == date(2017, 1, 31)
    assert parsed.lines[0].model == "ProBook 430 G4"


def test_english_csv_with_commas_and_quotes():
    data = (b'Serial,Brand,Model,Type,Asset tag\nABC1,Lenovo,"ThinkPad T440, i5",laptop,A-1\n'
            b"ABC2,Apple,iPad,Tablet,A-2\n")
    parsed = parse_inventory(data)
    assert not parsed.errors
    assert parsed.lines[0].model == "ThinkPad T440, i5"
    assert parsed.lines[1].device_type is DeviceType.TABLET


def test_xlsx_with_dates_and_numbers():
    data = xlsx_of([["Numéro de série", "Fabricant", "Modèle", "Catégorie", "Asset tag", "Purchase date"],
                  ["S1", "Dell", "Latitude", "laptop", 1001, date(2019, 5, 2)],
                  [None, None, None, None, None, None],
                  ["S2", "Dell", "OptiPlex", "desktop", 1002, None]])
    parsed = parse_inventory(data, "liste.xlsx")
    assert not parsed.errors
    assert [(line.serial, line.donor_tag, line.purchase_date) for line in parsed.lines] == [
        ("S1", "1001", date(2019, 5, 2)), ("S2", "1002", None)]


def test_unknown_columns_wait_for_the_users_mapping():
    data = b"Code machine;Marque;Genre\nX1;HP;laptop\n"
    parsed = parse_inventory(data)
    assert parsed.unknown_columns == [0, 2]
    assert parsed.lines == []
    mapped = parse_inventory(data, mapping=["serial", "brand", "device_type"])
    assert not mapped.errors and mapped.lines[0].serial == "X1"
    ignored = parse_inventory(b"Serial;Type;Commentaire\nX1;laptop;rayure\n", mapping=["serial", "device_type",
                                                                                     "ignore"])
    assert ignored.lines[0].serial == "X1"


def test_every_bad_line_is_reported_with_its_number_and_reason():
    data = ("Serial;Type;Asset tag;Date\n"
            "A1;laptop;T1;01/02/2020\n"
            "A2;spaceship;T2;\n"
            "A3;laptop;T3;2020/31/12\n"
            ";laptop;;\n"
            "A5;;T5;\n"
            "A6;laptop;T6;;extra\n"
            "A7;laptop;T7;\n").encode()
    parsed = parse_inventory(data)
    assert [(e.line) for e in parsed.errors] == [3, 4, 5, 6, 7]
    messages = {e.line: e.message for e in parsed.errors}
    assert "spaceship" in messages[3]
    assert "2020/31/12" in messages[4]
    assert "5" in messages[7] and "4" in messages[7]
    assert [line.serial for line in parsed.lines] == ["A1", "A7"]


def test_duplicated_serials_are_reported():
    parsed = parse_inventory(b"Serial;Type\nDUP;laptop\nX;laptop\ndup ;desktop\n")
    assert parsed.duplicates == {"DUP": [2, 4]}
    assert not parsed.errors


@pytest.mark.parametrize("data,filename", [
    (b"", "x.csv"), (b"   \n\n", "x.csv"), (b"%PDF-1.4\x00\x01binary", "x.pdf"), (b"\x00\x01\x02\x03" * 100, "x.csv"),
    (b"PK\x03\x04not really a zip", "x.xlsx"), (b"some text", "list.xls"),
])
def test_files_that_are_not_inventories_are_refused(data, filename):
    with pytest.raises(InventoryFileError):
        parse_inventory(data, filename)


def test_a_header_without_lines_is_an_error():
    parsed = parse_inventory(b"Serial;Type\n")
    assert parsed.errors and parsed.errors[0].line == 2


def test_a_file_without_type_column_is_an_error():
    parsed = parse_inventory(b"Serial;Brand\nA;HP\n")
    assert parsed.errors[0].line == 1


def test_huge_cells_are_refused_per_line():
    parsed = parse_inventory(("Serial;Type;Model\nA;laptop;" + "x" * 1000 + "\n").encode())
    assert parsed.errors[0].line == 2


def test_five_thousand_lines():
    lines = "".join(f"SN{n:05d};laptop;Dell;INV{n:05d}\n" for n in range(5000))
    parsed = parse_inventory(("Serial;Type;Brand;Asset tag\n" + lines).encode())
    assert len(parsed.lines) == 5000 and not parsed.errors


@pytest.mark.parametrize("header,field", [("N° de série", "serial"), ("Numéro de Série", "serial"),
                                          ("S/N", "serial"), ("MARQUE", "brand"), ("Modèle", "model"),
                                          ("N° d'inventaire", "donor_tag"), ("Asset Tag", "donor_tag"),
                                          ("Type", "device_type"), ("Couleur", "")])
def test_header_names(header, field):
    assert guess_field(header) == field


def test_repeated_serials_and_repeated_donor_tags_are_both_reported_with_their_lines():
    parsed = parse_inventory(b"Serial;Type;Asset tag\nA;laptop;T1\nB;laptop;t1 \nA;desktop;T2\nC;laptop;T3\n"
                             b";screen;T3\nE;laptop;\n")
    assert not parsed.errors
    assert parsed.duplicates == {"A": [2, 4]}
    assert parsed.duplicate_tags == {"T1": [2, 3], "T3": [5, 6]}
    assert parse_inventory(b"Serial;Type;Asset tag\nA;laptop;T1\nB;laptop;T2\n").duplicate_tags == {}


def test_the_file_fingerprint_is_the_sha256_of_its_bytes():
    data = FRENCH.encode()
    assert parse_inventory(data).sha256 == hashlib.sha256(data).hexdigest()
    assert parse_inventory(data, mapping=["serial", "brand", "model", "device_type", "donor_tag", "ignore"]).sha256 \
        == hashlib.sha256(data).hexdigest()
    assert parse_inventory(FRENCH.encode("cp1252")).sha256 != parse_inventory(data).sha256
