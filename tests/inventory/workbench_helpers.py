"""Real tool outputs for workbench tests, from tests/fixtures."""
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: Real nwipe logs of loop devices (tests/fixtures/SOURCES.md): the file, the loop device it wiped, its size.
NWIPE_LOGS = {
    "erased": ("erasure/nwipe/nwipe-zero-verified-erased.log", "loop0", 67108864),
    "failed": ("erasure/nwipe/nwipe-prng-readonly-failed.log", "loop2", 33554432),
    "erased_128": ("erasure/nwipe/nwipe-zero-128mib-verified-erased.log", "loop1", 134217728),
    "noblank": ("erasure/nwipe/nwipe-zero-64mib-noblank-garbled-serial.log", "loop0", 67108864),
    "quiet": ("erasure/nwipe/nwipe-quiet-64mib-anonymised.log", "loop0", 67108864),
}
#: The model nwipe reads from a loop device.
LOOP_MODEL = "Loopback device"


def fixture(relative: str) -> bytes:
    """Return the bytes of a fixture file."""
    return (FIXTURES / relative).read_bytes()


def nwipe_log_for(name: str, device_path: str, serial: str | None = None) -> bytes:
    """Return a real nwipe log (loop device of the fixture) as if it had wiped ``device_path``.

    With ``serial``, the log names it as nwipe prints a real drive's (``S/N=…`` and ``model/serial``).
    """
    source, loop, _size = NWIPE_LOGS[name]
    data = fixture(source).replace(f"/dev/{loop}".encode(), device_path.encode())
    data = data.replace(f" {loop} ".encode(), f" {device_path.rsplit('/', 1)[1]} ".encode())
    if serial:
        lines = data.split(b"\n")
        for index, line in enumerate(lines):
            if b"Found " in line:
                lines[index] = line[:line.index(b"S/N=")] + b"S/N=" + serial.encode()
            elif f"{LOOP_MODEL}/".encode() in line:
                lines[index] = line[:line.index(f"{LOOP_MODEL}/".encode())] + f"{LOOP_MODEL}/{serial}".encode()
        data = b"\n".join(lines)
    return data


def drive_of(name: str = "erased", **fields) -> dict:
    """Return a drive, as intake takes it, with the model and size nwipe saw in the log ``name``."""
    return {"model": LOOP_MODEL, "capacity_bytes": NWIPE_LOGS[name][2]} | fields


def wiped_in(drive, name: str = "erased", device_path: str = "/dev/sda"):
    """Give a recorded drive the model, size and path of the loop device wiped in the real log ``name``."""
    drive.model, drive.capacity_bytes, drive.device_path = LOOP_MODEL, NWIPE_LOGS[name][2], device_path
    return drive


def unverified(log: bytes) -> bytes:
    """Return the same log as if nwipe had been run with --verify=off."""
    text = log.decode().replace("verify   = 1 (last pass)", "verify   = 0 (off)")
    return "\n".join(line for line in text.splitlines() if "Verif" not in line and "empty" not in line).encode()
