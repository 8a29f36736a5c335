"""Command line: ``reco update-communes`` loads the registry from the npm package and checks the stored codes."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from reco.communes.models import CommuneSource
from reco.communes import package
from reco.communes.package import PACKAGE, PINNED_VERSION, PackageError, Release
from reco.communes.source import store_registry
from reco.communes.stored import KIND_LABELS, REASON_LABELS, Migration, migrate_stored, record_label
from reco.extensions import db


def latest_source() -> CommuneSource | None:
    """Return the last load of the registry, if the command ever loaded it."""
    return db.session.scalars(select(CommuneSource).order_by(CommuneSource.id.desc()).limit(1)).first()


@click.command("update-communes")
@click.option("--version", "version", default=None,
              help=f"Release of {PACKAGE} to load (default {PINNED_VERSION}); its integrity is then taken from the "
                   "npm registry.")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Load this tarball (.tgz) instead of downloading it.")
@click.option("--integrity", default=None, help="Expected sha512-… integrity of a tarball of another release.")
@click.option("--force", is_flag=True, help="Load again a release already loaded.")
@with_appcontext
def update_communes(version: str | None, path: Path | None, integrity: str | None, force: bool) -> None:
    """Load the communes registry from the npm package (pinned release, checked), then check the stored codes."""
    latest = latest_source()
    if path is None and not force and latest is not None and latest.version == (version or PINNED_VERSION):
        _say_loaded(latest)
        return
    try:
        release = _obtain(version, path, integrity)
    except PackageError as error:
        hint = "" if integrity or path is None else (
            f" Pour une autre version que {PINNED_VERSION}, donnez --integrity. / For another release than "
            f"{PINNED_VERSION}, give --integrity.")
        raise click.ClickException(f"{error.message}{hint} Rien n'a changé. / Nothing changed.") from error
    if version and release.version != version:
        raise click.ClickException(f"Le fichier contient la version {release.version}, pas {version}. Rien n'a changé."
                                   f" / The file holds release {release.version}, not {version}. Nothing changed.")
    if path is not None and not force and latest is not None and latest.version == release.version:
        _say_loaded(latest)
        return
    try:
        communes = store_registry(*(release.data[name] for name in package.DATA_FILES))
        db.session.add(CommuneSource(version=release.version, integrity=release.integrity, communes=communes))
        migration = migrate_stored(release.version)
        db.session.commit()
    except (SQLAlchemyError, KeyError, TypeError, ValueError) as error:
        db.session.rollback()
        raise click.ClickException(f"Le référentiel n'a pas pu être enregistré ({type(error).__name__}). Rien n'a "
                                   "changé. / The registry could not be stored. Nothing changed.") from error
    _summary(release, communes, migration)


def _obtain(version: str | None, path: Path | None, integrity: str | None) -> Release:
    """Return the release to load, its tarball checked against the pinned or the published integrity."""
    target = version or PINNED_VERSION
    if integrity is None and target != PINNED_VERSION:
        integrity = package.published_integrity(target)
        click.echo(f"Intégrité de la version {target} prise dans les métadonnées du registre npm / integrity of "
                   f"release {target} taken from the npm registry's metadata: {integrity}")
    expected = integrity or package.PINNED_INTEGRITY
    if path is None:
        data, cached = package.cached_or_fetched(current_app.instance_path, target, expected)
        click.echo(f"Archive {target} lue dans le cache / tarball read from the cache." if cached else
                   f"Archive {target} téléchargée et gardée dans le dossier d'instance / tarball downloaded and kept "
                   "in the instance folder.")
    else:
        try:
            if path.stat().st_size > package.MAX_TARBALL_BYTES:
                raise PackageError(f"{path} : fichier trop gros / file too large.")
            data = path.read_bytes()
        except OSError as error:
            raise PackageError(f"{path} : {error.strerror}.") from error
        package.check_integrity(data, expected)
    return package.read_release(data, expected)


def _say_loaded(latest: CommuneSource) -> None:
    """Say that the release asked for is already loaded."""
    click.echo(f"La version {latest.version} du référentiel des communes est déjà chargée ({latest.communes} "
               f"communes) : rien à faire (--force pour la recharger). / Release {latest.version} of the communes "
               "registry is already loaded: nothing to do (--force loads it again).")


def _summary(release: Release, communes: int, migration: Migration) -> None:
    """Print what was loaded, what changed on the stored records and what is left to correct."""
    data = release.data
    click.echo(f"Référentiel des communes {release.version} chargé : {communes} communes, {len(data['epci'])} EPCI, "
               f"{len(data['departements'])} départements, {len(data['regions'])} régions. / Communes registry "
               f"{release.version} loaded: {communes} communes, {len(data['epci'])} EPCI, "
               f"{len(data['departements'])} départements, {len(data['regions'])} regions.")
    former, resolved, left = migration.changed["former"], migration.changed["resolved"], len(migration.to_correct)
    click.echo(f"Codes INSEE enregistrés : {former} code(s) d'ancienne commune remplacé(s) par celui de la commune "
               f"actuelle, {resolved} corrigé(s) d'après le code postal et le nom, {left} à corriger. / Stored INSEE "
               f"codes: {former} former commune code(s) replaced, {resolved} corrected from the postcode and name, "
               f"{left} to correct.")
    for item in migration.to_correct:
        candidates = f" ({', '.join(item.verdict.candidates)})" if item.verdict.candidates else ""
        click.echo(f"  - {KIND_LABELS[item.kind]} {record_label(item)} : {item.code} « {item.name} » "
                   f"{item.postcode} — {REASON_LABELS[item.verdict.reason]}{candidates}")
    if left:
        base = current_app.config["RECO_BASE_URL"].rstrip("/")
        click.echo(f"À corriger / to correct: {base}/communes/to-correct")
