"""Home page, scan box and language choice."""
from flask import redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from reco.accounts.models import LANGUAGES
from reco.core import bp
from reco.core.documents import find_by_fingerprint
from reco.core.navigation import nav_entries
from reco.core.permissions import can, permission_required
from reco.core.safe_redirect import safe_next
from reco.core.scanning import clean_code, resolve_scan
from reco.core.vocabulary import EVENT_LABELS


@bp.route("/")
@login_required
def home():
    """Show the user's home page: what their role can do."""
    return render_template("core/home.html", entries=nav_entries(current_user))


@bp.route("/scan")
@permission_required("scan.use")
def scan():
    """Open what a scanned code points to, or say that nothing matches."""
    code = clean_code(request.args.get("code"))
    url = resolve_scan(current_user, code)
    if url:
        return redirect(url)
    message = _("Nothing matches « %(code)s ».", code=code) if code else _("Scan or type a code.")
    return render_template("core/scan.html", code=code, message=message), 404 if code else 200


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Remember the language chosen on this browser."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.app_context_processor
def layout_context():
    """Give every template the menu, the permission check and the current language."""
    user = current_user
    return {
        "nav": nav_entries(user) if user.is_authenticated else [],
        "can": lambda action, obj=None: can(user, action, obj),
        "current_locale": str(get_locale()),
        "event_labels": EVENT_LABELS,
        "languages": LANGUAGES,
    }


@bp.route("/verify", defaults={"fingerprint": ""})
@bp.route("/verify/<fingerprint>")
def verify(fingerprint: str):
    """Tell anyone whether Reco issued a document with this fingerprint, and nothing more."""
    fingerprint = (request.args.get("fingerprint") or fingerprint).strip().lower()[:128]
    document = find_by_fingerprint(fingerprint) if fingerprint else None
    status = 404 if fingerprint and document is None else 200
    return render_template("core/verify.html", fingerprint=fingerprint, document=document), status
