"""Which ready devices fit a prescription, and reserving one: the guards, the release, and two people at once."""
import json

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.errors import DomainError
from reco.extensions import db
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import Device, DeviceState
from reco.prescriptions.models import Prescription, PrescriptionStatus, Reservation
from reco.prescriptions.reservations import (
    fit_from_shelf,
    fitting_devices,
    ready_devices,
    release_reservation,
    reserve_device,
    shelf,
)
from reco.prescriptions.services import cancel_prescription
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
from tests.parallel import post_many

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
    assert sorted(statuses) == [200] + [409] * 7
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
    """Post ``body`` to each (url, token) at the same moment and return the statuses."""
    import threading
    import urllib.error
    import urllib.request

    statuses, barrier = [], threading.Barrier(len(targets))

    def post(url, token):
        request = urllib.request.Request(url, method="POST", data=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

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
