"""The cases of the network benchmark as in-process requests, and the SQL statements one of them sends.

Shared by bench.network (statements per request) and bench.profile (where the time goes).
"""
from __future__ import annotations

import os
from contextlib import contextmanager

from sqlalchemy import event, func, select

from reco.accounts.models import User
from reco.accounts.services import issue_token
from reco.donations.models import Donation, DonationStatus, Donor
from reco.donations.services import create_donation
from reco.extensions import db
from reco.inventory.models import Device

REQUESTS = int(os.environ.get("RECO_BENCH_REQUESTS", "200"))


@contextmanager
def statements(app):
    """Collect the statements sent to the database inside the block; send the requests outside any application
    context, so that each has its own session as when served."""
    sent: list[str] = []

    def keep(connection, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split())[:110])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def setup_cases(app) -> dict:
    """Return the users, a token, tags and an open donation of the generated network's first workshop."""
    with app.app_context():
        users = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.email.in_(
            ["supervisor1@generated.reco", "technician1.0@generated.reco", "prescriber1@generated.reco"])))}
        supervisor = users["supervisor1"]
        tags = db.session.scalars(select(Device.tag).where(Device.workshop_id == supervisor.structure_id)
                                  .order_by(func.random()).limit(REQUESTS)).all()
        donation = db.session.scalar(select(Donation.id).where(Donation.workshop_id == supervisor.structure_id,
                                                               Donation.status != DonationStatus.CLOSED).limit(1))
        if donation is None:  # the generated collections are all closed: the benchmark opens one to receive into
            donor = db.session.scalar(select(Donor).where(Donor.workshop_id == supervisor.structure_id).limit(1))
            donation = create_donation(by=supervisor, donor=donor).id
        token = issue_token(supervisor, by=None, label="benchmark")
        db.session.commit()
        return {"ids": {name: u.get_id() for name, u in users.items()}, "token": token, "tags": tags,
                "donation": donation}


def client_of(app, user_id: str | None):
    """Return a test client logged in as ``user_id`` (without the form)."""
    client = app.test_client()
    if user_id:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user_id, True
    return client


def cases(app, setup) -> dict:
    """Return each case by name as a function sending its request number ``n`` (the intake: a post and a page);
    the first three are the reference routes (bench.reference), which ``app`` must have."""
    api = {"Authorization": f"Bearer {setup['token']}"}
    supervisor, technician = client_of(app, setup["ids"]["supervisor1"]), client_of(app, setup["ids"]["technician1.0"])
    prescriber, tags = client_of(app, setup["ids"]["prescriber1"]), setup["tags"]

    def intake(n):
        answer = technician.post(f"/donations/{setup['donation']}/intake",
                                 data={"type": "laptop", "serial": f"PROFILE-{os.getpid()}-{n}"})
        return technician.get(answer.location)

    anonymous = client_of(app, None)
    return {
        "reference": lambda n: anonymous.get(f"/bench/one-query/{tags[n % len(tags)]}"),
        "logged_in": lambda n: supervisor.get("/bench/logged-in"),
        "layout": lambda n: supervisor.get("/bench/layout"),
        "api": lambda n: supervisor.get(f"/api/v1/devices/{tags[n % len(tags)]}", headers=api),
        "page": lambda n: supervisor.get(f"/devices/{tags[n % len(tags)]}"),
        "devices": lambda n: supervisor.get("/devices?type=laptop&state=ready"),
        "waiting": lambda n: supervisor.get("/waiting-list"),
        "prescriber": lambda n: prescriber.get("/prescriptions?status=accepted"),
        "intake": intake,
    }


def statements_per_request(app, setup, name: str) -> int:
    """Return how many statements one request of the case ``name`` sends, after one request to warm up."""
    request = cases(app, setup)[name]
    request(0)  # templates compiled, connections open
    with statements(app) as sent:
        answer = request(1)
    assert answer.status_code == 200, (name, answer.status_code)
    return len(sent)
