"""Command line: flask --app wsgi reco ..."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from reco.accounts.models import Role, Structure
from reco.accounts.services import create_user, find_structure_by_name, find_user_by_email, issue_token
from reco.communes.cli import update_communes
from reco.core.backup import backup_sqlite, default_backup_path
from reco.core.errors import DomainError
from reco.core.signing import ensure_signing_key
from reco.core.time import utcnow
from reco.demo import load_demo
from reco.extensions import db
from reco.generator import Sizes, generate
from reco.labels.formats import load_formats
from reco.labels.render import barcode_modules, layout, layout_problems
from reco.prescriptions.privacy import purge_personal_data

reco_cli = AppGroup("reco", help="Reco administration commands.")


@reco_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema and the document-signing key (safe to run again)."""
    upgrade()
    click.echo("Base de données à jour. / Database up to date.")
    if ensure_signing_key():
        click.echo(f"Clé de signature des documents créée / Document-signing key created: "
                   f"{current_app.config['RECO_SIGNING_KEY']}")


@reco_cli.command("demo")
def demo() -> None:
    """Load the demo network (safe to run again)."""
    created = load_demo()
    db.session.commit()
    click.echo(f"Réseau de démonstration prêt ({created} ajouts). / Demo network ready ({created} added).")


@reco_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--structure", "structure_name", required=True, help="Exact name of the structure.")
@click.option("--password", required=True)
def create_user_command(email: str, name: str, role: str, structure_name: str, password: str) -> None:
    """Create an account."""
    structure = find_structure_by_name(structure_name)
    if structure is None:
        raise click.ClickException(f"Aucune structure « {structure_name} ». / No structure named {structure_name!r}.")
    try:
        user = create_user(by=None, email=email, name=name, structure=structure, role=role, password=password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Compte créé / account created: {user.email} ({user.role.value}, {structure.name})", err=True)


@reco_cli.command("create-token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
def create_token(email: str, label: str) -> None:
    """Print a new API token for EMAIL alone on stdout (only its hash is stored)."""
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"Aucun compte « {email} ». / No account {email!r}.")
    try:
        token = issue_token(user, by=None, label=label or "command line")
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(token)


@reco_cli.command("check-labels")
def check_labels() -> None:
    """Check every label format file of labels/ and say which are broken."""
    formats, problems = load_formats()
    for key, fmt in formats.items():
        unfit = layout_problems(fmt)
        problems += unfit
        if not unfit:
            module = layout(fmt, barcode_modules("ABCDE-000001")).module
            click.echo(f"ok   {key}: {fmt.name} — {fmt.dpi} dpi, barres de {module} points "
                       f"({module * fmt.dot:.3f} mm), marges {'/'.join(f'{m:g}' for m in fmt.margins)} mm")
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        raise SystemExit(1)


@reco_cli.command("purge-personal-data")
@click.option("--months", type=click.IntRange(min=1, max=1200), default=None,
              help="Erase what was closed longer ago than this (default: RECO_RETENTION_MONTHS, 24).")
def purge_personal_data_command(months: int | None) -> None:
    """Erase the personal data of prescriptions closed longer than the retention period."""
    erased = purge_personal_data(months)
    db.session.commit()
    click.echo(f"Données personnelles effacées pour {erased} foyer(s). / Personal data erased for {erased} "
               f"household(s).")


@reco_cli.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup(target: Path | None) -> None:
    """Copy the SQLite database while Reco runs (default: instance/backups/reco-DATE.sqlite3)."""
    target = target or default_backup_path(current_app.instance_path, utcnow())
    try:
        size = backup_sqlite(target)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Sauvegarde écrite / backup written: {target} ({size} octets / bytes)")


@reco_cli.command("generate")
@click.option("--devices", type=click.IntRange(min=1, max=10_000_000), required=True)
@click.option("--workshops", type=click.IntRange(min=1, max=100), default=20, show_default=True)
@click.option("--prescriptions", type=click.IntRange(min=0, max=10_000_000), default=None,
              help="Default: a tenth of the devices.")
@click.option("--seed", type=int, default=2026, show_default=True)
def generate_command(devices: int, workshops: int, prescriptions: int | None, seed: int) -> None:
    """Fill the database with a generated network for benchmarks (accounts' password: generated-2026)."""
    import time

    if db.session.scalar(select(func.count(Structure.id)).where(Structure.name.startswith("Atelier généré"))):
        raise click.ClickException("Cette base contient déjà un réseau généré. / This database already holds a "
                                   "generated network.")
    started = time.perf_counter()
    counts = generate(Sizes(devices, workshops, prescriptions, seed), progress=lambda m: click.echo(m, err=True))
    db.session.execute(text("ANALYZE"))  # fresh statistics, or the planner misjudges the new tables
    db.session.commit()
    for table, rows in sorted(counts.items()):
        click.echo(f"{table:24} {rows:>10}")
    click.echo(f"{sum(counts.values())} lignes en {time.perf_counter() - started:.0f} s / rows written.")


def init_cli(app: Flask) -> None:
    """Add the reco command group to ``app``."""
    reco_cli.add_command(update_communes)
    app.cli.add_command(reco_cli)
