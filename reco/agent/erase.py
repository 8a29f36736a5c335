"""Wiping drives with nwipe, one run and one log for all of them, and reading the log's outcome per drive."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from .machine import run

#: The Drive Status table of an nwipe log: ``     loop0 | Erased |   0 B/s | 00:00:00 | Model/Serial``.
_STATUS_ROW = re.compile(r"^[! ]\s*(\S+)\s*\|\s*([^|]+?)\s*\|")


@dataclass
class Wipe:
    """One nwipe run: the log it wrote, its exit status and how long it took."""

    log_path: Path
    log: bytes
    returncode: int
    seconds: float
    statuses: dict[str, str]


def command(paths: list[str], method: str, verify: str, rounds: int, logfile: Path) -> list[str]:
    """Return the nwipe command that wipes ``paths`` without any question (nwipe 0.33 and 0.34 flags)."""
    return ["nwipe", "--autonuke", "--nogui", "--nowait", f"--method={method}", f"--verify={verify}",
            f"--rounds={rounds}", f"--logfile={logfile}", *paths]


def wipe(paths: list[str], method: str, verify: str, rounds: int, log_dir: Path) -> Wipe:
    """Run nwipe on ``paths`` and return its log and the status of each drive."""
    log_dir.mkdir(parents=True, exist_ok=True)
    logfile = log_dir / f"nwipe-{time.strftime('%Y%m%d-%H%M%S')}-{'-'.join(Path(p).name for p in paths)}.log"
    started = time.monotonic()
    done = run(command(paths, method, verify, rounds, logfile), timeout=7 * 24 * 3600)
    seconds = time.monotonic() - started
    log = logfile.read_bytes() if logfile.exists() else b""
    return Wipe(logfile, log, done.returncode, seconds, statuses(log))


def statuses(log: bytes) -> dict[str, str]:
    """Return each drive's status from the log's Drive Status table (``/dev/loop0`` -> ``Erased``)."""
    found, in_table = {}, False
    for line in log.decode("utf-8", "replace").splitlines():
        if line.startswith("*****"):
            in_table = "Drive Status" in line
        elif in_table and (row := _STATUS_ROW.match(line)) and row[1] != "Device":
            found["/dev/" + row[1]] = row[2]
    return found
