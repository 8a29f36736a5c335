"""Rules on donors, donations, imports and closing."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from reco.core.audit import events_for
from reco.core.errors import DomainError, ValidationFailed
from reco.donations.inventory_import import parse_inventory
from reco.donations.models import DeclaredItem, DonationStatus
from reco.donations.services import (
    close_problems,
    create_donation,
    create_donor,
    declared_vs_received,
    import_declared_items,
    set_donation_status,
    update_donation,
    update_donor,
)
from reco.extensions import db
from reco.inventory.models import DeviceState
from tests.factories import make_device, make_donation, make_donor, make_structure, make_user


def _errors(excinfo) -> set:
    return set(excinfo.value.fields)


@pytest.mark.parametrize("number,siren,siret", [("852 341 700", "852341700", None),
                                                ("852 341 700 00007", "852341700", "85234170000007"),
                                                ("", None, None)])
def test_donor_company_numbers(ctx, number, siren, siret):
    donor = create_donor(by=None, workshop=make_structure("workshop"), name="Armor", kind="company",
                         company_number=number)
    assert (donor.siren, donor.siret) == (siren, siret)


@pytest.mark.parametrize("fields,field", [
    ({"company_number": "852341701"}, "company_number"), ({"company_number": "85234170000008"}, "company_number"),
    ({"company_number": "1234"}, "company_number"), ({"name": " "}, "name"), ({"kind": "alien"}, "kind"),
    ({"email": "nope"}, "email"), ({"phone": "call me"}, "phone"), ({"postcode": "3500"}, "postcode"),
])
def test_donor_validation(ctx, fields, field):
    with pytest.raises(ValidationFailed) as excinfo:
        create_donor(by=None, workshop=make_structure("workshop"), **({"name": "Armor", "kind": "company"} | fields))
    assert _errors(excinfo) == {field}


def test_only_workshops_have_donors(ctx):
    with pytest.raises(ValidationFailed):
        create_donor(by=None, workshop=make_structure("prescriber"), name="X", kind="company")


def test_update_donor_records_the_changed_fields(ctx):
    donor = make_donor(name="Old name")
    update_donor(donor, by=None, name="New name", city="Brest")
    assert events_for(donor)[0].details == {"fields": ["name", "city"]}


def test_donation_counts_and_value(ctx):
    donation = create_donation(by=None, donor=make_donor(), declared_counts={"laptop": "12", "screen": 0},
                               declared_value="1 200,50")
    assert donation.declared_value == Decimal("1200.50")
    assert [(c.device_type.value, c.quantity) for c in donation.declared_counts] == [("laptop", 12)]
    update_donation(donation, by=None, declared_counts={"laptop": 3, "tablet": 2})
    assert sorted((c.device_type.value, c.quantity) for c in donation.declared_counts) == [("laptop", 3),
                                                                                           ("tablet", 2)]


@pytest.mark.parametrize("value", ["abc", "-5", "1e400", "NaN", "Infinity"])
def test_bad_declared_values_are_refused(ctx, value):
    with pytest.raises(ValidationFailed) as excinfo:
        create_donation(by=None, donor=make_donor(), declared_value=value)
    assert _errors(excinfo) == {"declared_value"}


@pytest.mark.parametrize("counts", [{"laptop": -1}, {"laptop": "many"}, {"rocket": 2}])
def test_bad_declared_counts_are_refused(ctx, counts):
    with pytest.raises(ValidationFailed):
        create_donation(by=None, donor=make_donor(), declared_counts=counts)


def test_status_moves_follow_the_table(ctx):
    donation = make_donation()
    with pytest.raises(DomainError):
        set_donation_status(donation, "closed", by=None)
    set_donation_status(donation, "collected", by=None)
    with pytest.raises(DomainError, match="ne peut pas passer de"):
        set_donation_status(donation, "planned", by=None)
    set_donation_status(donation, "received", by=None)
    assert donation.collected_at and donation.received_at
    assert [e.details["to"] for e in events_for(donation) if e.action == "status"] == ["received", "collected"]


def test_closing_lists_what_is_missing_and_changes_nothing(ctx):
    donation = make_donation()
    device = make_device(donation, serial="S1", drives=[{"serial": "D1", "capacity_gb": "500"}])
    with pytest.raises(DomainError) as excinfo:
        set_donation_status(donation, "closed", by=None)
    assert device.tag in excinfo.value.message and "D1" in excinfo.value.message
    assert donation.status is DonationStatus.RECEIVED
    assert len(close_problems(donation)) == 2


def test_a_donation_whose_devices_left_the_workbench_and_without_drives_closes(ctx):
    donation = make_donation()
    device = make_device(donation)
    device.state = DeviceState.RECYCLED
    set_donation_status(donation, "closed", by=None)
    assert donation.status is DonationStatus.CLOSED and donation.closed_at
    with pytest.raises(DomainError):
        update_donation(donation, by=None, notes="late change")
    with pytest.raises(DomainError, match="collecte est clôturée"):
        set_donation_status(donation, "received", by=None)


def test_import_is_all_or_nothing(ctx):
    donation = make_donation()
    bad = parse_inventory(b"Serial;Type\nA;laptop\nB;rocket\n")
    with pytest.raises(ValidationFailed):
        import_declared_items(donation, bad, by=None)
    assert db.session.scalar(select(func.count()).select_from(DeclaredItem)) == 0
    good = parse_inventory(b"Serial;Type\nA;laptop\nB;desktop\n")
    assert import_declared_items(donation, good, by=None) == 2
    again = import_declared_items(donation, parse_inventory(b"Serial;Type\nC;tablet\n"), by=None)
    assert again == 1
    assert [i.line_number for i in donation.declared_items] == [1, 2, 3]


def test_duplicates_need_a_decision(ctx):
    donation = make_donation()
    parsed = parse_inventory(b"Serial;Type\nA;laptop\nA;laptop\n")
    with pytest.raises(ValidationFailed):
        import_declared_items(donation, parsed, by=None)
    assert import_declared_items(donation, parsed, by=None, allow_duplicates=True) == 2


def test_declared_against_received(ctx):
    donation = make_donation()
    update_donation(donation, by=None, declared_counts={"screen": 4})
    import_declared_items(donation, parse_inventory(b"Serial;Type;Asset tag\nA;laptop;T1\nB;laptop;T2\n"), by=None)
    make_device(donation, type="laptop", donor_tag="T1")
    make_device(donation, type="tablet", serial="EXTRA")
    summary = declared_vs_received(donation)
    rows = {row["type"].value: (row["declared"], row["received"], row["outstanding"]) for row in summary["rows"]}
    assert rows == {"laptop": (2, 1, 1), "tablet": (0, 1, 0), "screen": (4, 0, 4)}
    assert [i.serial for i in summary["outstanding_items"]] == ["B"]
    assert [d.serial for d in summary["undeclared_devices"]] == ["EXTRA"]


def test_the_supervisor_is_recorded_as_author(ctx):
    supervisor = make_user("supervisor")
    donor = create_donor(by=supervisor, workshop=supervisor.structure, name="Armor", kind="company")
    assert events_for(donor)[0].actor_id == supervisor.id
