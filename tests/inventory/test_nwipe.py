"""Reading nwipe logs: the two real logs in tests/fixtures, and logs in the formats of real GitHub threads."""
import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from reco.inventory.nwipe import NotAnNwipeLog, NwipeLog, parse_nwipe_log

FIXTURES = Path(__file__).parent.parent / "fixtures"
NWIPE = FIXTURES / "erasure" / "nwipe"


def utc(*parts: int) -> datetime:
    """Return a UTC datetime."""
    return datetime(*parts, tzinfo=timezone.utc)


def test_zero_fill_verified_and_erased():
    log = parse_nwipe_log((NWIPE / "nwipe-zero-verified-erased.log").read_bytes())
    assert log.version == "0.33"
    [drive] = log.drives
    assert (drive.device_path, drive.bus, drive.model, drive.size, drive.serial) == (
        "/dev/loop0", "VIRT", "Loopback device", "67 MB", None)  # loop devices have no serial
    assert (drive.method, drive.rounds, drive.verification, drive.blanking) == (
        "Fill With Zeros", 1, "last_pass", True)
    assert drive.result == "erased"
    assert (drive.pass_errors, drive.verify_errors) == (0, 0)
    assert drive.started_at == utc(2026, 11, 22, 7, 33, 8)  # "Invoking method 'Fill With Zeros' on /dev/loop0"
    assert drive.ended_at == utc(2026, 11, 22, 7, 33, 9)  # "[SUCCESS] Blanked device /dev/loop0"


def test_prng_stream_on_a_read_only_device_failed():
    log = parse_nwipe_log((NWIPE / "nwipe-prng-readonly-failed.log").read_bytes())
    [drive] = log.drives
    assert (drive.device_path, drive.size, drive.method, drive.rounds, drive.verification) == (
        "/dev/loop2", "33 MB", "PRNG Stream", 1, "last_pass")
    assert drive.result == "failed"
    assert (drive.pass_errors, drive.verify_errors) == (1, 0)
    assert drive.started_at == utc(2026, 11, 22, 7, 33, 17)
    assert drive.ended_at == utc(2026, 11, 22, 7, 33, 19)


