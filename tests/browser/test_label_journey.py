"""A technician scans a batch and prints its labels on a partly used A4 sheet and on a roll: the codes scan; then
shelves the batch, which empties it."""
import pytest

from reco.demo import DEMO_PASSWORD, load_demo
from reco.extensions import db
from reco.inventory.models import Device, Location
from tests.browser.conftest import wait_until
from tests.labels.label_helpers import decode_pdf

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def tags(app):
    with app.app_context():
        load_demo()
        db.session.commit()
        return list(db.session.scalars(db.select(Device.tag).order_by(Device.id).limit(3)))


@pytest.fixture
def shelf(app, tags):
    """The code of a shelf of the demo workshop."""
    with app.app_context():
        return db.session.scalar(db.select(Location.code).order_by(Location.id))


def _print(page, format_label, skip=None):
    """Fill the print form as a person would, then send it with the page's session and read the PDF."""
    page.get_by_label("Format d'étiquette").select_option(label=format_label)
    if skip is not None:
        page.get_by_label("Étiquettes déjà utilisées sur la première planche").fill(str(skip))
    form = page.eval_on_selector("main form[method=post]", "f => Object.fromEntries(new FormData(f))")
    response = page.request.post(page.url.split("?")[0], form=form)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return response.body()


def test_batch_labels_on_a_sheet_and_a_roll(live_server, tags, shelf, page):
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("technician@demo.reco")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/batch")
    for tag in tags:
        wait_until(page, "document.activeElement && document.activeElement.id === 'batch-code'")
        page.keyboard.type(tag)
        page.keyboard.press("Enter")
        page.wait_for_selector(f"text={tag}")
    assert page.locator("#batch-count").inner_text() == "3 codes dans la liste"
    menu_entry = page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Scanner un lot")
    assert menu_entry.locator(".badge").is_visible() and "3" in menu_entry.locator(".badge").inner_text()
    page.get_by_role("link", name="Imprimer leurs étiquettes").click()
    page.wait_for_url("**/labels/devices?**")
    assert sorted(page.get_by_label("Codes à imprimer, un par ligne").input_value().split()) == sorted(tags)

    sheet = decode_pdf(_print(page, "A4 3×7 (63,5×38,1 mm, Avery L7160)", skip=19))
    assert sorted(b["text"] for b in sheet) == sorted(tags)
    assert [b["page"] for b in sorted(sheet, key=lambda b: (b["page"], b["y"], b["x"]))] == [0, 0, 1]

    roll = decode_pdf(_print(page, "Brother QL 62×29 mm (rouleau)"))
    assert [b["text"] for b in roll] == tags and [b["page"] for b in roll] == [0, 1, 2]

    page.goto(f"{live_server}/batch")
    page.get_by_label("Scannez un emplacement").fill(shelf)
    page.get_by_role("button", name="Les déplacer à cet emplacement").click()
    page.wait_for_selector("text=Rien n'a encore été scanné.")
    assert page.locator("#batch-count").inner_text() == "0 code dans la liste"
    assert "Appareils traités : 3 sur 3." in page.get_by_role("status").first.inner_text().replace("\xa0", " ")
    assert page.get_by_role("navigation", name="Menu principal").locator(".badge").count() == 0
