"""French by default, English available; the French catalogue is complete."""
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from reco.config import PROJECT_ROOT
from tests.conftest import login_as
from tests.factories import make_user

CATALOG = PROJECT_ROOT / "reco" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted_messages() -> set:
    method_map = [("reco/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(PROJECT_ROOT), method_map,
                                                                       keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_text_has_a_french_translation():
    with CATALOG.open("rb") as po:
        catalog = read_po(po)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog
                  if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
                  and not m.fuzzy}
    missing = sorted(_extracted_messages() - translated)
    assert not missing, f"run `make extract-messages` and translate: {missing}"


def test_compiled_catalog_is_up_to_date():
    compiled = CATALOG.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= CATALOG.stat().st_mtime, "run `make translations`"


def test_french_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Connexion à Reco" in page


def test_the_browser_language_is_followed(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in to Reco" in page


def test_a_language_chosen_on_the_page_is_kept(client):
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "Log in to Reco" in client.get("/login").get_data(as_text=True)


def test_the_users_preference_wins_over_the_browser(client, ctx):
    login_as(client, make_user("technician", locale="en"))
    page = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Hello" in page


def test_choosing_a_language_never_redirects_elsewhere(client):
    assert client.post("/lang/fr", data={"next": "https://evil.example"}).headers["Location"] == "/"
    assert client.post("/lang/xx").status_code == 302

