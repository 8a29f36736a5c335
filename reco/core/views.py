"""Home page, scan box and language choice."""
from flask import redirect, render_template, request, session, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from reco.core.roles import LANGUAGES
from reco.core import bp
from reco.core.documents import find_by_fingerprint
from reco.core.forms import VerifyFileForm
from reco.core.navigation import nav_entries
from reco.core.notices import Notice, mark_read, unread_count
from reco.core.pagination import paginate
from reco.core.permissions import can, permission_required, scoped
from reco.core.safe_redirect import safe_next
from reco.core.scanning import clean_code, resolve_scan
from reco.core.verification import KIND_LABELS, VERIFY_MAX_BYTES, VERIFY_MAX_MB, check_file
from reco.core.vocabulary import DETAIL_LABELS, EVENT_LABELS, detail_value


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


@bp.route("/notices")
@permission_required("notice.view")
def notices():
    """List the changes brought to the user's attention, newest first, and mark those shown as seen."""
    query = scoped(select(Notice), "notice.view").order_by(Notice.id.desc())
    page = paginate(query)
    unread = {n.id for n in page.items if n.read_at is None}
    mark_read(current_user, unread)
    return render_template("core/notices.html", page=page, unread=unread)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Remember the language chosen on this browser."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.app_context_processor
def layout_context():
    """Give every template the menu, the permission check and the current language; the user is resolved once
    (``current_user`` in a template is the user itself, not a proxy looked up at each use)."""
    user = current_user._get_current_object()
    return {
        "current_user": user,
        "nav": nav_entries(user) if user.is_authenticated else [],
        "unread_notices": unread_count(user) if user.is_authenticated else 0,
        "can": lambda action, obj=None: can(user, action, obj),
        "current_locale": str(get_locale()),
        "event_labels": EVENT_LABELS,
        "detail_labels": DETAIL_LABELS,
        "detail_value": detail_value,
        "languages": LANGUAGES,
    }


@bp.app_template_filter("gigabytes")
def gigabytes(count, binary: bool = False) -> str:
    """Show a size in bytes as gigabytes in the user's language (binary for memory, decimal for storage)."""
    if not count:
        return "—"
    value = count / (1024 ** 3 if binary else 1000 ** 3)
    return _("%(n)s GB", n=format_decimal(value, "#,##0.#" if binary else "#,##0"))


@bp.route("/verify", defaults={"fingerprint": ""})
@bp.route("/verify/<fingerprint>")
def verify(fingerprint: str):
    """Tell anyone whether Reco issued a document with this fingerprint, and nothing more."""
    fingerprint = (request.args.get("fingerprint") or fingerprint).strip().lower()[:128]
    document = find_by_fingerprint(fingerprint) if fingerprint else None
    status = 404 if fingerprint and document is None else 200
    return render_template("core/verify.html", fingerprint=fingerprint, document=document, form=VerifyFileForm(),
                           max_mb=VERIFY_MAX_MB), status


@bp.route("/verify", methods=["POST"])
def verify_file():
    """Tell anyone whether the PDF file they hold is exactly what Reco issued, and show what it states."""
    form = VerifyFileForm()
    if not form.validate_on_submit():
        return render_template("core/verify.html", fingerprint="", form=form,
                               max_mb=VERIFY_MAX_MB), 422
    check = check_file(form.file.data.read(VERIFY_MAX_BYTES + 1))
    page = render_template("core/verify.html", fingerprint="", form=form, check=check, kinds=KIND_LABELS,
                           max_mb=VERIFY_MAX_MB)
    return page, 200 if check.accepted else 422, {"Cache-Control": "no-store"}
