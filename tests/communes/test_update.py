"""reco update-communes: the tarball checked and loaded, the stored codes settled, the coordinator's list."""
from __future__ import annotations

import io
import json
import tarfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.communes import package
from reco.communes.models import Commune, CommuneSource
from reco.communes.source import store_registry
from reco.core.audit import Event, events_for
from reco.extensions import db
from reco.prescriptions.models import PartnerReport, PartnerReportLine
from tests.conftest import COMMUNES, login_as
from tests.factories import make_prescription, make_structure, make_user

FIXTURES = {name: (COMMUNES / f"{name}.json").read_bytes() for name in package.DATA_FILES}


def tarball(version: str = "6.0.0", files: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None,
            name: str = package.PACKAGE) -> bytes:
    """Return an npm tarball of the package holding the fixture data files (or ``files``)."""
    members = {"package/package.json": json.dumps({"name": name, "version": version}).encode()}
    members |= {f"package/data/{key}.json": value for key, value in (files or FIXTURES).items()}
    members |= extra or {}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in members.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def registry(app, ctx, tmp_path, monkeypatch):
    """The npm registry as the command sees it: pinned to a fixture tarball, served without network."""
    served: dict[str, bytes] = {}
    fetched: list[str] = []

    def fetch(url: str, limit: int = package.MAX_TARBALL_BYTES) -> bytes:
        fetched.append(url)
        if url not in served:
            raise package.PackageError(f"The npm registry could not be reached: {url}.")
        return served[url]

    pinned = tarball()
    monkeypatch.setattr(package, "PINNED_INTEGRITY", package.integrity_of(pinned))
    monkeypatch.setattr(package, "fetch", fetch)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    served[package.tarball_url("6.0.0")] = pinned
    return {"served": served, "fetched": fetched, "pinned": pinned}


def run(app, *args: str):
    """Run ``reco update-communes`` with ``args``."""
    return app.test_cli_runner().invoke(args=["reco", "update-communes", *args])


def registry_rows() -> int:
    """Return the number of communes stored."""
    return db.session.scalar(select(func.count(Commune.id)))


def test_the_pinned_release_is_downloaded_checked_kept_and_loaded_once(app, registry):
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "Référentiel des communes 6.0.0 chargé : 341 communes, 25 EPCI, 8 départements, 26 régions" in result.output
    assert registry["fetched"] == [package.tarball_url("6.0.0")]
    kept = package.cache_path(app.instance_path, "6.0.0")
    assert kept.read_bytes() == registry["pinned"]
    source = db.session.scalars(select(CommuneSource)).one()
    assert (source.version, source.integrity, source.communes) == ("6.0.0", package.PINNED_INTEGRITY, 341)

    again = run(app)
    assert again.exit_code == 0 and "déjà chargée" in again.output
    assert registry["fetched"] == [package.tarball_url("6.0.0")]
    assert db.session.scalar(select(func.count(CommuneSource.id))) == 1

    registry["served"].clear()  # no network: the kept tarball is enough
    forced = run(app, "--force")
    assert forced.exit_code == 0, forced.output
    assert "lue dans le cache" in forced.output and "chargé" in forced.output
    assert db.session.scalar(select(func.count(CommuneSource.id))) == 2


def test_a_tarball_that_is_not_the_pinned_one_is_refused_and_the_registry_is_untouched(app, registry):
    rows = registry_rows()
    registry["served"][package.tarball_url("6.0.0")] = tarball(files=FIXTURES | {"regions": b"[]"})
    result = run(app)
    assert result.exit_code == 1
    assert "Error: L'archive n'est pas celle attendue" in result.output and "Rien n'a changé" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert registry_rows() == rows
    assert db.session.scalar(select(func.count(CommuneSource.id))) == 0
    assert not package.cache_path(app.instance_path, "6.0.0").exists()


def test_a_network_failure_says_so_and_changes_nothing(app, registry):
    registry["served"].clear()
    rows = registry_rows()
    result = run(app)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "could not be reached" in result.output and "Rien n'a changé" in result.output
    assert registry_rows() == rows


def test_a_local_tarball_is_loaded_without_network(app, registry, tmp_path):
    path = tmp_path / "decoupage.tgz"
    path.write_bytes(registry["pinned"])
    registry["served"].clear()
    result = run(app, "--file", str(path))
    assert result.exit_code == 0, result.output
    assert registry["fetched"] == []
    assert "341 communes" in result.output


