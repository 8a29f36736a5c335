"""Reading hardware reports from the bench: ``lshw -json`` (a whole computer) and ``smartctl --json`` (one drive).

Both parsers only read the bytes they are given: no database, no request. What they cannot tell
for sure stays ``None`` (for example HDD or SSD on an old lshw that gives no hint), so that an
importer never records a guess as a fact.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from reco.inventory.intake import MAX_DRIVES
from reco.inventory.models import DriveInterface

MAX_REPORT_BYTES = 20 * 1024 * 1024
#: The most nodes an lshw report may describe: a laptop has about a hundred, a big desktop a few hundred. Beyond,
#: the report is refused before any drive is looked up, so that no upload keeps a worker busy.
MAX_LSHW_NODES = 5000

#: Strings firmware writers leave in DMI fields instead of a real value.
PLACEHOLDERS = {"", "to be filled by o.e.m.", "default string", "system serial number", "not specified",
                "none", "n/a", "0000000000"}
#: lshw ``configuration.chassis`` values of machines that normally carry a battery.
PORTABLE_CHASSIS = {"laptop", "notebook", "portable", "sub-notebook", "convertible", "tablet", "handheld"}
OPTICAL_CAPABILITIES = {"cd-r", "cd-rw", "dvd", "dvd-r", "dvd-ram", "bd", "bd-r"}


class ReportNotRecognised(ValueError):
    """The uploaded bytes are not an lshw or smartctl JSON report we can read."""


@dataclass
class DriveReport:
    """One drive as a report describes it."""

    serial: str | None
    model: str
    capacity_bytes: int | None
    interface: DriveInterface | None
    device_path: str | None
    smart_passed: bool | None = None
    power_on_hours: int | None = None
    reallocated_sectors: int | None = None
    media_errors: int | None = None
    usb: bool = False

    @property
    def failing(self) -> bool:
        """Tell whether SMART says the drive is failing (its overall self-assessment did not pass)."""
        return self.smart_passed is False


@dataclass
class SystemReport:
    """A whole computer as ``lshw -json`` describes it."""

    vendor: str
    model: str
    serial: str | None
    chassis: str | None
    cpu: str | None
    ram_bytes: int | None
    battery_present: bool | None
    battery_health_pct: int | None
    drives: list[DriveReport]
    #: The cameras lshw lists, by name: the built-in one, or one plugged in.
    cameras: list[str] = field(default_factory=list)


@dataclass
class SmartReport:
    """One drive as ``smartctl --json`` describes it."""

    drive: DriveReport


def parse_hardware_report(data: bytes) -> SystemReport | SmartReport:
    """Read an ``lshw -json`` or ``smartctl --json`` report, telling which it is from its content."""
    document = _load_json(data)
    if isinstance(document.get("smartctl"), dict) or "json_format_version" in document:
        return _smart_report(document)
    if document.get("class") == "system":
        return _system_report(document)
    raise ReportNotRecognised(_l("This file is neither an lshw -json nor a smartctl --json report."))


def _load_json(data: bytes) -> dict:
    """Return the JSON object in ``data``, or say in a person's words why there is none."""
    if not data or not data.strip():
        raise ReportNotRecognised(_l("The file is empty."))
    if len(data) > MAX_REPORT_BYTES:
        raise ReportNotRecognised(_l("The file is larger than 20 MB: this is not a hardware report."))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ReportNotRecognised(_l("This file is not text: it is not an lshw or smartctl report.")) from exc
    except (ValueError, RecursionError) as exc:
        raise ReportNotRecognised(_l("This file is not valid JSON (it may be cut short). Save the whole "
                                     "output of lshw -json or smartctl --json and try again.")) from exc
    if not isinstance(document, dict):
        raise ReportNotRecognised(_l("This file is neither an lshw -json nor a smartctl --json report."))
    return document


