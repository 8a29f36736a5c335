"""Which ready devices fit a prescription, and reserving one: the guards, the release, and two people at once."""
import json
import threading
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import events_for
from reco.core.errors import DomainError
from reco.extensions import db
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import Device, DeviceState
from reco.prescriptions.models import Prescription, PrescriptionStatus, Reservation
from reco.prescriptions.reservations import (
    DeviceMismatch,
    DeviceTaken,
    fit_from_shelf,
    fitting_devices,
    ready_devices,
    release_reservation,
    reserve_device,
    shelf,
)
from reco.prescriptions.services import cancel_prescription
from tests.conftest import login_as
from tests.factories import (
    make_device,
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_structure,
    make_token,
    make_user,
)
from tests.parallel import at_once, form_post, logged_in, post_many

P = PrescriptionStatus


@pytest.fixture
def workshop(ctx):
    return make_structure("workshop", min_ram_gb=4, min_storage_gb=120)


def _fits(prescription, workshop):
    return [d.tag for d in fitting_devices(prescription, ready_devices(workshop.id), workshop)]


def test_fitting_devices_follow_the_type_the_webcam_and_the_workshops_minimums(workshop):
    best = make_ready_device(workshop, grade="A", ram_gb="16")
    second = make_ready_device(workshop, grade="A", ram_gb="8")
    third = make_ready_device(workshop, grade="B", ram_gb="16")
    no_webcam = make_ready_device(workshop, webcam=False)
    small_ram = make_ready_device(workshop, ram_gb="2")
    small_disk = make_ready_device(workshop, storage_gb="64")
    desktop = make_ready_device(workshop, type="desktop", webcam=None)
    make_device(make_donation(make_donor(workshop)))  # received, not ready
    school = make_prescription(workshop=workshop, status="accepted", needs=["school"], equipment="laptop")
    assert _fits(school, workshop) == [best.tag, second.tag, third.tag]
    job = make_prescription(workshop=workshop, status="accepted", needs=["job_search"], equipment="laptop")
    assert _fits(job, workshop) == [best.tag, second.tag, third.tag, no_webcam.tag]
    anything = make_prescription(workshop=workshop, status="accepted", needs=["job_search"], equipment="any")
    assert _fits(anything, workshop) == [best.tag, second.tag, third.tag, no_webcam.tag, desktop.tag]
    workshop.min_ram_gb = workshop.min_storage_gb = None
    assert set(_fits(job, workshop)) == {best.tag, second.tag, third.tag, no_webcam.tag, small_ram.tag,
                                         small_disk.tag}


def test_reserving_moves_both_and_releasing_puts_them_back(workshop):
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    device = make_ready_device(workshop)
    prescription = make_prescription(workshop=workshop, status="accepted")
    reserve_device(prescription, device, by=supervisor)
    assert device.state is DeviceState.RESERVED and prescription.status is P.RESERVED
    assert prescription.reservation.device_id == device.id
    with pytest.raises(DomainError, match="prescription"):
        transition_device(device, "ready", by=supervisor)
    release_reservation(prescription, by=supervisor, reason="Écran fissuré vu au dernier contrôle")
    assert device.state is DeviceState.READY and prescription.status is P.ACCEPTED
    assert prescription.reservation is None and prescription.reservations[0].released_at is not None
    reserve_device(prescription, device, by=supervisor)
    assert prescription.status is P.RESERVED


def test_cancelling_a_reserved_prescription_frees_the_device(workshop):
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    device = make_ready_device(workshop)
    prescription = make_prescription(workshop=workshop, status="accepted")
    reserve_device(prescription, device, by=supervisor)
    cancel_prescription(prescription, by=supervisor, reason="La famille a déménagé")
    assert device.state is DeviceState.READY and prescription.status is P.CANCELLED


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_only_an_accepted_prescription_gets_a_device(workshop, status):
    device = make_ready_device(workshop)
    prescription = make_prescription(workshop=workshop, status=status)
    with pytest.raises(DomainError):
        reserve_device(prescription, device, by=make_user(Role.SUPERVISOR, structure=workshop))
    assert device.state is DeviceState.READY and prescription.status is P(status)


def test_a_device_not_ready_or_of_another_workshop_is_refused(workshop):
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    prescription = make_prescription(workshop=workshop, status="accepted")
    received = make_device(make_donation(make_donor(workshop)))
    with pytest.raises(DomainError):
        reserve_device(prescription, received, by=supervisor)
    elsewhere = make_ready_device(make_structure("workshop"))
    with pytest.raises(DomainError, match="workshop|atelier"):
        reserve_device(prescription, elsewhere, by=supervisor)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Reservation.id))) == 0
    assert db.session.get(Device, elsewhere.id).state is DeviceState.READY


