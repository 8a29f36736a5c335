"""The gunicorn settings of the project: long streamed exports are not cut by the worker timeout."""
import runpy

from reco.config import PROJECT_ROOT


def test_workers_outlive_a_long_export_and_both_settings_follow_the_environment(monkeypatch):
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 2 and settings["timeout"] >= 300
    monkeypatch.setenv("RECO_WORKERS", "5")
    monkeypatch.setenv("RECO_WORKER_TIMEOUT", "900")
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 5 and settings["timeout"] == 900