def _text(value) -> str | None:
    """Return ``value`` with its spaces collapsed if it is a non-empty string, else None."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _number(value) -> int | None:
    """Return ``value`` if it is a whole number (JSON booleans are not), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _boolean(value) -> bool | None:
    """Return ``value`` if it is a JSON boolean, else None."""
    return value if isinstance(value, bool) else None


def _dict(value) -> dict:
    """Return ``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _serial(value) -> str | None:
    """Return a serial number stripped, or None when it is empty or a firmware placeholder."""
    text = _text(value)
    return None if text is None or text.lower() in PLACEHOLDERS else text


# --- smartctl ---------------------------------------------------------------------------------

def _smart_report(document: dict) -> SmartReport:
    """Build the report of the one drive smartctl describes."""
    device = _dict(document.get("device"))
    kind = (_text(device.get("type")) or "").lower()
    protocol = (_text(device.get("protocol")) or "").lower()
    usb = kind.startswith(("usb", "snt")) or protocol.startswith("usb")
    model = _smart_model(document)
    serial = _serial(document.get("serial_number"))
    if not model and not serial:
        raise ReportNotRecognised(_l("smartctl could not read this drive: the report has no model and no "
                                     "serial number."))
    return SmartReport(DriveReport(
        serial=serial,
        model=model,
        capacity_bytes=_smart_capacity(document, protocol),
        interface=DriveInterface.USB if usb else _smart_interface(document, protocol, model),
        device_path=_text(device.get("name")),
        smart_passed=_boolean(_dict(document.get("smart_status")).get("passed")),
        power_on_hours=_number(_dict(document.get("power_on_time")).get("hours")),
        reallocated_sectors=_reallocated_sectors(document),
        media_errors=_number(_dict(document.get("nvme_smart_health_information_log")).get("media_errors")),
        usb=usb,
    ))


def _smart_model(document: dict) -> str:
    """Return the drive's model name (smartctl 7.3+ calls it ``scsi_model_name`` for SCSI drives)."""
    names = (document.get(key) for key in ("model_name", "scsi_model_name", "model_family"))
    return next(filter(None, map(_text, names)), "")


def _smart_capacity(document: dict, protocol: str) -> int | None:
    """Return the capacity in bytes (NVMe: the controller's total, when it reports one)."""
    total = _number(document.get("nvme_total_capacity")) if protocol == "nvme" else None
    return total or _number(_dict(document.get("user_capacity")).get("bytes"))


def _smart_interface(document: dict, protocol: str, model: str) -> DriveInterface | None:
    """Tell NVMe, SATA SSD or ATA HDD apart; None for anything else (SCSI, SAS)."""
    if protocol == "nvme":
        return DriveInterface.NVME
    if protocol != "ata":
        return None
    rotation = _number(document.get("rotation_rate"))
    if rotation is None:
        # Drives older than ATA8-ACS do not report a rotation rate: nearly all of them are disks.
        names = f"{model} {_text(document.get('model_family')) or ''}".lower()
        return DriveInterface.SATA_SSD if "ssd" in names else DriveInterface.ATA_HDD
    return DriveInterface.SATA_SSD if rotation == 0 else DriveInterface.ATA_HDD


def _reallocated_sectors(document: dict) -> int | None:
    """Return the raw value of ATA attribute 5 (Reallocated_Sector_Ct), if the drive has it."""
    table = _dict(document.get("ata_smart_attributes")).get("table")
    for attribute in table if isinstance(table, list) else []:
        if isinstance(attribute, dict) and attribute.get("id") == 5:
            return _number(_dict(attribute.get("raw")).get("value"))
    return None


# --- lshw -------------------------------------------------------------------------------------

def _children(node: dict) -> list[dict]:
    """Return the child nodes of an lshw node."""
    children = node.get("children")
    return [child for child in children if isinstance(child, dict)] if isinstance(children, list) else []


