"""A live Reco for the bench agent: its own database, a workshop with a bench token, gunicorn on 127.0.0.1.

Used by the agent's tests and by bench/agent.py. The database is a temporary SQLite file, or, when the tests run on
PostgreSQL (RECO_TEST_DATABASE_URL), a sibling database ``<name>_agent`` made afresh, so that the server's commits
never meet the rolled-back test database.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from reco import create_app
from reco.config import database_url
from reco.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SECRET = "agent-test-secret-" + "x" * 32


def database_for(tmp_path: Path) -> str:
    """Return the URL of a fresh database for the live server."""
    base = os.environ.get("RECO_TEST_DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql")):
        return f"sqlite:///{tmp_path / 'reco-agent.sqlite3'}"
    import psycopg

    url = make_url(database_url(base))
    name = f"{url.database}_agent"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def make_app(url: str):
    """Return the application on ``url`` (to set the data up and count rows from the test)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url(url), "SECRET_KEY": SECRET, "SERVER_NAME": None})


def prepare(app) -> dict:
    """Build the schema and a workshop: a technician (French), a bench token, a full token and an open donation."""
    from reco.accounts.services import issue_token
    from tests.factories import make_donation, make_donor, make_user

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        technician = make_user("technician", locale="fr", name="Technicienne du banc")
        bench = issue_token(technician, by=technician, label="Banc 1", scope="bench")
        full = issue_token(technician, by=technician, label="Tests")
        db.session.commit()
        donation = make_donation(make_donor(technician.structure, name="Mairie de Vitré"))
        return {"bench_token": bench, "full_token": full, "donation_id": donation.id,
                "workshop_id": technician.structure_id, "user_id": technician.id}


def counts(app, tag: str) -> dict:
    """Return how many reports, logs and sanitizations the device ``tag`` has, and each sanitization's result."""
    from reco.inventory.models import Device, ErasureLog, HardwareReport, Sanitization

    with app.app_context():
        device = db.session.scalar(select(Device).where(Device.tag == tag))
        if device is None:
            return {}
        count = lambda model: db.session.scalar(select(func.count()).select_from(model).where(  # noqa: E731
            model.device_id == device.id))
        results = [(s.drive.device_path, s.result.value, s.is_passing) for s in db.session.scalars(
            select(Sanitization).where(Sanitization.device_id == device.id).order_by(Sanitization.id))]
        kinds = sorted(r.kind for r in db.session.scalars(select(HardwareReport).where(
            HardwareReport.device_id == device.id)))
        db.session.remove()
        return {"hardware_reports": count(HardwareReport), "report_kinds": kinds, "erasure_logs": count(ErasureLog),
                "sanitizations": results}


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving Reco on 127.0.0.1:port with the given database; start() and stop() at will."""

    def __init__(self, url: str, port: int | None = None):
        self.url, self.port = url, port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        """Reco's address."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start gunicorn and wait until it answers."""
        env = {**os.environ, "RECO_DATABASE_URL": self.url, "RECO_SECRET_KEY": SECRET, "RECO_WORKERS": "1",
               "RECO_BASE_URL": self.base}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "-b",
             f"127.0.0.1:{self.port}", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped: " + self.process.stderr.read().decode()[-2000:])
            try:  # an answer, not just the port: gunicorn binds it before its worker has loaded the app
                urllib.request.urlopen(self.base + "/api/v1/me", timeout=5)
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.05)
            else:
                return
        raise RuntimeError("gunicorn did not answer within 30 s")

    def stop(self) -> None:
        """Stop gunicorn (the agent then finds Reco unreachable)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        self.process = None


def write_config(path: Path, base: str, token: str, method: str = "zero", verify: str = "last") -> Path:
    """Write the agent's settings file, as on the stick."""
    path.write_text(f"[reco]\nurl = {base}\ntoken = {token}\n\n[erase]\nmethod = {method}\nverify = {verify}\n"
                    "rounds = 1\n", encoding="utf-8")
    return path
