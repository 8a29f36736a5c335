"""The migrations build exactly the schema the models describe, and go up and down with data in the tables."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from reco.demo import load_demo
from reco.extensions import db
from tests.conftest import store_test_registry
from tests.scratch import app_on, drop_database, fresh_database


def test_models_and_migrations_agree(ctx):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []


def _revisions() -> list[str]:
    """Return the revision ids from the first migration to the last."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_every_migration_goes_up_and_down_with_data_in_the_tables(tmp_path):
    url = fresh_database(tmp_path, "reco_migrations")
    try:
        with app_on(url):
            revisions = _revisions()
            assert revisions[0] == "0001" and len(revisions) >= 10
            upgrade(revision=revisions[0])
            db.session.execute(text(
                "INSERT INTO structures (name, is_workshop, is_prescriber, is_installer, is_partner, commune, "
                "insee_code, active, created_at) VALUES ('Atelier ancien', true, false, false, false, 'Rennes', "
                "'35238', true, CURRENT_TIMESTAMP)"))
            db.session.commit()
            for revision in revisions[1:]:
                upgrade(revision=revision)
            store_test_registry()  # the demo's communes are checked against the registry
            load_demo()
            db.session.commit()
            demo_rows = db.session.scalar(text("SELECT count(*) FROM devices")) + \
                db.session.scalar(text("SELECT count(*) FROM prescriptions"))
            assert demo_rows > 0
            for revision in reversed(revisions[:-1]):
                db.session.remove()
                downgrade(revision=revision)
            assert db.session.scalar(text("SELECT name FROM structures WHERE name = 'Atelier ancien'"))
            db.session.remove()
            downgrade(revision="base")
            upgrade()
            store_test_registry()
            load_demo()
            db.session.commit()
            context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
    finally:
        drop_database(url)
