"""What the machine says about itself: lshw -json, its system serial (lshw or dmidecode), smartctl per drive."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

#: Firmware placeholders that are no serial number.
PLACEHOLDERS = {"", "to be filled by o.e.m.", "default string", "system serial number", "not specified", "none",
                "n/a", "0000000000", "0123456789"}
#: lshw chassis -> Reco's device type.
CHASSIS_TYPES = {"laptop": "laptop", "notebook": "laptop", "portable": "laptop", "sub-notebook": "laptop",
                 "convertible": "laptop", "all-in-one": "all_in_one", "tablet": "tablet", "desktop": "desktop",
                 "tower": "desktop", "mini-tower": "desktop", "low-profile": "desktop", "mini": "desktop"}


class ToolMissing(Exception):
    """A program the agent needs is not installed on the live system."""


def run(command: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a program and return its output; say which one is missing in French."""
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise ToolMissing(f"Le programme {command[0]} manque sur ce système : utilisez la clé du banc "
                          f"(apt install {PACKAGES.get(command[0], command[0])}).") from None


PACKAGES = {"lshw": "lshw", "smartctl": "smartmontools", "nwipe": "nwipe", "dmidecode": "dmidecode",
            "lsblk": "util-linux"}


@dataclass
class System:
    """The machine: the raw lshw report and what the agent reads from it."""

    report: bytes
    serial: str | None
    vendor: str
    model: str
    type: str


def _text(value) -> str:
    """Return ``value`` with its spaces collapsed, or '' when it is not text."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _serial(value) -> str | None:
    """Return a real serial number, or None for a firmware placeholder."""
    text = _text(value)
    return None if text.lower() in PLACEHOLDERS else text


def describe_system() -> System:
    """Run lshw -json (and dmidecode when lshw gives no serial) and return what the machine is."""
    done = run(["lshw", "-json"])
    report = done.stdout
    try:
        document = json.loads(report.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ToolMissing("lshw n'a pas décrit la machine (lancez l'agent en root).") from None
    if isinstance(document, list):  # lshw before B.02.19 with -json on several roots
        document = document[0] if document else {}
        report = json.dumps(document).encode()
    serial = _serial(document.get("serial")) or dmidecode_serial()
    chassis = _text((document.get("configuration") or {}).get("chassis")).lower()
    return System(report=report, serial=serial, vendor=_text(document.get("vendor")),
                  model=_text(document.get("product")), type=CHASSIS_TYPES.get(chassis, "other"))


def dmidecode_serial() -> str | None:
    """Return the system serial number dmidecode reads, or None."""
    try:
        done = run(["dmidecode", "-s", "system-serial-number"], timeout=30)
    except ToolMissing:
        return None
    return _serial(done.stdout.decode("utf-8", "replace").strip()) if done.returncode == 0 else None


@dataclass
class Smart:
    """One drive's smartctl report and what it says (readable: smartctl told its model or serial)."""

    path: str
    report: bytes
    readable: bool
    passed: bool | None
    model: str
    serial: str | None
    message: str


def smart(path: str) -> Smart:
    """Run smartctl --json -a on a drive; a drive without SMART (virtual disk, loop device) is no error."""
    done = run(["smartctl", "--json", "-a", path], timeout=120)
    try:
        document = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = {}
    messages = ((document.get("smartctl") or {}).get("messages") or []) if isinstance(document, dict) else []
    message = "; ".join(str(m.get("string", "")) for m in messages if isinstance(m, dict))
    model = _text(document.get("model_name") or document.get("scsi_model_name") or document.get("model_family"))
    serial = _serial(document.get("serial_number"))
    passed = (document.get("smart_status") or {}).get("passed")
    return Smart(path=path, report=done.stdout, readable=bool(model or serial),
                 passed=passed if isinstance(passed, bool) else None, model=model, serial=serial, message=message)