@pytest.mark.parametrize("content, says", [
    (b"not a tarball at all", "n'est pas une archive npm lisible"),
    (tarball(name="left-pad"), "n'est pas le paquet"),
    (tarball(files={k: v for k, v in FIXTURES.items() if k != "epci"}), "package/data/epci.json"),
    (tarball(files=FIXTURES | {"communes": b"{not json"}), "n'est pas du JSON valide"),
    (tarball(files=FIXTURES | {"communes": b'[{"code": "35238"}]'}), "Enregistrement 1 de data/communes.json"),
])
def test_a_bad_tarball_is_refused_with_a_message_and_changes_nothing(app, registry, tmp_path, monkeypatch, content,
                                                                     says):
    path = tmp_path / "bad.tgz"
    path.write_bytes(content)
    monkeypatch.setattr(package, "PINNED_INTEGRITY", package.integrity_of(content))
    rows = registry_rows()
    result = run(app, "--file", str(path))
    assert result.exit_code == 1 and says in result.output, result.output
    assert "Traceback" not in result.output
    assert registry_rows() == rows


def test_members_are_read_never_extracted_so_a_path_outside_cannot_be_written(app, registry, tmp_path, monkeypatch):
    content = tarball(extra={"../../escaped.txt": b"x", "/tmp/absolute-escape.txt": b"x"})
    monkeypatch.setattr(package, "PINNED_INTEGRITY", package.integrity_of(content))
    path = tmp_path / "traversal.tgz"
    path.write_bytes(content)
    result = run(app, "--file", str(path))
    assert result.exit_code == 0, result.output
    assert not (tmp_path.parent.parent / "escaped.txt").exists()
    assert not Path("/tmp/absolute-escape.txt").exists()


def test_another_release_takes_its_integrity_from_the_registry_metadata_and_says_so(app, registry):
    newer = tarball(version="6.1.0")
    registry["served"][package.tarball_url("6.1.0")] = newer
    registry["served"][package.metadata_url("6.1.0")] = json.dumps(
        {"name": package.PACKAGE, "version": "6.1.0", "dist": {"integrity": package.integrity_of(newer)}}).encode()
    result = run(app, "--version", "6.1.0")
    assert result.exit_code == 0, result.output
    assert "prise dans les métadonnées du registre npm" in result.output
    assert package.integrity_of(newer) in result.output
    assert registry["fetched"] == [package.metadata_url("6.1.0"), package.tarball_url("6.1.0")]
    assert db.session.scalars(select(CommuneSource.version)).all() == ["6.1.0"]


def test_another_release_whose_tarball_differs_from_its_metadata_is_refused(app, registry):
    registry["served"][package.tarball_url("6.1.0")] = tarball(version="6.1.0")
    registry["served"][package.metadata_url("6.1.0")] = json.dumps(
        {"dist": {"integrity": package.integrity_of(b"something else")}}).encode()
    result = run(app, "--version", "6.1.0")
    assert result.exit_code == 1 and "Rien n'a changé" in result.output
    assert db.session.scalar(select(func.count(CommuneSource.id))) == 0


def test_a_local_tarball_of_another_release_than_asked_is_refused(app, registry, tmp_path):
    path = tmp_path / "pinned.tgz"
    path.write_bytes(registry["pinned"])
    result = run(app, "--file", str(path), "--version", "6.1.0", "--integrity", package.PINNED_INTEGRITY)
    assert result.exit_code == 1 and "contient la version 6.0.0, pas 6.1.0" in result.output


@pytest.fixture
def stored(ctx):
    """Records stored before the registry: the Rennes postcode as INSEE code, a former commune, unknown codes."""
    prescription = make_prescription()
    prescription.insee_code, prescription.postcode, prescription.commune = "35200", "35200", "Rennes"
    former = make_structure("prescriber", insee_code="01039", commune="Béon", postcode="01350")
    ambiguous = make_structure("installer", insee_code="93000", commune="Saint-Denis")
    partner = make_structure("partner")
    report = PartnerReport(structure_id=partner.id, month=date(2026, 10, 1), version=1, current=True, lines=[
        PartnerReportLine(insee_code="35200", commune="rennes", device_type="laptop", families=2),
        PartnerReportLine(insee_code="99999", commune="Atlantis", device_type="tablet", families=1)])
    db.session.add(report)
    db.session.commit()
    return {"prescription": prescription, "former": former, "ambiguous": ambiguous, "report": report}


