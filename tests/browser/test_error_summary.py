"""A refused form in Chromium: the error summary takes the focus, and its links take it to the fields."""
import pytest

from tests.browser.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_the_summary_takes_the_focus_and_leads_to_the_field(live_server, demo, page):
    page.goto(f"{live_server}/login")
    wait_until(page, "document.activeElement && document.activeElement.id === 'email'")
    page.get_by_label("Adresse e-mail").fill("technician@demo.reco")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    wait_until(page, "document.activeElement && document.activeElement.id === 'error-summary'")
    assert page.title().startswith("Erreur\u00a0: ")
    summary = page.locator("#error-summary")
    assert summary.get_by_role("heading").inner_text() == "Il y a un problème"
    assert page.get_by_label("Adresse e-mail").input_value() == "technician@demo.reco"
    assert summary.get_by_role("link").all_inner_texts() == [summary.locator("a[href='#password']").inner_text()]
    summary.get_by_role("link", name="Indiquez votre mot de passe.").click()
    wait_until(page, "document.activeElement && document.activeElement.id === 'password'")
    assert page.get_by_label("Mot de passe").get_attribute("aria-invalid") == "true"
    assert page.url.endswith("/login")  # the link moved the focus, not the page
