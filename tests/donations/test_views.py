"""The supervisor's pages: donors, collections, the import preview, documents and their verification."""
import io
import re

import pypdfium2
import pytest
from sqlalchemy import func, select

from reco.core.documents import Document
from reco.donations.inventory_import import parse_inventory
from reco.donations.models import DeclaredItem, Donation, DonationStatus, Donor, ImportDraft
from reco.donations.services import import_declared_items
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_user


def _supervisor(client):
    user = make_user("supervisor")
    login_as(client, user)
    return user


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_create_a_donor_then_plan_a_collection(client, ctx):
    user = _supervisor(client)
    response = client.post("/donors/new", data={"name": "Armor Conseil", "kind": "company",
                                                "company_number": "852 341 700 00007", "postcode": "35000",
                                                "city": "Rennes"})
    assert response.status_code == 302
    donor = db.session.scalar(select(Donor).where(Donor.name == "Armor Conseil"))
    assert donor.workshop_id == user.structure_id and donor.siret == "85234170000007"
    response = client.post(f"/donors/{donor.id}/donations/new", data={
        "planned_date": "2026-12-01", "pickup_address": "12 rue X", "declared_value": "1500",
        "count_laptop": "12", "count_screen": "3"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True).replace("\u202f", " ")
    assert "Armor Conseil" in page and "1 500,00 €" in page


def test_a_bad_donor_form_explains_and_saves_nothing(client, ctx):
    _supervisor(client)
    response = client.post("/donors/new", data={"name": "X", "kind": "company", "company_number": "852341701"})
    assert response.status_code == 422
    assert "SIREN" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Donor)) == 0


def test_donors_of_other_workshops_stay_hidden(client, ctx):
    _supervisor(client)
    other = make_donor(name="Secret Corp")
    assert "Secret Corp" not in client.get("/donors").get_data(as_text=True)
    assert client.get(f"/donors/{other.id}").status_code == 404  # as a donor that does not exist


