"""Benchmark at network scale, each case beside its baseline in the same run, on a generated network in PostgreSQL.

Cases: the scan lookup (API and device page) and the lists, under gunicorn with 2 workers driven by wrk on
loopback, each measured against the reference route of the same run: one indexed SELECT of a device by tag, no
login, no objects (the ceiling of any database route on this stack; a fixed JSON body is shown beside it); two
floor rows show what any logged-in page pays before its own work (the login alone, then the layout around an empty
page); the dashboard and the summary API over the whole network; the peak memory of a worker while it streams
the CSV export of every device of the network.
Usage: python -m bench.network
  RECO_BENCH_NETWORK_URL  the database (default postgresql://postgres@127.0.0.1:5432/reco_bench); generated
                          with `reco generate` when it holds no device (RECO_BENCH_DEVICES, default 1,000,000)
  RECO_BENCH_SECONDS      duration of each load (default 10)
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.cases import cases, setup_cases, statements_per_request
from bench.reference import add_reference_routes
from reco import create_app
from reco.accounts.models import User
from reco.accounts.services import issue_token
from reco.config import database_url
from reco.extensions import db
from reco.generator import PASSWORD, Sizes, generate
from reco.inventory.models import Device

URL = os.environ.get("RECO_BENCH_NETWORK_URL", "postgresql://postgres@127.0.0.1:5432/reco_bench")
DEVICES = int(os.environ.get("RECO_BENCH_DEVICES", "1000000"))
SECONDS = int(os.environ.get("RECO_BENCH_SECONDS", "10"))
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _create_database() -> None:
    """Create the benchmark database when it does not exist."""
    url = make_url(URL)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone():
            connection.execute(f'CREATE DATABASE "{url.database}"')


def prepare() -> dict:
    """Make sure the network is there; return tokens, tags to scan and the number of devices."""
    _create_database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(URL)})
    with app.app_context():
        upgrade()
        devices = db.session.scalar(select(func.count(Device.id)))
        if devices == 0:
            print(f"Generating {DEVICES} devices (several minutes)...", flush=True)
            generate(Sizes(DEVICES), progress=lambda message: print(message, flush=True))
            db.session.commit()
            devices = db.session.scalar(select(func.count(Device.id)))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would after a generation or a migration
        users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
            ["supervisor1@generated.reco", "prescriber1@generated.reco", "admin@generated.reco"])))}
        tokens = {email.split("@")[0]: issue_token(user, by=None, label="benchmark") for email, user in users.items()}
        supervisor = users["supervisor1@generated.reco"]
        tags = db.session.scalars(select(Device.tag).where(Device.workshop_id == supervisor.structure_id)
                                  .order_by(func.random()).limit(2000)).all()
        db.session.commit()
        db.engine.dispose()
    return {"tokens": tokens, "tags": tags, "devices": devices}


def statement_counts() -> dict[str, int]:
    """Return the SQL statements one request of each case sends (authentication included), counted in-process."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(URL), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    add_reference_routes(app)
    setup = setup_cases(app)
    counts = {name: statements_per_request(app, setup, name) for name in cases(app, setup)}
    with app.app_context():
        db.engine.dispose()
    return counts | {"intake_donation": setup["donation"]}