# Synthetic log in the exact format of the real one in nwipe PR #367 (nwipe 0.32.006 run with -q on a
# MEDION X681X with four drives): the Found lines are copied from that thread; the wipe lines and both
# tables follow nwipe's own format strings. One drive erased, one failed, two aborted with Control-C.
ANONYMISED_FOUR_DRIVES = b"""\
[2021/11/15 21:49:54]    info: nwipe 0.32.006
[2021/11/15 21:49:54]    info: Linux version 5.11.0-38-generic (buildd@lgw01-am
                               d64-041) (gcc (Ubuntu 9.3.0-17ubuntu1~20.04) 9.
                               3.0, GNU ld (GNU Binutils for Ubuntu) 2.34) #42
[2021/11/15 21:49:54]  notice: Found /dev/sda,  ATA, SanDisk SDSSDH3, 500 GB, S/N=XXXXXXXXXXXXXXX
[2021/11/15 21:49:54]  notice: Found /dev/sdb,  ATA, ST2000LX001-1RG1,   2 TB, S/N=XXXXXXXXXXXXXXX
[2021/11/15 21:49:54]  notice: Found /dev/sdc,  USB, ST1000DM 010-2EP102,   1 TB, S/N=XXXXXXXXXXXXXXX
[2021/11/15 21:49:54]  notice: Found /dev/sdd,  USB, WDC WD20 EURS-63SPKY0,   2 TB, S/N=XXXXXXXXXXXXXXX
[2021/11/15 21:49:54]    info: Automatically enumerated 4 devices.
[2021/11/15 21:49:54]  notice: bios-version = E16F2IM7 V5.0E
[2021/11/15 21:49:54]  notice: system-manufacturer = MEDION
[2021/11/15 21:49:54]  notice: system-serial-number = XXXXXXXXXXXXXXX
[2021/11/15 21:49:58]  notice: Program options are set as follows...
[2021/11/15 21:49:58]  notice:   autonuke = 0 (off)
[2021/11/15 21:49:58]  notice:   autopoweroff = 0 (off)
[2021/11/15 21:49:58]  notice:   banner   = nwipe 0.32.006
[2021/11/15 21:49:58]  notice:   prng     = Isaac64
[2021/11/15 21:49:58]  notice:   method   = DoD Short
[2021/11/15 21:49:58]  notice:   quiet    = 1
[2021/11/15 21:49:58]  notice:   rounds   = 1
[2021/11/15 21:49:58]  notice:   sync     = 100000
[2021/11/15 21:49:58]  notice:   verify   = 1 (last pass)
[2021/11/15 21:49:58]  notice: /dev/sda has serial number XXXXXXXXXXXXXXX
[2021/11/15 21:49:58]  notice: /dev/sda, sect/blk/dev 512/4096/500107862016
[2021/11/15 21:49:58]  notice: Invoking method 'DoD Short' on /dev/sda
[2021/11/15 21:49:58]  notice: Starting round 1 of 1 on /dev/sda
[2021/11/15 21:49:58]  notice: Starting pass 1/3, round 1/1, on /dev/sda
[2021/11/15 21:49:59]  notice: Invoking method 'DoD Short' on /dev/sdb
[2021/11/15 21:49:59]  notice: Starting round 1 of 1 on /dev/sdb
[2021/11/15 21:50:00]  notice: Invoking method 'DoD Short' on /dev/sdc
[2021/11/15 21:50:00]  notice: Invoking method 'DoD Short' on /dev/sdd
[2021/11/15 22:31:06]   error: nwipe_static_pass: fdatasync: Input/output error
[2021/11/15 22:31:06]   fatal: Nwipe exited with errors on device = /dev/sdb, see log for specific error
[2021/11/15 23:02:38]  notice: Blanking device /dev/sda
[2021/11/15 23:02:38]  notice: Verifying that /dev/sda is empty.
[2021/11/15 23:02:38]  notice: [SUCCESS] Verified that /dev/sda is empty.
[2021/11/15 23:02:38]  notice: [SUCCESS] Blanked device /dev/sda
[2021/11/15 23:40:12]    info: Wipe thread for device /dev/sdc has been cancelled
[2021/11/15 23:40:12]    info: Wipe thread for device /dev/sdd has been cancelled

******************************** Error Summary *********************************
!   Device | Pass Errors | Verifications Errors | Fdatasync I\\O Errors
--------------------------------------------------------------------------------
       sda |           0 |                    0 |                    0
!      sdb |           1 |                    0 |                    0
       sdc |           0 |                    0 |                    0
       sdd |           0 |                    0 |                    0
********************************************************************************

********************************* Drive Status *********************************
!   Device | Status | Thru-put | HH:MM:SS | Model/Serial Number
--------------------------------------------------------------------------------
       sda | Erased | 386 MB/s | 01:12:40 | SanDisk SDSSDH3/XXXXXXXXXXXXXXX
!      sdb |-FAILED-| 103 MB/s | 00:41:07 | ST2000LX001-1RG1/XXXXXXXXXXXXXXX
!      sdc |UABORTED|  91 MB/s | 01:50:12 | ST1000DM 010-2EP1/XXXXXXXXXXXXXXX
!      sdd |UABORTED|  88 MB/s | 01:50:12 | WDC WD20 EURS-63S/XXXXXXXXXXXXXXX
--------------------------------------------------------------------------------
[2021/11/15 23:40:13] Total Throughput 668 MB/s, DoD Short, 1R+B+VL
********************************************************************************

[2021/11/15 23:40:13]    info: Nwipe was aborted by the user. Check the summary table for the drive status.
"""