def test_import_with_preview_mapping_and_summary(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    csv = "Code machine;Marque;Type;Couleur\nX1;HP;portable;noir\nX2;Dell;fixe;gris\n".encode("cp1252")
    response = client.post(f"/donations/{donation.id}/import",
                           data={"file": (io.BytesIO(csv), "liste.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    assert "Code machine" in preview.get_data(as_text=True) and "X1" in preview.get_data(as_text=True)
    url = response.headers["Location"]
    not_mapped = client.post(url, data={"column-0": "", "column-1": "brand", "column-2": "device_type",
                                        "column-3": "", "action": "import"})
    assert not_mapped.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 0
    done = client.post(url, data={"column-0": "serial", "column-1": "brand", "column-2": "device_type",
                                  "column-3": "ignore", "action": "import"})
    assert done.status_code == 302
    assert [(i.serial, i.brand) for i in db.session.scalars(select(DeclaredItem))] == [("X1", "HP"), ("X2", "Dell")]
    assert db.session.scalar(select(func.count()).select_from(ImportDraft)) == 0
    summary = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "2 lignes importées" in summary


def test_an_import_with_bad_lines_lists_them_and_imports_nothing(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    csv = b"Serial;Type;Date\nA;laptop;01/01/2020\nB;rocket;\nC;laptop;32/13/2020\n"
    response = client.post(f"/donations/{donation.id}/import", data={"file": (io.BytesIO(csv), "l.csv")},
                           content_type="multipart/form-data")
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "rocket" in preview and "32/13/2020" in preview
    imported = client.post(response.headers["Location"], data={"column-0": "serial", "column-1": "device_type",
                                                               "column-2": "purchase_date", "action": "import"})
    assert imported.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 0


def test_duplicates_are_imported_only_when_confirmed(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    csv = b"Serial;Type\nA;laptop\nA;laptop\n"
    url = client.post(f"/donations/{donation.id}/import", data={"file": (io.BytesIO(csv), "l.csv")},
                      content_type="multipart/form-data").headers["Location"]
    refused = client.post(url, data={"column-0": "serial", "column-1": "device_type", "action": "import"})
    assert "plusieurs fois" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 0
    accepted = client.post(url, data={"column-0": "serial", "column-1": "device_type", "action": "import",
                                      "allow_duplicates": "y"})
    assert accepted.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 2


def test_files_that_cannot_be_read_are_refused_at_upload(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    for data, name in ((b"", "empty.csv"), (b"%PDF-1.7\x00\x00", "scan.pdf")):
        response = client.post(f"/donations/{donation.id}/import", data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ImportDraft)) == 0


def test_a_file_over_the_size_limit_gets_413(app, client, ctx, monkeypatch):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    response = client.post(f"/donations/{donation.id}/import",
                           data={"file": (io.BytesIO(b"Serial;Type\n" + b"A;laptop\n" * 5000), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_someone_elses_import_draft_is_not_shown(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    colleague = make_user("supervisor", structure=user.structure)
    draft = ImportDraft(donation_id=donation.id, user_id=colleague.id, filename="x.csv",
                        data=b"Serial;Type\nA;laptop\n")
    db.session.add(draft)
    db.session.commit()
    assert client.get(f"/donations/{donation.id}/import/{draft.id}").status_code == 302


def test_documents_are_numbered_fingerprinted_and_verifiable(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure, name="Armor Conseil"), declared_value=1800)
    device = make_device(donation, brand="Dell", model="Latitude E5530", serial="SN-1")
    client.post(f"/donations/{donation.id}/documents/collection_receipt")
    client.post(f"/donations/{donation.id}/documents/donation_attestation")
    receipt, attestation = db.session.scalars(select(Document).order_by(Document.id)).all()
    prefix = user.structure.tag_prefix
    assert re.fullmatch(rf"{prefix}-BC-\d{{4}}-00001", receipt.number)
    assert re.fullmatch(rf"{prefix}-AD-\d{{4}}-00001", attestation.number)
    pdf = client.get(f"/documents/{attestation.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert attestation.fingerprint in text and attestation.number in text
    assert device.tag in text and "SN-1" in text and "Armor Conseil" in text
    assert "1 800,00" in text.replace("\u202f", " ").replace("\xa0", " ")
    receipt_text = _pdf_text(client.get(f"/documents/{receipt.id}.pdf").data)
    assert "Ordinateur portable" in receipt_text and receipt.fingerprint in receipt_text
    client.post("/logout")
    verified = client.get(f"/verify/{attestation.fingerprint}")
    page = verified.get_data(as_text=True)
    assert verified.status_code == 200 and attestation.number in page and user.structure.name in page
    assert "Armor" not in page and device.tag not in page
    assert client.get("/verify/" + "0" * 64).status_code == 404
    assert client.get("/verify?fingerprint=" + attestation.fingerprint.upper()).status_code == 200
    assert client.get("/verify/not-a-fingerprint<script>").status_code == 404


def test_status_buttons_and_refusal_messages(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    make_device(donation, drives=[{"serial": "DISK-9"}])
    response = client.post(f"/donations/{donation.id}/status", data={"to": "closed"}, follow_redirects=True)
    assert "DISK-9" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).status.value == "received"


def test_the_collection_page_offers_the_moves_its_status_allows(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    donation.status = DonationStatus.PLANNED
    db.session.commit()
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert re.findall(r'name="to" value="(\w+)"', page) == ["collected", "received"]
    make_device(donation, drives=[{"serial": "DISK-9"}])
    donation.status = DonationStatus.RECEIVED
    db.session.commit()
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert re.findall(r'name="to" value="(\w+)"', page) == ["closed"] and "DISK-9" in page
    donation.status = DonationStatus.CLOSED
    db.session.commit()
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert 'name="to"' not in page and "DISK-9" not in page


def test_a_closed_collection_refuses_changes_on_its_form_and_keeps_them_out(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure), notes="Avant")
    donation.status = DonationStatus.CLOSED
    db.session.commit()
    response = client.post(f"/donations/{donation.id}/edit", data={"planned_date": "2026-12-01", "notes": "Après"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'class="flash flash-error" role="alert">[^<]*collecte est clôturée', page)
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).notes == "Avant"


def test_a_technician_sees_collections_but_cannot_manage_them(client, ctx):
    supervisor = make_user("supervisor")
    technician = make_user("technician", structure=supervisor.structure)
    donation = make_donation(make_donor(supervisor.structure))
    login_as(client, technician)
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert "Réceptionner des appareils" in page and "Clôturer" not in page
    assert client.post(f"/donations/{donation.id}/status", data={"to": "collected"}).status_code == 403


def _upload(client, donation, data: bytes, name: str = "liste.csv") -> str:
    response = client.post(f"/donations/{donation.id}/import", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def _declared(donation) -> list[int]:
    return list(db.session.scalars(select(DeclaredItem.line_number).where(DeclaredItem.donation_id == donation.id)
                                   .order_by(DeclaredItem.line_number)))


def test_the_preview_flags_repeated_serials_and_repeated_donor_tags_with_their_lines(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    url = _upload(client, donation, b"Serial;Type;Asset tag\nA;laptop;T1\nA;laptop;T2\nC;laptop;T9\nD;screen;t9\n")
    page = client.get(url).get_data(as_text=True)
    serials = re.search(r'id="repeated-serials">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "Ces numéros de série apparaissent sur plusieurs lignes" in serials
    assert re.search(r"<code>A</code> — lignes 2, 3", serials) and "T9" not in serials
    tags = re.search(r'id="repeated-tags">(.*?)</div>', page, re.S).group(1)
    assert "Ces numéros d'inventaire du donateur apparaissent sur plusieurs lignes" in tags
    assert re.search(r"<code>T9</code> — lignes 4, 5", tags) and "<code>A</code>" not in tags
    tags_only = _upload(client, donation, b"Serial;Type;Asset tag\nA;laptop;T1\nB;laptop;T1\n")
    page = client.get(tags_only).get_data(as_text=True)
    assert 'id="repeated-tags"' in page and 'id="repeated-serials"' not in page
    done = client.post(tags_only, data={"column-0": "serial", "column-1": "device_type", "column-2": "donor_tag",
                                        "action": "import"})
    assert done.status_code == 302 and _declared(donation) == [1, 2]


def test_a_list_imported_twice_is_flagged_and_needs_the_checkbox(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    data = b"Serial;Type;Asset tag\nSN1;laptop;INV-1\nSN2;desktop;INV-2\n"
    form = {"column-0": "serial", "column-1": "device_type", "column-2": "donor_tag", "action": "import"}
    first = _upload(client, donation, data)
    assert 'id="already-imported"' not in client.get(first).get_data(as_text=True)
    assert client.post(first, data=form).status_code == 302
    second = _upload(client, donation, data, "liste (1).csv")
    page = client.get(second).get_data(as_text=True)
    warning = re.search(r'id="already-imported">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert re.search(r"Cette liste a déjà été importée le \d\d/\d\d/\d{4} \d\d:\d\d par " + user.name, warning)
    assert "lignes 1-2 de la liste de cette collecte" in warning and 'name="allow_reimport"' in warning
    refused = client.post(second, data=form)
    assert refused.status_code == 422 and "Cette liste a déjà été importée" in refused.get_data(as_text=True)
    assert _declared(donation) == [1, 2]
    confirmed = client.post(second, data=form | {"allow_reimport": "y"})
    assert confirmed.status_code == 302 and _declared(donation) == [1, 2, 3, 4]


def test_lines_already_declared_are_flagged_from_another_file(client, ctx):
    user = _supervisor(client)
    donation = make_donation(make_donor(user.structure))
    client.post(_upload(client, donation, b"Serial;Type\nSN1;laptop\n"),
                data={"column-0": "serial", "column-1": "device_type", "action": "import"})
    again = _upload(client, donation, "N° de série;Type\nsn1;portable\n".encode())
    page = client.get(again).get_data(as_text=True)
    assert "Ces lignes ont déjà été importées le" in page and "Il s'agit de la ligne 1 de la liste" in page


def _donation_with_lines(user, lines=b"Serial;Type;Asset tag\nSN1;laptop;INV-1\nSN2;desktop;INV-2\nSN3;screen;\n"):
    donation = make_donation(make_donor(user.structure))
    import_declared_items(donation, parse_inventory(lines), by=user)
    db.session.commit()
    return donation


def test_a_supervisor_deletes_one_line_or_the_ticked_ones(client, ctx):
    user = _supervisor(client)
    donation = _donation_with_lines(user, b"Serial;Type\nSN1;laptop\nSN2;laptop\nSN3;laptop\nSN4;laptop\n")
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert f'action="/donations/{donation.id}/declared-items/delete"' in page
    assert 'name="lines" value="3"' in page and 'name="line" value="3"' in page
    one = client.post(f"/donations/{donation.id}/declared-items/delete", data={"line": "2", "lines": ["1", "3"]})
    assert one.status_code == 302 and _declared(donation) == [1, 3, 4]
    ticked = client.post(f"/donations/{donation.id}/declared-items/delete", data={"lines": ["1", "4"]},
                         follow_redirects=True)
    assert _declared(donation) == [3]
    page = ticked.get_data(as_text=True)
    assert "Lignes 1, 4 de la liste du donateur supprimées." in page
    assert "Lignes déclarées supprimées" in page and user.name in page


def test_deleting_a_line_received_as_a_device_is_refused_naming_the_device(client, ctx):
    user = _supervisor(client)
    donation = _donation_with_lines(user)
    device = make_device(donation, type="desktop", serial="SN2")
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert 'name="line" value="2"' not in page and 'name="line" value="1"' in page
    response = client.post(f"/donations/{donation.id}/declared-items/delete", data={"lines": ["1", "2"]},
                           follow_redirects=True)
    assert f"ligne 2 (appareil {device.tag})" in response.get_data(as_text=True)
    assert _declared(donation) == [1, 2, 3]


@pytest.mark.parametrize("data", [{}, {"lines": ["abc"]}, {"line": "x"}, {"line": "99"}, {"lines": ["-1"]},
                                  {"line": "99999999999999999999"}])
def test_bad_deletions_explain_and_change_nothing(client, ctx, data):
    user = _supervisor(client)
    donation = _donation_with_lines(user)
    response = client.post(f"/donations/{donation.id}/declared-items/delete", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    assert _declared(donation) == [1, 2, 3]


def test_deleting_lines_is_for_supervisors_by_post_with_the_csrf_token(client, ctx, csrf_enabled):
    supervisor = make_user("supervisor")
    donation = _donation_with_lines(supervisor)
    technician = make_user("technician", structure=supervisor.structure)
    login_as(client, technician)
    assert 'declared-items/delete' not in client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert client.post(f"/donations/{donation.id}/declared-items/delete", data={"line": "1"}).status_code in (
        400, 403)
    login_as(client, supervisor)
    assert client.get(f"/donations/{donation.id}/declared-items/delete").status_code == 405
    assert client.post(f"/donations/{donation.id}/declared-items/delete", data={"line": "1"}).status_code == 400
    other = make_user("supervisor")
    login_as(client, other)
    assert client.post(f"/donations/{donation.id}/declared-items/delete", data={"line": "1"}).status_code in (
        400, 403)
    assert _declared(donation) == [1, 2, 3]
    login_as(client, supervisor)
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    token = re.search(r'action="[^"]*declared-items/delete">\s*<input id="csrf_token" name="csrf_token" '
                      r'type="hidden" value="([^"]+)"', page).group(1)
    done = client.post(f"/donations/{donation.id}/declared-items/delete", data={"line": "1", "csrf_token": token})
    assert done.status_code == 302 and _declared(donation) == [2, 3]
