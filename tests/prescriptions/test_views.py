"""The prescriber's portal and the workshop's pages, and who sees a household's personal data."""
import json
import smtplib

import pypdfium2
import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.core.audit import Event, events_for
from reco.core.documents import Document
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import DeviceState
from reco.prescriptions.models import Prescription, PrescriptionStatus
from tests.conftest import login_as
from tests.factories import HOUSEHOLD, make_prescription, make_ready_device, make_structure, make_user
from tests.scenarios import prescriber_network

P = PrescriptionStatus
PHONE = "06 12 34 56 78"


def _form(**changes):
    data = {k: ("y" if v is True else v) for k, v in (HOUSEHOLD | changes).items() if v is not False}
    return data | {"consent": "y", "consent_on": changes.get("consent_on", local_today().isoformat()),
                   "action": "submit"}


@pytest.fixture
def network(ctx):
    network = prescriber_network(support_contact="02 99 00 11 22")
    return network | {"technician": make_user(Role.TECHNICIAN, structure=network["workshop"]),
                      "other_prescriber": make_user(Role.PRESCRIBER)}


def test_a_prescriber_sends_a_prescription_with_the_usual_workshop_offered_first(client, network):
    make_structure("workshop", name="AAA Atelier")
    login_as(client, network["prescriber"])
    page = client.get("/prescriptions/new").get_data(as_text=True)
    assert page.index(network["workshop"].name) < page.index("AAA Atelier")
    response = client.post("/prescriptions/new", data=_form(workshop_id=network["workshop"].id))
    assert response.status_code == 302
    prescription = db.session.scalars(select(Prescription)).one()
    assert prescription.status is P.SUBMITTED and prescription.children_primary == 2
    assert prescription.needs == ["school"] and prescription.qpv is True
    page = client.get(response.location).get_data(as_text=True)
    assert prescription.code in page and HOUSEHOLD["contact_name"] in page


