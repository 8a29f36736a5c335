"""Intake pages under real concurrency, through HTTP: one form posted twice at once, one machine at two benches."""
import http.cookiejar
import threading
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from reco.donations.inventory_import import parse_inventory
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.models import Device
from tests.factories import PASSWORD, make_donation, make_donor, make_structure, make_user

pytestmark = pytest.mark.committed


def _browser(live_server: str, email: str) -> urllib.request.OpenerDirector:
    """Log in through the login form and return an opener that keeps the session's cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    with opener.open(f"{live_server}/login", data=data, timeout=30) as response:
        assert response.url.rstrip("/") == live_server
    return opener


def _at_once(calls) -> list[str]:
    """Run the calls at the same moment, one thread each; return the final URL each ended on."""
    barrier, urls = threading.Barrier(len(calls)), []

    def run(call):
        barrier.wait(timeout=30)
        urls.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return urls


def _post(opener, url: str, fields: dict):
    """Return a call that posts the form and gives the URL it was sent on to."""
    def call():
        with opener.open(url, data=urllib.parse.urlencode(fields).encode(), timeout=60) as response:
            response.read()
            return response.url
    return call


@pytest.fixture
def collection(app):
    """Two technicians of a workshop and a collection whose donor declared one laptop, SN-1 / INV-1."""
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="RCE")
        people = [make_user("technician", structure=workshop).email for _ in range(2)]
        donation = make_donation(make_donor(workshop))
        import_declared_items(donation, parse_inventory(b"Serial;Type;Asset tag\nSN-1;laptop;INV-1\n"), by=None)
        db.session.commit()
        return people, donation.id


def _tags(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Device.tag)).all()


def test_one_intake_form_posted_four_times_at_once_makes_one_device(app, live_server, collection):
    (email, _other), donation_id = collection
    opener = _browser(live_server, email)
    form = {"type": "laptop", "serial": "SN-1", "donor_tag": "INV-1", "intake_key": "a" * 32}
    urls = _at_once([_post(opener, f"{live_server}/donations/{donation_id}/intake", form)] * 4)
    (tag,) = _tags(app)
    assert len(urls) == 4 and all(url.endswith(f"last={tag}") for url in urls)


def test_a_double_enter_in_scan_to_receive_makes_one_device(app, live_server, collection):
    (email, _other), donation_id = collection
    opener = _browser(live_server, email)
    fields = {"code": "inv-1", "intake_key": "b" * 32}
    urls = _at_once([_post(opener, f"{live_server}/donations/{donation_id}/intake/scan", fields)] * 2)
    (tag,) = _tags(app)
    assert sorted(urls) == [f"{live_server}/donations/{donation_id}/intake?auto=1&last={tag}"] * 2


def test_two_technicians_scanning_one_machine_at_once_make_one_device(app, live_server, collection):
    emails, donation_id = collection
    openers = [_browser(live_server, email) for email in emails]
    url = f"{live_server}/donations/{donation_id}/intake"
    urls = _at_once([_post(opener, url, {"type": "laptop", "serial": "SN-1", "intake_key": key})
                     for opener, key in zip(openers, ("c" * 32, "d" * 32))]
                    + [_post(opener, f"{url}/scan", {"code": "SN-1", "intake_key": key})
                       for opener, key in zip(openers, ("e" * 32, "f" * 32))])
    (tag,) = _tags(app)
    assert len(urls) == 4 and all(url.endswith(f"last={tag}") for url in urls)
    with app.app_context():
        assert db.session.scalar(select(Device).where(Device.tag == tag)).declared_item.line_number == 1
