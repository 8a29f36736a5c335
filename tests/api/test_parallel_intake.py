"""Two people (or twenty) receiving at the same moment through the API never get the same asset tag."""
import json
import threading
import urllib.request

import pytest
from sqlalchemy import select

from reco.extensions import db
from reco.inventory.models import Device
from tests.factories import make_donation, make_donor, make_structure, make_token, make_user


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
