"""The timeline says who did each thing, or that Reco did it alone, and names the details in French."""
import re

from reco.extensions import db
from reco.inventory.locations import create_location
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_user


def _timeline(page: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'<ol class="timeline">.*?</ol>', page, re.S).group(0).replace("\xa0", " "))


def test_a_browser_action_is_credited_to_its_author_and_a_job_to_reco(client, ctx):
    technician = make_user("technician", name="Awa Diallo")
    device = make_device(make_donation(make_donor(technician.structure)))  # received by a script: no actor
    location = create_location(technician.structure, by=technician, name="Étagère B", kind="shelf")
    db.session.commit()
    login_as(client, technician)
    client.post("/batch", data={"code": device.tag})
    client.post("/batch/apply", data={"action": "move", "location": location.code})
    timeline = _timeline(client.get(f"/devices/{device.tag}").get_data(as_text=True))
    moved, received = timeline.split("</li>")[:2]
    assert "Awa Diallo" in moved and f"vers : {location.code}" in moved and "to:" not in moved
    assert "de : " not in moved  # a detail with no value is left out
    assert "Reco (ligne de commande ou tâche planifiée)" in received and "Awa Diallo" not in received
    assert f"collecte : {device.donation.reference}" in received and "donation:" not in received


def test_the_timeline_in_english_names_the_details_in_english(client, ctx):
    technician = make_user("technician", locale="en")
    device = make_device(make_donation(make_donor(technician.structure)))
    login_as(client, technician)
    received = _timeline(client.get(f"/devices/{device.tag}").get_data(as_text=True))
    assert f"collection: {device.donation.reference}" in received and "Reco (command line or scheduled job)" in received
