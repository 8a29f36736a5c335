"""What the social worker and the mediator read: notices with the report's summary and a missed visit's new date,
whom to call at the prescribing structure, the day a visit was done, waits in calendar days, one access line a day."""
import html
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from reco.accounts.models import Role
from reco.core.audit import Event, events_for
from reco.core.i18n import format_day, waiting_since
from reco.core.notices import Notice
from reco.core.typography import typography_faults
from reco.core.time import local_day_start, local_today, local_zone
from reco.extensions import db
from reco.prescriptions.models import Visit
from reco.prescriptions.privacy import note_personal_data_access
from reco.prescriptions.visits import mark_missed, record_handover, report_visit, request_visit, schedule_visit
from tests.conftest import login_as
from tests.factories import make_prescription, make_structure, make_user
from tests.scenarios import reserved_household

TOMORROW = local_today() + timedelta(days=1)
REPORT = {"installed_working": True, "internet_connected": False, "internet_problem": "Pas de box",
          "accounts": ["email", "school"], "first_steps": ["turn_on"], "follow_ups": ["workshop_session"],
          "no_signature_reason": "La famille signera à l'atelier"}


@pytest.fixture
def chain(ctx):
    return reserved_household(prescriber={"name": "Inès Martin", "email": "ines.martin@ccas.example"})


def _visit(chain) -> Visit:
    return request_visit(chain["prescription"], by=chain["supervisor"], installer=chain["installer"])


def _notices(user) -> list[str]:
    db.session.flush()
    with force_locale("fr"):
        return [" ".join(n.text.replace("\xa0", " ").split())
                for n in db.session.scalars(select(Notice).where(Notice.user_id == user.id).order_by(Notice.id))]


def test_the_prescriber_reads_the_reports_summary_when_the_household_is_equipped(chain):
    visit = _visit(chain)
    report_visit(visit, by=chain["mediator"], **REPORT)
    equipped = _notices(chain["prescriber"])[-1]
    assert "foyer équipé" in equipped and "installé et fonctionne" in equipped
    # what the mediator wrote about the household stays on the visit's page
    assert "internet : non connecté" in equipped and "Pas de box" not in equipped
    assert "comptes créés : Adresse e-mail, Compte scolaire (ENT)" in equipped
    assert "suivi : Une séance collective" in equipped


def test_a_handover_tells_the_same_summary_with_nothing_to_follow(chain):
    record_handover(chain["prescription"], by=chain["supervisor"], internet_connected=True,
                    no_signature_reason="Signé sur papier")
    equipped = _notices(chain["prescriber"])[-1]
    assert "remis à l'atelier" in equipped and "internet : connecté" in equipped
    assert "comptes créés : aucun" in equipped and "suivi : aucun" in equipped


def test_a_missed_visit_tells_the_prescriber_with_the_new_date(chain):
    visit = _visit(chain)
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="evening")
    before = len(_notices(chain["prescriber"]))
    new_date = TOMORROW + timedelta(days=7)
    mark_missed(visit, by=chain["mediator"], reason_kind="nobody_home", reason="famille absente", new_date=new_date,
                slot="morning")
    told = _notices(chain["prescriber"])[before:]
    with force_locale("fr"):
        planned, again = format_day(TOMORROW, "EEEE d MMMM"), format_day(new_date, "EEEE d MMMM")
    assert told == [f"visite manquée le {planned} : personne au domicile ; nouvelle date : {again}, matin (9 h – 12 h)"]


def test_a_missed_visit_without_a_new_date_tells_the_prescriber_too(chain):
    visit = _visit(chain)
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="evening")
    mark_missed(visit, by=chain["mediator"], reason_kind="wrong_address", reason="3e étage sans ascenseur")
    with force_locale("fr"):
        assert _notices(chain["prescriber"])[-1] == (f"visite manquée le {format_day(TOMORROW, 'EEEE d MMMM')} : "
                                                     "adresse introuvable")


def test_the_first_of_a_month_is_the_first(app):
    with app.test_request_context():
        assert format_day(date(2026, 12, 1), "EEEE d MMMM") == "mardi 1er décembre"
        assert format_day(date(2026, 12, 1), "medium") == "1er déc. 2026"
        assert format_day(date(2026, 12, 11), "EEEE d MMMM") == "vendredi 11 décembre"
    with app.test_request_context(), force_locale("en"):
        assert format_day(date(2026, 12, 1), "EEEE d MMMM") == "Tuesday 1 December"


