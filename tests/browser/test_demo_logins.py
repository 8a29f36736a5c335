"""Each demo role logs in through the real login form and finds its home page and menu."""
import pytest

from reco.demo import DEMO_PASSWORD, USERS, load_demo
from reco.extensions import db
from tests.browser.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.committed]

MENUS = {
    "admin": ["Accueil", "Chiffres", "Structures", "Utilisateurs", "Données personnelles", "Communes à corriger",
              "Mon compte"],
    "supervisor": ["Accueil", "Collectes", "Scanner un lot", "Appareils", "Emplacements", "Pièces", "Donateurs",
                   "Prescriptions reçues", "Liste d'attente", "Prescriptions", "Visites", "Chiffres", "Mon compte"],
    "technician": ["Accueil", "Collectes", "Scanner un lot", "Appareils", "Emplacements", "Pièces", "Donateurs",
                   "Chiffres", "Mon compte"],
    "prescriber": ["Accueil", "Prescriptions", "Chiffres", "Mon compte"],
    "installer": ["Accueil", "Visites", "Mon compte"],
    "partner": ["Accueil", "Familles que nous avons équipées", "Chiffres", "Mon compte"],
    "viewer": ["Accueil", "Chiffres", "Mon compte"],
}
SCANS = {"admin", "supervisor", "technician"}


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()
        db.session.commit()


def _log_in(page, base, email, password):
    page.goto(f"{base}/login")
    wait_until(page, "document.activeElement && document.activeElement.id === 'email'")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize("email,name,role,structure", USERS, ids=[u[2] + "-" + u[0] for u in USERS])
def test_demo_login(live_server, demo, page, email, name, role, structure):
    _log_in(page, live_server, email, DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.locator("h1").inner_text() == f"Bonjour {name}"
    assert page.locator(".user-structure").inner_text() == structure
    menu = page.locator("nav.main-nav a").all_inner_texts()
    assert menu == MENUS[role]
    if role in SCANS:
        wait_until(page, "document.activeElement && document.activeElement.id === 'scan-code'")
    else:
        assert page.locator("#scan-code").count() == 0
    for label in menu[1:]:
        link = page.locator("nav.main-nav").get_by_role("link", name=label, exact=True)
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url(live_server + href)
        assert page.locator("h1").count() == 1
        assert page.locator("nav.main-nav a[aria-current=page]").inner_text() == label
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server}/login")


def test_wrong_password_then_scan_of_an_unknown_code(live_server, demo, page):
    _log_in(page, live_server, "technician@demo.reco", "not the password")
    assert page.get_by_role("alert").first.inner_text() == "Adresse e-mail ou mot de passe incorrect."
    _log_in(page, live_server, "technician@demo.reco", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.keyboard.type("INCONNU-42")
    page.keyboard.press("Enter")
    page.wait_for_url("**/scan?code=INCONNU-42")
    assert "INCONNU-42" in page.get_by_role("alert").inner_text()
    wait_until(page, "document.activeElement && document.activeElement.id === 'scan-code'")
    page.keyboard.type("dem")
    page.keyboard.press("Enter")
    page.wait_for_url("**/structures/*")
    assert page.locator("h1").inner_text() == "Atelier Démo"


def test_no_console_errors_and_no_inline_script(live_server, demo, page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _log_in(page, live_server, "admin@demo.reco", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    for path in ("/", "/admin/structures", "/admin/users", "/account"):
        page.goto(live_server + path)
    assert errors == []
