"""Backups: the SQLite online copy and the documented pg_dump procedure both give back the whole demo network."""
import shutil
import subprocess

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from reco.demo import load_demo
from reco.extensions import db
from tests.conftest import TEST_DATABASE_URL, store_test_registry
from tests.scratch import app_on, drop_database, fresh_database


def snapshot() -> dict[str, list[tuple]]:
    """Return every row of every table, in primary-key order."""
    return {table.name: [tuple(row) for row in db.session.execute(
        select(table).order_by(*table.primary_key.columns)).all()] for table in db.metadata.sorted_tables}


@pytest.fixture
def demo_network(tmp_path):
    """A database holding the demo network, and its snapshot."""
    url = fresh_database(tmp_path, "reco_backup_source")
    with app_on(url):
        upgrade()
        store_test_registry()
        load_demo()
        db.session.commit()
        rows = snapshot()
    yield url, rows
    drop_database(url)


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="the backup command copies SQLite databases")
def test_the_backup_command_copies_the_demo_network_while_it_runs(demo_network, tmp_path):
    url, rows = demo_network
    assert sum(map(len, rows.values())) > 100 and rows["prescriptions"] and rows["stock_moves"]
    target = tmp_path / "backups" / "copy.sqlite3"
    with app_on(url) as app:
        db.session.execute(select(1))  # another connection is open on the database during the copy
        result = app.test_cli_runner().invoke(args=["reco", "backup", str(target)])
        assert result.exit_code == 0, result.output
        assert "copy.sqlite3" in result.output
        again = app.test_cli_runner().invoke(args=["reco", "backup", str(target)])
        assert again.exit_code == 1 and "existe déjà" in again.output
        blocked = tmp_path / "file"
        blocked.write_text("not a folder")
        refused = app.test_cli_runner().invoke(args=["reco", "backup", str(blocked / "copy.sqlite3")])
        assert refused.exit_code == 1 and "Impossible d'écrire" in refused.output
    with app_on(f"sqlite:///{target}"):
        assert snapshot() == rows


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="pg_dump backs up PostgreSQL")
def test_the_pg_dump_procedure_of_the_readme_round_trips_the_demo_network(demo_network, tmp_path):
    url, rows = demo_network
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is missing: apt-get install postgresql-client")
    dump = tmp_path / "reco.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", url], check=True)
    restored = fresh_database(tmp_path, "reco_backup_restored")
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
                       check=True)
        with app_on(restored):
            assert snapshot() == rows
        with app_on(url) as app:
            result = app.test_cli_runner().invoke(args=["reco", "backup"])
            assert result.exit_code == 1 and "pg_dump" in result.output
    finally:
        drop_database(restored)