def test_the_mediator_sees_whom_to_call_at_the_prescribing_structure_while_the_visit_is_open(client, chain):
    visit = _visit(chain)
    db.session.commit()
    login_as(client, chain["mediator"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert chain["prescription"].structure.name in page and "Inès Martin" in page
    assert 'href="mailto:ines.martin@ccas.example"' in page and "0299001234" not in page
    chain["prescription"].structure.phone = "02 99 00 12 34"
    db.session.commit()
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert '<a href="tel:0299001234">02 99 00 12 34</a>' in page
    chain["prescriber"].active = False
    colleague = make_user(Role.PRESCRIBER, structure=chain["prescriber"].structure, name="Paul Leroy")
    db.session.commit()
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Paul Leroy" in page and "Inès Martin" not in page
    report_visit(visit, by=chain["mediator"], **REPORT)
    db.session.commit()
    closed = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert colleague.email not in closed and "Paul Leroy" not in closed and "0299001234" not in closed


def _done_days_ago(chain, days: int) -> Visit:
    """Report a visit planned for tomorrow as if it had been done ``days`` ago, at 23:30 in the network's time."""
    visit = _visit(chain)
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="morning")
    report_visit(visit, by=chain["mediator"], **REPORT)
    done = local_today() - timedelta(days=days)
    visit.closed_at = datetime.combine(done, time(23, 30), tzinfo=local_zone()).astimezone(timezone.utc)
    visit.report.reported_at = visit.closed_at
    db.session.commit()
    return visit


def _without_history(page: str) -> str:
    """Return a page without its history (which tells when the visit was planned) and its no-break spaces."""
    return re.sub(r'<section class="history">.*?</section>', "", page, flags=re.S).replace("\xa0", " ")


def test_a_done_visit_shows_the_day_it_was_done_everywhere(client, chain, app):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Paris"
    visit = _done_days_ago(chain, 2)
    done = local_today() - timedelta(days=2)
    assert visit.done_on == done and visit.shown_on == done
    with app.test_request_context():
        done_text, planned_text = format_day(done, "full"), format_day(TOMORROW, "full")
    login_as(client, chain["mediator"])
    for url in (f"/visits/{visit.id}", "/visits"):
        page = _without_history(client.get(url).get_data(as_text=True))
        assert f"effectuée le {done_text}" in page and planned_text not in page, url
    week = client.get(f"/visits/week?start={done.isoformat()}").get_data(as_text=True)
    assert chain["prescription"].code in week
    if (TOMORROW - timedelta(days=TOMORROW.weekday())) != (done - timedelta(days=done.weekday())):
        assert chain["prescription"].code not in client.get(f"/visits/week?start={TOMORROW}").get_data(as_text=True)
    login_as(client, chain["prescriber"])
    page = _without_history(client.get(f"/prescriptions/{chain['prescription'].id}").get_data(as_text=True))
    assert f"effectuée le {done_text}" in page and planned_text not in page


def test_waits_are_counted_in_calendar_days_of_the_network(app):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Paris"
    today = local_today()
    late_yesterday = local_day_start(today) - timedelta(minutes=30)
    with app.test_request_context():
        assert waiting_since(datetime.now(timezone.utc)) == "aujourd'hui"
        assert waiting_since(local_day_start(today)) == "aujourd'hui"
        assert waiting_since(late_yesterday) == "depuis 1 jour"  # half an hour ago, maybe, but yesterday
        assert waiting_since(local_day_start(today) - timedelta(days=2, hours=23)) == "depuis 3 jours"


def test_the_waiting_list_and_the_inbox_say_since_how_many_days(client, ctx):
    workshop = make_structure("workshop")
    prescriber = make_user(Role.PRESCRIBER)
    waiting = make_prescription(prescriber, workshop, status="accepted")
    sent = make_prescription(prescriber, workshop)
    waiting.submitted_at = sent.submitted_at = datetime.now(timezone.utc) - timedelta(days=3)
    db.session.commit()
    login_as(client, make_user(Role.SUPERVISOR, structure=workshop))
    for url in ("/waiting-list", "/prescriptions/inbox"):
        page = client.get(url).get_data(as_text=True)
        assert "depuis 3 jours" in page and "il y a" not in page, url


def test_one_access_line_per_person_household_and_page_a_day(client, chain):
    visit = _visit(chain)
    db.session.commit()
    login_as(client, chain["mediator"])
    for _ in range(3):
        assert client.get(f"/visits/{visit.id}").status_code == 200
    other = make_user(Role.INSTALLER, structure=chain["installer"])
    note_personal_data_access(other, chain["prescription"], "visit")
    note_personal_data_access(chain["mediator"], chain["prescription"], "handover_receipt")
    note_personal_data_access(chain["mediator"], chain["prescription"], "handover_receipt")
    seen = [(e.actor_id, e.details["what"]) for e in events_for(chain["prescription"])
            if e.action == "personal_data_viewed"]
    assert sorted(seen) == sorted([(chain["mediator"].id, "visit"), (other.id, "visit"),
                                   (chain["mediator"].id, "handover_receipt")])
    yesterday = db.session.scalars(select(Event).where(Event.action == "personal_data_viewed",
                                                       Event.actor_id == chain["mediator"].id)).all()
    db.session.execute(Event.__table__.update().where(Event.id.in_([e.id for e in yesterday]))
                       .values(at=datetime.now(timezone.utc) - timedelta(days=1, hours=1)))
    db.session.expire_all()
    client.get(f"/visits/{visit.id}")
    again = [e for e in events_for(chain["prescription"]) if e.action == "personal_data_viewed"
             and e.actor_id == chain["mediator"].id and e.details["what"] == "visit"]
    assert len(again) == 2


def test_the_prescriber_never_leaves_an_access_line(chain):
    note_personal_data_access(chain["prescriber"], chain["prescription"], "contact")
    assert not [e for e in events_for(chain["prescription"]) if e.action == "personal_data_viewed"]


def _visible_text(page: str) -> str:
    """Return what a page shows: no scripts, styles, tags or attributes; entities read."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_french_pages_of_households_and_visits_space_their_punctuation(client, chain):
    visit = _visit(chain)
    schedule_visit(visit, by=chain["mediator"], on=TOMORROW, slot="evening")
    mark_missed(visit, by=chain["mediator"], reason="famille absente", new_date=TOMORROW + timedelta(days=2),
                slot="morning")
    prescription = chain["prescription"]
    prescription.children_primary, prescription.urgency_reason = 2, "examens"
    db.session.commit()
    pages = {chain["mediator"]: [f"/visits/{visit.id}", "/visits", f"/visits/week?start={TOMORROW}"],
             chain["supervisor"]: [f"/prescriptions/{prescription.id}", "/waiting-list", "/prescriptions/inbox"],
             chain["prescriber"]: [f"/prescriptions/{prescription.id}", "/prescriptions", "/notices"]}
    for user, urls in pages.items():
        login_as(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert not typography_faults(_visible_text(response.get_data(as_text=True))), url
