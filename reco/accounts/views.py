"""Logging in and out, and one's own account."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from reco.accounts import bp
from reco.accounts.forms import LoginForm, PasswordForm, PreferencesForm, TokenForm
from reco.accounts.models import ApiToken
from reco.accounts.services import (
    authenticate,
    change_password,
    end_sessions,
    issue_token,
    revoke_all_tokens,
    revoke_token,
    update_user,
)
from reco.core.errors import ValidationFailed
from reco.core.forms import show_errors
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.permissions import permission_required, require
from reco.core.safe_redirect import safe_next
from reco.extensions import db, limiter

add_nav_entry(NavEntry("accounts.structures", _l("Structures"), "structure.manage",
                       _l("The structures of the network: workshops, prescribers, installers, partners."), 80))
add_nav_entry(NavEntry("accounts.users", _l("Users"), "user.manage",
                       _l("Accounts of the network: create, edit, deactivate."), 81))
add_nav_entry(NavEntry("accounts.account", _l("My account"), "account.manage",
                       _l("Your password, your language and your API tokens."), 99))


def _login_limit() -> str:
    """Return how many failed logins one account may get, from any address."""
    return current_app.config["RECO_LOGIN_LIMIT"]


def _login_address_limit() -> str:
    """Return how many failed logins one address may make, whatever the accounts (an office shares one address)."""
    return current_app.config["RECO_LOGIN_ADDRESS_LIMIT"]


def _login_account() -> str:
    """Return the account a login attempt is for, as typed (trimmed, in lower case)."""
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    """Tell whether a login attempt failed (a success redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_login_account, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_address_limit, methods=["POST"], deduct_when=_failed)
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
        flash(_("Wrong email or password."), "error")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out: every session of the account ends, so that a copied session cookie no longer works."""
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account")
@permission_required("account.manage")
def account():
    """Show one's account: language, password, API tokens."""
    return _account_page()


def _account_page(status: int = 200, **forms):
    """Render the account page with fresh forms except those given."""
    forms.setdefault("preferences", PreferencesForm(locale=current_user.locale or ""))
    forms.setdefault("password_form", PasswordForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    return render_template("accounts/account.html", tokens=current_user.tokens, **forms), status


@bp.route("/account/preferences", methods=["POST"])
@permission_required("account.manage")
def preferences():
    """Save one's language."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _account_page(422, preferences=form)
    update_user(current_user, by=current_user, locale=form.locale.data)
    flash(_("Your preferences are saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["POST"])
@permission_required("account.manage")
def password():
    """Change one's password; other sessions are logged out."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, current=form.current_password.data, new=form.new_password.data)
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            login_user(current_user._get_current_object())
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(422, password_form=form)


@bp.route("/account/tokens", methods=["POST"])
@permission_required("account.manage")
def create_token():
    """Create an API token and show it once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(422, token_form=form)
    try:
        token = issue_token(current_user, by=current_user, label=form.label.data or "", scope=form.scope.data)
    except ValidationFailed as error:
        show_errors(form, error)
        return _account_page(422, token_form=form)
    return _account_page(new_token=token)


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@permission_required("account.manage")
def revoke(token_id: int):
    """Revoke one of one's API tokens."""
    token = db.get_or_404(ApiToken, token_id)
    require("token.revoke", token)
    revoke_token(token, by=current_user)
    flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/tokens/revoke-all", methods=["POST"])
@permission_required("account.manage")
def revoke_all():
    """Revoke all of one's API tokens at once."""
    require("token.revoke", current_user)
    count = revoke_all_tokens(current_user._get_current_object(), by=current_user)
    flash(ngettext("%(num)d token is revoked: it no longer works.",
                   "%(num)d tokens are revoked: they no longer work.", count) if count
          else _("You had no token in use."), "success")
    return redirect(url_for("accounts.account"))
