"""The bench agent is standard library only and runs as one file on a Python without Flask."""
import ast
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reco.agent import drives, font, screen
from reco.agent.spool import Spool

AGENT = Path(__file__).resolve().parents[2] / "reco" / "agent"
ROOT = AGENT.parents[1]


def test_the_agent_imports_only_the_standard_library_and_itself_relatively():
    for path in AGENT.rglob("*.py"):
        # Python 3.8 syntax: the agent runs on the live system's python3, older than ours
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), feature_version=(3, 8))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: the agent's own modules
                    continue
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top == "__future__" or top in sys.stdlib_module_names, f"{path.name} imports {name}"


def _python_without_flask() -> list[str]:
    """Return a Python command that cannot import Flask (the system's, isolated from this virtualenv)."""
    for command in (["/usr/bin/python3", "-I"], ["/usr/bin/python3", "-I", "-S"], [sys.executable, "-I", "-S"]):
        if Path(command[0]).exists() and subprocess.run([*command, "-c", "import flask"],
                                                        capture_output=True).returncode != 0:
            return command
    pytest.fail("No Python without Flask to run the agent with")


def test_make_agent_builds_a_zipapp_that_runs_without_flask(tmp_path):
    pyz = tmp_path / "reco-agent.pyz"
    subprocess.run(["make", "-s", "agent", f"AGENT_PYZ={pyz}"], cwd=ROOT, check=True, capture_output=True)
    assert pyz.read_bytes().startswith(b"#!/usr/bin/env python3\n")
    shown = subprocess.run([*_python_without_flask(), str(pyz), "--help"], capture_output=True, text=True,
                           timeout=30)
    assert shown.returncode == 0, shown.stderr
    assert "reco-agent" in shown.stdout and "sync" in shown.stdout
    missing = subprocess.run([*_python_without_flask(), str(pyz), "--config", str(tmp_path / "none.ini")],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 2 and "Impossible de lire" in missing.stdout


LSBLK = b"""{"blockdevices": [
 {"name": "sda", "path": "/dev/sda", "type": "disk", "size": 500107862016, "serial": "WD-1", "model": "WDC WD5000",
  "tran": "sata", "rm": false, "mountpoints": [null], "children": [
   {"name": "sda1", "path": "/dev/sda1", "type": "part", "size": 1000, "mountpoints": [null]}]},
 {"name": "sdb", "path": "/dev/sdb", "type": "disk", "size": 16000000000, "serial": "STICK", "model": "Cruzer",
  "tran": "usb", "rm": true, "mountpoints": [null], "children": [
   {"name": "sdb1", "path": "/dev/sdb1", "type": "part", "size": 1000, "mountpoints": ["/run/live/medium"]}]},
 {"name": "nvme0n1", "path": "/dev/nvme0n1", "type": "disk", "size": 256060514304, "serial": "S4", "model": "PM981",
  "tran": "nvme", "rm": false, "mountpoints": [null], "children": [
   {"name": "nvme0n1p2", "path": "/dev/nvme0n1p2", "type": "part", "size": 1000, "mountpoints": [null]}]},
 {"name": "loop0", "path": "/dev/loop0", "type": "loop", "size": 8388608, "serial": null, "model": null,
  "tran": null, "rm": false, "mountpoints": ["/run/live/rootfs/filesystem.squashfs"]},
 {"name": "loop1", "path": "/dev/loop1", "type": "loop", "size": 8388608, "serial": null, "model": null,
  "tran": null, "rm": false, "mountpoints": [null]},
 {"name": "zram0", "path": "/dev/zram0", "type": "disk", "size": 0, "mountpoints": ["[SWAP]"]}]}"""


def test_the_boot_stick_and_the_running_system_are_never_wiped():
    mounted = drives.proc_mounts("/dev/nvme0n1p2 / ext4 rw 0 0\nproc /proc proc rw 0 0\n")
    wipe, excluded = drives.plan(drives.list_disks(LSBLK), mounted, loop_only=False)
    assert [d.path for d in wipe] == ["/dev/sda"]
    reasons = {d.path: reason for d, reason in excluded}
    assert reasons["/dev/sdb"].startswith("clé de démarrage")
    assert reasons["/dev/nvme0n1"].startswith("porte le système en marche (/)")
    assert "/dev/loop1" not in reasons and "/dev/zram0" not in reasons
    reported = [d.path for d in drives.list_disks(LSBLK) if drives.is_part_of_machine(d, mounted)]
    assert reported == ["/dev/sda", "/dev/nvme0n1"]  # not the stick, not the live system's loop devices


def test_in_test_mode_only_loop_devices_are_wiped_and_any_other_path_is_refused(monkeypatch):
    disks, mounted = drives.list_disks(LSBLK), drives.proc_mounts("")
    wipe, excluded = drives.plan(disks, mounted, loop_only=True)
    assert [d.path for d in wipe] == ["/dev/loop1"]
    assert {d.path for d, _ in excluded} >= {"/dev/sda", "/dev/loop0"}
    with pytest.raises(drives.RefusedDevice, match="n'est pas un périphérique loop"):
        drives.plan(disks, mounted, loop_only=True, chosen=["/dev/sda"])
    monkeypatch.setenv(drives.ONLY_LOOP_ENV, "1")
    assert drives.only_loop(False)


def test_the_tag_is_drawn_in_block_letters_and_the_qr_code_in_half_blocks():
    rows = font.render("AB-12", 80)
    assert len(rows) == 7 and "█" in rows[0] and max(map(len, rows)) <= 80
    assert max(map(len, font.render("ABCD-000123", 80))) <= 80
    out = io.StringIO()
    screen.Screen(out).qr(["0000", "0110", "0110", "0000"])
    assert out.getvalue() == "█▀▀█\n█▄▄█\n"  # light modules filled: light on a dark console


def test_a_spooled_report_stays_until_sent_and_keeps_its_key(tmp_path):
    spool = Spool(tmp_path)
    record = spool.add("POST", "/api/v1/devices/X/hardware-reports", b"{}", "application/json", "lshw")
    again = spool.pending()
    assert [r.key for r in again] == [record.key] and again[0].body == b"{}"
    assert os.listdir(tmp_path) == [record.path.name]
