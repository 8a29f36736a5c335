"""Every list, export and count of objects shows a structure's own and nothing of another structure's."""
from datetime import date

import pytest

from reco.accounts.models import Role
from reco.core.audit import events_for
from reco.core.notices import Notice
from reco.core.time import local_today, utcnow
from reco.extensions import db
from reco.inventory.locations import create_location
from reco.inventory.models import Drive, FaultType, Repair, RepairStatus
from reco.inventory.sanitization import record_secure_erase
from reco.parts.models import Condition, MoveKind, PartRequest, PartType
from reco.parts.stock import add_stock
from reco.prescriptions.models import PartnerReport, Reservation, Visit, VisitStatus
from tests.conftest import login_as
from tests.factories import (
    make_device, make_donation, make_donor, make_prescription, make_structure, make_token, make_user,
)

S, T, P, IN, PA = Role.SUPERVISOR, Role.TECHNICIAN, Role.PRESCRIBER, Role.INSTALLER, Role.PARTNER

#: (GET path, role, kind of markers): each path lists objects of the kind, and only the user's structure's.
LISTS = [
    ("/prescriptions", S, "sent"), ("/prescriptions", P, "sent"), ("/prescriptions", P, "draft"),
    ("/prescriptions/inbox", S, "submitted"), ("/waiting-list", S, "accepted"),
    ("/visits", S, "visit"), ("/visits", IN, "visit"), ("/visits/week", IN, "visit"),
    ("/devices", T, "device"), ("/locations", S, "location"), ("/donors", T, "donor"), ("/donations", T, "donor"),
    ("/parts", T, "stock"), ("/parts/bin-labels", T, "stock"), ("/parts/bank", S, "request"),
    ("/parts/drives", T, "bank_drive"),
    ("/notices", S, "notice"), ("/partner-reports", PA, "partner_report"),
    ("/reports/lists/devices.csv", S, "device"), ("/reports/lists/prescriptions.csv", S, "sent"),
    ("/reports/lists/sanitizations.csv", S, "drive"), ("/repairs.csv", S, "repair"),
    ("/api/v1/parts/stock", T, "part"), ("/api/v1/donations/open", T, "donor"),
]


def _side(name: str, third_workshop) -> tuple[dict, dict]:
    """Seed one side of the network (a structure of each kind); return its users and its markers by kind."""
    workshop, prescriber, installer, partner = (make_structure(kind) for kind in
                                                ("workshop", "prescriber", "installer", "partner"))
    users = {role: make_user(role, structure=structure) for role, structure in (
        (S, workshop), (T, workshop), (P, prescriber), (IN, installer), (PA, partner))}
    donor = make_donor(workshop, name=f"donor{name}")
    device = make_device(make_donation(donor), brand=f"brand{name}",
                         drives=[{"serial": f"drive{name}", "capacity_gb": "128"}])
    record_secure_erase(device.drives[0], by=None, tool="hdparm", technique="block_erase", verification="last_pass")
    db.session.add(Repair(device_id=device.id, problem=f"problem{name}", fault_type=FaultType.BOOT,
                          status=RepairStatus.FIXED, closed_at=utcnow()))
    db.session.add(Drive(workshop_id=workshop.id, serial=f"bank{name}", removed_from_id=device.id,
                         removed_at=utcnow()))
    create_location(workshop, by=users[S], name=f"shelf{name}")
    stocked, asked = PartType(category="ram", name=f"part{name}"), PartType(category="ram", name=f"asked{name}")
    db.session.add_all([stocked, asked])
    db.session.flush()
    place = create_location(workshop, by=users[S], name="Parts", kind="bin")
    add_stock(workshop, stocked, quantity=2, condition=Condition.UNTESTED, kind=MoveKind.RECEIVED, by=None,
              location=place)
    db.session.add(PartRequest(part_type=asked, condition=Condition.UNTESTED, quantity=1, asker_id=workshop.id,
                               owner_id=third_workshop.id))
    draft = make_prescription(users[P], workshop, status="draft")
    submitted = make_prescription(users[P], workshop, status="submitted")
    accepted = make_prescription(users[P], workshop, status="accepted")
    reservation = Reservation(prescription_id=accepted.id, device_id=device.id)
    db.session.add(reservation)
    db.session.flush()
    db.session.add(Visit(prescription_id=accepted.id, reservation_id=reservation.id, workshop_id=workshop.id,
                         installer_id=installer.id, status=VisitStatus.SCHEDULED, scheduled_on=local_today()))
    db.session.add(Notice(user_id=users[S].id, event_id=events_for(submitted)[0].id, subject=f"notice{name}",
                          url="/"))
    report = PartnerReport(structure_id=partner.id, month=date(2026, 1, 1))
    db.session.add(report)
    db.session.commit()
    markers = {"sent": [submitted.code, accepted.code], "draft": [draft.code], "submitted": [submitted.code],
               "accepted": [accepted.code], "visit": [accepted.code], "device": [device.tag],
               "location": [f"shelf{name}"], "donor": [f"donor{name}"], "part": [f"part{name}"], "stock": [place.code],
               "request": [f"asked{name}"], "bank_drive": [f"bank{name}"], "notice": [f"notice{name}"],
               "partner_report": [f'/partner-reports/{report.id}"'], "drive": [f"drive{name}"],
               "repair": [f"brand{name}"]}
    return users, {kind: [marker.lower() for marker in found] for kind, found in markers.items()}


@pytest.fixture
def sides(ctx):
    """Two sides of the network, each with a structure of every kind and objects of every list."""
    third = make_structure("workshop")
    return _side("alpha", third), _side("bravo", third)


def _page(client, path: str, user) -> str:
    """Return what ``user`` gets at ``path`` (the API with a token), in lower case."""
    if path.startswith("/api/"):
        response = client.get(path, headers={"Authorization": f"Bearer {make_token(user)}"})
    else:
        login_as(client, user)
        response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True).lower()


@pytest.mark.parametrize(("path", "role", "kind"), LISTS, ids=[f"{p} {r.value} {k}" for p, r, k in LISTS])
def test_a_list_shows_its_structure_s_objects_and_none_of_another_s(client, sides, path, role, kind):
    for (users, mine), (_, theirs) in (sides, tuple(reversed(sides))):
        page = _page(client, path, users[role])
        assert [m for m in mine[kind] if m not in page] == [], f"{path} misses {role.value}'s own"
        assert [m for m in theirs[kind] if m in page] == [], f"{path} shows another structure's to {role.value}"


def test_a_workshop_lists_no_draft_even_its_own(client, sides):
    for users, mine in (sides[0], sides[1]):
        for path in ("/prescriptions", "/prescriptions/inbox", "/waiting-list", "/reports/lists/prescriptions.csv"):
            assert mine["draft"][0] not in _page(client, path, users[S])
