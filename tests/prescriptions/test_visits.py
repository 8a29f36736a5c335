"""Installation visits: asking, planning, missing, cancelling, reporting; handovers and returns."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import Event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.i18n import format_day
from reco.core.notices import Notice
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import Device, DeviceState
from reco.prescriptions.models import PrescriptionStatus, VisitReport, VisitStatus
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import (
    cancel_visit,
    mark_missed,
    record_handover,
    report_visit,
    request_visit,
    return_device,
    schedule_visit,
)
from tests.factories import make_prescription, make_ready_device, make_token, make_user
from tests.parallel import post_many
from tests.scenarios import reserved_household

P, V = PrescriptionStatus, VisitStatus
TOMORROW = local_today() + timedelta(days=1)
GOOD_REPORT = {"installed_working": True, "internet_connected": True, "accounts": ["email", "school"],
               "first_steps": ["turn_on", "school_portal"], "digital_level": "assistance",
               "follow_ups": ["workshop_session"], "no_signature_reason": "Attestation papier signée", "comments": "Tout va bien."}


@pytest.fixture
def chain(ctx):
    return reserved_household()


def _visit(chain):
    return request_visit(chain["prescription"], by=chain["supervisor"], installer=chain["installer"])


def test_the_chain_ends_with_the_family_equipped_and_the_prescriber_told(chain):
    visit = _visit(chain)
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="afternoon")
    assert visit.status is V.SCHEDULED and visit.scheduled_on == TOMORROW
    report = report_visit(visit, by=chain["mediator"], **GOOD_REPORT)
    assert visit.status is V.DONE and report.accounts == ["email", "school"]
    assert chain["device"].state is DeviceState.DELIVERED
    assert chain["prescription"].status is P.EQUIPPED and chain["prescription"].equipped_at is not None
    db.session.flush()
    texts = [n.text for n in db.session.scalars(select(Notice).where(Notice.user_id == chain["prescriber"].id))]
    assert "foyer équipé" in texts[-1] and any(format_day(TOMORROW, "EEEE d MMMM") in t for t in texts)


def test_a_visit_needs_a_reserved_device_and_an_installer(chain):
    other = make_prescription(chain["prescriber"], chain["workshop"], status="accepted")
    with pytest.raises(DomainError):
        request_visit(other, by=chain["supervisor"], installer=chain["installer"])
    with pytest.raises(ValidationFailed):
        request_visit(chain["prescription"], by=chain["supervisor"], installer=chain["workshop"])
    _visit(chain)
    with pytest.raises(DomainError):
        _visit(chain)


def test_prescribers_ask_for_visits_only_where_the_workshop_allows_it(chain):
    with pytest.raises(DomainError):
        request_visit(chain["prescription"], by=chain["prescriber"], installer=chain["installer"])
    chain["workshop"].prescribers_request_visits = True
    assert request_visit(chain["prescription"], by=chain["prescriber"], installer=chain["installer"])


@pytest.mark.parametrize("on, field", [(local_today() - timedelta(days=1), "scheduled_on"),
                                       (local_today() + timedelta(days=400), "scheduled_on"),
                                       ("2026-12-01", "scheduled_on")])
def test_dates_in_the_past_are_refused(chain, on, field):
    visit = _visit(chain)
    with pytest.raises(ValidationFailed) as error:
        schedule_visit(visit, by=chain["mediator"], on=on, slot="morning")
    assert field in error.value.fields and visit.status is V.REQUESTED
    with pytest.raises(ValidationFailed):
        schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="midnight")


def test_a_missed_visit_is_planned_again(chain):
    visit = _visit(chain)
    with pytest.raises(DomainError):
        mark_missed(visit, by=chain["mediator"], reason="Absents")
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="morning")
    with pytest.raises(ValidationFailed):
        mark_missed(visit, by=chain["mediator"], reason=" ")
    mark_missed(visit, by=chain["mediator"], reason="Personne à la maison")
    assert visit.status is V.MISSED and visit.missed_count == 1
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW + timedelta(days=2), slot="evening")
    mark_missed(visit, by=chain["mediator"], reason="Encore absents", new_date=TOMORROW + timedelta(days=7),
                slot="afternoon")
    assert visit.status is V.SCHEDULED and visit.missed_count == 2 and visit.slot.value == "afternoon"


def test_cancelling_puts_the_device_back_and_the_household_on_the_waiting_list(chain):
    visit = _visit(chain)
    with pytest.raises(ValidationFailed):
        cancel_visit(visit, by=chain["supervisor"], reason="")
    cancel_visit(visit, by=chain["supervisor"], reason="Appareil tombé en panne")
    assert visit.status is V.CANCELLED and chain["device"].state is DeviceState.READY
    assert chain["prescription"].status is P.ACCEPTED and chain["prescription"].reservation is None
    with pytest.raises(DomainError, match="annulée|cancelled"):
        report_visit(visit, by=chain["mediator"], **GOOD_REPORT)
    with pytest.raises(DomainError):
        schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="morning")


@pytest.mark.parametrize("changes, field", [
    ({"installed_working": False}, "installed_working"),
    ({"installed_working": "yes"}, "installed_working"),
    ({"internet_connected": False}, "internet_problem"),
    ({"accounts": ["myspace"]}, "accounts"),
    ({"first_steps": "email"}, "first_steps"),
    ({"digital_level": "guru"}, "digital_level"),
    ({"comments": "x" * 5001}, "comments"),
])
def test_bad_reports_are_refused_and_nothing_changes(chain, changes, field):
    visit = _visit(chain)
    with pytest.raises(ValidationFailed) as error:
        report_visit(visit, by=chain["mediator"], **(GOOD_REPORT | changes))
    assert field in error.value.fields
    assert visit.status is V.REQUESTED and chain["device"].state is DeviceState.RESERVED
    assert db.session.scalar(select(func.count(VisitReport.id))) == 0


def test_a_visit_is_reported_once(chain):
    visit = _visit(chain)
    report_visit(visit, by=chain["mediator"], **GOOD_REPORT)
    with pytest.raises(DomainError):
        report_visit(visit, by=chain["mediator"], **GOOD_REPORT)


def test_a_handover_at_the_workshop_equips_the_household_without_a_visit(chain):
    record_handover(chain["prescription"], by=chain["supervisor"], internet_connected=False,
                    internet_problem="Pas de box", no_signature_reason="Attestation papier signée")
    assert chain["prescription"].status is P.EQUIPPED and chain["device"].state is DeviceState.DELIVERED
    with pytest.raises(DomainError):
        record_handover(chain["prescription"], by=chain["supervisor"], internet_connected=True,
                        no_signature_reason="Attestation papier signée")


def test_a_handover_is_refused_while_a_visit_is_planned(chain):
    _visit(chain)
    with pytest.raises(DomainError):
        record_handover(chain["prescription"], by=chain["supervisor"], internet_connected=True,
                        no_signature_reason="Attestation papier signée")


def test_a_device_brought_back_goes_to_the_workbench_and_the_household_may_wait_for_another(chain):
    visit = _visit(chain)
    report_visit(visit, by=chain["mediator"], **GOOD_REPORT)
    technician = make_user(Role.TECHNICIAN, structure=chain["workshop"])
    with pytest.raises(ValidationFailed):
        return_device(chain["device"], by=technician, reason="", replacement=True)
    return_device(chain["device"], by=technician, reason="Écran qui clignote", replacement=True)
    assert chain["device"].state is DeviceState.RECEIVED and chain["device"].returned_at is not None
    prescription = chain["prescription"]
    assert prescription.status is P.ACCEPTED and prescription.reservation is None and prescription.closed_at is None
    replacement = make_ready_device(chain["workshop"])
    reserve_device(prescription, replacement, by=chain["supervisor"])
    assert prescription.status is P.RESERVED


def test_a_return_without_replacement_keeps_the_household_equipped(chain):
    report_visit(_visit(chain), by=chain["mediator"], **GOOD_REPORT)
    return_device(chain["device"], by=chain["supervisor"], reason="Plus besoin", replacement=False)
    assert chain["prescription"].status is P.EQUIPPED and chain["device"].state is DeviceState.RECEIVED


@pytest.mark.parametrize("how", ["release", "cancel"])
def test_the_device_back_on_the_shelf_closes_the_open_visit_and_tells_the_installer(chain, how):
    from reco.prescriptions.reservations import release_reservation
    from reco.prescriptions.services import cancel_prescription

    visit = _visit(chain)
    assert db.session.scalars(select(Notice).where(Notice.user_id == chain["mediator"].id)).all()
    if how == "release":
        release_reservation(chain["prescription"], by=chain["supervisor"], reason="Écran fissuré")
    else:
        cancel_prescription(chain["prescription"], by=chain["prescriber"], reason="Famille partie")
    assert visit.status is V.CANCELLED and not visit.is_open
    assert len(db.session.scalars(select(Notice).where(Notice.user_id == chain["mediator"].id)).all()) == 2
    with pytest.raises(DomainError):
        report_visit(visit, by=chain["mediator"], **GOOD_REPORT)


def test_a_stale_visit_never_delivers_another_device(chain):
    visit = _visit(chain)
    visit_reservation = visit.reservation_id
    from reco.prescriptions.reservations import release_reservation

    release_reservation(chain["prescription"], by=chain["supervisor"], reason="Autre appareil")
    reserve_device(chain["prescription"], make_ready_device(chain["workshop"]), by=chain["supervisor"])
    assert chain["prescription"].reservation.id != visit_reservation and visit.status is V.CANCELLED
    with pytest.raises(DomainError):
        report_visit(visit, by=chain["mediator"], **GOOD_REPORT)


def test_one_notice_per_action_for_the_prescriber(chain):
    visit = _visit(chain)
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="morning")
    before = db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == chain["prescriber"].id))
    mark_missed(visit, by=chain["mediator"], reason="Absents", new_date=TOMORROW, slot="evening")
    report_visit(visit, by=chain["mediator"], **GOOD_REPORT)
    after = db.session.scalar(select(func.count(Notice.id)).where(Notice.user_id == chain["prescriber"].id))
    assert after - before == 2


@pytest.mark.committed
def test_eight_mediators_reporting_one_visit_at_once_deliver_it_once(app, live_server):
    with app.app_context():
        chain = reserved_household(visit=True)
        visit_id, device_id = chain["visit"].id, chain["device"].id
        tokens = [make_token(make_user(Role.INSTALLER, structure=chain["installer"])) for _ in range(8)]
    body = json.dumps(GOOD_REPORT).encode()
    results = post_many(f"{live_server}/api/v1/visits/{visit_id}/report", [(body, "application/json")] * 8, tokens)
    assert sorted(status for status, _body in results) == [200] + [409] * 7
    assert all(body.get("message") for status, body in results if status == 409)
    with app.app_context():
        assert db.session.scalar(select(func.count(VisitReport.id))) == 1
        assert db.session.get(Device, device_id).state is DeviceState.DELIVERED
        delivered = select(func.count(Event.id)).where(Event.object_type == "device", Event.object_id == str(device_id),
                                                       Event.details["to"].as_string() == "delivered")
        assert db.session.scalar(delivered) == 1
