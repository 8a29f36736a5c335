"""Actions that cannot be undone ask on the page first: what will happen, then the confirm button, « Cancel » apart;
posted without their confirmation they change nothing and say why."""
import re

import pytest

from reco.accounts.models import Role
from reco.extensions import db
from reco.inventory.models import Device, DeviceState
from reco.prescriptions.models import Prescription, PrescriptionStatus, Visit, VisitStatus
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import request_visit
from tests.conftest import login_as
from tests.factories import (
    make_device,
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_structure,
    make_user,
)

P = PrescriptionStatus
NOT_CONFIRMED = "Rien n&#39;a été changé\xa0: ouvrez l&#39;action et confirmez-la"


@pytest.fixture
def people(ctx):
    installer = make_structure("installer")
    workshop = make_structure("workshop", usual_installer=installer)
    return {"workshop": workshop, "installer": installer, "prescriber": make_user(Role.PRESCRIBER),
            "supervisor": make_user(Role.SUPERVISOR, structure=workshop)}


def _reserved(people):
    prescription = make_prescription(people["prescriber"], people["workshop"], status="accepted")
    device = make_ready_device(people["workshop"])
    reserve_device(prescription, device, by=people["supervisor"])
    db.session.commit()
    return prescription, device


def _panel(page: str, panel_id: str) -> str:
    """Return the confirmation panel ``panel_id`` of the page, checking its shape on the way."""
    match = re.search(rf'<details class="confirm-action" id="{panel_id}"[^>]*>(.*?)</details>', page, re.S)
    assert match, panel_id
    panel = match.group(1)
    summary, rest = panel.split("</summary>")
    assert 'class="button danger"' in summary
    form, cancel = rest.split("</form>")
    assert 'name="confirm" value="y"' in form or 'name="void-confirm" value="y"' in form
    assert "Annuler\xa0: ne rien changer" in cancel and "<button" not in cancel  # apart, outside the form
    return panel


def _status(prescription) -> PrescriptionStatus:
    db.session.expire_all()
    return db.session.get(Prescription, prescription.id).status


def test_withdrawing_is_asked_on_the_page_and_done_only_once_confirmed(client, people):
    prescription = make_prescription(people["prescriber"], people["workshop"])
    login_as(client, people["prescriber"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    panel = _panel(page, "withdraw")
    assert f"La prescription {prescription.code} est retirée définitivement" in panel
    assert f"Retirer la prescription {prescription.code}" in panel and 'name="reason"' in panel
    assert "<details" in page and "confirm(" not in page
    url = f"/prescriptions/{prescription.id}/withdraw"
    refused = client.post(url, data={"reason": "Famille partie"}, follow_redirects=True).get_data(as_text=True)
    assert NOT_CONFIRMED in refused and _status(prescription) is P.SUBMITTED
    assert client.post(url, data={"reason": "Famille partie", "confirm": "y"}).status_code == 302
    assert _status(prescription) is P.WITHDRAWN


def test_releasing_says_who_goes_back_where_and_needs_the_confirmation(client, people):
    prescription, device = _reserved(people)
    login_as(client, people["supervisor"])
    page = client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True)
    panel = _panel(page, "release")
    assert (f"Le foyer {prescription.code} repart sur la liste d'attente\xa0; {device.tag} redevient prêt."
            in panel)
    assert f"Libérer {device.tag}" in panel
    url = f"/prescriptions/{prescription.id}/release"
    client.post(url, data={"reason": "Écran fissuré"})
    assert _status(prescription) is P.RESERVED and db.session.get(Device, device.id).state is DeviceState.RESERVED
    client.post(url, data={"reason": "Écran fissuré", "confirm": "y"})
    assert _status(prescription) is P.ACCEPTED and db.session.get(Device, device.id).state is DeviceState.READY


def test_cancelling_a_prescription_says_the_device_comes_back_and_still_needs_a_reason(client, people):
    prescription, device = _reserved(people)
    request_visit(prescription, by=people["supervisor"], installer=people["installer"])
    db.session.commit()
    login_as(client, people["supervisor"])
    panel = _panel(client.get(f"/prescriptions/{prescription.id}").get_data(as_text=True), "cancel")
    assert f"La prescription {prescription.code} est annulée définitivement" in panel
    assert f"{device.tag} redevient prêt pour un autre foyer." in panel
    assert "La visite encore à faire est annulée et l'installateur prévenu." in panel
    url = f"/prescriptions/{prescription.id}/cancel"
    client.post(url, data={"reason": "La famille a déménagé"})
    assert _status(prescription) is P.RESERVED
    refused = client.post(url, data={"reason": "", "confirm": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "motif" in refused.lower() and _status(prescription) is P.RESERVED
    client.post(url, data={"reason": "La famille a déménagé", "confirm": "y"})
    assert _status(prescription) is P.CANCELLED and db.session.get(Device, device.id).state is DeviceState.READY


def test_cancelling_a_visit_is_asked_on_its_page(client, people):
    prescription, device = _reserved(people)
    visit = request_visit(prescription, by=people["supervisor"], installer=people["installer"])
    db.session.commit()
    login_as(client, people["supervisor"])
    panel = _panel(client.get(f"/visits/{visit.id}").get_data(as_text=True), "cancel-visit")
    assert "La visite encore à faire est annulée et l'installateur prévenu." in panel
    assert f"Le foyer {prescription.code} repart sur la liste d'attente\xa0; {device.tag} redevient prêt." in panel
    url = f"/visits/{visit.id}/cancel"
    refused = client.post(url, data={"reason": "Écran cassé"}, follow_redirects=True).get_data(as_text=True)
    assert NOT_CONFIRMED in refused
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status is VisitStatus.REQUESTED
    client.post(url, data={"reason": "Écran cassé", "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status is VisitStatus.CANCELLED and _status(prescription) is P.ACCEPTED


def test_voiding_is_asked_on_the_correct_page_and_refused_without_its_confirmation(client, people):
    device = make_device(make_donation(make_donor(people["workshop"])), brand="Acer")
    login_as(client, people["supervisor"])
    panel = _panel(client.get(f"/devices/{device.tag}/correct").get_data(as_text=True), "void-confirm")
    assert f"{device.tag} ne comptera plus nulle part, définitivement" in panel
    assert f"Oui, annuler {device.tag}" in panel
    refused = client.post(f"/devices/{device.tag}/void", data={"void-reason": "Reçu par erreur"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and NOT_CONFIRMED in page
    assert re.search(r'<details class="confirm-action" id="void-confirm" open>', page)
    db.session.expire_all()
    assert db.session.get(Device, device.id).state is DeviceState.RECEIVED
    done = client.post(f"/devices/{device.tag}/void", data={"void-reason": "Reçu par erreur", "void-confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Device, device.id).state is DeviceState.VOIDED
