"""The roles people hold, what an API token may reach and the languages of the interface: the words every feature
and the permission rules share."""
import enum

LANGUAGES = ("fr", "en")


class Role(enum.StrEnum):
    """The one role a user holds."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"
    PRESCRIBER = "prescriber"
    INSTALLER = "installer"
    PARTNER = "partner"
    VIEWER = "viewer"


class TokenScope(enum.StrEnum):
    """What an API token may reach."""

    FULL = "full"  #: everything its user may do
    BENCH = "bench"  #: only the workbench: look up, receive, hardware reports, erasure logs, labels
