"""At the family's door without network: the report and the missed visit stay on the phone and are sent once."""
import contextlib
import re
import socket
import threading
import time
from datetime import timedelta

import pytest
from flask import request, request_started
from sqlalchemy import func, select

from reco.core.audit import Event
from reco.core.submissions import Submission
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.models import Visit, VisitReport, VisitStatus
from tests.browser.conftest import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"width": 390, "height": 844}
SAVED = "Enregistré sur ce téléphone, pas encore envoyé"
SENT = "Envoyé à Reco"
CHECKED = ("#installed_working", "#internet_connected", "input[name=accounts][value=email]",
           "input[name=accounts][value=school]", "input[name=first_steps][value=turn_on]",
           "input[name=digital_level][value=training]", "input[name=follow_ups][value=workshop_session]")
TYPED = {"#comments": "Câble HDMI laissé ; la famille rappellera « demain »", "#no_signature_reason": "Reçu papier signé"}
#: Tokens older than this are refused: the form's own token is stale when the network comes back.
CSRF_SECONDS = 6


class Network:
    """The phone's network: a relay to the server that can be cut, for the service worker's requests too.

    Playwright's set_offline does not reach a service worker started after it (a new page's), so the relay is
    cut as well: like on a phone out of coverage, every connection fails, whoever opens it.
    """

    def __init__(self, server: str):
        self.target = ("127.0.0.1", int(server.rsplit(":", 1)[1]))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.up, self.open = True, []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            end.close()

    def cut(self, phone) -> None:
        """Lose the network: the browser knows it (navigator.onLine), and nothing gets through."""
        self.up = False
        for end in self.open:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        self.open = []
        phone.set_offline(True)

    def back(self, phone) -> None:
        """Find the network again."""
        self.up = True
        phone.set_offline(False)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def network(live_server):
    relay = Network(live_server)
    yield relay
    relay.close()


@pytest.fixture
def phone(chromium):
    """A phone: its size, touch, French; one browser profile for the test (pages come and go in it)."""
    context = chromium.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def open_visit(app, demo):
    """The demo visit planned tomorrow for Médiation Numérique 35."""
    with app.app_context():
        return db.session.scalars(select(Visit.id).where(Visit.status == VisitStatus.SCHEDULED)).one()


def _state(page, form: str) -> str:
    return page.locator(f"{form} [data-draft-status] .draft-state").inner_text()


def _queued(page) -> None:
    """Wait until the form sent without network is kept to be sent (typing alone already says it is saved)."""
    wait_until(page, "Object.keys(localStorage).some(k => k.startsWith('reco-draft:') "
                     "&& JSON.parse(localStorage.getItem(k)).pending)")


def _controlled(page) -> None:
    """Wait until the service worker answers for the page, as it does after the first visit page is opened."""
    wait_until(page, "navigator.serviceWorker.controller !== null")


@pytest.fixture
def served(app):
    """The paths the server answers, as they come."""
    paths = []

    def seen(sender, **extra):
        paths.append(request.path)
    request_started.connect(seen, app)
    yield paths
    request_started.disconnect(seen, app)


def _report_as_typed(page) -> None:
    for selector in CHECKED:
        assert page.locator(selector).is_checked(), selector
    assert not page.locator("input[name=first_steps][value=school_portal]").is_checked()
    for selector, text in TYPED.items():
        assert page.locator(selector).input_value() == text, selector


def test_a_report_sent_without_network_survives_reload_and_a_new_page_and_is_recorded_once(
        app, network, open_visit, phone, served, csrf_enabled, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", CSRF_SECONDS)
    page = phone.new_page()
    log_in(page, network.url, "installer@demo.reco")
    report_url = f"{network.url}/visits/{open_visit}/report"
    page.goto(f"{network.url}/visits/{open_visit}")
    _controlled(page)
    page.goto(report_url)
    opened = time.monotonic()
    key = page.locator("input[name=submission_key]").input_value()
    for selector in CHECKED:
        page.locator(selector).check()
    for selector, text in TYPED.items():
        page.locator(selector).fill(text)

    network.cut(phone)
    served.clear()
    page.locator("form.report-form button[type=submit]").click()
    _queued(page)
    wait_until(page, f"document.querySelector('.report-form .draft-state').textContent === {SAVED!r}")
    assert page.url == report_url  # no offline page of the browser: the form is still there

    assert page.reload().from_service_worker
    wait_until(page, f"document.querySelector('.report-form .draft-state').textContent === {SAVED!r}")
    _report_as_typed(page)
    assert page.locator("input[name=submission_key]").input_value() == key

    page.close()
    page = phone.new_page()
    page.goto(report_url)
    _report_as_typed(page)
    assert _state(page, ".report-form") == SAVED
    box = page.locator(".report-form [data-draft-status]").bounding_box()
    assert box["width"] <= PHONE["width"]
    assert served == []  # the pages came from the phone: the server heard nothing while offline
    with app.app_context():
        assert db.session.scalar(select(func.count(VisitReport.id))) == 0

    time.sleep(max(0.0, CSRF_SECONDS + 1 - (time.monotonic() - opened)))  # the form's token has expired
    network.back(phone)
    wait_until(page, f"document.querySelector('.report-form .draft-state').textContent === {SENT!r}", timeout=20)
    assert "FOY-" in page.locator(".report-form .draft-message").inner_text()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('reco-draft:')).length") == 0

    # Sent again by a second tab that kept it (or by Back and Send): answered as recorded, nothing twice.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.request.get(report_url).text()).group(1)
    again = page.request.post(report_url, headers={"X-Reco-Draft": "1"}, form={
        "csrf_token": token, "submission_key": key,
        "installed_working": "y", "no_signature_reason": "Reçu papier signé"})
    assert again.status == 200 and again.json()["already"] is True
    with app.app_context():
        report = db.session.scalars(select(VisitReport)).one()
        assert report.visit_id == open_visit and report.comments == TYPED["#comments"]
        assert (report.accounts, report.first_steps, report.follow_ups) == (["email", "school"], ["turn_on"],
                                                                            ["workshop_session"])
        assert report.digital_level.value == "training" and report.internet_connected is True
        assert getattr(report, "no_signature_reason", TYPED["#no_signature_reason"]) == TYPED["#no_signature_reason"]
        assert db.session.scalar(select(Submission.key)) == key
        assert db.session.get(Visit, open_visit).status is VisitStatus.DONE


