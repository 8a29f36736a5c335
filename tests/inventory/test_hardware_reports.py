"""Reading lshw and smartctl reports, on the real outputs in tests/fixtures/hardware (see SOURCES.md)."""
import json
import random
from pathlib import Path

import pytest

from reco.inventory.hardware_reports import (
    DriveReport,
    ReportNotRecognised,
    SmartReport,
    SystemReport,
    parse_hardware_report,
)
from reco.inventory.models import DriveInterface

FIXTURES = Path(__file__).parent.parent / "fixtures"
LSHW = FIXTURES / "hardware" / "lshw"
SMARTCTL = FIXTURES / "hardware" / "smartctl"
GIB = 1024 ** 3


def lshw(name: str) -> SystemReport:
    """Parse one lshw fixture, checking it is read as a whole computer."""
    report = parse_hardware_report((LSHW / name).read_bytes())
    assert isinstance(report, SystemReport)
    return report


def smart(name: str) -> DriveReport:
    """Parse one smartctl fixture and return its drive."""
    report = parse_hardware_report((SMARTCTL / name).read_bytes())
    assert isinstance(report, SmartReport)
    return report.drive


def drives_by_path(report: SystemReport) -> dict[str, DriveReport]:
    """Index the drives of a report by device path."""
    return {drive.device_path: drive for drive in report.drives}


# --- lshw -------------------------------------------------------------------------------------

def test_dell_latitude_e5530_laptop_with_battery_disk_and_boot_stick():
    report = lshw("laptop-dell-latitude-e5530.json")
    assert (report.vendor, report.model, report.serial, report.chassis) == (
        "Dell Inc.", "Latitude E5530 non-vPro", "D8FTRY1", "laptop")
    assert report.cpu == "Intel(R) Core(TM) i5-3340M CPU @ 2.70GHz"
    assert report.ram_bytes == 8 * GIB
    # The "DELL HMYXT37" battery counts; the second power node, all "To Be Filled By O.E.M.", does not.
    assert report.battery_present is True
    assert report.battery_health_pct is None  # lshw gives the design capacity only
    drives = drives_by_path(report)
    assert set(drives) == {"/dev/sda", "/dev/sdb"}  # the DVD writer is not a drive
    disk = drives["/dev/sda"]
    assert (disk.serial, disk.model, disk.capacity_bytes, disk.usb) == (
        "TF755AWHKL0LHM", "HGST HTS725050A7", 500107862016, False)
    assert disk.interface is None  # old lshw gives no HDD/SSD hint: left for smartctl to tell
    assert disk.smart_passed is None and not disk.failing
    stick = drives["/dev/sdb"]
    assert (stick.usb, stick.interface, stick.model, stick.serial, stick.capacity_bytes) == (
        True, DriveInterface.USB, "Kingston DataTraveler 3.0", "0B8E680065E9", 7866580992)


def test_hp_probook_430_g4_notebook_with_sata_ssd():
    report = lshw("laptop-hp-probook-430-g4.json")
    assert (report.vendor, report.model, report.serial, report.chassis) == (
        "HP", "HP ProBook 430 G4", "5CD7314HDY", "notebook")
    assert report.cpu == "Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz"
    assert report.ram_bytes == 8 * GIB
    assert report.battery_present is True
    [ssd] = report.drives
    assert (ssd.serial, ssd.model, ssd.capacity_bytes, ssd.device_path, ssd.usb) == (
        "S2ZPNB0J121952", "SAMSUNG MZNTY256", 256060514304, "/dev/sda", False)


def test_toshiba_portege_r700_batteries_without_product():
    report = lshw("laptop-toshiba-portege-r700.json")
    assert (report.vendor, report.model, report.serial, report.chassis) == (
        "TOSHIBA", "PORTEGE R700", "YA059622H", "notebook")
    assert report.cpu == "Intel(R) Core(TM) i5 CPU M 560 @ 2.67GHz"  # lshw pads it with spaces
    assert report.ram_bytes == 2 * GIB
    assert report.battery_present is True  # two "Lithium Ion Battery" nodes with no product
    [disk] = report.drives
    assert (disk.serial, disk.model, disk.capacity_bytes) == ("101022PBN40317KS46YE", "Hitachi HTS54505",
                                                              500107862016)


