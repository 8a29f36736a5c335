"""Names of roles and structure kinds in the user's language."""
from flask_babel import lazy_gettext as _l

from reco.accounts.models import Role, StructureKind, TokenScope
from reco.core.vocabulary import DETAIL_VALUE_LABELS

ROLE_LABELS = {
    Role.ADMIN: _l("Network coordinator (admin)"),
    Role.SUPERVISOR: _l("Workshop supervisor"),
    Role.TECHNICIAN: _l("Workshop technician"),
    Role.PRESCRIBER: _l("Social worker (prescriber)"),
    Role.INSTALLER: _l("Mediator (installer)"),
    Role.PARTNER: _l("Partner"),
    Role.VIEWER: _l("Funder or elected body (viewer)"),
}

KIND_LABELS = {
    StructureKind.WORKSHOP: _l("Workshop"),
    StructureKind.PRESCRIBER: _l("Prescriber"),
    StructureKind.INSTALLER: _l("Installer (mediation)"),
    StructureKind.PARTNER: _l("Partner"),
}

SCOPE_LABELS = {
    TokenScope.FULL: _l("Full access"),
    TokenScope.BENCH: _l("Workshop station (bench)"),
}
DETAIL_VALUE_LABELS["scope"] = SCOPE_LABELS