def test_anonymised_log_with_four_drives():
    log = parse_nwipe_log(ANONYMISED_FOUR_DRIVES)
    assert log.version == "0.32.006"
    drives = {drive.device_path: drive for drive in log.drives}
    assert list(drives) == ["/dev/sda", "/dev/sdb", "/dev/sdc", "/dev/sdd"]
    assert all(drive.serial is None for drive in log.drives)  # -q prints XXXXXXXXXXXXXXX
    assert [(d.bus, d.model, d.size) for d in log.drives] == [
        ("ATA", "SanDisk SDSSDH3", "500 GB"), ("ATA", "ST2000LX001-1RG1", "2 TB"),
        ("USB", "ST1000DM 010-2EP102", "1 TB"),  # the full model of the Found line, not the table's 17 characters
        ("USB", "WDC WD20 EURS-63SPKY0", "2 TB")]
    assert [d.result for d in log.drives] == ["erased", "failed", "aborted", "aborted"]
    assert [d.pass_errors for d in log.drives] == [0, 1, 0, 0]
    assert {(d.method, d.rounds, d.verification, d.blanking) for d in log.drives} == {
        ("DoD Short", 1, "last_pass", True)}
    assert (drives["/dev/sda"].started_at, drives["/dev/sda"].ended_at) == (
        utc(2021, 11, 15, 21, 49, 58), utc(2021, 11, 15, 23, 2, 38))
    assert drives["/dev/sdb"].ended_at == utc(2021, 11, 15, 22, 31, 6)
    assert drives["/dev/sdc"].ended_at == utc(2021, 11, 15, 23, 40, 12)


# Synthetic log in the format of the real ShredOS 0.38 log in PartialVolume/shredos.x86_64 issue #332
# (Found line copied from it: bus padded to "ATA    ", real serial), zero fill without blanking or verification.
SHREDOS_REAL_DRIVE = b"""\
[2025/07/29 17:31:35]    info: ShredOS v2024.11_27_x86-64_0.38
[2025/07/29 17:31:36]  notice: Found /dev/sda,  ATA    , TOSHIBA MQ01ABD1, 1000 GB, S/N=35H2SCTWS
[2025/07/29 17:31:36]    info: /dev/sda, sector(logical)/block(physical) sizes 512/4096
[2025/07/29 17:31:36]    info: HPA:  max sectors   = 1953525168/1953525168, hpa is disabled
 on /dev/sda
[2025/07/29 17:31:40]  notice: Program options are set as follows...
[2025/07/29 17:31:40]  notice:   autonuke = 0 (off)
[2025/07/29 17:31:40]  notice:   do not perform a final blank pass
[2025/07/29 17:31:40]  notice:   prng     = Xoroshiro-256
[2025/07/29 17:31:40]  notice:   method   = Fill With Zeros
[2025/07/29 17:31:40]  notice:   rounds   = 1
[2025/07/29 17:31:40]  notice:   verify   = 0 (off)
[2025/07/29 17:31:41]  notice: Invoking method 'Fill With Zeros' on /dev/sda
[2025/07/29 17:31:41]  notice: Starting round 1 of 1 on /dev/sda
[2025/07/29 17:31:41]  notice: Starting pass 1/1, round 1/1, on /dev/sda
[2025/07/29 20:14:46]  notice: 1000204886016 bytes written to /dev/sda
[2025/07/29 20:14:46]  notice: Finished pass 1/1, round 1/1, on /dev/sda
[2025/07/29 20:14:46]  notice: Finished final round 1 of 1 on /dev/sda

******************************** Error Summary *********************************
!   Device | Pass Errors | Verifications Errors | Fdatasync I\\O Errors
--------------------------------------------------------------------------------
       sda |           0 |                    0 |                    0
********************************************************************************

********************************* Drive Status *********************************
!   Device | Status | Thru-put | HH:MM:SS | Model/Serial Number
--------------------------------------------------------------------------------
       sda | Erased | 102 MB/s | 02:43:05 | TOSHIBA MQ01ABD1/35H2SCTWS
--------------------------------------------------------------------------------
[2025/07/29 20:15:02] Total Throughput 102 MB/s, Fill With Zeros, 1R+NB+NV
********************************************************************************
"""


