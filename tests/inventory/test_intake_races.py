"""Intake pages under real concurrency, through HTTP: one form posted twice at once, one machine at two benches."""
import pytest
from sqlalchemy import select

from reco.donations.inventory_import import parse_inventory
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.models import Device
from tests.factories import make_donation, make_donor, make_structure, make_user
from tests.parallel import at_once, form_post, logged_in

pytestmark = pytest.mark.committed


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


def _final_urls(calls) -> list[str]:
    """Run the form posts at the same moment; return the URL each was sent on to."""
    return [final for _status, final, _body in at_once(calls)]


def _tags(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Device.tag)).all()


def test_one_intake_form_posted_four_times_at_once_makes_one_device(app, live_server, collection):
    (email, _other), donation_id = collection
    opener = logged_in(live_server, email)
    form = {"type": "laptop", "serial": "SN-1", "donor_tag": "INV-1", "intake_key": "a" * 32}
    urls = _final_urls([form_post(opener, f"{live_server}/donations/{donation_id}/intake", form)] * 4)
    (tag,) = _tags(app)
    assert len(urls) == 4 and all(url.endswith(f"last={tag}") for url in urls)


def test_a_double_enter_in_scan_to_receive_makes_one_device(app, live_server, collection):
    (email, _other), donation_id = collection
    opener = logged_in(live_server, email)
    fields = {"code": "inv-1", "intake_key": "b" * 32}
    urls = _final_urls([form_post(opener, f"{live_server}/donations/{donation_id}/intake/scan", fields)] * 2)
    (tag,) = _tags(app)
    assert sorted(urls) == [f"{live_server}/donations/{donation_id}/intake?auto=1&last={tag}"] * 2


def test_two_technicians_scanning_one_machine_at_once_make_one_device(app, live_server, collection):
    emails, donation_id = collection
    openers = [logged_in(live_server, email) for email in emails]
    url = f"{live_server}/donations/{donation_id}/intake"
    urls = _final_urls([form_post(opener, url, {"type": "laptop", "serial": "SN-1", "intake_key": key})
                     for opener, key in zip(openers, ("c" * 32, "d" * 32))]
                    + [form_post(opener, f"{url}/scan", {"code": "SN-1", "intake_key": key})
                       for opener, key in zip(openers, ("e" * 32, "f" * 32))])
    (tag,) = _tags(app)
    assert len(urls) == 4 and all(url.endswith(f"last={tag}") for url in urls)
    with app.app_context():
        assert db.session.scalar(select(Device).where(Device.tag == tag)).declared_item.line_number == 1