def test_one_device_one_prescription(workshop):
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    device = make_ready_device(workshop)
    first, second = (make_prescription(workshop=workshop, status="accepted") for _ in range(2))
    reserve_device(first, device, by=supervisor)
    with pytest.raises(DomainError):
        reserve_device(second, device, by=supervisor)
    with pytest.raises(DomainError):
        reserve_device(first, make_ready_device(workshop), by=supervisor)


def _setup_race(app, devices: int, prescriptions: int):
    with app.app_context():
        workshop = make_structure("workshop")
        tags = [make_ready_device(workshop).tag for _ in range(devices)]
        ids = [make_prescription(workshop=workshop, status="accepted").id for _ in range(prescriptions)]
        tokens = [make_token(make_user(Role.SUPERVISOR, structure=workshop)) for _ in range(8)]
    return tags, ids, tokens


@pytest.mark.committed
def test_eight_supervisors_reserving_one_device_at_once_one_wins(app, live_server):
    tags, ids, tokens = _setup_race(app, devices=1, prescriptions=8)
    results = []
    for prescription_id, token in zip(ids, tokens):
        results.append((f"{live_server}/api/v1/prescriptions/{prescription_id}/reservation", token))
    statuses = _race(results, json.dumps({"tag": tags[0]}).encode())
    assert sorted(status for status, _body in statuses) == [200] + [409] * 7
    assert all(body["error"] == "device_taken" and body["tag"] == tags[0]
               and body["message"] == f"{tags[0]} vient d'être réservé pour un autre foyer."
               for status, body in statuses if status == 409)
    with app.app_context():
        assert db.session.scalar(select(func.count(Reservation.id))) == 1
        assert db.session.scalar(select(func.count(Prescription.id)).where(Prescription.status == P.RESERVED)) == 1


@pytest.mark.committed
def test_one_prescription_reserved_eight_times_at_once_gets_one_device(app, live_server):
    tags, ids, tokens = _setup_race(app, devices=8, prescriptions=1)
    url = f"{live_server}/api/v1/prescriptions/{ids[0]}/reservation"
    bodies = [(json.dumps({"tag": tag}).encode(), "application/json") for tag in tags]
    statuses = [status for status, _body in post_many(url, bodies, tokens)]
    assert sorted(statuses) == [200] + [409] * 7
    with app.app_context():
        assert db.session.scalar(select(func.count(Reservation.id))) == 1
        assert db.session.scalar(select(func.count(Device.id)).where(Device.state == DeviceState.RESERVED)) == 1


