"""Configuration from the environment."""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from reco import create_app
from reco.config import ConfigurationError, database_url, ensure_instance_folder, load_config


def test_development_key_is_generated_once_and_kept(tmp_path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    assert len(first) >= 32
    assert load_config(tmp_path, {})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    assert load_config(tmp_path, {})["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'reco.sqlite3'}"


@pytest.mark.parametrize("secret", [None, "", "too-short"])
def test_production_refuses_to_start_without_a_real_secret(tmp_path, secret):
    env = {"RECO_ENV": "production"} | ({"RECO_SECRET_KEY": secret} if secret is not None else {})
    with pytest.raises(ConfigurationError, match="RECO_SECRET_KEY"):
        load_config(tmp_path, env)
    assert not (tmp_path / "secret_key").exists()


def test_production_settings(tmp_path):
    config = load_config(tmp_path, {"RECO_ENV": "production", "RECO_SECRET_KEY": "s" * 40,
                                    "RECO_DATABASE_URL": "postgresql://reco@db/reco",
                                    "RECO_BASE_URL": "https://reco.example.org"})
    assert config["SECRET_KEY"] == "s" * 40
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://reco@db/reco"


def test_production_needs_the_public_address(tmp_path):
    with pytest.raises(ConfigurationError, match="RECO_BASE_URL"):
        load_config(tmp_path, {"RECO_ENV": "production", "RECO_SECRET_KEY": "s" * 40})


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigurationError):
        load_config(tmp_path, {"RECO_ENV": "staging"})


@pytest.mark.parametrize("url,expected", [
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"), ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"), ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg_3(url, expected):
    assert database_url(url) == expected


def test_an_unwritable_instance_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigurationError, match="instance"):
        ensure_instance_folder(blocker / "instance")


def test_create_app_in_production_without_secret_fails(monkeypatch):
    monkeypatch.setenv("RECO_ENV", "production")
    monkeypatch.delenv("RECO_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app()


def _start(instance: str) -> str:
    """Do what a starting worker does with the instance folder; return the secret key it would sign with."""
    ensure_instance_folder(Path(instance))
    return load_config(Path(instance), {})["SECRET_KEY"]


def test_workers_starting_together_share_one_instance_folder_and_key(tmp_path):
    for attempt in range(5):
        instance = tmp_path / f"instance{attempt}"
        with ProcessPoolExecutor(8, mp_context=multiprocessing.get_context("fork")) as pool:
            keys = set(pool.map(_start, [str(instance)] * 32))
        assert len(keys) == 1 and len(keys.pop()) == 64
        assert [p.name for p in instance.iterdir()] == ["secret_key"]