def test_real_drive_found_line_with_padded_bus_and_serial():
    log = parse_nwipe_log(SHREDOS_REAL_DRIVE)
    assert log.version == "0.38"  # ShredOS versions end with the nwipe version
    [drive] = log.drives
    assert (drive.device_path, drive.bus, drive.model, drive.size, drive.serial) == (
        "/dev/sda", "ATA", "TOSHIBA MQ01ABD1", "1000 GB", "35H2SCTWS")
    assert (drive.method, drive.rounds, drive.verification, drive.blanking, drive.result) == (
        "Fill With Zeros", 1, "none", False, "erased")
    assert (drive.started_at, drive.ended_at) == (utc(2025, 7, 29, 17, 31, 41), utc(2025, 7, 29, 20, 14, 46))


# Format of nwipe in nwipe PR #223 (March 2020) (the PR that added the Drive Status table): one space after the
# time, bus and model in one field of the Found line, no Error Summary yet. Serial and times made up.
NWIPE_2020 = b"""\
[2020/03/18 17:59:56] notice: Device /dev/sda excluded as per command line optio
[2020/03/18 17:59:56] notice: Found /dev/sdc, ATA WDC WD1600AAJS-2, 160GB, S/N=WD-WCAP9TEST01
[2020/03/18 17:59:56] info: Automatically enumerated 1 devices.
[2020/03/18 17:59:56] notice: Invoking method 'DoD Short' on /dev/sdc
[2020/03/18 17:59:56] notice: Starting round 1 of 1 on /dev/sdc
[2020/03/18 18:58:12] notice: Blanking device /dev/sdc

********************************* Drive Status *********************************
! Device | Status | Thru-put | HH:MM:SS | Model/Serial Number
--------------------------------------------------------------------------------
     sdc | Erased |  64 MB/s | 01:21:40 | WDC WD1600AAJS-2/WD-WCAP9TEST01
--------------------------------------------------------------------------------
[2020/03/18 19:21:37] Total Throughput 64 MB/s, DoD Short, 1R+B+VA
********************************************************************************
"""


def test_older_found_line_with_bus_and_model_together():
    log = parse_nwipe_log(NWIPE_2020)
    assert log.version is None
    [drive] = log.drives
    assert (drive.bus, drive.model, drive.size, drive.serial) == ("ATA", "WDC WD1600AAJS-2", "160GB", "WD-WCAP9TEST01")
    # No options in this log: the footer "1R+B+VA" tells rounds, blanking and verification.
    assert (drive.method, drive.rounds, drive.verification, drive.blanking, drive.result) == (
        "DoD Short", 1, "all_passes", True, "erased")
    assert (drive.pass_errors, drive.verify_errors) == (None, None)


def test_log_cut_short_leaves_the_wipe_aborted_and_skips_drives_never_wiped():
    # As in ShredOS issue #213 (its first Found line is copied from there; the NVMe drive is made up):
    # the machine was switched off mid-wipe, so the log has no summary tables.
    log = parse_nwipe_log(b"""\
[2024/08/13 14:23:36]    info: ShredOS v2024.02.2_26.0_x86-64_0.37
[2024/08/13 14:23:36]  notice: Found /dev/sda,  ATA-SSD, Micron 1100 SATA,  256 GB, S/N=18291D85DF09
[2024/08/13 14:23:36]  notice: Found /dev/nvme0n1, NVME   , Micron 2200S NVMe 512GB,  512 GB, S/N=2033E2948C31
[2024/08/13 14:23:50]  notice: Invoking method 'HMG IS5 Enhanced' on /dev/nvme0n1
[2024/08/13 14:23:50]  notice: Starting round 1 of 2 on /dev/nvme0n1
[2024/08/13 14:23:50]  notice: Starting pass 1/3, round 1/2, on /dev/nvme0n1
[2024/08/13 15:02:11]  notice: 512110190592 bytes written to /dev/nvme0n1
""")
    assert log.version == "0.37"
    [drive] = log.drives  # /dev/sda was found but never wiped
    assert (drive.device_path, drive.bus, drive.serial, drive.method, drive.rounds) == (
        "/dev/nvme0n1", "NVME", "2033E2948C31", "HMG IS5 Enhanced", 2)
    # Without options or footer, only the log's own lines tell: no "Blanking device" line, no blanking.
    assert (drive.result, drive.verification, drive.blanking, drive.pass_errors) == ("aborted", "none", False, None)
    assert (drive.started_at, drive.ended_at) == (utc(2024, 8, 13, 14, 23, 50), utc(2024, 8, 13, 15, 2, 11))


