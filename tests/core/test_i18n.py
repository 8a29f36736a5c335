"""French by default, English available; the French catalogue is complete."""
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from reco.config import PROJECT_ROOT
from reco.core.typography import catalog_messages, fix_catalog, fix_french, typography_faults
from reco.extensions import db
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



def test_french_messages_have_a_no_break_space_before_high_punctuation_and_inside_guillemets():
    messages = catalog_messages(CATALOG.read_text(encoding="utf-8"))
    faults = sorted({fault for message in messages for fault in typography_faults(message)})
    assert messages and not faults, f"run `make typography` (then `make translations`) to fix: {faults[:20]}"


def test_the_typography_fix_changes_only_spaces_and_can_be_run_again():
    assert fix_french("Motif: « absent »; pourquoi? Vu!") == "Motif\xa0: «\xa0absent\xa0»\xa0; pourquoi\xa0? Vu\xa0!"
    for kept in ("9:00–12:00", "https://reco.example/verify", "?page=2", "Content-Type: application/json",
                 "Motif\u202f: oui", "(9 h – 12 h)"):
        assert fix_french(kept) == kept and not typography_faults(kept)
    po = ('msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\nmsgid "Reason: %(r)s"\n'
          'msgstr "Motif : %(r)s"\n\nmsgid "long"\nmsgstr ""\n"Un texte long « "\n"cité » et une question "\n"?"\n')
    fixed = fix_catalog(po)
    assert fixed.split("\n")[:3] == po.split("\n")[:3]  # the header is not French text
    assert 'msgstr "Motif\xa0: %(r)s"' in fixed and '"Un texte long «\xa0"\n"cité\xa0» et une question\xa0"\n"?"' in fixed
    assert fix_catalog(fixed) == fixed and len(fixed.split("\n")) == len(po.split("\n"))
    assert not [f for m in catalog_messages(fixed) for f in typography_faults(m)]


def test_a_language_chosen_in_the_preferences_says_the_confirmation_in_it(client, ctx):
    login_as(client, make_user("technician", locale="fr"))
    db.session.commit()
    page = client.post("/account/preferences", data={"locale": "en"}, follow_redirects=True).get_data(as_text=True)
    assert '<html lang="en">' in page and "Your preferences are saved." in page


def test_a_refused_preferences_form_says_wtforms_message_in_the_users_language(client, ctx):
    login_as(client, make_user("technician", locale="fr"))
    db.session.commit()
    response = client.post("/account/preferences", data={"locale": "xx"})
    assert response.status_code == 422 and "pas un choix valide." in response.get_data(as_text=True)