def test_stored_codes_are_settled_from_the_registry_and_the_rest_listed(app, registry, stored):
    result = run(app)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    prescription, report = stored["prescription"], stored["report"]
    assert (prescription.insee_code, prescription.commune) == ("35238", "Rennes")
    assert (stored["former"].insee_code, stored["former"].commune) == ("01138", "Béon")
    settled, unknown = report.lines
    assert (settled.insee_code, settled.commune) == ("35238", "Rennes")
    assert (unknown.insee_code, unknown.commune) == ("99999", "Atlantis")
    assert stored["ambiguous"].insee_code == "93000"
    assert "1 code(s) d'ancienne commune remplacé(s)" in result.output
    assert "2 corrigé(s) d'après le code postal et le nom, 2 à corriger" in result.output
    assert "Saint-Denis (93066), Saint-Denis (97411)" in result.output
    assert "Atlantis" in result.output and "/communes/to-correct" in result.output
    assert prescription.contact_name not in result.output

    [event] = [e for e in events_for(prescription) if e.action == "commune_corrected"]
    assert event.actor_id is None
    assert event.details == {"changes": {"insee_code": ["35200", "35238"]}, "registry": "6.0.0"}
    [event] = events_for(stored["former"])[:1]
    assert event.details["changes"] == {"insee_code": ["01039", "01138"]}
    [event] = [e for e in events_for(report) if e.action == "commune_corrected"]
    assert event.details["changes"] == {"insee_code": ["35200", "35238"], "commune": ["rennes", "Rennes"]}

    run(app, "--force")
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "commune_corrected")) == 3


def test_the_coordinator_sees_what_is_left_to_correct_and_where(app, registry, stored, client):
    prescription = stored["prescription"]
    prescription.insee_code, prescription.postcode, prescription.commune = "99998", "35130", ""
    db.session.commit()
    assert run(app).exit_code == 0
    admin = make_user(Role.ADMIN)
    login_as(client, admin)
    page = client.get("/communes/to-correct")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert prescription.code in html and "99998" in html and "Moutiers (35200)" in html
    assert prescription.contact_name not in html and prescription.address not in html
    assert "Saint-Denis (93066), Saint-Denis (97411)" in html and "Atlantis" in html
    assert f'/structures/{prescription.structure_id}"' in html
    assert f'/admin/structures/{stored["ambiguous"].id}/edit"' in html
    assert f'/partner-reports/{stored["report"].id}"' in html
    assert "version 6.0.0" in html


def test_a_correction_reads_in_the_history(app, registry, stored, client):
    assert run(app).exit_code == 0
    login_as(client, make_user(Role.ADMIN))
    html = client.get(f"/structures/{stored['former'].id}").get_data(as_text=True)
    assert "Commune établie d'après le référentiel des communes" in html
    assert "Code INSEE\u00a0: 01039 → 01138" in html and "version du référentiel\u00a0: 6.0.0" in html
    login_as(client, stored["prescription"].created_by)
    html = client.get(f"/prescriptions/{stored['prescription'].id}").get_data(as_text=True)
    assert "Code INSEE de la commune\u00a0: 35200 → 35238" in html


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_the_coordinator_sees_the_list(client, ctx, role):
    login_as(client, make_user(role))
    assert client.get("/communes/to-correct").status_code == 403


#: Keys of the records of @etalab/decoupage-administratif 6.0.0, read from its tarball once (npm pack); the
#: fixture must have these shapes, and what store_registry reads must be among them.
RELEASE_KEYS = {
    "communes": {"anciensCodes", "arrondissement", "chefLieu", "code", "codesPostaux", "commune", "departement", "nom",
                 "population", "rangChefLieu", "region", "siren", "type", "typeLiaison", "zone"},
    "epci": {"code", "membres", "modeFinancement", "nom", "populationMunicipale", "populationTotale", "type"},
    "departements": {"chefLieu", "code", "nom", "region", "typeLiaison", "zone"},
    "regions": {"chefLieu", "code", "nom", "typeLiaison", "zone"},
}
#: What store_registry reads of each file.
PARSER_KEYS = {"communes": {"code", "nom", "type", "commune", "chefLieu", "departement", "region", "codesPostaux",
                            "population"},
               "epci": {"code", "nom", "membres"}, "departements": {"code", "nom"}, "regions": {"code", "nom"}}


def test_the_fixture_has_the_shape_of_the_release_and_what_the_parser_reads(ctx):
    for name in package.DATA_FILES:
        records = json.loads(FIXTURES[name])
        keys = set().union(*(record.keys() for record in records))
        assert keys == RELEASE_KEYS[name], name
        assert PARSER_KEYS[name] <= keys
        required = package.REQUIRED_KEYS[name]
        assert all(isinstance(record[key], kind) for record in records for key, kind in required.items())
    members = set().union(*(m.keys() for group in json.loads(FIXTURES["epci"]) for m in group["membres"]))
    assert members == {"code", "nom", "populationMunicipale", "populationTotale", "siren"}
    kinds = {record["type"] for record in json.loads(FIXTURES["communes"])}
    assert kinds == {"commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal"}


def test_store_registry_reads_the_fixture_files_as_the_command_does(ctx):
    counts = store_registry(*(json.loads(FIXTURES[name]) for name in package.DATA_FILES))
    release = package.read_release(tarball(), "sha512-x")
    assert store_registry(*(release.data[name] for name in package.DATA_FILES)) == counts == 341