def start_server() -> subprocess.Popen:
    """Start gunicorn with 2 workers on the benchmark database and wait until it answers."""
    env = os.environ | {"RECO_DATABASE_URL": URL, "RECO_LOGIN_LIMIT": "1000 per minute"}
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{PORT}",
                               "--log-level", "warning", "bench.wsgi:app"], env=env, cwd=HERE.parent)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/bench/baseline", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def session_cookie(email: str) -> str:
    """Log in through the form and return the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    fields = {"email": email, "password": PASSWORD} | ({"csrf_token": token[1]} if token else {})
    opener.open(f"{BASE}/login", data=urllib.parse.urlencode(fields).encode()).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookies:
        raise SystemExit(f"could not log in as {email}")
    return f"Cookie: {cookies}"


def load(paths: list[str], header: str | None = None, connections: int = 8) -> dict:
    """Drive the server with wrk over ``paths`` for SECONDS and return throughput and latencies."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "-s", str(HERE / "wrk_paths.lua"), BASE]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            env=os.environ | {"WRK_PATHS": listing.name}).stdout
    os.unlink(listing.name)
    rps, p50, p95, errors, requests = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+) (\d+)", output).groups()
    if int(errors):
        raise SystemExit(f"{errors} of {requests} answers were errors for {paths[0]}...")
    return {"rps": float(rps), "p50": float(p50), "p95": float(p95)}


def round_trips(cookie: str, donation: int, connections: int = 2) -> dict:
    """Receive devices for SECONDS as technicians do, ``connections`` at a time: post the intake form, follow the
    redirect, render the next scan page. Return the round trips per second and their latencies."""
    name, value = cookie.split(": ", 1)
    page = f"{BASE}/donations/{donation}/intake"
    with urllib.request.urlopen(urllib.request.Request(page, headers={name: value}), timeout=60) as response:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode())[1]
    times: list[float] = []
    failures: list[str] = []
    stop = time.perf_counter() + SECONDS

    def technician():
        while time.perf_counter() < stop and not failures:
            fields = {"csrf_token": token, "type": "laptop", "serial": f"BENCH-{secrets.token_hex(6)}",
                      "intake_key": secrets.token_hex(16)}
            started = time.perf_counter()
            request = urllib.request.Request(page, data=urllib.parse.urlencode(fields).encode(), headers={name: value})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    received = "last=" in response.url  # sent on to the next scan page with the new tag
            except OSError as error:
                received = False
                failures.append(str(error))
            if not received:
                failures.append(f"the intake form was not received ({page})")
                return
            times.append((time.perf_counter() - started) * 1000)

    workers = [threading.Thread(target=technician) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures or not times:
        raise SystemExit(failures[0] if failures else "no intake was timed")
    times.sort()
    return {"rps": len(times) / SECONDS, "p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95)]}


def timed(path: str, header: str, runs: int = 5) -> tuple[float, float]:
    """Return the median and worst time in ms of ``runs`` requests of ``path``, one at a time, after one to warm up."""
    name, value = header.split(": ", 1)
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(BASE + path, headers={name: value}), timeout=60) as r:
            r.read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:]), max(times[1:])


def _workers(server: subprocess.Popen) -> list[int]:
    return [int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                           text=True).stdout.split()]


