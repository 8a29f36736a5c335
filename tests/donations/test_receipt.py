"""The collection receipt (bordereau de collecte): what was declared, read back from the printed PDF."""
import re

import pypdfium2
import pytest

from reco.core.documents import fingerprint_of
from reco.donations.inventory_import import parse_inventory
from reco.donations.pdf import issue_collection_receipt, receipt_content
from reco.donations.services import import_declared_items, update_donation
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_user

LIST = (b"Serial;Type;Asset tag;Brand;Model\nSN-A1;laptop;INV-001;Dell;Latitude E5530\n"
        b"SN-A2;laptop;INV-002;Dell;Latitude E5530\n;screen;INV-003;Iiyama;X2\n")


@pytest.fixture
def supervisor(ctx):
    return make_user("supervisor")


def _text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def _devices_section(text: str) -> str:
    return text[text.index("Appareils"):text.index("Pour le donateur")]


def test_the_receipt_lists_what_was_declared_with_serials_and_donor_tags(supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    text = _text(issue_collection_receipt(donation, by=supervisor).pdf)
    devices = _devices_section(text)
    assert "Type d'appareil Déclarés Ordinateur portable 2 Écran 1 Total 3" in devices
    assert "Réceptionnés" not in devices and "Rien n'a encore été déclaré" not in devices
    assert "La liste du donateur" in devices
    assert re.search(r"1 Ordinateur portable Dell Latitude E5530 SN-A1 INV-001 2 Ordinateur portable Dell Latitude "
                     r"E5530 SN-A2 INV-002 3 Écran Iiyama X2 INV-003", devices)


def test_a_receipt_with_nothing_declared_says_so_instead_of_zeros(supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    text = _text(issue_collection_receipt(donation, by=supervisor).pdf)
    devices = _devices_section(text)
    assert "Rien n'a encore été déclaré pour cette collecte : les appareils seront comptés à leur arrivée à " \
           "l'atelier." in devices
    assert "Déclarés" not in devices and not re.search(r"\b0\b", devices)


def test_counts_declared_without_a_list_print_without_one(supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    update_donation(donation, by=supervisor, declared_counts={"laptop": 12, "screen": 3})
    devices = _devices_section(_text(issue_collection_receipt(donation, by=supervisor).pdf))
    assert "Type d'appareil Déclarés Ordinateur portable 12 Écran 3 Total 15" in devices
    assert "La liste du donateur" not in devices


def test_a_receipt_reprinted_after_intake_keeps_the_received_counts(supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    make_device(donation, type="laptop", serial="SN-A1")
    make_device(donation, type="tablet", serial="UNDECLARED")
    devices = _devices_section(_text(issue_collection_receipt(donation, by=supervisor).pdf))
    assert ("Type d'appareil Déclarés Réceptionnés à l'atelier Ordinateur portable 2 1 Tablette 0 1 Écran 1 0 "
            "Total 3 2") in devices
    assert "SN-A1 INV-001" in devices


def test_undeclared_devices_received_are_counted_after_the_sentence(supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    make_device(donation, type="tablet", serial="UNDECLARED")
    devices = _devices_section(_text(issue_collection_receipt(donation, by=supervisor).pdf))
    assert "Rien n'a encore été déclaré" in devices
    assert "Type d'appareil Réceptionnés à l'atelier Tablette 1 Total 1" in devices and "Déclarés" not in devices


def test_the_fingerprint_covers_what_the_receipt_prints(supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    content = receipt_content(donation)
    assert content["counts"] == [["laptop", 2, 0], ["screen", 1, 0]]
    assert content["declared_lines"] == [[1, "laptop", "Dell Latitude E5530", "SN-A1", "INV-001"],
                                         [2, "laptop", "Dell Latitude E5530", "SN-A2", "INV-002"],
                                         [3, "screen", "Iiyama X2", "", "INV-003"]]
    document = issue_collection_receipt(donation, by=supervisor)
    assert document.fingerprint == fingerprint_of({
        "number": document.number, "kind": "collection_receipt", "issuer": supervisor.structure.name,
        "issued_at": document.issued_at.isoformat(), "content": content})
    import_declared_items(donation, parse_inventory(b"Serial;Type\nSN-A9;tablet\n"), by=supervisor)
    assert receipt_content(donation) != content


def test_the_receipt_issued_from_the_page_is_the_one_downloaded(client, supervisor):
    donation = make_donation(make_donor(supervisor.structure))
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    login_as(client, supervisor)
    issued = client.post(f"/donations/{donation.id}/documents/collection_receipt")
    assert issued.status_code == 302
    page = client.get(issued.headers["Location"]).get_data(as_text=True)
    document_id = re.search(r'href="/documents/(\d+)\.pdf"', page).group(1)
    text = _text(client.get(f"/documents/{document_id}.pdf").data)
    assert "SN-A2 INV-002" in text and "Ordinateur portable 2" in text