def _walk(root: dict):
    """Yield ``(node, parent, on_usb)`` for every node below ``root``, without recursion; refuse a report of more
    than ``MAX_LSHW_NODES`` nodes."""
    stack = [(child, root, False) for child in reversed(_children(root))]
    seen = 0
    while stack:
        node, parent, on_usb = stack.pop()
        seen += 1
        if seen > MAX_LSHW_NODES:
            raise ReportNotRecognised(_l("This report describes more than %(n)d parts: it is not the report of one "
                                         "computer.", n=MAX_LSHW_NODES))
        on_usb = on_usb or (_text(node.get("businfo")) or "").startswith("usb@")
        yield node, parent, on_usb
        stack.extend((child, node, on_usb) for child in reversed(_children(node)))


def _system_report(root: dict) -> SystemReport:
    """Build the report of the computer lshw describes."""
    nodes = list(_walk(root))
    configuration = _dict(root.get("configuration"))
    chassis = _text(configuration.get("chassis"))
    batteries = [node for node, _, _ in nodes if _is_battery(node)]
    cpus = [node for node, _, _ in nodes if node.get("class") == "processor" and _text(node.get("product"))]
    drives = [(node, parent, on_usb) for node, parent, on_usb in nodes if _is_drive(node, parent)]
    inside = sum(1 for _, _, on_usb in drives if not on_usb)
    if inside > MAX_DRIVES:
        raise ReportNotRecognised(_l("This report lists %(count)d drives: a device has at most %(n)d. Send the report "
                                     "of one computer.", count=inside, n=MAX_DRIVES))
    return SystemReport(
        vendor=_text(root.get("vendor")) or "",
        model=_system_model(root, configuration),
        serial=_serial(root.get("serial")),
        chassis=chassis,
        cpu=_text(cpus[0].get("product")) if cpus else None,
        ram_bytes=_ram_bytes([node for node, _, _ in nodes]),
        battery_present=_battery_present(batteries, chassis),
        battery_health_pct=next(filter(None, map(_battery_health, batteries)), None),
        drives=[_lshw_drive(node, parent, on_usb) for node, parent, on_usb in drives],
        cameras=list(dict.fromkeys(_camera_name(node) for node, _, _ in nodes if _is_camera(node))),
    )


def _is_camera(node: dict) -> bool:
    """Tell whether an lshw node is a camera: a video device (UVC driver, "Video" multimedia) or named so."""
    if node.get("class") != "multimedia":
        return False
    text = " ".join((_text(node.get(key)) or "") for key in ("description", "product")).lower()
    driver = (_text(_dict(node.get("configuration")).get("driver")) or "").lower()
    return driver == "uvcvideo" or "video" in text.split() or "camera" in text or "webcam" in text


def _camera_name(node: dict) -> str:
    """Return a camera's name as lshw gives it."""
    return (_text(node.get("product")) or _text(node.get("description")) or "camera").replace("_", " ")[:80]


def _system_model(root: dict, configuration: dict) -> str:
    """Return the model name without the ``(sku)`` lshw appends; Lenovo keeps its name in ``version``."""
    model = _text(root.get("product")) or ""
    sku = _text(configuration.get("sku"))
    if sku and model.endswith(f" ({sku})"):
        model = model[: -len(sku) - 3]
    version = _text(root.get("version"))
    if (_text(root.get("vendor")) or "").upper() == "LENOVO" and version and version.lower() not in PLACEHOLDERS:
        return f"{version} ({model})" if model else version
    return model


def _ram_bytes(nodes: list[dict]) -> int | None:
    """Return the installed memory: the System Memory size, else the sum of its modules."""
    total = 0
    for bank in (node for node in nodes if (_text(node.get("description")) or "").lower() == "system memory"):
        modules = [child for child in _children(bank) if not _is_flash(child)]
        total += _number(bank.get("size")) or sum(_number(module.get("size")) or 0 for module in modules)
    return total or None


