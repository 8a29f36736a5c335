"""A donor's list imported twice, and declared lines deleted by a supervisor: the services."""
import pytest
from sqlalchemy import func, select

from reco.core.audit import events_for
from reco.core.errors import DomainError, ValidationFailed
from reco.donations.declared import AlreadyImported, delete_declared_items, line_ranges
from reco.donations.inventory_import import parse_inventory
from reco.donations.models import DeclaredItem, DonationStatus
from reco.donations.services import import_declared_items
from reco.extensions import db
from tests.factories import make_device, make_donation, make_donor, make_user

LIST = b"Serial;Type;Asset tag;Brand\nSN1;laptop;INV-1;Dell\nSN2;desktop;INV-2;HP\n;screen;INV-3;Iiyama\n"
#: The same three machines, as another export of the donor's list: French headers, other order, other case.
SAME_LINES = "N° d'inventaire;Type;N° de série\ninv-3;écran;\nINV-2;fixe;sn2\nINV-1;portable;SN1\n".encode("cp1252")


@pytest.fixture
def supervisor(ctx):
    return make_user("supervisor", name="Camille Martin")


@pytest.fixture
def donation(supervisor):
    return make_donation(make_donor(supervisor.structure))


def _lines(donation) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        select(DeclaredItem.line_number, DeclaredItem.serial, DeclaredItem.donor_tag)
        .where(DeclaredItem.donation_id == donation.id).order_by(DeclaredItem.line_number))]


def test_the_same_file_imported_twice_needs_a_confirmation(donation, supervisor):
    assert import_declared_items(donation, parse_inventory(LIST), by=supervisor) == 3
    with pytest.raises(AlreadyImported) as refused:
        import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    assert refused.value.reimport.same_file and refused.value.reimport.lines == [1, 2, 3]
    assert "Camille Martin" in refused.value.message and "déjà été importée le" in refused.value.message
    assert len(_lines(donation)) == 3
    assert import_declared_items(donation, parse_inventory(LIST), by=supervisor, allow_reimport=True) == 3
    assert [n for n, _serial, _tag in _lines(donation)] == [1, 2, 3, 4, 5, 6]
    imported = [e for e in events_for(donation) if e.action == "inventory_imported"]
    assert [(e.details["from"], e.details["to"], e.details["lines"]) for e in imported] == [(4, 6, 3), (1, 3, 3)]
    assert imported[0].details["code"] == imported[1].details["code"] == parse_inventory(LIST).sha256


def test_lines_all_declared_already_need_a_confirmation_even_from_another_file(donation, supervisor):
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    with pytest.raises(AlreadyImported) as refused:
        import_declared_items(donation, parse_inventory(SAME_LINES), by=None)
    assert not refused.value.reimport.same_file and refused.value.reimport.lines == [1, 2, 3]
    assert refused.value.message.startswith("Ces lignes ont déjà été importées le")
    assert "Camille Martin" in refused.value.message
    assert import_declared_items(donation, parse_inventory(SAME_LINES), by=None, allow_reimport=True) == 3


def test_a_list_with_new_lines_or_lines_of_another_collection_is_no_reimport(donation, supervisor):
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    longer = LIST + b"SN4;laptop;INV-4;Dell\n"
    assert import_declared_items(donation, parse_inventory(longer), by=supervisor) == 4
    other = make_donation(donation.donor)
    assert import_declared_items(other, parse_inventory(LIST), by=supervisor) == 3
    same_serial_other_type = b"Serial;Type;Asset tag\nSN1;desktop;INV-1\n"
    assert import_declared_items(other, parse_inventory(same_serial_other_type), by=supervisor) == 1


def test_a_file_whose_lines_were_all_deleted_imports_again_under_new_numbers(donation, supervisor):
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    delete_declared_items(donation, [1, 2, 3], by=supervisor)
    assert import_declared_items(donation, parse_inventory(LIST), by=supervisor) == 3
    assert [n for n, _serial, _tag in _lines(donation)] == [4, 5, 6]


def test_repeated_donor_tags_are_imported_and_repeated_serials_wait_for_a_decision(donation):
    tags = parse_inventory(b"Serial;Type;Asset tag\nA;laptop;T1\nB;laptop;T1\n")
    assert import_declared_items(donation, tags, by=None) == 2
    serials = parse_inventory(b"Serial;Type;Asset tag\nC;laptop;T7\nC;laptop;T8\n")
    with pytest.raises(ValidationFailed):
        import_declared_items(donation, serials, by=None)
    assert len(_lines(donation)) == 2


def test_a_supervisor_deletes_free_lines_and_the_others_keep_their_numbers(donation, supervisor):
    import_declared_items(donation, parse_inventory(LIST + b"SN4;laptop;INV-4;Dell\n"), by=supervisor)
    assert delete_declared_items(donation, [3, 1], by=supervisor) == [1, 3]
    assert _lines(donation) == [(2, "SN2", "INV-2"), (4, "SN4", "INV-4")]
    event = events_for(donation)[0]
    assert (event.action, event.actor_id, event.details["lines"]) == ("declared_items_deleted", supervisor.id, [1, 3])
    assert event.details["before"] == [
        {"line": 1, "type": "laptop", "brand": "Dell", "model": "", "serial": "SN1", "donor_tag": "INV-1",
         "purchase_date": None},
        {"line": 3, "type": "screen", "brand": "Iiyama", "model": "", "serial": None, "donor_tag": "INV-3",
         "purchase_date": None}]
    import_declared_items(donation, parse_inventory(b"Serial;Type\nSN9;tablet\n"), by=supervisor)
    assert _lines(donation)[-1] == (5, "SN9", None)


def test_a_line_received_as_a_device_is_never_deleted_and_nothing_else_is(donation, supervisor):
    import_declared_items(donation, parse_inventory(LIST), by=supervisor)
    device = make_device(donation, type="desktop", serial="SN2")
    with pytest.raises(DomainError) as refused:
        delete_declared_items(donation, [1, 2], by=supervisor)
    assert device.tag in refused.value.message and "ligne 2" in refused.value.message
    assert len(_lines(donation)) == 3
    assert not [e for e in events_for(donation) if e.action == "declared_items_deleted"]


@pytest.mark.parametrize("numbers", [[], [99], [1, 99], ["1"], [True], [None]])
def test_unknown_or_empty_selections_are_refused_and_change_nothing(donation, numbers):
    import_declared_items(donation, parse_inventory(LIST), by=None)
    with pytest.raises(ValidationFailed) as refused:
        delete_declared_items(donation, numbers, by=None)
    assert refused.value.fields == {"lines": [refused.value.message]}
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 3


def test_a_closed_collection_keeps_its_lines(donation):
    import_declared_items(donation, parse_inventory(LIST), by=None)
    donation.status = DonationStatus.CLOSED
    with pytest.raises(DomainError):
        delete_declared_items(donation, [1], by=None)
    assert len(_lines(donation)) == 3


def test_line_ranges():
    assert line_ranges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
    assert line_ranges([]) == ""
