"""Benchmark: the bench agent's own cost, from its start to everything reported, minus nwipe's own time.

A live Reco (gunicorn, a temporary SQLite database) and one 8 MiB loop device recorded as the device's drive; the
agent runs `reco-agent` (lshw, one smartctl per drive, the device's state, the label) then `reco-agent erase` (nwipe,
the log) in this process, counting its round trips. Targets: under 5 s of overhead, one round trip per report.
Needs root (loop device), lshw, smartmontools and nwipe. Usage: python -m bench.agent [--transcript]
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

from reco.agent.cli import run
from reco.agent.screen import Screen
from reco.extensions import db
from tests.agent.live import Server, counts, database_for, make_app, prepare, write_config

SIZE = 8 * 1024 * 1024


def _device(app, donation_id: int, loop: str) -> str:
    """Receive a device with the loop device recorded as its drive (as the agent's tests do); return its tag."""
    from reco.donations.models import Donation
    from reco.inventory.models import Drive
    from tests.factories import make_device

    with app.app_context():
        device = make_device(db.session.get(Donation, donation_id), type="desktop", donor_tag="INV-BENCH")
        device.drives.append(Drive(serial=None, model="Loopback device", capacity_bytes=SIZE, device_path=loop,
                                   workshop_id=device.workshop_id, donation_id=device.donation_id))
        db.session.commit()
        tag = device.tag
        db.session.remove()
        return tag


def main() -> None:
    """Run the agent once on a fresh Reco and print the figures (and with --transcript, what the screen showed)."""
    missing = [tool for tool in ("lshw", "smartctl", "nwipe", "losetup") if not shutil.which(tool)]
    if missing or os.geteuid() != 0:
        print(f"agent: not measured: needs root and {', '.join(missing) or 'lshw, smartctl, nwipe, losetup'}")
        return
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = database_for(tmp)
        app = make_app(url)
        data = SimpleNamespace(**prepare(app))
        image = tmp / "disk.img"
        image.write_bytes(b"\xa5" * SIZE)
        loop = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True, text=True,
                              check=True).stdout.strip()
        server = Server(url)
        try:
            server.start()
            tag = _device(app, data.donation_id, loop)
            config = write_config(tmp / "reco-agent.ini", server.base, data.bench_token)
            common = ["--config", str(config), "--tag", tag, "--only-loop", "--device", loop]
            out = io.StringIO()
            status_report, report = run(common, Screen(out))
            status_erase, erase = run(["erase", *common, "--yes-tag", tag], Screen(out))
            found = counts(app, tag)
        finally:
            server.stop()
            subprocess.run(["losetup", "-d", loop], check=False)
            with app.app_context():
                db.engine.dispose()
    if "--transcript" in sys.argv:
        print(out.getvalue())
    trips = report.report_trips + erase.report_trips
    overhead = report.seconds + erase.seconds - erase.nwipe_seconds
    print(f"agent: reco-agent {report.seconds:.2f} s (exit {status_report}), reco-agent erase {erase.seconds:.2f} s "
          f"(exit {status_erase}) of which nwipe {erase.nwipe_seconds:.2f} s")
    print(f"agent: overhead {overhead:.2f} s (target < 5 s); {len(trips)} reports in {sum(trips)} round trips "
          f"({', '.join(map(str, trips))}; target 1 each); all round trips: "
          f"{report.client.round_trips + erase.client.round_trips}")
    print(f"agent: recorded {found['report_kinds']} reports, {found['erasure_logs']} log, sanitizations "
          f"{found['sanitizations']}")


if __name__ == "__main__":
    main()
