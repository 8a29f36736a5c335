"""Real tool outputs for workbench tests, from tests/fixtures."""
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(relative: str) -> bytes:
    """Return the bytes of a fixture file."""
    return (FIXTURES / relative).read_bytes()


def nwipe_log_for(name: str, device_path: str) -> bytes:
    """Return a real nwipe log (loop device of the fixture) as if it had wiped ``device_path``."""
    source = {"erased": "erasure/nwipe/nwipe-zero-verified-erased.log",
              "failed": "erasure/nwipe/nwipe-prng-readonly-failed.log"}[name]
    text = fixture(source).decode()
    loop = "loop0" if name == "erased" else "loop2"
    return text.replace(f"/dev/{loop}", device_path).replace(f" {loop} ", f" {device_path.rsplit('/', 1)[1]} ").encode()


def unverified(log: bytes) -> bytes:
    """Return the same log as if nwipe had been run with --verify=off."""
    text = log.decode().replace("verify   = 1 (last pass)", "verify   = 0 (off)")
    return "\n".join(line for line in text.splitlines() if "Verif" not in line and "empty" not in line).encode()
