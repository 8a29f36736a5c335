"""The bench agent (the zipapp, on a Python without Flask) against a live Reco served by gunicorn, with the real
lshw and smartctl of this machine and real nwipe on two loop devices, one of them read-only so that its wipe fails.

Loop devices have no SMART and lshw does not list them, so no report the agent can send records them in Reco: the
test records them beforehand, as drives of the device at their device path, with the model nwipe names them by
(« Loopback device »), as a technician would have noted them. The erasure log is then matched by the server's own
rules (device path, model and size, confirmed since the log has no serial).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from reco.extensions import db
from tests.agent.live import Server, counts, database_for, make_app, prepare, write_config

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("RECO_REQUIRE_BROWSER") == "1"
MIB = 1024 * 1024


def need(condition: bool, reason: str) -> None:
    """Skip without what the test needs, or fail when RECO_REQUIRE_BROWSER=1 makes the tools required."""
    if not condition:
        (pytest.fail if REQUIRED else pytest.skip)(reason)


@pytest.fixture(scope="module")
def reco(tmp_path_factory):
    """A live Reco: its database, a workshop with a bench token and an open donation, gunicorn running."""
    need(all(shutil.which(tool) for tool in ("lshw", "smartctl", "lsblk")),
         "lshw, smartctl or lsblk missing (apt-get install lshw smartmontools)")
    need(Path("/usr/bin/python3").exists(), "no /usr/bin/python3 to run the agent without Flask")
    tmp = tmp_path_factory.mktemp("agent")
    url = database_for(tmp)
    app = make_app(url)
    data = prepare(app)
    pyz = tmp / "reco-agent.pyz"
    subprocess.run(["make", "-s", "agent", f"AGENT_PYZ={pyz}"], cwd=ROOT, check=True, capture_output=True)
    server = Server(url)
    server.start()
    try:
        yield SimpleNamespace(app=app, server=server, pyz=pyz, tmp=tmp, **data)
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()


def agent(reco, stick: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run the agent from the stick's folder as a technician would, in test mode (loop devices only)."""
    config = stick / "reco-agent.ini"
    if not config.exists():
        stick.mkdir(parents=True, exist_ok=True)
        write_config(config, reco.server.base, reco.bench_token)
    return subprocess.run(["/usr/bin/python3", "-I", str(reco.pyz), "--config", str(config), *args], input=stdin,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "RECO_AGENT_ONLY_LOOP": "1", "COLUMNS": "100"})


def api(reco, method: str, path: str, body: dict | None = None, token: str | None = None):
    """Call Reco's API; return (status, JSON)."""
    request = urllib.request.Request(reco.server.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token or reco.full_token}",
                                              "Content-Type": "application/json", "Accept-Language": "fr"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def loops(tmp_path):
    """Two loop devices from files of 8 and 12 MiB full of 0xA5, the second read-only; always detached."""
    need(os.geteuid() == 0, "loop devices need root")
    need(bool(shutil.which("nwipe")) and bool(shutil.which("losetup")),
         "nwipe or losetup missing (apt-get install nwipe)")
    attached = []
    try:
        for name, size, read_only in (("a", 8, False), ("b", 12, True)):
            image = tmp_path / f"{name}.img"
            image.write_bytes(b"\xa5" * size * MIB)
            done = subprocess.run(["losetup", "--find", "--show", *(["-r"] if read_only else []), str(image)],
                                  capture_output=True, text=True)
            need(done.returncode == 0, f"no loop device available: {done.stderr.strip()}")
            attached.append(SimpleNamespace(path=done.stdout.strip(), image=image, size=size * MIB))
        yield attached
    finally:
        for loop in attached:
            subprocess.run(["losetup", "-d", loop.path], check=False)


def device_with_loop_drives(reco, loops, donor_tag: str) -> str:
    """Receive a device and record the loop devices as its drives (see the module's docstring); return its tag."""
    from reco.inventory.models import Device, Drive
    from tests.factories import make_device

    with reco.app.app_context():
        from reco.donations.models import Donation

        device = make_device(db.session.get(Donation, reco.donation_id), type="desktop", donor_tag=donor_tag)
        for loop in loops:
            device.drives.append(Drive(serial=None, model="Loopback device", capacity_bytes=loop.size,
                                       device_path=loop.path, workshop_id=device.workshop_id,
                                       donation_id=device.donation_id))
        db.session.commit()
        tag = db.session.scalar(select(Device.tag).where(Device.id == device.id))
        db.session.remove()
        return tag


