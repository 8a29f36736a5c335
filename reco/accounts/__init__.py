"""Structures, users, roles, login and API tokens."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from reco.core.navigation import NavEntry, add_nav_entry

bp = Blueprint("accounts", __name__)

add_nav_entry(NavEntry("accounts.structures", _l("Structures"), "structure.manage",
                       _l("The structures of the network: workshops, prescribers, installers, partners.")))
add_nav_entry(NavEntry("accounts.users", _l("Users"), "user.manage",
                       _l("Accounts of the network: create, edit, deactivate.")))
add_nav_entry(NavEntry("accounts.account", _l("My account"), "account.manage",
                       _l("Your password, your language and your API tokens.")))

from reco.accounts import admin_views, loader, views  # noqa: E402,F401
