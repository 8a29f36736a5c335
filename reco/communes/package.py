"""The npm package @etalab/decoupage-administratif: its pinned release, its download and integrity, its data files."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from reco.core.errors import DomainError

PACKAGE = "@etalab/decoupage-administratif"
#: The release Reco loads, and its integrity as the npm registry publishes it (``dist.integrity``).
PINNED_VERSION = "6.0.0"
PINNED_INTEGRITY = "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
REGISTRY = "https://registry.npmjs.org"
#: The data files read, in the order ``store_registry`` takes them.
DATA_FILES = ("communes", "epci", "departements", "regions")
#: Keys each record of a data file must have, and their type (``store_registry`` reads others when present).
REQUIRED_KEYS = {"communes": {"code": str, "nom": str, "type": str}, "epci": {"code": str, "nom": str, "membres": list},
                 "departements": {"code": str, "nom": str}, "regions": {"code": str, "nom": str}}
#: Sizes refused: 1.6 MB compressed and 8.6 MB for communes.json in 6.0.0.
MAX_TARBALL_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES = 128 * 1024 * 1024
TIMEOUT_SECONDS = 60


class PackageError(DomainError):
    """The package could not be fetched, or is not what it should be; nothing was stored."""


@dataclass
class Release:
    """A release of the package as read from its tarball."""

    version: str
    integrity: str
    data: dict[str, list[dict]]


def tarball_url(version: str) -> str:
    """Return where the npm registry serves the tarball of ``version``."""
    return f"{REGISTRY}/{PACKAGE}/-/{PACKAGE.split('/')[1]}-{version}.tgz"


def metadata_url(version: str) -> str:
    """Return where the npm registry describes ``version`` (its ``dist.integrity`` among others)."""
    return f"{REGISTRY}/{PACKAGE}/{version}"


def integrity_of(data: bytes) -> str:
    """Return the Subresource Integrity string (sha512) of ``data``, as npm writes it."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch(url: str, limit: int = MAX_TARBALL_BYTES) -> bytes:
    """Download ``url``; refuse with a message saying why when the network or the registry fails."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "*/*"}),
                                    timeout=TIMEOUT_SECONDS) as response:
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise PackageError(str(_l("The npm registry answered %(status)s for %(url)s.", status=error.code,
                                  url=url))) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PackageError(str(_l("The npm registry could not be reached (%(reason)s): %(url)s.", reason=reason,
                                  url=url))) from error
    if len(data) > limit:
        raise PackageError(str(_l("%(url)s is larger than expected.", url=url)))
    return data


def published_integrity(version: str) -> str:
    """Return the integrity the npm registry publishes for ``version``."""
    try:
        integrity = json.loads(fetch(metadata_url(version), 1024 * 1024))["dist"]["integrity"]
    except (ValueError, KeyError, TypeError) as error:
        raise PackageError(str(_l("The npm registry's description of version %(version)s has no integrity.",
                                  version=version))) from error
    if not isinstance(integrity, str) or not integrity.startswith("sha512-"):
        raise PackageError(str(_l("The npm registry's description of version %(version)s has no integrity.",
                                  version=version)))
    return integrity


def check_integrity(data: bytes, expected: str) -> str:
    """Return the tarball's integrity; refuse a tarball that is not the one expected."""
    actual = integrity_of(data)
    if actual != expected:
        raise PackageError(str(_l("The tarball is not the expected one: its integrity is %(actual)s, "
                                  "%(expected)s was expected.", actual=actual, expected=expected)))
    return actual


def cache_path(instance_path: str | Path, version: str) -> Path:
    """Return where the tarball of ``version`` is kept in the instance folder."""
    return Path(instance_path) / "communes" / f"decoupage-administratif-{version}.tgz"


def cached_or_fetched(instance_path: str | Path, version: str, integrity: str) -> tuple[bytes, bool]:
    """Return the tarball of ``version`` checked against ``integrity``, from the cache or else the registry (kept)."""
    path = cache_path(instance_path, version)
    if path.is_file() and path.stat().st_size <= MAX_TARBALL_BYTES:
        data = path.read_bytes()
        if integrity_of(data) == integrity:
            return data, True
    data = fetch(tarball_url(version))
    check_integrity(data, integrity)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    return data, False


def read_release(data: bytes, integrity: str) -> Release:
    """Read the version and the data files of a tarball (never written to disk: no path can escape)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            members = {member.name: member for member in archive.getmembers()}
            manifest = _json_member(archive, members, "package/package.json")
            files = {name: _json_member(archive, members, f"package/data/{name}.json") for name in DATA_FILES}
    except (tarfile.TarError, EOFError, OSError) as error:
        raise PackageError(str(_l("The file is not a readable npm tarball (%(reason)s).", reason=error))) from error
    if not isinstance(manifest, dict) or manifest.get("name") != PACKAGE \
            or not isinstance(manifest.get("version"), str):
        raise PackageError(str(_l("The tarball is not the package %(package)s.", package=PACKAGE)))
    for name, records in files.items():
        _check_records(name, records)
    return Release(manifest["version"], integrity, files)


def _json_member(archive: tarfile.TarFile, members: dict, name: str):
    """Return the JSON of one regular file of the tarball."""
    member = members.get(name)
    if member is None or not member.isfile():
        raise PackageError(str(_l("The tarball has no file %(name)s.", name=name)))
    if member.size > MAX_FILE_BYTES:
        raise PackageError(str(_l("%(name)s is larger than expected.", name=name)))
    try:
        return json.loads(archive.extractfile(member).read())
    except ValueError as error:
        raise PackageError(str(_l("%(name)s is not valid JSON (%(reason)s).", name=name, reason=error))) from error


def _check_records(name: str, records) -> None:
    """Refuse a data file that is not a list of records with the keys the registry needs."""
    keys = REQUIRED_KEYS[name]
    if not isinstance(records, list) or not records:
        raise PackageError(str(_l("data/%(name)s.json is not a list of records.", name=name)))
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or any(not isinstance(record.get(key), kind) for key, kind in keys.items()) \
                or name == "epci" and any(not isinstance(m, dict) or "code" not in m for m in record["membres"]):
            raise PackageError(str(_l("Record %(number)d of data/%(name)s.json lacks one of %(keys)s.",
                                      number=number, name=name, keys=", ".join(keys))))