def test_an_unknown_machine_is_received_into_an_open_donation_and_describes_itself(reco, tmp_path):
    shown = agent(reco, tmp_path / "stick", stdin="\n1\nINV-VM-1\n")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    out = shown.stdout
    assert "Mairie de Vitré" in out and "Machine reçue" in out
    assert "Description de la machine (lshw) : reçu par Reco" in out
    status, open_donations = api(reco, "GET", "/api/v1/donations/open", token=reco.bench_token)
    tag = next(line.split("/devices/")[-1] for line in out.splitlines() if "/devices/" in line)
    status, device = api(reco, "GET", f"/api/v1/devices/{tag}", token=reco.bench_token)
    assert status == 200 and device["state"] == "received" and device["ready_missing"]
    assert counts(reco.app, tag)["report_kinds"][0] == "lshw"
    assert "Réceptionné" in out and "█" in out  # the state, the tag in block letters and the QR code
    for sentence in device["ready_missing"]:
        assert sentence in out
    # A disk that does not answer SMART (a virtual disk) is said, not a crash, and sends no report.
    assert "Traceback" not in shown.stderr
    # The bench token reaches nothing outside the workbench.
    assert api(reco, "GET", "/api/v1/reports/summary?from=2026-01-01", token=reco.bench_token)[0] == 403


def test_erase_wipes_two_loop_devices_one_fails_and_the_device_is_refused_ready(reco, tmp_path, loops):
    tag = device_with_loop_drives(reco, loops, "INV-ERASE")
    stick = tmp_path / "stick"
    devices = [arg for loop in loops for arg in ("--device", loop.path)]
    wrong = agent(reco, stick, "erase", *devices, "--tag", tag, "--yes-tag", "AUTRE-1")
    assert wrong.returncode == 1 and "rien n'a été effacé" in wrong.stdout
    assert loops[0].image.read_bytes()[:4] == b"\xa5" * 4
    non_loop = next((line.split()[0] for line in subprocess.run(
        ["lsblk", "-dnpo", "PATH,TYPE"], capture_output=True, text=True).stdout.splitlines()
        if line.split()[-1] != "loop"), "/dev/null")
    refused = agent(reco, stick, "erase", "--device", non_loop, "--tag", tag, "--yes-tag", tag)
    assert refused.returncode == 2 and "n'est pas un périphérique loop" in refused.stdout

    shown = agent(reco, stick, "erase", *devices, "--tag", tag, "--yes-tag", tag)
    assert shown.returncode == 1, shown.stdout + shown.stderr
    good, bad = loops
    assert f"[ OK ] {good.path} : effacé et vérifié" in shown.stdout
    assert f"[ÉCHEC] {bad.path} : ÉCHEC de l’effacement" in shown.stdout and "À faire" in shown.stdout
    assert good.image.read_bytes() == bytes(good.size) and bad.image.read_bytes()[:4] == b"\xa5" * 4
    assert counts(reco.app, tag)["sanitizations"] == [(good.path, "success", True), (bad.path, "failed", False)]
    assert not list((stick / "reco-spool").glob("*.json"))
    # Diagnosed and graded, the device still cannot be wiped, hence never ready, because of the failed drive.
    assert api(reco, "POST", f"/api/v1/devices/{tag}/diagnosis", {"grade": "A"})[0] == 201
    status, answer = api(reco, "POST", f"/api/v1/devices/{tag}/transitions", {"to": "wiped"})
    assert status == 409, answer
    failed = "Le dernier effacement du disque Loopback device a échoué"
    assert failed in answer["message"]
    assert failed in shown.stdout  # the agent said it under « Avant « Prêt » »
    status, device = api(reco, "GET", f"/api/v1/devices/{tag}")
    assert device["state"] != "ready" and device["ready_missing"]


def test_reports_made_offline_are_spooled_and_sync_sends_each_exactly_once(reco, tmp_path, loops):
    tag = device_with_loop_drives(reco, loops, "INV-OFFLINE")
    stick = tmp_path / "stick"
    devices = [arg for loop in loops for arg in ("--device", loop.path)]
    first = agent(reco, stick, *devices, "--tag", tag, "--no-label")
    assert first.returncode == 0 and counts(reco.app, tag)["hardware_reports"] == 1
    reco.server.stop()
    try:
        erased = agent(reco, stick, "erase", *devices, "--tag", tag, "--yes-tag", tag)
        assert "gardé sur la clé" in erased.stdout and "effacé selon nwipe" in erased.stdout
        again = agent(reco, stick, *devices, "--tag", tag, "--no-label")
        assert "gardé sur la clé" in again.stdout
        spooled = sorted((stick / "reco-spool").glob("*.json"))
        assert len(spooled) == 2
        copies = {path.name: path.read_bytes() for path in spooled}
    finally:
        reco.server.start()
    synced = agent(reco, stick, "sync")
    assert synced.returncode == 0, synced.stdout
    assert "2 envoyé(s), 0 refusé(s), 0 en attente" in synced.stdout
    after = counts(reco.app, tag)
    assert after["hardware_reports"] == 2 and after["erasure_logs"] == 1 and len(after["sanitizations"]) == 2
    # The answers were lost on the way: the stick sends both again with the same keys; nothing is recorded twice.
    for name, content in copies.items():
        (stick / "reco-spool" / name).write_bytes(content)
    resent = agent(reco, stick, "sync")
    assert resent.stdout.count("déjà reçu auparavant") == 2
    assert counts(reco.app, tag) == after
    assert "Rien n'attend sur la clé" in agent(reco, stick, "sync").stdout
