"""Data protection: erasure on request, the retention purge, and the administrator's log of accesses."""
from datetime import date, datetime, timedelta, timezone

import pypdfium2
import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.core.audit import Event, events_for
from reco.core.documents import documents_about
from reco.core.errors import DomainError
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.models import PrescriptionStatus, Visit
from reco.prescriptions.pdf import handover_receipt_for
from reco.prescriptions.privacy import erase_personal_data, months_before, purge_personal_data, read_contact
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.services import decide_prescription, withdraw_prescription
from reco.prescriptions.visits import report_visit, request_visit, return_device, schedule_visit
from reco.reports.figures import Audience, Period, summary
from reco.reports.tables import build_tables
from tests.conftest import login_as
from tests.factories import HOUSEHOLD, make_prescription, make_ready_device, make_structure, make_user
from tests.scenarios import reserved_household

P = PrescriptionStatus
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
REPORT = {"installed_working": True, "internet_connected": False, "internet_problem": "Box chez la voisine Mme Diop",
          "accounts": ["email"], "first_steps": ["turn_on"], "digital_level": "training", "follow_ups": [],
          "no_signature_reason": "Attestation papier signée", "comments": "Mme Awa Diop, 3e étage, code 1234"}


@pytest.fixture
def equipped(ctx):
    """A household equipped through a visit, with a handover receipt naming its contact."""
    chain = reserved_household(comment="Fils en 6e au collège Échange", urgency="urgent",
                               urgency_reason="Expulsion en cours", visit_wanted=False)
    prescription, supervisor, mediator = chain["prescription"], chain["supervisor"], chain["mediator"]
    visit = request_visit(prescription, by=supervisor, installer=chain["installer"], note="Interphone Diop, 3e gauche")
    handover_receipt_for(prescription, by=supervisor)
    schedule_visit(visit, by=mediator, on=local_today() + timedelta(days=1), slot="morning")
    report_visit(visit, by=mediator, **REPORT)
    db.session.flush()
    return chain | {"visit": visit}


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def _close(prescription, when: datetime) -> None:
    prescription.closed_at = when
    db.session.flush()


def test_erasure_blanks_what_names_the_household_and_keeps_the_figures(equipped):
    prescription, visit = equipped["prescription"], equipped["visit"]
    receipt = documents_about(prescription)[0]
    assert "Awa Diop" in _pdf_text(receipt.pdf)
    erase_personal_data(prescription, by=equipped["prescriber"])
    db.session.flush()
    db.session.expire_all()
    assert (prescription.contact_name, prescription.contact_phone, prescription.address) == ("", "", "")
    assert (prescription.comment, prescription.urgency_reason) == ("", "")
    assert (visit.note, visit.report.comments, visit.report.internet_problem) == ("", "", "")
    assert prescription.code.startswith("FOY-") and prescription.commune == HOUSEHOLD["commune"]
    assert prescription.insee_code == HOUSEHOLD["insee_code"] and prescription.qpv is True
    assert prescription.children_primary == 2 and prescription.status is P.EQUIPPED
    assert prescription.personal_data_erased_at is not None
    text = _pdf_text(documents_about(prescription)[0].pdf)
    assert "Diop" not in text and receipt.number in text and receipt.fingerprint[:16] in text.replace("\n", "")
    assert events_for(prescription)[0].action == "personal_data_erased"


def test_erasing_twice_or_an_open_prescription_is_refused(equipped):
    erase_personal_data(equipped["prescription"], by=None)
    with pytest.raises(DomainError, match="déjà été effacées"):
        erase_personal_data(equipped["prescription"], by=None)
    open_one = make_prescription(equipped["prescriber"], equipped["workshop"])
    with pytest.raises(DomainError, match="retirez-la ou annulez-la"):
        erase_personal_data(open_one, by=None)
    assert open_one.contact_name == HOUSEHOLD["contact_name"]


def test_the_purge_erases_only_what_was_closed_longer_than_the_retention(app, equipped):
    old = equipped["prescription"]
    _close(old, months_before(NOW, 24) - timedelta(days=1))
    recent = make_prescription(equipped["prescriber"], equipped["workshop"])
    withdraw_prescription(recent, by=equipped["prescriber"], reason="")
    _close(recent, months_before(NOW, 24) + timedelta(days=1))
    still_open = make_prescription(equipped["prescriber"], equipped["workshop"])
    assert purge_personal_data(now=NOW) == 1
    assert old.contact_name == "" and recent.contact_name == still_open.contact_name == HOUSEHOLD["contact_name"]
    assert purge_personal_data(now=NOW) == 0
    assert purge_personal_data(months=1, now=NOW) == 1 and recent.contact_name == ""
    assert still_open.contact_name == HOUSEHOLD["contact_name"]


