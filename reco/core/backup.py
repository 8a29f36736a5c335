"""Backups: a consistent copy of a SQLite database taken while Reco runs (PostgreSQL uses pg_dump)."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from reco.core.errors import DomainError
from reco.extensions import db


def default_backup_path(instance_path: str | Path, now: datetime) -> Path:
    """Return instance/backups/reco-YYYYMMDD-HHMMSS.sqlite3."""
    return Path(instance_path) / "backups" / f"reco-{now:%Y%m%d-%H%M%S}.sqlite3"


def backup_sqlite(target: Path) -> int:
    """Copy the SQLite database page by page into ``target`` with SQLite's online backup; return its size."""
    if db.engine.dialect.name != "sqlite":
        raise DomainError("Avec PostgreSQL, la sauvegarde se fait avec pg_dump (voir le README). "
                          "/ With PostgreSQL, back up with pg_dump (see the README).")
    if target.exists():
        raise DomainError(f"{target} existe déjà ; rien n'a été écrasé. / {target} already exists.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(target)
    except (OSError, sqlite3.Error) as error:
        raise DomainError(f"Impossible d'écrire {target} ({error}). / Cannot write {target}.") from error
    source = db.engine.raw_connection()
    try:
        source.driver_connection.backup(destination)
    except sqlite3.Error as error:
        destination.close()
        target.unlink(missing_ok=True)
        raise DomainError(f"La copie a échoué ({error}) ; rien n'a été gardé. / The copy failed; nothing kept.") \
            from error
    finally:
        source.close()
    destination.close()
    return target.stat().st_size