def _peak_rss_mb(pid: int) -> float:
    """Return the peak resident memory of a process so far (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def main() -> None:
    """Run every case and print the table."""
    setup = prepare()
    counts = statement_counts()
    server = start_server()
    rows = []
    try:
        api = f"Authorization: Bearer {setup['tokens']['supervisor1']}"
        supervisor = session_cookie("supervisor1@generated.reco")
        prescriber = session_cookie("prescriber1@generated.reco")
        admin_api = f"Authorization: Bearer {setup['tokens']['admin']}"
        admin = session_cookie("admin@generated.reco")
        tags = setup["tags"]
        base = load(["/bench/baseline"], api)
        ceiling = load([f"/bench/one-query/{t}" for t in tags], api)
        rows.append(("reference: one SELECT, no login", f"{base['rps']:.0f} req/s", f"{ceiling['rps']:.0f} req/s",
                     f"{ceiling['rps'] / base['rps']:.2f}", f"{ceiling['p95']:.1f}", counts["reference"],
                     "(the ceiling)", None))
        # What every logged-in page pays before its own work, against the same reference: no target, the floor.
        for name, case, path in [("floor: logged in, no page", "logged_in", "/bench/logged-in"),
                                 ("floor: layout around an empty page", "layout", "/bench/layout")]:
            got = load([path], supervisor)
            rows.append((name, f"{ceiling['rps']:.0f} req/s", f"{got['rps']:.0f} req/s",
                         f"{got['rps'] / ceiling['rps']:.2f}", f"{got['p95']:.1f}", counts[case], "(a page's floor)",
                         None))
        # Each case against the reference of the same run: throughput ratio and p95 at most so many times its p95.
        for name, case, paths, header, least, times in [
                ("scan: GET /api/v1/devices/{tag}", "api", [f"/api/v1/devices/{t}" for t in tags], api, 0.6, 2),
                ("scan: device page /devices/{tag}", "page", [f"/devices/{t}" for t in tags], supervisor, 0.4, 3)]:
            got = load(paths, header)
            ratio = got["rps"] / ceiling["rps"]
            rows.append((name, f"{ceiling['rps']:.0f} req/s", f"{got['rps']:.0f} req/s", f"{ratio:.2f}",
                         f"{got['p95']:.1f}", counts[case], f">={least}, p95<={times}x, <=2 SQL",
                         ratio >= least and got["p95"] <= times * ceiling["p95"] and counts[case] <= 2))
        technician = session_cookie("technician1.0@generated.reco")
        for name, case, path, header in [
                ("list: devices, filtered", "devices", "/devices?type=laptop&state=ready", supervisor),
                ("list: waiting list", "waiting", "/waiting-list", supervisor),
                ("list: prescriber's list", "prescriber", "/prescriptions?status=accepted", prescriber),
                ("intake: post, redirect, next scan", "intake", None, technician)]:
            got = load([path], header, connections=2) if path else round_trips(header, counts["intake_donation"])
            rows.append((name, f"{ceiling['p95']:.1f} ms p95", f"{got['p95']:.1f} ms p95",
                         f"{got['p95'] / ceiling['p95']:.1f}", f"{got['p95']:.1f}", counts[case], "p95<=5x ref",
                         got["p95"] <= 5 * ceiling["p95"]))
        baseline_ms, _ = timed("/bench/baseline", admin_api)
        for name, path, header in [("dashboard: /reports (network)", "/reports", admin),
                                   ("summary API (network)", "/api/v1/reports/summary", admin_api)]:
            median, worst = timed(path, header)
            rows.append((name, f"{baseline_ms:.1f} ms", f"{median:.0f} ms", f"{median / baseline_ms:.0f}",
                         f"max {worst:.0f}", "-", "<1000 ms", worst < 1000))
        workers = _workers(server)
        before = max(_peak_rss_mb(p) for p in workers)
        name, value = admin.split(": ", 1)
        request = urllib.request.Request(f"{BASE}/reports/network/devices.csv", headers={name: value})
        with urllib.request.urlopen(request, timeout=600) as response:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: response.read(1 << 16), b""))
        after = max(_peak_rss_mb(p) for p in workers)
        rows.append((f"memory: CSV export of {lines - 1} devices", f"{before:.0f} MB", f"{after:.0f} MB",
                     f"{after / before:.2f}", "-", "-", "<250 MB", after < 250))
    finally:
        server.terminate()
        server.wait()
    print(f"\nNetwork of {setup['devices']:,} devices, gunicorn 2 workers, wrk -t2, {SECONDS} s per load")
    print("SQL: statements one request sends, authentication included (the intake: the post and the next page)")
    print(f"{'case':<40}{'baseline':>16}{'reco':>16}{'ratio':>8}{'p95 ms':>10}{'SQL':>5}  {'target':<28}ok")
    for name, baseline, measured, ratio, p95, sql, target, ok in rows:
        verdict = "-" if ok is None else "yes" if ok else "NO"
        print(f"{name:<40}{baseline:>16}{measured:>16}{ratio:>8}{p95:>10}{sql:>5}  {target:<28}{verdict}")


if __name__ == "__main__":
    main()
