"""A donor's XLSX list is checked before it is unzipped: a small file that expands to a huge cell is refused."""
import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

import reco.donations.inventory_import as inventory_import
from reco.donations.inventory_import import InventoryFileError, parse_inventory
from reco.donations.models import ImportDraft
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import make_donation, make_donor, make_user

_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="L" '
    'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>',
    "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" '
    't="s"><v>1</v></c></row></sheetData></worksheet>',
}


def bomb(cell_bytes: int) -> bytes:
    """Return a small XLSX whose second cell unzips to ``cell_bytes`` characters."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                          b'main"><si><t>Serial</t></si><si><t>')
            chunk = b"A" * (1 << 20)
            for _ in range(cell_bytes >> 20):
                strings.write(chunk)
            strings.write(b"</t></si></sst>")
    return buffer.getvalue()


@pytest.fixture
def english(app):
    """Messages in English."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_the_hand_built_workbook_is_read_by_openpyxl_when_it_unzips_to_little(english):
    with pytest.raises(InventoryFileError) as refused:  # read, then its 1 MB cell is refused
        parse_inventory(bomb(1 << 20), "liste.xlsx")
    assert "Line 2 holds a cell of more than" in str(refused.value)


def test_a_small_file_unzipping_to_a_huge_cell_is_refused_before_openpyxl_opens_it(monkeypatch, english):
    data = bomb(40 << 20)
    assert len(data) < 200_000

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open it")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    with pytest.raises(InventoryFileError) as refused:
        parse_inventory(data, "liste.xlsx")
    assert "40 MB once unzipped" in str(refused.value)


def test_a_cell_longer_than_any_field_is_refused_with_its_line(english):
    workbook = Workbook()
    workbook.active.append(["Numéro de série", "Marque"])
    workbook.active.append(["SN1", "x" * 5001])  # MAX_CELL_READ is 5000
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InventoryFileError) as refused:
        parse_inventory(buffer.getvalue(), "liste.xlsx")
    assert "Line 2" in str(refused.value)


def test_the_text_read_from_a_list_is_bounded(monkeypatch, english):
    monkeypatch.setattr(inventory_import, "MAX_TEXT_READ", 1_000_000)
    workbook = Workbook()
    workbook.active.append(["Numéro de série", "Commentaire"])
    comment = "y" * 400
    for n in range(3000):  # one shared string, 1.2 million characters once read
        workbook.active.append([f"SN{n}", comment])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InventoryFileError) as refused:
        parse_inventory(buffer.getvalue(), "liste.xlsx")
    assert "million characters" in str(refused.value)


def test_the_upload_page_refuses_the_file_in_french(client, ctx):
    user = make_user("supervisor")
    login_as(client, user)
    donation = make_donation(make_donor(user.structure))
    response = client.post(f"/donations/{donation.id}/import", data={"file": (io.BytesIO(bomb(40 << 20)), "l.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "une fois décompressé" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportDraft)) == 0
