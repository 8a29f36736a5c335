"""The scan reads a device in a fixed number of statements, whatever it holds: drives, erasures, repairs, history."""
from sqlalchemy import event

from bench.cases import statements
from reco.accounts.models import Role, User
from reco.core.audit import events_for, record_event
from reco.extensions import db
from reco.inventory.corrections import merge_devices
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.intake import receive_device
from reco.inventory.lifecycle import transition_device
from reco.inventory.repairs import record_repair
from reco.prescriptions.models import Prescription
from reco.prescriptions.reservations import release_reservation, reserve_device
from tests.conftest import login_as
from tests.factories import make_device, make_prescription, make_ready_device, make_structure, make_token, make_user


def _counts(app, client, token, tag) -> tuple[int, int]:
    """Return the SELECTs of the device page and of the scan API for ``tag``, one request each, counted as the
    network benchmark counts them (each request in its own session, as served)."""
    with statements(app) as page:
        assert client.get(f"/devices/{tag}").status_code == 200
    with statements(app) as api:
        assert client.get(f"/api/v1/devices/{tag}", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    return _reads(page), _reads(api)


def _reads(sent: list[str]) -> int:
    """Return how many of the statements sent are SELECTs (the tests' savepoints left out)."""
    return sum(statement.startswith("SELECT") for statement in sent)


def test_the_page_and_the_api_read_a_device_in_as_many_statements_however_much_it_holds(app, client):
    with app.app_context():
        workshop = make_structure("workshop")
        supervisor = make_user(Role.SUPERVISOR, structure=workshop)
        token = make_token(supervisor)
        bare = make_device(make_ready_device(workshop).donation)
        full = make_ready_device(workshop)
        transition_device(full, "in_repair", by=supervisor)
        for n in range(3):
            record_repair(full, by=supervisor, problem=f"Panne {n}", fault_type="boot")
        db.session.commit()
        login_as(client, supervisor)
        tags = bare.tag, full.tag
    bare_page, bare_api = _counts(app, client, token, tags[0])
    full_page, full_api = _counts(app, client, token, tags[1])
    # the user (or the token) with their structure; the device with all it shows (the page: its history too)
    assert (bare_page, bare_api) == (full_page, full_api) == (2, 2)


def test_the_people_who_received_and_diagnosed_it_and_the_device_it_was_merged_into_are_read_with_it(app, client):
    with app.app_context():
        workshop = make_structure("workshop")
        supervisor = make_user(Role.SUPERVISOR, structure=workshop)
        technician = make_user(Role.TECHNICIAN, structure=workshop, name="Yanis Ferreira")
        donation = make_ready_device(workshop).donation
        kept = receive_device(donation, by=technician, type="laptop", serial="TWICE-1").device
        other = receive_device(donation, by=technician, type="laptop", donor_tag="INV-TWICE").device
        record_diagnosis(other, by=technician, grade="B", checks={"power_on": "ok"})
        merge_devices(kept, other, by=supervisor)
        db.session.commit()
        login_as(client, supervisor)
        tags = kept.tag, other.tag
    for tag in tags:
        with statements(app) as sent:
            page = client.get(f"/devices/{tag}").get_data(as_text=True)
        assert _reads(sent) == 2 and "Yanis Ferreira" in page
    assert f">{tags[0]}</a>" in page  # the voided one links to the device it was merged into


def test_the_page_reads_the_history_with_the_device_newest_first_with_who_and_when(app, client):
    with app.app_context():
        workshop = make_structure("workshop")
        supervisor = make_user(Role.SUPERVISOR, structure=workshop, name="Inès Marchand")
        device = make_ready_device(workshop)  # its moves made by no one: the command line
        transition_device(device, "in_repair", by=supervisor)
        own = record_repair(device, by=supervisor, problem="Écran", fault_type="boot")
        neighbour = make_ready_device(workshop)
        transition_device(neighbour, "in_repair", by=supervisor)
        theirs = record_repair(neighbour, by=supervisor, problem="Clavier", fault_type="boot")
        elsewhere = make_ready_device(make_structure("workshop"))
        record_event(make_user(Role.SUPERVISOR, name="Autre Atelier"), elsewhere, "note", text="ailleurs")
        db.session.commit()
        login_as(client, supervisor)
        tag, expected = device.tag, [event.action for event in events_for(device)]
        repairs = own.id, theirs.id
    with statements(app) as sent:
        page = client.get(f"/devices/{tag}").get_data(as_text=True)
    assert _reads(sent) == 2
    history = page[page.index('class="timeline"'):]
    entries = history.split("<li>")[1:]
    assert len(entries) == len(expected) >= 6  # its own events, newest first, none of the other devices'
    assert f"réparation\xa0: {repairs[0]} " in entries[0] and f"réparation\xa0: {repairs[1]} " not in history
    assert "Autre Atelier" not in page and "ailleurs" not in page
    assert "Réparation enregistrée" in entries[0] and "Inès Marchand" in entries[0] and "statut" in entries[0]
    assert "Prêt → En réparation" in entries[1] and "Inès Marchand" in entries[1]
    assert "Reco (ligne de commande ou tâche planifiée)" in entries[-1]
    assert all('<time datetime="20' in e and '+00:00"' in e for e in entries)


def test_the_page_shows_the_reservation_in_force_only(app, client):
    with app.app_context():
        workshop = make_structure("workshop")
        supervisor = make_user(Role.SUPERVISOR, structure=workshop)
        device = make_ready_device(workshop)
        prescription = make_prescription(workshop=workshop, status="accepted")
        reserve_device(prescription, device, by=supervisor)
        db.session.commit()
        login_as(client, supervisor)
        tag, code, contact = device.tag, prescription.code, prescription.contact_name
        ids = prescription.id, supervisor.id
    with app.app_context():
        engine = db.engine
    read: list[str] = []
    keep = lambda connection, cursor, statement, *rest: read.append(statement)  # noqa: E731 (whole statements)
    event.listen(engine, "before_cursor_execute", keep)
    try:
        with statements(app) as sent:
            page = client.get(f"/devices/{tag}").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    # the prescription's code, a link to it (addressed to this workshop), and nothing read of the household
    assert "Réservé pour le foyer" in page and f">{code}</a>" in page and _reads(sent) == 2
    assert any("prescriptions_1.code" in statement for statement in read)
    assert not any("contact_" in statement for statement in read)
    assert contact not in page
    with app.app_context():
        release_reservation(db.session.get(Prescription, ids[0]), by=db.session.get(User, ids[1]),
                            reason="Le foyer a renoncé", reason_kind="other")
        db.session.commit()
    assert "Réservé pour le foyer" not in client.get(f"/devices/{tag}").get_data(as_text=True)