def _is_flash(node: dict) -> bool:
    """Tell whether a memory node is firmware flash rather than RAM."""
    description = (_text(node.get("description")) or "").lower()
    return "flash" in description or "non-volatile" in description


def _is_battery(node: dict) -> bool:
    """Tell a real battery from a power supply or an empty DMI entry (both are lshw ``power`` nodes)."""
    if node.get("class") != "power":
        return False
    is_battery = str(node.get("id", "")).startswith("battery") or "battery" in (
        _text(node.get("description")) or "").lower()
    filled = any((_text(node.get(key)) or "").lower() not in PLACEHOLDERS
                 for key in ("product", "vendor", "description"))
    return is_battery and filled


def _battery_present(batteries: list[dict], chassis: str | None) -> bool | None:
    """Tell whether there is a battery; unknown (None) when a portable computer shows none."""
    if batteries:
        return True
    return None if (chassis or "").lower() in PORTABLE_CHASSIS else False


def _battery_health(node: dict) -> int | None:
    """Return the full charge as a percentage of the design capacity (100 at most), when lshw gives both."""
    design, current = _number(node.get("capacity")), _number(node.get("size"))
    if not design or design < 0 or current is None or current < 0:
        return None
    return round(100 * min(current, design) / design)  # a new battery may hold a little more than designed


def _is_drive(node: dict, parent: dict) -> bool:
    """Tell whether an lshw node is a drive with media (not an optical drive, empty reader or medium)."""
    if node.get("class") != "disk" or parent.get("class") == "disk":
        return False
    capabilities = _dict(node.get("capabilities"))
    optical = str(node.get("id", "")).startswith("cdrom") or bool(OPTICAL_CAPABILITIES & set(capabilities))
    return not optical and bool(_number(node.get("size")))


def _device_path(node: dict) -> str | None:
    """Return the drive's block device (``/dev/nvme0n1`` rather than its ``/dev/ng0n1`` twin)."""
    names = node.get("logicalname")
    names = [name for name in (names if isinstance(names, list) else [names]) if isinstance(name, str)]
    paths = [name for name in names if name.startswith("/dev/")]
    return next((path for path in paths if not path.startswith("/dev/ng")), paths[0] if paths else None)


def _lshw_drive(node: dict, parent: dict, on_usb: bool) -> DriveReport:
    """Build a drive from an lshw ``disk`` node (an NVMe namespace takes model and serial from its controller)."""
    from_parent = not _text(node.get("product")) and parent.get("class") == "storage" and _text(parent.get("product"))
    owner = parent if from_parent else node
    product, vendor = _text(owner.get("product")) or "", _text(owner.get("vendor"))
    model = f"{vendor} {product}" if vendor and vendor.lower() not in product.lower() else product
    path = _device_path(node)
    return DriveReport(
        serial=_serial(owner.get("serial")),
        model=model.strip(),
        capacity_bytes=_number(node.get("size")),
        interface=DriveInterface.USB if on_usb else _lshw_interface(node, parent, path),
        device_path=path,
        usb=on_usb,
    )


def _lshw_interface(node: dict, parent: dict, path: str | None) -> DriveInterface | None:
    """Guess the interface from lshw's hints; None when an ATA disk gives none (old lshw never does)."""
    hints = " ".join(_text(n.get(key)) or "" for n in (node, parent) for key in ("description", "businfo")).lower()
    if (path or "").startswith("/dev/nvme") or "nvme" in hints:
        return DriveInterface.NVME
    if (path or "").startswith("/dev/mmcblk"):
        return DriveInterface.EMMC
    rotation = str(_dict(node.get("configuration")).get("rotation", "")).lower().replace("rpm", "").strip()
    words = f"{hints} {_text(node.get('product')) or ''}".lower().split()
    if "ssd" in _dict(node.get("capabilities")) or "ssd" in words or rotation == "0":
        return DriveInterface.SATA_SSD
    return DriveInterface.ATA_HDD if rotation.isdecimal() else None
