"""Two people (or twenty) receiving at the same moment through the API never get the same asset tag."""
import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from reco.donations.inventory_import import parse_inventory
from reco.donations.models import DeclaredItem
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.models import Device
from tests.factories import make_donation, make_donor, make_structure, make_token, make_user
from tests.parallel import post_many


@pytest.mark.committed
def test_parallel_requests_get_distinct_consecutive_tags(app, live_server):
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="PRL")
        donation_id = make_donation(make_donor(workshop)).id
        tokens = [make_token(make_user("technician", structure=workshop)) for _ in range(4)]
    results, errors = [], []

    def post(token, thread):
        for n in range(6):
            request = urllib.request.Request(
                f"{live_server}/api/v1/devices", method="POST",
                data=json.dumps({"donation_id": donation_id, "type": "laptop", "serial": f"S{thread}-{n}"}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    results.append((response.status, json.load(response)["tag"]))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=post, args=(token, f"{n}{copy}")) for n, token in enumerate(tokens)
               for copy in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {status for status, _tag in results} == {201}
    tags = sorted(tag for _status, tag in results)
    assert tags == [f"PRL-{n:06d}" for n in range(1, 49)]
    with app.app_context():
        assert sorted(db.session.scalars(select(Device.tag))) == tags


def _one_line_collection(app, prefix: str, people: int) -> tuple[int, list[str]]:
    """A collection whose donor declared one laptop (SN-1, INV-1), and tokens of ``people`` technicians."""
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix=prefix)
        donation = make_donation(make_donor(workshop))
        import_declared_items(donation, parse_inventory(b"Serial;Type;Asset tag\nSN-1;laptop;INV-1\n"), by=None)
        db.session.commit()
        return donation.id, [make_token(make_user("technician", structure=workshop)) for _ in range(people)]


def _one_device_answered_four_times(app, results) -> None:
    """One 201 linked to the declared line; three 409 already_received naming that very device."""
    assert sorted(status for status, _ in results) == [201, 409, 409, 409]
    (created,) = [answer for status, answer in results if status == 201]
    assert created["declared_line"] == 1
    refused = [answer for status, answer in results if status == 409]
    assert {(a["error"], a["tag"]) for a in refused} == {("already_received", created["tag"])}
    assert all(f"Déjà reçu\u00a0: {created['tag']}" in a["message"] for a in refused)
    with app.app_context():
        assert db.session.scalars(select(Device.tag)).all() == [created["tag"]]


@pytest.mark.committed
def test_one_machine_scanned_at_four_benches_at_once_is_received_once(app, live_server):
    donation_id, tokens = _one_line_collection(app, "DBL", 4)
    body = json.dumps({"donation_id": donation_id, "type": "laptop", "donor_tag": "INV-1"}).encode()
    results = post_many(f"{live_server}/api/v1/devices", [(body, "application/json")] * 4, tokens)
    _one_device_answered_four_times(app, results)


@pytest.mark.committed
def test_one_intake_sent_four_times_at_once_makes_one_device(app, live_server):
    donation_id, tokens = _one_line_collection(app, "KEY", 1)
    body = json.dumps({"donation_id": donation_id, "type": "laptop", "brand": "Dell",
                       "intake_key": "bench-3-scan-000812"}).encode()
    results = post_many(f"{live_server}/api/v1/devices", [(body, "application/json")] * 4, tokens * 4)
    assert sorted(status for status, _ in results) == [201, 409, 409, 409]
    (created,) = [answer for status, answer in results if status == 201]
    assert {answer["tag"] for status, answer in results if status == 409} == {created["tag"]}
    with app.app_context():
        assert db.session.scalars(select(Device.tag)).all() == [created["tag"]]


@pytest.mark.committed
def test_imports_into_one_collection_at_once_all_land(app, live_server):
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="IMP")
        donation_id = make_donation(make_donor(workshop)).id
        tokens = [make_token(make_user("supervisor", structure=workshop)) for _ in range(5)]
    bodies = [(f"Serial;Type\nA{n}-1;laptop\nA{n}-2;desktop\n".encode(), "text/csv") for n in range(5)]
    results = post_many(f"{live_server}/api/v1/donations/{donation_id}/declared-items", bodies, tokens)
    assert sorted(status for status, _ in results) == [201] * 5
    with app.app_context():
        numbers = db.session.scalars(select(DeclaredItem.line_number).where(
            DeclaredItem.donation_id == donation_id).order_by(DeclaredItem.line_number)).all()
        assert numbers == list(range(1, 11))