def test_dell_latitude_e7240_newer_lshw_two_msata_ssds_no_battery_node():
    report = lshw("laptop-dell-latitude-e7240.json")
    assert (report.vendor, report.model, report.serial, report.chassis) == (
        "Dell Inc.", "Latitude E7240", "5CQ6VY1", "laptop")
    assert report.cpu == "Intel(R) Core(TM) i7-4600U CPU @ 2.10GHz"
    assert report.ram_bytes == 16 * GIB
    # A laptop that lists no battery may still have one: unknown, not "no battery".
    assert report.battery_present is None
    drives = drives_by_path(report)
    assert drives["/dev/sda"].serial == "TW0XXM305508539G1361"
    assert drives["/dev/sda"].model == "LITEONIT LMT-256"
    assert drives["/dev/sda"].interface is None
    assert drives["/dev/sdb"].serial == "S33HNX0J203755R"
    assert drives["/dev/sdb"].interface == DriveInterface.SATA_SSD  # "Samsung SSD 850" says so
    assert not any(drive.usb for drive in report.drives)


def test_lenovo_thinkcentre_edge72_desktop_with_stick_and_empty_card_reader():
    report = lshw("desktop-lenovo-thinkcentre-edge72.json")
    # Lenovo puts the machine type in product and the name in version.
    assert (report.vendor, report.model, report.serial, report.chassis) == (
        "LENOVO", "ThinkCentre Edge72 (3493BAG)", "PB357N0", "desktop")
    assert report.cpu == "Intel(R) Pentium(R) CPU G645 @ 2.90GHz"
    assert report.ram_bytes == 2 * GIB
    assert report.battery_present is False
    assert report.battery_health_pct is None
    drives = drives_by_path(report)
    assert set(drives) == {"/dev/sda", "/dev/sdb"}  # the card reader (/dev/sdc) has no card, the DVD no disc
    assert (drives["/dev/sda"].serial, drives["/dev/sda"].model, drives["/dev/sda"].capacity_bytes) == (
        "Z2AYPLNP", "Seagate ST250DM000-1BD14", 250059350016)
    stick = drives["/dev/sdb"]
    assert (stick.usb, stick.interface, stick.model, stick.serial) == (
        True, DriveInterface.USB, "Kingston DT 101 G2", None)


def test_hp_compaq_8100_desktop_power_supply_is_not_a_battery():
    report = lshw("desktop-hp-compaq-8100-elite-sff.json")
    assert (report.vendor, report.model, report.serial, report.chassis) == (
        "Hewlett-Packard", "HP Compaq 8100 Elite SFF PC", "CZC0408YPV", "low-profile")
    assert report.cpu == "Intel(R) Core(TM) i3 CPU 530 @ 2.93GHz"
    # No System Memory size here: the four 2 GB modules are added up, the 4 MB BIOS flash is not.
    assert report.ram_bytes == 8 * GIB
    assert report.battery_present is False  # its "High Efficiency" power node is the power supply
    drives = drives_by_path(report)
    assert (drives["/dev/sda"].serial, drives["/dev/sda"].model, drives["/dev/sda"].usb) == (
        "50026B7782018EE6", "KINGSTON SA400S3", False)
    assert (drives["/dev/sdb"].usb, drives["/dev/sdb"].interface) == (True, DriveInterface.USB)


def minimal_lshw(*children: dict, **top) -> bytes:
    """Return a small lshw document in the shape lshw prints (system > core > devices)."""
    system = {"id": "bench", "class": "system", "product": "Test (SKU1)", "vendor": "Acme", "serial": " S1 ",
              "configuration": {"chassis": "notebook", "sku": "SKU1"},
              "children": [{"id": "core", "class": "bus", "children": list(children)}], **top}
    return json.dumps(system).encode()


def test_battery_health_when_lshw_gives_design_and_full_capacity():
    battery = {"id": "battery", "class": "power", "product": "45N1001", "vendor": "SANYO",
               "capacity": 48010, "size": 36000, "units": "mWh"}
    report = parse_hardware_report(minimal_lshw(battery))
    assert (report.model, report.serial, report.battery_present, report.battery_health_pct) == (
        "Test", "S1", True, 75)


