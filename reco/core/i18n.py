"""Language and time zone of each request: French first, English available."""
from flask import current_app, has_request_context, request, session

from reco.accounts.models import LANGUAGES
from reco.core.permissions import acting_user


def select_locale() -> str:
    """Return the user's language, else the one chosen on this browser, else the browser's."""
    if not has_request_context():
        return LANGUAGES[0]
    user = acting_user()
    if getattr(user, "is_authenticated", False) and user.locale in LANGUAGES:
        return user.locale
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def select_timezone() -> str:
    """Return the network's time zone."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
