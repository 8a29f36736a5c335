"""Nothing typed about a household survives its erasure: not in a table, an export, a page, a document nor an email.

A unique marker goes into every free-text field about three households (one taken through every step, one declined
through the API, one withdrawn); after their erasure, or the retention purge, every column of every table, every
export, every page each role reaches about them and every stored document are searched for it.
"""
import json
import re
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import pypdfium2
import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.core import mail
from reco.core.documents import Document
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.models import Prescription, PrescriptionStatus
from reco.prescriptions.pdf import handover_receipt_for
from reco.prescriptions.privacy import purge_personal_data
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.services import cancel_prescription, create_prescription, decide_prescription
from reco.prescriptions.visits import (
    cancel_visit,
    mark_missed,
    report_visit,
    request_visit,
    return_device,
    schedule_visit,
)
from tests.conftest import login_as
from tests.factories import HOUSEHOLD, make_ready_device, make_structure, make_token, make_user

P = PrescriptionStatus
TOMORROW = local_today() + timedelta(days=1)
#: Where the crawl goes: the pages about households, visits, devices, notices and the privacy log.
CRAWLED = ("/prescriptions", "/visits", "/devices/", "/notices", "/waiting-list", "/admin/personal-data")
NOT_CRAWLED = ("/logout", "/static", "/api", "/language", "/account")


def _pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


class Marks:
    """Unique words written into each free-text field; the phone number is one too."""

    def __init__(self):
        self.word = "Zq" + secrets.token_hex(5)
        self.phone = "069" + "".join(secrets.choice("0123456789") for _ in range(7))
        self.written: list[str] = []

    def __call__(self, field: str) -> str:
        text = f"Mme {self.word} {field}"
        self.written.append(field)
        return text

    def found_in(self, text: str) -> bool:
        flat = text.replace("\xa0", " ")
        return self.word in flat or self.phone in flat


@pytest.fixture
def mails(app, monkeypatch):
    """Every email Reco sends, captured."""
    sent = []
    monkeypatch.setitem(app.config, "RECO_SMTP_HOST", "smtp.example.org")
    monkeypatch.setattr(mail, "_send", lambda messages: sent.extend(messages))
    return sent


def _new(marks: Marks, prescriber, workshop, **fields) -> Prescription:
    return create_prescription(by=prescriber, workshop=workshop, consent=True, submit=True, consent_on=local_today(),
                               **(HOUSEHOLD | {"contact_name": marks("contact_name"), "contact_phone": marks.phone,
                                               "address": marks("address"), "urgency": "urgent",
                                               "urgency_reason": marks("urgency_reason"),
                                               "comment": marks("comment")} | fields))