def test_nvme_namespace_takes_model_and_serial_from_its_controller():
    # Shape of lshw's nvme.cc: a "storage" controller node with a "disk" child per namespace.
    nvme = {"id": "nvme", "class": "storage", "description": "NVMe device", "product": "Samsung SSD 970 EVO 500GB",
            "serial": "S466NX0M776250H", "businfo": "pci@0000:3d:00.0", "logicalname": "/dev/nvme0",
            "children": [{"id": "namespace", "class": "disk", "description": "NVMe disk",
                          "logicalname": ["/dev/ng0n1", "/dev/nvme0n1"], "size": 500107862016,
                          "children": [{"id": "volume", "class": "volume", "size": 1000}]}]}
    [drive] = parse_hardware_report(minimal_lshw(nvme)).drives
    assert (drive.device_path, drive.interface, drive.model, drive.serial, drive.capacity_bytes) == (
        "/dev/nvme0n1", DriveInterface.NVME, "Samsung SSD 970 EVO 500GB", "S466NX0M776250H", 500107862016)


@pytest.mark.parametrize("hints, interface", [
    ({"capabilities": {"ssd": "Solid State Disk"}}, DriveInterface.SATA_SSD),
    ({"configuration": {"rotation": "7200rpm"}}, DriveInterface.ATA_HDD),
    ({"configuration": {"rotation": "0"}}, DriveInterface.SATA_SSD),
    ({"description": "ATA Disk"}, None),
])
def test_lshw_disk_hints(hints, interface):
    disk = {"id": "disk", "class": "disk", "product": "WDC WD5000LPVX-2", "logicalname": "/dev/sda",
            "size": 500107862016, "serial": "WX41A", **hints}
    [drive] = parse_hardware_report(minimal_lshw(disk)).drives
    assert drive.interface == interface


# --- smartctl ---------------------------------------------------------------------------------

def test_ata_hdd_seagate():
    drive = smart("ata-hdd-seagate-st500dm002.json")
    assert (drive.model, drive.serial, drive.capacity_bytes, drive.interface, drive.device_path) == (
        "ST500DM002-1BD142", "S2AJ3XHB", 500107862016, DriveInterface.ATA_HDD, "/dev/sda")
    assert (drive.smart_passed, drive.power_on_hours, drive.reallocated_sectors, drive.media_errors) == (
        True, 42593, 0, None)
    assert not drive.failing and not drive.usb


def test_worn_hitachi_with_126_reallocated_sectors_still_passes():
    drive = smart("ata-hdd-hitachi-hdt722520dlat80-reallocated-sectors.json")
    assert (drive.model, drive.serial, drive.capacity_bytes) == ("HDT722520DLAT80", "VD051GTF024B4L", 200048565760)
    # An ATA/ATAPI-7 drive reports no rotation rate: it is a disk.
    assert drive.interface == DriveInterface.ATA_HDD
    assert (drive.smart_passed, drive.power_on_hours, drive.reallocated_sectors) == (True, 19819, 126)
    assert drive.failing is False  # reallocated sectors are a figure, not a failure


def test_sata_ssd_kingston():
    drive = smart("sata-ssd-kingston-a400-240gb.json")
    assert (drive.model, drive.serial, drive.capacity_bytes, drive.interface) == (
        "KINGSTON SA400S37240G", "50026B768305483D", 240057409536, DriveInterface.SATA_SSD)
    assert (drive.smart_passed, drive.power_on_hours, drive.reallocated_sectors) == (True, 28797, None)


def test_nvme_samsung_pm961():
    drive = smart("nvme-samsung-pm961-mzvlw1t0hmlh-1tb.json")
    assert (drive.model, drive.serial, drive.capacity_bytes, drive.interface, drive.device_path) == (
        "SAMSUNG MZVLW1T0HMLH-000L7", "S35ANX0J401001", 1024209543168, DriveInterface.NVME, "/dev/nvme0n1")
    assert (drive.smart_passed, drive.power_on_hours, drive.media_errors, drive.reallocated_sectors) == (
        True, 6032, 0, None)


def test_nvme_with_media_errors_still_passes():
    drive = smart("nvme-samsung-970-evo-500gb-media-errors.json")
    assert (drive.model, drive.serial, drive.capacity_bytes, drive.interface, drive.device_path) == (
        "Samsung SSD 970 EVO 500GB", "S466NX0M776250H", 500107862016, DriveInterface.NVME, "/dev/nvme0")
    assert (drive.smart_passed, drive.power_on_hours, drive.media_errors) == (True, 12798, 7)
    assert drive.failing is False


def test_usb_bridged_drive_with_failed_smart_is_failing():
    drive = smart("usb-jmicron-hitachi-hds721050dle630-smart-failed.json")
    assert (drive.model, drive.serial, drive.capacity_bytes, drive.device_path) == (
        "Hitachi HDS721050DLE630", "MSK423Y20S3HBC", 500107862016, "/dev/sdc")
    assert (drive.usb, drive.interface) == (True, DriveInterface.USB)
    assert (drive.smart_passed, drive.power_on_hours, drive.reallocated_sectors) == (False, 65592, 1975)
    assert drive.failing is True


