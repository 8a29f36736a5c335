"""Debian's Chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("RECO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    """Skip browser tests without Chromium, unless RECO_REQUIRE_BROWSER=1 makes them fail."""
    if os.environ.get("RECO_REQUIRE_BROWSER") == "1" or shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: install it with "
                                   "`apt-get install chromium` (or set RECO_CHROMIUM)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium():
    """Launch Debian's Chromium once for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser tab in French, the size of a 10-inch tablet."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def demo(app):
    """The demo network, committed for the live server."""
    from reco.demo import load_demo
    from reco.extensions import db

    with app.app_context():
        load_demo()
        db.session.commit()


def log_in(page, live_server: str, email: str) -> None:
    """Log in through the real form with a demo account."""
    from reco.demo import DEMO_PASSWORD

    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")
