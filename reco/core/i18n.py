"""Language and time zone of each request: French first, English available; dates and waits as people say them."""
import re
from datetime import date, datetime

from babel.dates import get_month_names
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from flask_babel import gettext as _
from flask_babel import ngettext

from reco.core.roles import LANGUAGES
from reco.core.permissions import acting_user
from reco.core.time import local_date, local_today

#: « 1 » before a French month name, wide or abbreviated, as Babel writes the first day of a month.
_FIRST_OF_MONTH = re.compile(r"(?<![\d/.:])\b1(?=[ \u00a0\u202f](?:%s))" % "|".join(
    re.escape(name) for width in ("wide", "abbreviated") for name in get_month_names(width, locale="fr").values()))


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


def _day_of(value: date | datetime) -> int:
    """Return the day of the month of a date, or of a moment in the network's time zone."""
    return local_date(value).day if isinstance(value, datetime) else value.day


def first_of_month(text: str, value: date | datetime) -> str:
    """Write the first day of a month « 1er » in French (Babel writes « 1 décembre »)."""
    if _day_of(value) != 1 or get_locale() is None or get_locale().language != "fr":
        return text
    return _FIRST_OF_MONTH.sub("1er", text)


def format_day(value: date | datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    """Return a date in the user's language, « mardi 1er décembre » in French."""
    if value is None:
        value = local_today()
    return first_of_month(format_date(value, format, rebase), value)


def format_moment(value: datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    """Return a moment in the user's language and the network's time zone, the first of a month « 1er » in French."""
    if value is None:
        return format_datetime(value, format, rebase)
    return first_of_month(format_datetime(value, format, rebase), value)


def waiting_since(moment: datetime) -> str:
    """Return how long since ``moment`` in calendar days of the network: « aujourd'hui », « depuis 3 jours »."""
    days = (local_today() - local_date(moment)).days
    if days <= 0:
        return _("today")
    return ngettext("for %(num)d day", "for %(num)d days", days)


def colon() -> str:
    """Return what goes between a name and its value: « : » after a no-break space in French."""
    return _("%(key)s: %(value)s", key="", value="")


def bound_translations() -> dict:
    """Give a render ``_``, ``gettext`` and ``ngettext`` bound to the request's translations, looked up once.

    They behave as Jinja's "newstyle" callables that flask-babel installs (escaping, ``%(name)s`` variables), which
    look the translations up again at every text of the page.
    """
    translations = get_translations()

    @pass_context
    def gettext(context, string, /, **variables):
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular, plural, number, /, **variables):
        variables.setdefault("num", number)
        text = translations.ungettext(singular, plural, number)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def init_date_filters(app) -> None:
    """Give templates the dates with « 1er » (dateformat, datetimeformat), the waits in calendar days, colon() and
    translations bound once per render."""
    app.jinja_env.filters.update(dateformat=format_day, datetimeformat=format_moment, waiting_since=waiting_since)
    app.jinja_env.globals["colon"] = colon
    app.context_processor(bound_translations)