def test_smartctl_that_could_not_open_the_drive():
    # What smartctl prints for a device it cannot identify (exit status 2).
    report = {"json_format_version": [1, 0], "smartctl": {"version": [7, 3], "exit_status": 2, "messages": [
        {"string": "Smartctl open device: /dev/sdb failed: No such device", "severity": "error"}]},
        "device": {"name": "/dev/sdb", "info_name": "/dev/sdb", "type": "scsi", "protocol": "SCSI"}}
    with pytest.raises(ReportNotRecognised):
        parse_hardware_report(json.dumps(report).encode())


def test_serials_are_stripped_and_empty_ones_are_none():
    report = {"json_format_version": [1, 0], "smartctl": {"exit_status": 0}, "model_name": "X",
              "serial_number": "  ", "device": {"name": "/dev/sda", "type": "sat", "protocol": "ATA"}}
    assert parse_hardware_report(json.dumps(report).encode()).drive.serial is None
    report["serial_number"] = " WD-123 \n"
    assert parse_hardware_report(json.dumps(report).encode()).drive.serial == "WD-123"


# --- bad input --------------------------------------------------------------------------------

NWIPE_LOG = FIXTURES / "erasure" / "nwipe" / "nwipe-zero-verified-erased.log"


@pytest.mark.parametrize("data", [
    pytest.param(b"", id="empty"),
    pytest.param(b"  \n", id="blank"),
    pytest.param((LSHW / "laptop-hp-probook-430-g4.json").read_bytes()[:5000], id="truncated JSON"),
    pytest.param(b'[{"id": "debian", "class": "system"}]', id="JSON array"),
    pytest.param(b"42", id="JSON number"),
    pytest.param(b'"lshw"', id="JSON string"),
    pytest.param(b'{"id": "x", "class": "disk"}', id="other JSON object"),
    pytest.param(bytes(range(256)) * 4, id="random bytes"),
    pytest.param(b"Serial;Brand\nSN1;Dell\n", id="CSV"),
    pytest.param("{\"vendor\": \"Dell\xe9\"}".encode("latin-1"), id="not UTF-8"),
    pytest.param(NWIPE_LOG.read_bytes(), id="nwipe log"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply nested"),
    pytest.param(b" " * (21 * 1024 * 1024), id="21 MB"),
])
def test_bad_input_is_refused(data):
    with pytest.raises(ReportNotRecognised):
        parse_hardware_report(data)


def test_refusals_speak_to_a_person(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ReportNotRecognised) as empty:
            parse_hardware_report(b"")
        assert str(empty.value) == "The file is empty."
        with pytest.raises(ReportNotRecognised) as other:
            parse_hardware_report(b"[1, 2]")
        assert str(other.value) == "This file is neither an lshw -json nor a smartctl --json report."
        with pytest.raises(ReportNotRecognised) as big:
            parse_hardware_report(b"{" + b" " * (21 * 1024 * 1024) + b"}")
        assert "20 MB" in str(big.value)


def _mutate(value, rng: random.Random):
    """Return ``value`` with some of its nested values swapped for other JSON types."""
    if isinstance(value, dict):
        return {key: _mutate(item, rng) for key, item in value.items()}
    if isinstance(value, list):
        return [_mutate(item, rng) for item in value]
    if rng.random() < 0.05:
        return rng.choice([None, True, -1, 0, 2 ** 70, 1.5, "", "x", [], {}, [1, "a"], {"a": None}])
    return value


def test_random_bytes_and_mangled_reports_raise_only_our_error():
    rng = random.Random(20261122)
    samples = sorted(LSHW.glob("*.json")) + sorted(SMARTCTL.glob("*.json"))
    for round_number in range(200):
        source = samples[round_number % len(samples)].read_bytes()
        kind = round_number % 4
        if kind == 0:
            data = rng.randbytes(rng.randint(0, 2000))
        elif kind == 1:
            data = source[: rng.randint(0, len(source))]
        elif kind == 2:
            data = bytearray(source)
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        else:
            data = json.dumps(_mutate(json.loads(source), rng)).encode()
        try:
            report = parse_hardware_report(data)
        except ReportNotRecognised:
            continue
        assert isinstance(report, SystemReport | SmartReport)
