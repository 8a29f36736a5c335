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

    def post(token):
        for _ in range(6):
            request = urllib.request.Request(
                f"{live_server}/api/v1/devices", method="POST",
                data=json.dumps({"donation_id": donation_id, "type": "laptop"}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    results.append((response.status, json.load(response)["tag"]))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=post, args=(token,)) for token in tokens for _ in range(2)]
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


@pytest.mark.committed
def test_a_declared_line_scanned_twice_at_once_is_matched_once(app, live_server):
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="DBL")
        donation = make_donation(make_donor(workshop))
        import_declared_items(donation, parse_inventory(b"Serial;Type;Asset tag\nSN-1;laptop;INV-1\n"), by=None)
        db.session.commit()
        donation_id = donation.id
        tokens = [make_token(make_user("technician", structure=workshop)) for _ in range(4)]
    body = json.dumps({"donation_id": donation_id, "type": "laptop", "donor_tag": "INV-1"}).encode()
    results = post_many(f"{live_server}/api/v1/devices", [(body, "application/json")] * 4, tokens)
    assert sorted(status for status, _ in results) == [201] * 4
    assert sorted(str(answer["declared_line"]) for _, answer in results) == ["1", "None", "None", "None"]
    with app.app_context():
        linked = db.session.scalars(select(Device.tag).where(Device.declared_item_id.is_not(None))).all()
        claimed = [answer["tag"] for _, answer in results if answer["declared_line"] == 1]
        assert linked == claimed


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
