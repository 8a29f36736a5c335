"""Where the time of a request goes: each case of the network benchmark profiled in-process, with its SQL statements.

For each case, the statements one request sends (authentication included, counted on the database connection) and
the functions that took the most time over REQUESTS requests (cProfile), on the benchmark's generated network.
Usage: python -m bench.profile [case ...]   (cases: api, page, devices, waiting, prescriber, intake)
  RECO_BENCH_NETWORK_URL  the database (default postgresql://postgres@127.0.0.1:5432/reco_bench)
  RECO_BENCH_REQUESTS     requests profiled per case (default 200)
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
from contextlib import contextmanager

from sqlalchemy import event, func, select

from bench.network import URL
from reco import create_app
from reco.accounts.models import User
from reco.accounts.services import issue_token
from reco.config import database_url
from reco.donations.models import Donation, DonationStatus
from reco.extensions import db
from reco.inventory.models import Device

REQUESTS = int(os.environ.get("RECO_BENCH_REQUESTS", "200"))
SHOWN = 14  #: functions listed per case


@contextmanager
def statements():
    """Collect the statements sent to the database inside the block."""
    sent: list[str] = []

    def keep(connection, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split())[:110])

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


def _setup(app) -> dict:
    """Return the users, a token, tags and an open donation of the generated network's first workshop."""
    with app.app_context():
        users = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.email.in_(
            ["supervisor1@generated.reco", "technician1.0@generated.reco", "prescriber1@generated.reco"])))}
        supervisor = users["supervisor1"]
        tags = db.session.scalars(select(Device.tag).where(Device.workshop_id == supervisor.structure_id)
                                  .order_by(func.random()).limit(REQUESTS)).all()
        donation = db.session.scalar(select(Donation.id).where(Donation.workshop_id == supervisor.structure_id,
                                                               Donation.status != DonationStatus.CLOSED).limit(1))
        token = issue_token(supervisor, by=None, label="profile")
        db.session.commit()
        return {"ids": {name: u.get_id() for name, u in users.items()}, "token": token, "tags": tags,
                "donation": donation}


def _client(app, user_id: str | None):
    """Return a test client logged in as ``user_id`` (without the form)."""
    client = app.test_client()
    if user_id:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user_id, True
    return client


def cases(app, setup) -> dict:
    """Return each case as (client, function making one request number ``n``)."""
    api = {"Authorization": f"Bearer {setup['token']}"}
    supervisor, technician = _client(app, setup["ids"]["supervisor1"]), _client(app, setup["ids"]["technician1.0"])
    prescriber, tags = _client(app, setup["ids"]["prescriber1"]), setup["tags"]

    def intake(n):
        answer = technician.post(f"/donations/{setup['donation']}/intake",
                                 data={"type": "laptop", "serial": f"PROFILE-{os.getpid()}-{n}"})
        return technician.get(answer.location)

    return {
        "api": lambda n: supervisor.get(f"/api/v1/devices/{tags[n % len(tags)]}", headers=api),
        "page": lambda n: supervisor.get(f"/devices/{tags[n % len(tags)]}"),
        "devices": lambda n: supervisor.get("/devices?type=laptop&state=ready"),
        "waiting": lambda n: supervisor.get("/waiting-list"),
        "prescriber": lambda n: prescriber.get("/prescriptions?status=accepted"),
        "intake": intake,
    }


def main(names: list[str]) -> None:
    """Profile every case named (all by default) and print its statements and top functions."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(URL), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    setup = _setup(app)
    for name, request in cases(app, setup).items():
        if names and name not in names:
            continue
        with app.app_context():
            request(0)  # warm up: templates compiled, connections open
            with statements() as sent:
                answer = request(1)
            assert answer.status_code == 200, (name, answer.status_code)
        profile = cProfile.Profile()
        profile.enable()
        for n in range(2, REQUESTS + 2):
            request(n)
        profile.disable()
        print(f"\n== {name}: {len(sent)} SQL statements per request")
        for statement in sent:
            print(f"   {statement}")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats("tottime").print_stats(SHOWN)
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main(sys.argv[1:])
