"""Debian's Chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

import os
import shutil
import time

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


def log_in(page, live_server: str, email: str, password: str | None = None) -> None:
    """Log in through the real form, with a demo account's password unless ``password`` is given."""
    from reco.demo import DEMO_PASSWORD

    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until a JavaScript expression is true in the page, evaluating it afresh each time.

    Playwright's wait_for_function evaluates a string with eval, which the pages' Content Security Policy
    refuses as soon as it has to poll more than once; one evaluate() at a time is always allowed.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except Error:
            pass  # the page was navigating: try again on the new one
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)