def _race(targets, body):
    """Post ``body`` to each (url, token) at the same moment and return the (status, json) of each."""
    import urllib.error

    statuses, barrier = [], threading.Barrier(len(targets))

    def post(url, token):
        request = urllib.request.Request(url, method="POST", data=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append((response.status, json.load(response)))
        except urllib.error.HTTPError as error:
            statuses.append((error.code, json.load(error)))

    threads = [threading.Thread(target=post, args=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_the_waiting_lists_grouped_shelf_agrees_with_the_full_matching(ctx):
    workshop = make_structure("workshop", min_ram_gb=4, min_storage_gb=100)
    specs = [("laptop", "A", "8", "256", True), ("laptop", "B", "16", "512", True),
             ("laptop", "A", "8", "512", False), ("laptop", "C", "2", "256", True), ("desktop", "B", "8", "1000", None),
             ("all_in_one", "A", "4", "128", True), ("tablet", "A", None, "64", True), ("laptop", "A", "8", "64", True),
             ("desktop", None, "8", "500", False)]
    for kind, grade, ram, storage, webcam in specs:
        make_ready_device(workshop, type=kind, grade=grade or "C", ram_gb=ram, storage_gb=storage, webcam=webcam)
    groups = shelf(workshop)
    devices = ready_devices(workshop.id)
    for equipment in ("laptop", "desktop", "tablet", "any"):
        for needs in (["school"], ["job_search"]):
            prescription = make_prescription(workshop=workshop, status="accepted", equipment=equipment, needs=needs)
            expected = fitting_devices(prescription, devices, workshop)
            fit = fit_from_shelf(prescription, groups)
            assert fit.count == len(expected), (equipment, needs)
            assert (fit.best.id if fit.best else None) == (expected[0].id if expected else None), (equipment, needs)


def test_a_device_reserved_for_another_household_says_so(workshop):
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    device = make_ready_device(workshop)
    first, second = (make_prescription(workshop=workshop, status="accepted") for _ in range(2))
    reserve_device(first, device, by=supervisor)
    with pytest.raises(DeviceTaken) as taken:
        reserve_device(second, device, by=supervisor)
    assert taken.value.message == f"{device.tag} vient d'être réservé pour un autre foyer."
    assert taken.value.details == {"tag": device.tag} and second.status is P.ACCEPTED
    first.reservation.reserved_at -= timedelta(hours=2)
    with pytest.raises(DeviceTaken, match=f"^{device.tag} est déjà réservé pour un autre foyer.$"):
        reserve_device(second, device, by=supervisor)


def test_a_device_not_ready_says_its_state(workshop):
    received = make_device(make_donation(make_donor(workshop)))
    prescription = make_prescription(workshop=workshop, status="accepted")
    refusal = f"^{received.tag} n'est pas prêt à être donné\xa0: il est «\xa0Réceptionné\xa0».$"
    with pytest.raises(DomainError, match=refusal):
        reserve_device(prescription, received, by=make_user(Role.SUPERVISOR, structure=workshop))


def test_the_loser_of_the_form_reads_that_the_device_was_just_reserved(client, workshop):
    """The sequential case of the race, as the supervisor who loses it reads it, in French and in English."""
    device = make_ready_device(workshop)
    first, second, third = (make_prescription(workshop=workshop, status="accepted") for _ in range(3))
    login_as(client, make_user(Role.SUPERVISOR, structure=workshop))
    client.post(f"/prescriptions/{first.id}/reservation", data={"tag": device.tag})
    page = client.post(f"/prescriptions/{second.id}/reservation", data={"tag": device.tag},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{device.tag} vient d&#39;être réservé pour un autre foyer." in page and "ne peut pas passer" not in page
    login_as(client, make_user(Role.SUPERVISOR, structure=workshop, locale="en"))
    page = client.post(f"/prescriptions/{third.id}/reservation", data={"tag": device.tag},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{device.tag} was just reserved for another household." in page
    assert [p.status for p in (first, second, third)] == [P.RESERVED, P.ACCEPTED, P.ACCEPTED]


@pytest.mark.committed
def test_two_supervisors_reserving_one_device_for_two_households_at_once(app, live_server):
    with app.app_context():
        workshop = make_structure("workshop")
        tag = make_ready_device(workshop).tag
        ids = [make_prescription(workshop=workshop, status="accepted").id for _ in range(2)]
        emails = [make_user(Role.SUPERVISOR, structure=workshop).email for _ in range(2)]
    posts = [form_post(logged_in(live_server, email), f"{live_server}/prescriptions/{prescription_id}/reservation",
                       {"tag": tag}) for email, prescription_id in zip(emails, ids)]
    pages = dict(at_once([lambda i=i, post=post: (i, post()[2]) for i, post in zip(ids, posts)]))
    with app.app_context():
        (reservation,) = db.session.scalars(select(Reservation)).all()
        winner, loser = sorted(ids, key=lambda i: i != reservation.prescription_id)
        assert db.session.get(Prescription, loser).status is P.ACCEPTED
    assert f"{tag} vient d&#39;être réservé pour un autre foyer." in pages[loser]
    assert "ne peut pas passer" not in pages[loser]
    assert "vient d&#39;être réservé" not in pages[winner]


@pytest.fixture
def school(workshop):
    return make_prescription(workshop=workshop, status="accepted", needs=["school", "job_search"], equipment="laptop")


def test_a_device_that_does_not_fit_is_reserved_only_once_confirmed(workshop, school):
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    device = make_ready_device(workshop, webcam=False, ram_gb="2", storage_gb="64")
    with pytest.raises(DeviceMismatch) as refused:
        reserve_device(school, device, by=supervisor)
    reasons = refused.value.details["mismatches"]
    assert reasons == ["Il n'a pas de webcam\xa0; le foyer en a besoin pour «\xa0Suivi scolaire\xa0».",
                       "Sa mémoire (2 Go) est en dessous du minimum de l'atelier, 4 Go.",
                       "Son stockage (64 Go) est en dessous du minimum de l'atelier, 120 Go."]
    assert refused.value.status == 422 and refused.value.fields == {"confirm_mismatch": reasons}
    assert device.state is DeviceState.READY and school.status is P.ACCEPTED
    reserve_device(school, device, by=supervisor, confirm_mismatch=True)
    assert device.state is DeviceState.RESERVED and school.status is P.RESERVED
    (event,) = [e for e in events_for(school) if e.details.get("to") == "reserved"]
    assert event.details["mismatch_confirmed"] == " ".join(reasons) and event.details["device"] == device.tag


def test_an_unchecked_webcam_another_type_or_unknown_specs_ask_too(workshop, school):
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    desktop = make_ready_device(workshop, type="desktop", webcam=None, ram_gb=None)
    with pytest.raises(DeviceMismatch) as refused:
        reserve_device(school, desktop, by=supervisor)
    assert refused.value.details["mismatches"] == [
        "Cet appareil est de type «\xa0Ordinateur fixe\xa0»\xa0; le foyer a demandé «\xa0Ordinateur portable\xa0».",
        "Sa webcam n'a pas été testée\xa0; le foyer en a besoin pour «\xa0Suivi scolaire\xa0».",
        "Sa mémoire n'est pas renseignée\xa0; le minimum de l'atelier est de 4 Go."]
    fitting = make_ready_device(workshop)
    reservation = reserve_device(school, fitting, by=supervisor, confirm_mismatch=True)
    assert reservation.device_id == fitting.id
    assert "mismatch_confirmed" not in [e for e in events_for(school) if e.details.get("to") == "reserved"][0].details


def test_without_a_webcam_need_or_minimums_nothing_is_asked(workshop):
    job = make_prescription(workshop=workshop, status="accepted", needs=["job_search"], equipment="any")
    workshop.min_ram_gb = workshop.min_storage_gb = None
    device = make_ready_device(workshop, webcam=False, ram_gb="2", storage_gb="64")
    reserve_device(job, device, by=make_user(Role.SUPERVISOR, structure=workshop))
    assert job.status is P.RESERVED


def test_the_page_shows_what_does_not_fit_and_reserves_only_when_confirmed(client, workshop, school):
    device = make_ready_device(workshop, webcam=False)
    login_as(client, make_user(Role.SUPERVISOR, structure=workshop))
    response = client.post(f"/prescriptions/{school.id}/reservation", data={"tag": device.tag})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Cet appareil ne convient pas au foyer" in page
    assert "Il n&#39;a pas de webcam\xa0; le foyer en a besoin pour «\xa0Suivi scolaire\xa0»." in page
    assert "Réserver quand même" in page and 'name="confirm_mismatch" value="y"' in page
    assert f'href="/prescriptions/{school.id}"' in page
    db.session.refresh(device)
    assert device.state is DeviceState.READY and db.session.get(Prescription, school.id).status is P.ACCEPTED
    confirmed = client.post(f"/prescriptions/{school.id}/reservation",
                            data={"tag": device.tag, "confirm_mismatch": "y"}, follow_redirects=True)
    assert "réservé pour le foyer" in confirmed.get_data(as_text=True)
    db.session.refresh(device)
    assert device.state is DeviceState.RESERVED
    history = client.get(f"/prescriptions/{school.id}").get_data(as_text=True)
    assert "réservé bien qu'il ne convienne pas" in history and "Il n&#39;a pas de webcam" in history


def test_the_api_refuses_a_device_that_does_not_fit_unless_confirmed(client, workshop, school):
    device = make_ready_device(workshop, storage_gb="64")
    headers = {"Authorization": f"Bearer {make_token(make_user(Role.SUPERVISOR, structure=workshop))}"}
    url = f"/api/v1/prescriptions/{school.id}/reservation"
    refused = client.post(url, headers=headers, json={"tag": device.tag})
    body = refused.get_json()
    assert refused.status_code == 422 and body["error"] == "device_mismatch" and body["tag"] == device.tag
    assert body["mismatches"] == ["Son stockage (64 Go) est en dessous du minimum de l'atelier, 120 Go."]
    assert body["fields"] == {"confirm_mismatch": body["mismatches"]}
    assert client.post(url, headers=headers, json={"tag": device.tag, "confirm_mismatch": "yes"}).status_code == 422
    assert db.session.get(Device, device.id).state is DeviceState.READY
    reserved = client.post(url, headers=headers, json={"tag": device.tag, "confirm_mismatch": True})
    assert reserved.status_code == 200 and reserved.get_json()["device"] == device.tag