def test_the_form_explains_what_is_missing(client, network):
    login_as(client, network["prescriber"])
    response = client.post("/prescriptions/new", data={"action": "submit", "workshop_id": network["workshop"].id,
                                                       "contact_name": "X", "insee_code": "35000", "adults": "-2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "consentement" in page
    assert db.session.scalars(select(Prescription)).all() == []
    data = _form(workshop_id=network["workshop"].id, commune="Rennnes", insee_code="", contact_phone="")
    response = client.post("/prescriptions/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Aucune commune ne correspond à ce code postal et à ce nom." in page
    assert 'name="insee_code" type="radio" value="35238"' in page  # the communes of the postcode, to choose from
    assert db.session.scalars(select(Prescription)).all() == []


def test_a_draft_is_saved_then_sent(client, network):
    login_as(client, network["prescriber"])
    data = {"action": "draft", "workshop_id": network["workshop"].id, "contact_name": "M. Morel", "consent": "y",
            "consent_on": local_today().isoformat()}
    response = client.post("/prescriptions/new", data=data)
    prescription = db.session.scalars(select(Prescription)).one()
    assert response.status_code == 302 and prescription.status is P.DRAFT
    response = client.post(f"/prescriptions/{prescription.id}/edit",
                           data=_form(workshop_id=network["workshop"].id, consent_on=local_today().isoformat()))
    assert response.status_code == 302
    db.session.refresh(prescription)
    assert prescription.status is P.SUBMITTED


def test_prescribers_see_only_their_structures_households(client, network):
    mine = make_prescription(network["prescriber"], network["workshop"])
    theirs = make_prescription(network["other_prescriber"], network["workshop"], contact_name="Mme Secret")
    login_as(client, network["prescriber"])
    listing = client.get("/prescriptions").get_data(as_text=True)
    assert mine.code in listing and theirs.code not in listing and "Mme Secret" not in listing
    for path in (f"/prescriptions/{theirs.id}", f"/prescriptions/{theirs.id}/export.json"):
        assert client.get(path).status_code == 404
    for path in (f"/prescriptions/{theirs.id}/edit", f"/prescriptions/{theirs.id}/withdraw",
                 f"/prescriptions/{theirs.id}/cancel"):
        assert client.post(path, data={"reason": "x"}).status_code == 404
    db.session.refresh(theirs)
    assert theirs.status is P.SUBMITTED


def test_supervisors_see_the_code_and_commune_but_no_contact_when_an_installer_goes(client, network):
    prescription = make_prescription(network["prescriber"], network["workshop"], contact_name="Mme Awa Diop")
    login_as(client, network["supervisor"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert prescription.code in page and "Rennes" in page
    assert "Awa Diop" not in page and "0612345678" not in page and "Bohême" not in page
    listing = client.get("/prescriptions").get_data(as_text=True)
    assert prescription.code in listing and "Awa Diop" not in listing
    assert client.get(f"/prescriptions/{prescription.id}/export.json").status_code == 403


def test_supervisors_see_the_contact_when_the_workshop_hands_over_and_the_access_is_logged(client, network):
    prescription = make_prescription(network["prescriber"], network["workshop"], status="accepted",
                                     visit_wanted=False)
    login_as(client, network["supervisor"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert "Awa Diop" in page and "0612345678" in page
    logged = [e for e in events_for(prescription) if e.action == "personal_data_viewed"]
    assert [(e.actor_id, e.details) for e in logged] == [(network["supervisor"].id, {"what": "contact"})]
    login_as(client, network["prescriber"])
    client.get(f"/prescriptions/{prescription.id}")
    assert len([e for e in events_for(prescription) if e.action == "personal_data_viewed"]) == 1


def test_technicians_never_see_prescriptions(client, network):
    prescription = make_prescription(network["prescriber"], network["workshop"])
    login_as(client, network["technician"])
    assert client.get("/prescriptions").status_code == 403
    assert client.get(f"/prescriptions/{prescription.id}").status_code == 403
    assert client.get("/waiting-list").status_code == 403


def test_inbox_decision_and_notice(client, network):
    normal = make_prescription(network["prescriber"], network["workshop"])
    urgent = make_prescription(network["prescriber"], network["workshop"], urgency="urgent",
                               urgency_reason="Examens")
    login_as(client, network["supervisor"])
    inbox = client.get("/prescriptions/inbox").get_data(as_text=True)
    assert inbox.index(urgent.code) < inbox.index(normal.code)
    response = client.post(f"/prescriptions/{normal.id}/decision", data={"accept": "0", "reason": ""})
    assert response.status_code == 302
    db.session.refresh(normal)
    assert normal.status is P.SUBMITTED
    client.post(f"/prescriptions/{normal.id}/decision",
                data={"accept": "0", "reason_kind": "no_suitable_device", "reason": "Pas de tablette"})
    client.post(f"/prescriptions/{urgent.id}/decision", data={"accept": "1"})
    db.session.refresh(normal)
    db.session.refresh(urgent)
    assert (normal.status, urgent.status) == (P.DECLINED, P.ACCEPTED)
    login_as(client, network["prescriber"])
    home = client.get("/").get_data(as_text=True)
    assert 'class="badge"' in home
    notices = client.get("/notices").get_data(as_text=True)
    # the notice names the kind of reason; what the workshop wrote is read on the household's page only
    assert normal.code in notices and "aucun appareil adapté en vue" in notices and urgent.code in notices
    assert "Pas de tablette" not in notices
    assert 'class="badge"' not in client.get("/").get_data(as_text=True)
    page = client.get(f"/prescriptions/{normal.id}").get_data(as_text=True)
    assert "Pas de tablette" in page


def test_waiting_list_reserve_best_fit_and_handover_receipt(client, network):
    workshop = network["workshop"]
    prescription = make_prescription(network["prescriber"], workshop, status="accepted", visit_wanted=False)
    worse = make_ready_device(workshop, grade="C")
    best = make_ready_device(workshop, grade="A", brand="Dell", model="Latitude E7240")
    login_as(client, network["supervisor"])
    waiting = client.get("/waiting-list").get_data(as_text=True)
    assert prescription.code in waiting and best.tag in waiting
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert page.index(best.tag) < page.index(worse.tag)
    assert client.post(f"/prescriptions/{prescription.id}/reservation", data={"tag": "NOPE-1"}).status_code == 302
    db.session.refresh(prescription)
    assert prescription.status is P.ACCEPTED
    client.post(f"/prescriptions/{prescription.id}/reservation", data={"tag": best.tag.lower()})
    db.session.refresh(prescription)
    db.session.refresh(best)
    assert prescription.status is P.RESERVED and best.state is DeviceState.RESERVED
    response = client.post(f"/prescriptions/{prescription.id}/handover-receipt")
    assert response.status_code == 302
    pdf = client.get(response.location)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    document = db.session.scalars(select(Document)).one()
    text = _pdf_text(pdf.data)
    for expected in (best.tag, "Latitude E7240", prescription.code, "Awa Diop", "02 99 00 11 22", "6 mois",
                     document.fingerprint, document.number):
        assert expected in text, expected
    assert client.get(f"/verify/{document.fingerprint}").status_code == 200
    login_as(client, network["technician"])
    assert client.get(f"/documents/{document.id}.pdf").status_code == 404
    device_page = client.get(f"/devices/{best.tag}").get_data(as_text=True)
    assert prescription.code in device_page and "Awa Diop" not in device_page


def test_the_receipt_leaves_the_name_blank_when_the_supervisor_may_not_see_it(client, network):
    prescription = make_prescription(network["prescriber"], network["workshop"], status="accepted")
    device = make_ready_device(network["workshop"])
    login_as(client, network["supervisor"])
    client.post(f"/prescriptions/{prescription.id}/reservation", data={"tag": device.tag})
    response = client.post(f"/prescriptions/{prescription.id}/handover-receipt")
    text = _pdf_text(client.get(response.location).data)
    assert prescription.code in text and "Awa Diop" not in text


def test_the_household_export_holds_everything_about_it(client, network):
    prescription = make_prescription(network["prescriber"], network["workshop"], status="accepted")
    login_as(client, network["prescriber"])
    response = client.get(f"/prescriptions/{prescription.id}/export.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["household_code"] == prescription.code and data["details"]["contact_name"] == "Mme Awa Diop"
    assert data["consent"]["recorded_by"] == network["prescriber"].name
    assert [h["details"].get("to") for h in data["history"] if h["action"] == "status"] == ["submitted", "accepted"]


def test_an_email_goes_out_after_the_commit_when_mail_is_configured(app, client, network, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append((message["To"], message["Subject"], message.get_content()))

    prescription = make_prescription(network["prescriber"], network["workshop"])
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "RECO_SMTP_HOST", "smtp.example.org")
    login_as(client, network["supervisor"])
    client.post(f"/prescriptions/{prescription.id}/decision", data={"accept": "0", "reason": ""})
    assert sent == []
    client.post(f"/prescriptions/{prescription.id}/decision", data={"accept": "1"})
    assert sent[0] == ("connect", "smtp.example.org", 587)
    to, subject, body = sent[1]
    assert to == network["prescriber"].email and prescription.code in subject
    assert "\n" not in subject and "acceptée" in body and f"/prescriptions/{prescription.id}" in body
    other = make_prescription(network["prescriber"], network["workshop"])
    response = client.post(f"/prescriptions/{other.id}/decision",
                           data={"accept": "0", "reason": "Pas de stock.\r\nRevenez en mars."})
    assert response.status_code == 302 and "autre raison" in sent[-1][2] and "Revenez en mars" not in sent[-1][2]


def test_personal_data_access_events_never_hold_the_data(client, network):
    prescription = make_prescription(network["prescriber"], network["workshop"], status="accepted",
                                     visit_wanted=False)
    login_as(client, network["supervisor"])
    client.get(f"/prescriptions/{prescription.id}")
    for event in db.session.scalars(select(Event)):
        assert "Awa" not in json.dumps(event.details) and "0612" not in json.dumps(event.details)


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_drafts_stay_with_the_prescriber(client, network):
    draft = make_prescription(network["prescriber"], network["workshop"], status="draft", comment="brouillon")
    login_as(client, network["supervisor"])
    assert draft.code not in client.get("/prescriptions").get_data(as_text=True)
    assert client.get(f"/prescriptions/{draft.id}").status_code == 404


def test_the_workshop_hears_of_withdrawals_and_technicians_never_read_the_reasons(client, network):
    from reco.core.notices import Notice
    from reco.prescriptions.reservations import reserve_device
    from reco.prescriptions.services import cancel_prescription, withdraw_prescription

    submitted = make_prescription(network["prescriber"], network["workshop"])
    withdraw_prescription(submitted, by=network["prescriber"], reason="Famille partie")
    accepted = make_prescription(network["prescriber"], network["workshop"], status="accepted")
    device = make_ready_device(network["workshop"])
    reserve_device(accepted, device, by=network["supervisor"])
    cancel_prescription(accepted, by=network["prescriber"], reason="Mme Diop hospitalisée")
    db.session.commit()
    to_supervisor = db.session.scalars(select(Notice).where(Notice.user_id == network["supervisor"].id)).all()
    assert {n.subject for n in to_supervisor} >= {submitted.code, accepted.code}
    login_as(client, network["technician"])
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert "hospitalisée" not in page and accepted.code in page


def test_the_notices_page_marks_only_what_it_shows(client, network):
    for _ in range(27):
        make_prescription(network["prescriber"], network["workshop"])
    login_as(client, network["supervisor"])
    client.get("/notices")
    assert 'class="badge"' in client.get("/").get_data(as_text=True)
    client.get("/notices?page=2")
    assert 'class="badge"' not in client.get("/").get_data(as_text=True)


def test_one_receipt_per_reservation_and_only_while_reserved(client, network):
    from reco.prescriptions.visits import record_handover

    prescription = make_prescription(network["prescriber"], network["workshop"], status="accepted",
                                     visit_wanted=False)
    device = make_ready_device(network["workshop"])
    login_as(client, network["supervisor"])
    client.post(f"/prescriptions/{prescription.id}/reservation", data={"tag": device.tag})
    first = client.post(f"/prescriptions/{prescription.id}/handover-receipt").location
    second = client.post(f"/prescriptions/{prescription.id}/handover-receipt").location
    assert first == second and len(db.session.scalars(select(Document)).all()) == 1
    record_handover(db.session.get(Prescription, prescription.id), by=network["supervisor"],
                    no_signature_reason="Attestation papier signée", internet_connected=True)
    db.session.commit()
    assert client.get(first).status_code == 302


def test_refused_small_forms_say_why(client, network):
    prescription = make_prescription(network["prescriber"], network["workshop"])
    login_as(client, network["supervisor"])
    client.post(f"/prescriptions/{prescription.id}/decision", data={"accept": "0", "reason": "x" * 1001})
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    assert "flash-error" in page