@pytest.fixture
def households(app, client, mails):
    """Three households about which everything that can be typed was typed, with the marker."""
    marks = Marks()
    installer = make_structure("installer")
    workshop = make_structure("workshop", usual_installer=installer)
    prescriber = make_user(Role.PRESCRIBER)
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    technician = make_user(Role.TECHNICIAN, structure=workshop)
    mediator = make_user(Role.INSTALLER, structure=installer)
    admin = make_user(Role.ADMIN)
    first, second = make_ready_device(workshop), make_ready_device(workshop)

    # one household through every step (handed over by the workshop, which issues its receipt with its name)
    full = _new(marks, prescriber, workshop, visit_wanted=False)
    decide_prescription(full, by=supervisor, accept=True)
    reserve_device(full, first, by=supervisor)
    visit = request_visit(full, by=supervisor, installer=installer, note=marks("visit_note"))
    schedule_visit(visit, by=mediator, on=TOMORROW, slot="morning")
    mark_missed(visit, by=mediator, reason_kind="nobody_home", reason=marks("missed_reason"),
                new_date=TOMORROW + timedelta(days=1), slot="evening")
    cancel_visit(visit, by=supervisor, reason_kind="device_fault", reason=marks("visit_cancel_reason"))
    reserve_device(full, second, by=supervisor)
    handover_receipt_for(full, by=supervisor)
    done = request_visit(full, by=supervisor, installer=installer, note=marks("second_visit_note"))
    schedule_visit(done, by=mediator, on=TOMORROW, slot="afternoon")
    report_visit(done, by=mediator, installed_working=True, internet_connected=False,
                 internet_problem=marks("internet_problem"), comments=marks("comments"),
                 signer_name=marks("signer_name"), no_signature_reason=marks("no_signature_reason"))
    return_device(second, by=supervisor, reason_kind="fault", reason=marks("return_reason"), replacement=True)
    cancel_prescription(full, by=prescriber, reason_kind="moved", reason=marks("cancel_reason"))
    db.session.commit()

    # one declined through the API, whose kept answer quotes the household
    declined = _new(marks, prescriber, workshop)
    db.session.commit()
    answer = client.post(f"/api/v1/prescriptions/{declined.id}/decision",
                         headers={"Authorization": f"Bearer {make_token(supervisor)}", "Idempotency-Key": "k" * 20},
                         json={"accept": False, "reason_kind": "not_eligible", "reason": marks("decline_reason")})
    assert answer.status_code == 200, answer.get_data(as_text=True)

    # one withdrawn from the page
    withdrawn = _new(marks, prescriber, workshop)
    db.session.commit()
    login_as(client, prescriber)
    assert client.post(f"/prescriptions/{withdrawn.id}/withdraw", data={
        "reason_kind": "moved", "reason": marks("withdraw_reason"), "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert (full.status, declined.status, withdrawn.status) == (P.CANCELLED, P.DECLINED, P.WITHDRAWN)
    return {"marks": marks, "households": [full, declined, withdrawn], "visits": [visit, done],
            "devices": [first, second], "prescriber": prescriber, "supervisor": supervisor,
            "technician": technician, "mediator": mediator, "admin": admin, "mails": mails}


def _tables_holding(marks: Marks) -> list[str]:
    """Return "table.column" for every value of the database that holds the marker."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, (bytes, memoryview)):
                    value = bytes(value)
                    text = _pdf_text(value) if value.startswith(b"%PDF") else value.decode("latin-1")
                elif isinstance(value, (dict, list)):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    text = str(value)
                if marks.found_in(text):
                    found.append(f"{table.name}.{column}")
    return sorted(set(found))


def _crawl(client, user, seeds: list[str], marks: Marks, limit: int = 120) -> tuple[list[str], int]:
    """Visit the pages ``user`` reaches from ``seeds`` by links (households, visits, devices, lists); return the
    addresses that show the marker and how many pages were read."""
    login_as(client, user)
    seen, queue, hits, read = set(), list(seeds), [], 0
    while queue and read < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        read += 1
        if response.mimetype == "application/pdf":
            text = _pdf_text(response.data)
        else:
            text = response.get_data(as_text=True)
        if marks.found_in(text):
            hits.append(url)
        if response.mimetype != "text/html":
            continue
        for href in re.findall(r'href="([^"#]+)"', text):
            href = href.replace("&amp;", "&")
            path = urlsplit(urljoin(url, href))
            if path.netloc not in ("", "localhost"):
                continue
            target = path.path + (f"?{path.query}" if path.query else "")
            if path.path.startswith(NOT_CRAWLED) or not (path.path == "/" or path.path.startswith(CRAWLED)):
                continue
            queue.append(target)
    return hits, read


def _seeds(chain) -> dict:
    """Return where each role starts: the pages about the households, and the lists."""
    ids = [h.id for h in chain["households"]]
    tags = [d.tag for d in chain["devices"]]
    visits = [f"/visits/{v.id}" for v in chain["visits"]]
    week = f"/visits/week?start={TOMORROW.isoformat()}"
    households = [f"/prescriptions/{i}" for i in ids]
    return {
        "prescriber": ["/", "/notices", "/prescriptions", *households,
                       *[f"/prescriptions/{i}/export.json" for i in ids],
                       *[f"/prescriptions/{i}/export.pdf" for i in ids]],
        "supervisor": ["/", "/notices", "/prescriptions", "/prescriptions/inbox", "/waiting-list", "/visits", week,
                       *households, *visits, *[f"/devices/{t}" for t in tags]],
        "technician": ["/", "/notices", *[f"/devices/{t}" for t in tags]],
        "mediator": ["/", "/notices", "/visits", week, *visits],
        "admin": ["/", "/notices", "/admin/personal-data"],
    }


def _everywhere(client, chain) -> dict:
    """Search every table, document, page and email for the marker; return where it was found."""
    marks = chain["marks"]
    db.session.expire_all()
    found = {"tables": _tables_holding(marks),
             "documents": [d.number for d in db.session.scalars(select(Document)) if marks.found_in(_pdf_text(d.pdf))],
             "emails": [m["Subject"] for m in chain["mails"] if marks.found_in(m["Subject"] + m.get_content())]}
    read = 0
    for role, seeds in _seeds(chain).items():
        hits, pages = _crawl(client, chain[role], seeds, marks)
        read += pages
        found[role] = hits
    return found, read


@pytest.mark.parametrize("how", ["on_request", "by_the_purge"])
def test_nothing_typed_about_a_household_survives_its_erasure(client, households, how):
    chain = households
    marks = chain["marks"]
    before, _read = _everywhere(client, chain)
    # the marker was written everywhere the households' words live, and reached the right of access
    assert {"prescriptions.contact_name", "prescriptions.cancel_reason", "prescriptions.decline_reason",
            "prescriptions.withdraw_reason", "visits.note", "visits.cancel_reason", "visit_misses.detail",
            "visit_reports.comments", "reservations.release_reason",
            "documents.pdf"} <= set(before["tables"])
    assert before["prescriber"] and before["supervisor"]
    # no event, notice nor email ever carried the words typed about a household
    assert before["emails"] == [] and chain["mails"]
    assert "events.details" not in before["tables"] and "notices.subject" not in before["tables"]

    if how == "on_request":
        login_as(client, chain["prescriber"])
        for household in chain["households"]:
            response = client.post(f"/prescriptions/{household.id}/erase", data={
                "ground": "household_request", "requested_on": local_today().isoformat(), "confirm": "y"})
            assert response.status_code == 302
    else:
        for household in chain["households"]:
            household.closed_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
        db.session.commit()
        assert purge_personal_data(now=datetime.now(timezone.utc)) == 3
        db.session.commit()

    after, read = _everywhere(client, chain)
    assert after == {"tables": [], "documents": [], "emails": [], "prescriber": [], "supervisor": [],
                     "technician": [], "mediator": [], "admin": []}
    assert read >= 30  # the crawl did read the pages
    assert len(marks.written) >= 15


def test_the_erasure_form_asks_no_free_text(client, households):
    household = households["households"][0]
    login_as(client, households["prescriber"])
    page = client.get(f"/prescriptions/{household.id}").get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/prescriptions/\d+/erase".*?</form>', page, re.S).group(0)
    kinds = set(re.findall(r'<input[^>]*type="([a-z]+)"', form))
    assert kinds <= {"hidden", "radio", "date", "checkbox"} and "<textarea" not in form
    assert 'name="ground"' in form and 'name="requested_on"' in form
    refused = client.post(f"/prescriptions/{household.id}/erase", data={
        "ground": "because", "requested_on": local_today().isoformat(), "confirm": "y"})
    db.session.expire_all()
    assert refused.status_code in (302, 422) and household.personal_data_erased_at is None
    future = client.post(f"/prescriptions/{household.id}/erase", data={
        "ground": "household_request", "requested_on": (local_today() + timedelta(days=3)).isoformat(),
        "confirm": "y"})
    db.session.expire_all()
    assert future.status_code in (302, 422) and household.personal_data_erased_at is None


def _keys(value) -> set[str]:
    """Return every key of a JSON document, and the field names of its French record."""
    if isinstance(value, dict):
        found = set(value) | ({value["champ"]} if "champ" in value else set())
        return found.union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


def test_the_family_gets_everything_held_about_it_in_french(client, households):
    from reco.prescriptions.models import Visit, VisitMiss, VisitReport

    chain, marks = households, households["marks"]
    household = chain["households"][0]
    login_as(client, chain["prescriber"])
    response = client.get(f"/prescriptions/{household.id}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert b"/FontFile2" in response.data  # the fonts travel with the file
    text = " ".join(_pdf_text(response.data).replace("\xa0", " ").split())
    for label in ("Vos données conservées par Reco", "Contact et adresse", "Personne à contacter",
                  "Remarque de l'atelier", "Visite d'installation n° 1", "Visite manquée le", "personne au domicile",
                  "Commentaires", "S'il n'est pas connecté, pourquoi ?", "Historique", "le foyer a déménagé",
                  "Appareil réservé n° 2", "panne", "Pourquoi elle a été annulée", "appareil défectueux"):
        assert label in text, label
    for field in ("contact_name", "address", "comment", "urgency_reason", "visit_note", "missed_reason",
                  "visit_cancel_reason", "internet_problem", "comments", "signer_name", "no_signature_reason",
                  "return_reason", "cancel_reason"):
        assert f"{marks.word} {field}" in text, field
    assert marks.phone in text and "Check this document" not in text and "Vérifiez ce document" not in text

    data = json.loads(client.get(f"/prescriptions/{household.id}/export.json").data)
    keys = _keys(data)
    internal = {"id", "structure_id", "workshop_id", "created_by_id", "consent_recorded_by_id", "prescription_id",
                "reservation_id", "installer_id", "requested_by_id", "visit_id", "reported_by_id", "signature_png",
                "receipt_sha256", "recorded_by_id", "recorded_at", "device_id", "reserved_by_id", "released_by_id"}
    for model in (Prescription, Visit, VisitReport, VisitMiss):
        missing = {c.name for c in model.__table__.columns} - internal - keys
        assert not missing, (model.__name__, missing)
    visit = data["visits"][0]
    assert visit["note"] == f"Mme {marks.word} visit_note"
    assert visit["missed"][0] == {"planned_on": TOMORROW.isoformat(), "kind": "nobody_home",
                                  "detail": f"Mme {marks.word} missed_reason"}
    assert data["visits"][1]["report"]["comments"] == f"Mme {marks.word} comments"
    lines = {line["champ"]: line for section in data["fiche"] for line in section["lignes"]}
    assert lines["contact_name"]["libellé"] == "Personne à contacter"
    assert lines["note"]["libellé"] == "Remarque de l'atelier"
    assert lines["reason_kind"]["valeur"] == "le foyer a déménagé"
    assert lines["missed_1"]["valeur"] == f"personne au domicile — Mme {marks.word} missed_reason"
    assert client.get(f"/prescriptions/{chain['households'][1].id}/export.pdf").status_code == 200


def test_installers_stop_reading_the_workshops_note_once_the_visit_is_done(client, ctx):
    installer = make_structure("installer")
    workshop = make_structure("workshop", usual_installer=installer)
    prescriber, supervisor = make_user(Role.PRESCRIBER), make_user(Role.SUPERVISOR, structure=workshop)
    mediator = make_user(Role.INSTALLER, structure=installer)
    note, missed = "Interphone au nom de Diop", "Voisin du 2e prévenu"
    visits = []
    for _ in range(2):
        household = create_prescription(by=prescriber, workshop=workshop, consent=True, submit=True,
                                        consent_on=local_today(), **HOUSEHOLD)
        decide_prescription(household, by=supervisor, accept=True)
        reserve_device(household, make_ready_device(workshop), by=supervisor)
        visit = request_visit(household, by=supervisor, installer=installer, note=note)
        schedule_visit(visit, by=mediator, on=TOMORROW, slot="morning")
        mark_missed(visit, by=mediator, reason_kind="no_answer", reason=missed, new_date=TOMORROW, slot="evening")
        visits.append(visit)
    db.session.commit()

    def page(user, visit) -> str:
        login_as(client, user)
        return client.get(f"/visits/{visit.id}").get_data(as_text=True)

    done, cancelled = visits
    assert note in page(mediator, done) and missed in page(mediator, done)
    report_visit(done, by=mediator, installed_working=True, internet_connected=True, no_signature_reason="papier")
    cancel_visit(cancelled, by=supervisor, reason_kind="unreachable")
    db.session.commit()
    for visit in visits:
        shown = page(mediator, visit)
        assert note not in shown and missed not in shown
        assert "Remarque de l" not in shown
        by_workshop = page(supervisor, visit)
        assert note in by_workshop and missed in by_workshop


def test_the_migration_takes_typed_words_out_of_the_events_of_households_already_erased(tmp_path):
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from tests.conftest import store_test_registry
    from tests.factories import make_prescription
    from tests.scratch import app_on, drop_database, fresh_database

    url = fresh_database(tmp_path, "reco_reasons_migration")
    try:
        with app_on(url):
            upgrade()
            store_test_registry()
            erased, kept = make_prescription(), make_prescription()
            ids = {"erased": str(erased.id), "kept": str(kept.id)}
            db.session.execute(sa.text("UPDATE prescriptions SET personal_data_erased_at = CURRENT_TIMESTAMP "
                                       "WHERE id = :id"), {"id": erased.id})
            db.session.commit()
            db.session.remove()
            downgrade(revision="0021_bench_tokens")
            events = sa.table("events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
                              sa.column("object_type", sa.String), sa.column("object_id", sa.String),
                              sa.column("action", sa.String), sa.column("details", sa.JSON))
            legacy = [(ids["erased"], "status", {"from": "submitted", "to": "withdrawn",
                                                 "reason": "Mme D. déménage, 06 11 22 33 44"}),
                      (ids["erased"], "personal_data_erased", {"reason": "le foyer l'a demandé le 12/03"}),
                      (ids["kept"], "status", {"from": "submitted", "to": "withdrawn", "reason": "à garder"}),
                      (ids["kept"], "personal_data_erased", {"reason": "retention:24"})]
            for object_id, action, details in legacy:
                db.session.execute(events.insert().values(at=datetime.now(timezone.utc), object_type="prescription",
                                                          object_id=object_id, action=action, details=details))
            db.session.commit()
            db.session.remove()
            upgrade(revision="0022_household_reasons")
            rows = db.session.execute(sa.select(events.c.object_id, events.c.action, events.c.details)
                                      .where(events.c.action.in_(["status", "personal_data_erased"]))).all()
            found = {(object_id, action, json.dumps(details, sort_keys=True)) for object_id, action, details in rows
                     if "reason" in json.dumps(details) or "ground" in details}
            assert found == {
                (ids["erased"], "personal_data_erased", json.dumps({"ground": "household_request"})),
                (ids["kept"], "status", json.dumps({"from": "submitted", "reason": "à garder", "to": "withdrawn"},
                                                   sort_keys=True)),
                (ids["kept"], "personal_data_erased", json.dumps({"reason": "retention:24"})),
            }
            assert not any("déménage" in json.dumps(details, ensure_ascii=False) for _i, _a, details in rows)
            db.session.remove()
            upgrade()
    finally:
        drop_database(url)


def test_the_erasure_takes_the_words_out_of_events_written_before_reasons_were_kinds(households):
    from reco.core.audit import Event, record_event
    from reco.prescriptions.privacy import erase_personal_data

    household, device = households["households"][0], households["devices"][1]
    words = f"Mme {households['marks'].word} ancienne"
    record_event(None, household, "status", **{"from": "submitted", "to": "withdrawn", "reason": words})
    record_event(None, households["visits"][0], "missed", planned=TOMORROW.isoformat(), reason=words)
    record_event(None, device, "transition", **{"from": "delivered", "to": "received", "reason": words})
    db.session.commit()
    erase_personal_data(household, by=None, requested_on=local_today())
    db.session.commit()
    texts = [json.dumps(details, ensure_ascii=False) for details in db.session.scalars(select(Event.details))]
    assert not [text for text in texts if words in text]
    returns = db.session.scalars(select(Event.details).where(Event.object_type == "device",
                                                             Event.object_id == str(device.id),
                                                             Event.action == "transition")).all()
    assert {"from": "delivered", "to": "received", "reason": "fault"} in returns  # the kind stays