def test_a_missed_visit_recorded_without_network_is_sent_once_when_it_comes_back(
        app, network, open_visit, phone, served, csrf_enabled):
    page = phone.new_page()
    log_in(page, network.url, "installer@demo.reco")
    visit_url = f"{network.url}/visits/{open_visit}"
    page.goto(visit_url)
    _controlled(page)
    page.reload()  # now kept by the service worker
    later = local_today() + timedelta(days=4)
    page.locator("#reason").fill("Personne ; voisin prévenu")
    page.locator("#new_date").fill(later.isoformat())
    page.locator("input[name=new_slot][value=evening]").check()

    network.cut(phone)
    served.clear()
    page.locator("form[action$='/missed'] button[type=submit]").click()
    _queued(page)
    wait_until(page, f"document.querySelector('form[action$=\"/missed\"] .draft-state').textContent === {SAVED!r}")
    assert page.reload().from_service_worker and served == []
    assert page.locator("#reason").input_value() == "Personne ; voisin prévenu"
    assert page.locator("#new_date").input_value() == later.isoformat()
    assert page.locator("input[name=new_slot][value=evening]").is_checked()

    network.back(phone)
    wait_until(page, f"document.querySelector('form[action$=\"/missed\"] .draft-state').textContent === {SENT!r}",
               timeout=20)
    with app.app_context():
        visit = db.session.get(Visit, open_visit)
        assert visit.missed_count == 1 and visit.scheduled_on == later and visit.slot.value == "evening"
        actions = db.session.scalars(select(Event.action).where(Event.object_type == "visit",
                                                                Event.object_id == str(open_visit))).all()
        assert actions.count("missed") == 1 and actions.count("rescheduled") == 1


def test_a_report_refused_once_the_network_is_back_says_why_and_stays_on_the_phone(app, network, open_visit, phone):
    from reco.accounts.services import find_user_by_email
    from reco.prescriptions.visits import cancel_visit

    page = phone.new_page()
    log_in(page, network.url, "installer@demo.reco")
    page.goto(f"{network.url}/visits/{open_visit}")
    _controlled(page)
    page.goto(f"{network.url}/visits/{open_visit}/report")
    for selector in CHECKED[:2]:
        page.locator(selector).check()
    page.locator("#comments").fill("Rapport écrit dans l'escalier")
    network.cut(phone)
    page.locator("form.report-form button[type=submit]").click()
    _queued(page)
    wait_until(page, f"document.querySelector('.report-form .draft-state').textContent === {SAVED!r}")
    with app.app_context():  # meanwhile the workshop cancels the visit
        cancel_visit(db.session.get(Visit, open_visit), by=find_user_by_email("supervisor@demo.reco"),
                     reason="Famille déménagée")
        db.session.commit()

    network.back(phone)
    wait_until(page, "document.querySelector('.report-form [data-draft-status]').dataset.state === 'refused'",
               timeout=20)
    assert _state(page, ".report-form") == "Non envoyé\u00a0:"
    assert page.locator(".report-form .draft-message").inner_text() == "Cette visite a été annulée."
    assert page.locator("#comments").input_value() == "Rapport écrit dans l'escalier"
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('reco-draft:'))"
                         ".map(k => JSON.parse(localStorage.getItem(k)))")
    assert [(draft["pending"], draft["error"]) for draft in kept] == [(False, "Cette visite a été annulée.")]
    assert ["comments", "Rapport écrit dans l'escalier"] in kept[0]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count(VisitReport.id))) == 0