def test_reports_give_the_same_figures_before_and_after_the_purge(equipped):
    prescription = equipped["prescription"]
    period = Period(date(2020, 1, 1), local_today())
    audiences = [Audience(None, None, True), Audience(equipped["workshop"].id, None, False),
                 Audience(None, prescription.structure_id, False)]

    def figures():
        db.session.expire_all()
        return [(summary(a, period), {k: (t.rows, t.values) for k, t in build_tables(a, period).items()})
                for a in audiences]

    before = figures()
    assert before[1][0]["families_equipped"]["pipeline"] == 1
    _close(prescription, datetime(2020, 6, 1, tzinfo=timezone.utc))
    assert purge_personal_data(now=NOW) == 1
    db.session.flush()
    assert figures() == before


def test_the_purge_command_uses_the_configured_retention(app, equipped, monkeypatch):
    _close(equipped["prescription"], datetime.now(timezone.utc) - timedelta(days=40))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reco", "purge-personal-data"])
    assert result.exit_code == 0 and "0 foyer" in result.output
    monkeypatch.setitem(app.config, "RECO_RETENTION_MONTHS", 1)
    result = runner.invoke(args=["reco", "purge-personal-data"])
    assert result.exit_code == 0 and "1 foyer" in result.output
    assert runner.invoke(args=["reco", "purge-personal-data", "--months", "0"]).exit_code == 2
    assert runner.invoke(args=["reco", "purge-personal-data", "--months", "999999999"]).exit_code == 2