def test_a_log_where_nothing_was_wiped_has_no_drives():
    log = parse_nwipe_log(b"[2024/07/30 10:25:27]  notice: Found /dev/sda,  USB    , Kingston DataTraveler 3.0, "
                          b"7864 MB, S/N=\n")
    assert log == NwipeLog(version=None, drives=[])


@pytest.mark.parametrize("data", [
    pytest.param(b"", id="empty"),
    pytest.param(b"\n\n  \n", id="blank"),
    pytest.param(bytes(range(256)) * 8, id="binary"),
    pytest.param(b"Serial;Brand\nSN1;Dell\n", id="CSV"),
    pytest.param((FIXTURES / "hardware" / "lshw" / "laptop-hp-probook-430-g4.json").read_bytes(), id="lshw"),
    pytest.param(b"Nov 22 07:33:08 bench kernel: sd 0:0:0:0: [sda] 976773168 512-byte logical blocks\n",
                 id="syslog"),
    pytest.param(b"[2026/11/22 07:33:08]  notice: Opened entropy source '/dev/urandom'.\n", id="no drive"),
    pytest.param(b"a" * (21 * 1024 * 1024), id="21 MB"),
])
def test_bad_input_is_refused(data):
    with pytest.raises(NotAnNwipeLog):
        parse_nwipe_log(data)


def test_refusals_speak_to_a_person(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(NotAnNwipeLog) as csv:
            parse_nwipe_log(b"Serial;Brand\nSN1;Dell\n")
        assert str(csv.value).startswith("This file is not an nwipe log")
        with pytest.raises(NotAnNwipeLog) as big:
            parse_nwipe_log(b"a" * (21 * 1024 * 1024))
        assert "20 MB" in str(big.value)


def test_random_bytes_and_mangled_logs_raise_only_our_error():
    rng = random.Random(20261122)
    logs = [path.read_bytes() for path in sorted(NWIPE.glob("*.log"))] + [ANONYMISED_FOUR_DRIVES, SHREDOS_REAL_DRIVE]
    for round_number in range(200):
        source = logs[round_number % len(logs)]
        kind = round_number % 3
        if kind == 0:
            data = rng.randbytes(rng.randint(0, 2000))
        elif kind == 1:
            data = bytearray(source)
            for _ in range(rng.randint(1, 30)):
                data[rng.randrange(len(data))] = rng.randrange(1, 256)
            data = bytes(data)
        else:
            lines = source.splitlines()
            rng.shuffle(lines)
            data = b"\n".join(lines[: rng.randint(0, len(lines))])
        try:
            log = parse_nwipe_log(data)
        except NotAnNwipeLog:
            continue
        assert all(drive.result in {"erased", "failed", "aborted"} for drive in log.drives)


def test_two_runs_appended_to_one_log_are_read_each_with_its_own_options():
    """nwipe opens its log in append mode: a failed verified run then an unverified one must not mix."""
    failed = (FIXTURES / "erasure" / "nwipe" / "nwipe-prng-readonly-failed.log").read_text()
    unverified_run = (FIXTURES / "erasure" / "nwipe" / "nwipe-zero-verified-erased.log").read_text() \
        .replace("/dev/loop0", "/dev/loop2").replace(" loop0 ", " loop2 ") \
        .replace("verify   = 1 (last pass)", "verify   = 0 (off)").replace("1R+B+VL", "1R+B")
    log = parse_nwipe_log((failed + "\n" + unverified_run).encode())
    (drive,) = log.drives
    assert (drive.device_path, drive.result, drive.verification, drive.method) == (
        "/dev/loop2", "erased", "none", "Fill With Zeros")
