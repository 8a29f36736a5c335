"""The moves of prescriptions and visits: each side is offered its own, a closed one says so, pages follow them."""
from datetime import timedelta

import pytest

from reco.accounts.models import Role
from reco.core.errors import DomainError
from reco.core.time import local_today
from reco.prescriptions.lifecycle import PRESCRIPTION, VISIT, move_prescription
from reco.prescriptions.models import PrescriptionStatus, VisitStatus
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.services import decide_prescription, withdraw_prescription
from reco.prescriptions.visits import cancel_visit, request_visit, schedule_visit
from tests.conftest import login_as
from tests.factories import make_prescription, make_ready_device, make_structure, make_user

P, V = PrescriptionStatus, VisitStatus


@pytest.fixture
def sides(ctx):
    installer_org = make_structure("installer")
    workshop = make_structure("workshop", usual_installer=installer_org)
    prescriber = make_user(Role.PRESCRIBER)
    return {"workshop": workshop, "installer": installer_org, "prescriber": prescriber,
            "supervisor": make_user(Role.SUPERVISOR, structure=workshop),
            "technician": make_user(Role.TECHNICIAN, structure=workshop),
            "mediator": make_user(Role.INSTALLER, structure=installer_org)}


@pytest.mark.parametrize("status, prescriber_moves, supervisor_moves", [
    ("draft", {"submit", "withdraw"}, set()),
    ("submitted", {"withdraw"}, {"accept", "decline"}),
    ("accepted", {"cancel"}, {"reserve", "cancel"}),
])
def test_each_side_is_offered_only_its_own_moves(sides, status, prescriber_moves, supervisor_moves):
    prescription = make_prescription(sides["prescriber"], sides["workshop"], status=status)
    assert set(PRESCRIPTION.offered_by_name(prescription, sides["prescriber"])) == prescriber_moves
    assert set(PRESCRIPTION.offered_by_name(prescription, sides["supervisor"])) == supervisor_moves
    assert PRESCRIPTION.offered_by_name(prescription, sides["technician"]) == {}


def test_a_reserved_device_is_released_or_handed_over_but_equipping_is_for_the_report_only(sides):
    prescription = make_prescription(sides["prescriber"], sides["workshop"], status="accepted")
    reserve_device(prescription, make_ready_device(sides["workshop"]), by=sides["supervisor"])
    assert set(PRESCRIPTION.offered_by_name(prescription, sides["supervisor"])) == {"release", "cancel"}
    assert prescription.awaiting_handover and not prescription.editable and not prescription.closed
    with pytest.raises(DomainError, match="compte rendu"):
        move_prescription(prescription, "equip", by=sides["supervisor"],
                          given={"reservation_id": prescription.reservation.id})
    assert prescription.status is P.RESERVED


def test_a_closed_prescription_says_that_nothing_changes_it_any_more(sides):
    prescription = make_prescription(sides["prescriber"], sides["workshop"], status="submitted")
    decide_prescription(prescription, by=sides["supervisor"], accept=False, reason_kind="out_of_area")
    assert prescription.closed and prescription.closed_at is not None
    with pytest.raises(DomainError, match="^La prescription est «\xa0refusée\xa0»\xa0: plus rien ne peut la changer.$"):
        withdraw_prescription(prescription, by=sides["prescriber"])
    assert prescription.status is P.DECLINED and PRESCRIPTION.offered_by_name(prescription, sides["prescriber"]) == {}


def test_the_prescription_page_shows_each_side_its_own_actions(client, sides):
    prescription = make_prescription(sides["prescriber"], sides["workshop"], status="submitted")
    withdraw = f"/prescriptions/{prescription.id}/withdraw"
    decide = f"/prescriptions/{prescription.id}/decision"
    login_as(client, sides["supervisor"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert decide in page and withdraw not in page
    login_as(client, sides["prescriber"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert withdraw in page and decide not in page and "/edit" in page
    page = client.get(f"/prescriptions/{prescription.id}/edit").get_data(as_text=True)
    assert 'value="save"' in page and 'value="submit"' not in page


def test_the_installer_plans_and_the_workshop_also_cancels_a_visit(client, sides):
    prescription = make_prescription(sides["prescriber"], sides["workshop"], status="accepted")
    reserve_device(prescription, make_ready_device(sides["workshop"]), by=sides["supervisor"])
    visit = request_visit(prescription, by=sides["supervisor"], installer=sides["installer"])
    assert set(VISIT.offered_by_name(visit, sides["mediator"])) == {"scheduled", "reported"}
    schedule_visit(visit, by=sides["mediator"], on=local_today() + timedelta(days=1), slot="morning")
    assert set(VISIT.offered_by_name(visit, sides["mediator"])) == {"rescheduled", "missed", "reported"}
    assert set(VISIT.offered_by_name(visit, sides["supervisor"])) == {"rescheduled", "missed", "cancelled"}
    login_as(client, sides["mediator"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/visits/{visit.id}/missed" in page and f"/visits/{visit.id}/cancel" not in page
    assert f"/visits/{visit.id}/report" in page
    cancel_visit(visit, by=sides["supervisor"], reason_kind="device_fault", reason="Écran fissuré")
    assert visit.closed_at is not None and VISIT.offered_by_name(visit, sides["supervisor"]) == {}
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/visits/{visit.id}/schedule" not in page and f"/visits/{visit.id}/missed" not in page
    assert f"/visits/{visit.id}/report" not in page
    with pytest.raises(DomainError, match="^Cette visite a été annulée.$"):
        schedule_visit(visit, by=sides["mediator"], on=local_today() + timedelta(days=2), slot="morning")