def test_the_admin_log_says_in_french_that_the_purge_erased_a_household(client, equipped):
    _close(equipped["prescription"], datetime(2020, 6, 1, tzinfo=timezone.utc))
    assert purge_personal_data(now=NOW) == 1
    db.session.commit()
    login_as(client, make_user(Role.ADMIN))
    page = client.get("/admin/personal-data").get_data(as_text=True)
    assert "effacement automatique" in page and "24 mois après la clôture" in page and "retention:" not in page


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2026, 3, 31, 8, tzinfo=timezone.utc), 1, datetime(2026, 2, 28, 8, tzinfo=timezone.utc)),
    (datetime(2026, 3, 31, 8, tzinfo=timezone.utc), 25, datetime(2024, 2, 29, 8, tzinfo=timezone.utc)),
    (datetime(2026, 1, 15, tzinfo=timezone.utc), 24, datetime(2024, 1, 15, tzinfo=timezone.utc)),
    (datetime(2026, 1, 15, tzinfo=timezone.utc), 13, datetime(2024, 12, 15, tzinfo=timezone.utc)),
])
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_the_prescriber_erases_on_request_from_the_page(client, equipped):
    prescription = equipped["prescription"]
    login_as(client, equipped["prescriber"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert "Effacer les données personnelles" in page
    refused = client.post(f"/prescriptions/{prescription.id}/erase", data={"reason": "demande"},
                          follow_redirects=True)
    assert prescription.contact_name and "Effacer" in refused.get_data(as_text=True)
    done = client.post(f"/prescriptions/{prescription.id}/erase",
                       data={"ground": "household_request", "requested_on": local_today().isoformat(), "confirm": "y"},
                       follow_redirects=True)
    assert "ont été effacées" in done.get_data(as_text=True)
    db.session.expire_all()
    assert prescription.contact_name == "" and prescription.personal_data_erased_at


def test_only_the_prescribing_structure_erases(client, equipped):
    prescription = equipped["prescription"]
    for user, status in ((make_user(Role.PRESCRIBER), 404), (equipped["supervisor"], 403),
                         (make_user(Role.ADMIN), 403)):
        login_as(client, user)
        assert client.post(f"/prescriptions/{prescription.id}/erase",
                           data={"ground": "household_request", "requested_on": local_today().isoformat(),
                                 "confirm": "y"}).status_code == status
    db.session.expire_all()
    assert prescription.contact_name == HOUSEHOLD["contact_name"]


def test_the_admin_sees_who_saw_personal_data_outside_the_prescribing_structure(client, equipped):
    prescription = make_prescription(equipped["prescriber"], equipped["workshop"], status="accepted",
                                     visit_wanted=False)
    login_as(client, equipped["prescriber"])
    client.get(f"/prescriptions/{prescription.id}")
    login_as(client, equipped["supervisor"])
    assert HOUSEHOLD["contact_name"] in client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    views = db.session.scalars(select(Event).where(Event.action == "personal_data_viewed",
                                                   Event.object_id == str(prescription.id))).all()
    assert [e.actor_id for e in views] == [equipped["supervisor"].id]
    cancelled = client.post(f"/prescriptions/{prescription.id}/cancel", data={"reason": "parti", "confirm": "y"})
    assert cancelled.status_code == 302
    db.session.expire_all()
    assert prescription.status is P.CANCELLED
    erase_personal_data(prescription, by=equipped["prescriber"])
    db.session.commit()
    login_as(client, make_user(Role.ADMIN))
    page = client.get("/admin/personal-data").get_data(as_text=True)
    assert equipped["supervisor"].name in page and equipped["workshop"].name in page and prescription.code in page
    assert "effacement de ses données" in page and HOUSEHOLD["contact_name"] not in page
    other = make_structure("prescriber")
    filtered = client.get(f"/admin/personal-data?structure={other.id}").get_data(as_text=True)
    assert prescription.code not in filtered
    assert client.get("/admin/personal-data?structure=abc").status_code == 200
    login_as(client, equipped["supervisor"])
    assert client.get("/admin/personal-data").status_code == 403


def test_visits_of_an_erased_household_keep_their_dates(equipped):
    visit = equipped["visit"]
    scheduled = visit.scheduled_on
    erase_personal_data(equipped["prescription"], by=None)
    db.session.flush()
    assert db.session.get(Visit, visit.id).scheduled_on == scheduled


def test_the_reasons_written_about_the_household_are_erased_too(equipped):
    declined = make_prescription(equipped["prescriber"], equipped["workshop"])
    decide_prescription(declined, by=equipped["supervisor"], accept=False, reason="Mme Durand a déjà un ordinateur")
    erase_personal_data(declined, by=None)
    assert declined.decline_reason == ""
    reservation = equipped["prescription"].reservations[0]
    reservation.release_reason = "Rendu par Mme Diop"
    erase_personal_data(equipped["prescription"], by=None)
    assert reservation.release_reason == ""


def test_a_device_brought_back_never_reopens_an_erased_household(equipped):
    prescription = equipped["prescription"]
    device = prescription.reservations[0].device
    erase_personal_data(prescription, by=None)
    with pytest.raises(DomainError, match="effacées"):
        return_device(device, by=equipped["supervisor"], reason="écran cassé", replacement=True)
    assert prescription.status is P.EQUIPPED and device.state.value == "delivered"  # refused before any change
    return_device(device, by=equipped["supervisor"], reason="écran cassé", replacement=False)
    assert prescription.status is P.EQUIPPED and device.state.value == "received"


def test_the_contact_is_read_only_by_whom_may_and_each_read_outside_the_prescriber_is_logged(ctx):
    installer = make_structure("installer")
    workshop = make_structure("workshop")
    prescriber = make_user(Role.PRESCRIBER)
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    mediator = make_user(Role.INSTALLER, structure=installer)
    handed = make_prescription(prescriber, workshop, status="accepted", visit_wanted=False)
    visited = make_prescription(prescriber, workshop, status="accepted")
    reserve_device(visited, make_ready_device(workshop), by=supervisor)
    visit = request_visit(visited, by=supervisor, installer=installer)
    assert read_contact(supervisor, visited, "contact") is None
    assert read_contact(mediator, visited, "contact") is None
    assert read_contact(prescriber, visited, "contact")["contact_name"] == HOUSEHOLD["contact_name"]
    assert read_contact(supervisor, handed, "contact") == {
        "contact_name": HOUSEHOLD["contact_name"], "contact_phone": handed.contact_phone,
        "address": HOUSEHOLD["address"], "postcode": HOUSEHOLD["postcode"]}
    assert read_contact(mediator, visit, "visit")["address"] == HOUSEHOLD["address"]
    logged = db.session.scalars(select(Event).where(Event.action == "personal_data_viewed").order_by(Event.id))
    assert [(e.actor_id, e.object_id, e.details) for e in logged] == [
        (supervisor.id, str(handed.id), {"what": "contact"}), (mediator.id, str(visited.id), {"what": "visit"})]


def test_a_handover_receipt_is_issued_only_for_a_device_reserved_and_once_per_reservation(ctx):
    workshop = make_structure("workshop")
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    prescription = make_prescription(workshop=workshop, status="accepted", visit_wanted=False)
    with pytest.raises(DomainError) as refused:
        handover_receipt_for(prescription, by=supervisor)
    assert refused.value.message == "Pour établir une attestation de remise, un appareil doit être réservé pour le foyer."
    reserve_device(prescription, make_ready_device(workshop), by=supervisor)
    receipt = handover_receipt_for(prescription, by=supervisor)
    assert handover_receipt_for(prescription, by=supervisor) is receipt
    assert [d.kind for d in documents_about(prescription)] == ["handover_receipt"]
