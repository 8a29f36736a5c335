"""Structures, users and API tokens."""
from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, lazyload, load_only, mapped_column, query_expression, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from reco.core.columns import enum_column
from reco.core.roles import LANGUAGES, Role, TokenScope  # defined beside the permission rules, used here
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class StructureKind(enum.StrEnum):
    """What a structure does in the network; a structure may be several."""

    WORKSHOP = "workshop"
    PRESCRIBER = "prescriber"
    INSTALLER = "installer"
    PARTNER = "partner"


#: The structure kind a role requires; roles absent here fit any structure.
ROLE_REQUIRES_KIND = {
    Role.SUPERVISOR: StructureKind.WORKSHOP,
    Role.TECHNICIAN: StructureKind.WORKSHOP,
    Role.PRESCRIBER: StructureKind.PRESCRIBER,
    Role.INSTALLER: StructureKind.INSTALLER,
    Role.PARTNER: StructureKind.PARTNER,
}

class Structure(db.Model):
    """An organisation of the network: workshop, prescriber, installer and/or partner."""

    __tablename__ = "structures"
    audit_type = "structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    is_workshop: Mapped[bool] = mapped_column(Boolean, default=False)
    is_prescriber: Mapped[bool] = mapped_column(Boolean, default=False)
    is_installer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Street address (number and street), printed with the postcode and commune on the documents it issues.
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    postcode: Mapped[str] = mapped_column(String(5), default="", server_default="")
    #: Switchboard number, shown to the mediator of a visit this structure prescribed when the family does not answer.
    phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    commune: Mapped[str] = mapped_column(String(120))
    #: INSEE code of the commune (5 characters, 2A/2B for Corsica).
    insee_code: Mapped[str] = mapped_column(String(5))
    siret: Mapped[str | None] = mapped_column(String(14))
    #: Workshops only: prefix of the asset tags printed on their labels, e.g. "DEM".
    tag_prefix: Mapped[str | None] = mapped_column(String(6), unique=True)
    #: Workshops only: the label format used last, offered first next time.
    label_format: Mapped[str | None] = mapped_column(String(60))
    #: Workshops only: the label printer labels go to without a dialog: "none", "brother_ql" (raster over TCP) or
    #: "cups" (a queue of this server, through ``lp``); set up by the supervisor (labels.printer).
    label_printer_kind: Mapped[str] = mapped_column(String(12), default="none", server_default="none")
    #: Brother QL on the network: host name or IP address, port (9100 for raw printing) and brother_ql model id.
    label_printer_host: Mapped[str] = mapped_column(String(253), default="", server_default="")
    label_printer_port: Mapped[int] = mapped_column(Integer, default=9100, server_default="9100")
    label_printer_model: Mapped[str] = mapped_column(String(20), default="", server_default="")
    #: CUPS: the queue name given to ``lp -d``.
    label_printer_queue: Mapped[str] = mapped_column(String(127), default="", server_default="")
    #: The label format (file of labels/) the label printer is loaded with.
    label_printer_format: Mapped[str | None] = mapped_column(String(60))
    #: Print each device's label as soon as it is received at intake.
    label_auto_print: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Workshops only: a supervisor must validate each sanitization before it counts.
    sanitization_needs_validation: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Workshops only: the least RAM a device needs to be offered to a household, in GB.
    min_ram_gb: Mapped[int | None] = mapped_column(Integer)
    #: Workshops only: the least storage a device needs to be offered to a household, in GB.
    min_storage_gb: Mapped[int | None] = mapped_column(Integer)
    #: Workshops only: months of warranty given with a device, printed on the handover receipt.
    warranty_months: Mapped[int] = mapped_column(Integer, default=6)
    #: Workshops only: whom a family calls when its device fails (phone, email), printed on the handover receipt.
    support_contact: Mapped[str] = mapped_column(String(200), default="")
    #: Workshops only: the installer structure asked first for installation visits.
    usual_installer_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"))
    #: Workshops only: prescribers may ask for the installation visit themselves once a device is reserved.
    prescribers_request_visits: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Prescribers only: the workshop their prescriptions usually go to, offered first on the form.
    usual_workshop_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    usual_workshop: Mapped[Structure | None] = relationship(remote_side=[id], foreign_keys=[usual_workshop_id])
    usual_installer: Mapped[Structure | None] = relationship(remote_side=[id], foreign_keys=[usual_installer_id])
    users: Mapped[list[User]] = relationship(back_populates="structure", order_by="User.name")

    @property
    def kinds(self) -> set[StructureKind]:
        """Return the kinds this structure has."""
        return {kind for kind in StructureKind if getattr(self, f"is_{kind.value}")}

    @kinds.setter
    def kinds(self, kinds) -> None:
        for kind in StructureKind:
            setattr(self, f"is_{kind.value}", kind in set(kinds))

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning structure, which is itself (for permission checks)."""
        return self.id

    def __str__(self) -> str:
        return self.name


class User(UserMixin, db.Model):
    """A person who logs in; never deleted, only deactivated."""

    __tablename__ = "users"
    audit_type = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: "fr" or "en"; empty means the browser's preference.
    locale: Mapped[str | None] = mapped_column(String(5))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Bumped when the password changes, which ends the other open sessions.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Unseen notices, counted by the query that loads a session's user (None when not loaded that way).
    unread_notices: Mapped[int | None] = query_expression()

    structure: Mapped[Structure] = relationship(back_populates="users", lazy="joined")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", order_by="ApiToken.id")

    @validates("email")
    def _normalise_email(self, key: str, email: str) -> str:
        """Store email addresses trimmed and in lower case."""
        return (email or "").strip().lower()

    @property
    def is_active(self) -> bool:
        """Tell Flask-Login whether this user may be logged in."""
        return self.active

    def get_id(self) -> str:
        """Return the session identifier, which changes with the password."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password``."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether ``password`` is this user's password."""
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.name


def name_only(option):
    """Return the loader ``option`` of a user narrowed to their id and name, without joining their structure."""
    return option.options(load_only(User.id, User.name), lazyload(User.structure))


def hash_token(token: str) -> str:
    """Return the stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token for the API; only its hash is stored."""

    __tablename__ = "api_tokens"
    audit_type = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: A few characters of the token, shown so that people can tell tokens apart.
    hint: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(80), default="")
    #: "full": the user's rights; "bench": only the workbench's endpoints (a lost bench stick exposes nothing else).
    scope: Mapped[str] = mapped_column(String(20), default="full", server_default="full")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")

    @property
    def structure_id(self) -> int:
        """Return the structure of the token's owner."""
        return self.user.structure_id
