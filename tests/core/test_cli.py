"""The reco command group."""
import pytest
from sqlalchemy import func, select

from reco.accounts.models import ApiToken, Structure, User, hash_token
from reco.cli import create_token, create_user_command, demo, init_db
from reco.demo import DEMO_PASSWORD, USERS
from reco.extensions import db


@pytest.mark.committed
def test_init_db_is_safe_to_run_twice(app):
    runner = app.test_cli_runner()
    assert runner.invoke(init_db).exit_code == 0
    assert runner.invoke(init_db).exit_code == 0


def test_demo_is_safe_to_run_twice_and_every_demo_login_works(app, ctx):
    runner = app.test_cli_runner()
    assert runner.invoke(demo).exit_code == 0
    counts = (db.session.scalar(select(func.count()).select_from(User)),
              db.session.scalar(select(func.count()).select_from(Structure)))
    result = runner.invoke(demo)
    assert result.exit_code == 0 and "0" in result.output
    assert counts == (db.session.scalar(select(func.count()).select_from(User)),
                      db.session.scalar(select(func.count()).select_from(Structure)))
    for email, _name, role, _structure in USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.role.value == role and user.check_password(DEMO_PASSWORD)
    workshop = db.session.scalar(select(Structure).where(Structure.name == "Atelier Démo"))
    assert workshop.tag_prefix == "DEM"


def test_create_user_and_token(app, ctx):
    runner = app.test_cli_runner()
    runner.invoke(demo)
    result = runner.invoke(create_user_command, ["--email", "bench@demo.reco", "--name", "Poste 1",
                                                 "--role", "technician", "--structure", "Atelier Démo",
                                                 "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(create_token, ["bench@demo.reco"])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert stored.user.email == "bench@demo.reco"


def test_create_user_explains_refusals(app, ctx):
    runner = app.test_cli_runner()
    runner.invoke(demo)
    unknown = runner.invoke(create_user_command, ["--email", "x@demo.reco", "--name", "X", "--role", "viewer",
                                                  "--structure", "Nowhere", "--password", "a long password"])
    assert unknown.exit_code != 0 and "Nowhere" in unknown.output
    short = runner.invoke(create_user_command, ["--email", "x@demo.reco", "--name", "X", "--role", "viewer",
                                                "--structure", "Atelier Démo", "--password", "short"])
    assert short.exit_code != 0 and "10" in short.output
    wrong_kind = runner.invoke(create_user_command, ["--email", "x@demo.reco", "--name", "X", "--role",
                                                     "prescriber", "--structure", "Atelier Démo",
                                                     "--password", "a long password"])
    assert wrong_kind.exit_code != 0
    assert db.session.scalar(select(User).where(User.email == "x@demo.reco")) is None


def test_create_token_for_an_unknown_email_fails(app):
    result = app.test_cli_runner().invoke(create_token, ["nobody@demo.reco"])
    assert result.exit_code != 0 and result.stdout == ""
