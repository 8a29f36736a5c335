"""Rules for structures, users, passwords and API tokens."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from reco.accounts.labels import KIND_LABELS, ROLE_LABELS
from reco.accounts.models import (
    LANGUAGES,
    ROLE_REQUIRES_KIND,
    ApiToken,
    Role,
    Structure,
    StructureKind,
    TokenScope,
    User,
    hash_token,
)
from reco.communes.entry import commune_meant, refused_field, refusal_with
from reco.communes.registry import CommuneNotFound
from reco.core.audit import record_event
from reco.core.errors import ValidationFailed
from reco.core.permissions import may_hold_bench_token
from reco.core.time import utcnow
from reco.core.validators import normalise_number, siret_valid
from reco.extensions import db

PASSWORD_MIN_LENGTH = 10
#: The least zxcvbn score (0 to 4) a password needs: 3 means about 10^8 guesses or more.
PASSWORD_MIN_SCORE = 3
#: zxcvbn judges this many characters at most; a longer password is judged on its beginning.
_PASSWORD_JUDGED_LENGTH = 72
TAG_PREFIX_RE = re.compile(r"^[A-Z]{2,5}$")
PHONE_RE = re.compile(r"\+?[0-9][0-9 .()-]{5,28}")
TOKEN_PREFIX = "reco_"
TOKEN_USE_PRECISION = timedelta(minutes=1)

STRUCTURE_FIELDS = ("name", "kinds", "address", "postcode", "phone", "commune", "insee_code", "siret", "tag_prefix", "sanitization_needs_validation",
                    "min_ram_gb", "min_storage_gb", "warranty_months", "support_contact", "usual_workshop",
                    "usual_installer", "prescribers_request_visits")
USER_FIELDS = ("email", "name", "structure", "role", "locale")


def _fail(field: str, message) -> None:
    """Raise a validation error about one field."""
    raise ValidationFailed(str(message), {field: [str(message)]})


def password_problem(password: str, email: str = "") -> str | None:
    """Return why ``password`` is not acceptable, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return str(_l("The password must be at least %(n)d characters long.", n=PASSWORD_MIN_LENGTH))
    if email and password.strip().lower() == email.strip().lower():
        return str(_l("The password must not be your email address."))
    if password.strip().lower() in _common_passwords():
        return str(_l("This password is among the most common ones: choose another, for example a short sentence."))
    email = email.strip().lower()
    words = (part for part in re.split(r"[@._\s-]+", email) if len(part) > 2)
    hints = [email, email.partition("@")[0], *words, "reco"]
    if zxcvbn(password[:_PASSWORD_JUDGED_LENGTH], user_inputs=hints)["score"] < PASSWORD_MIN_SCORE:
        return str(_l("This password is too easy to guess (a word, a name, a date or a keyboard row): "
                      "add words, for example a short sentence."))
    return None


@cache
def _common_passwords() -> frozenset[str]:
    """Return the most common passwords, from the list zxcvbn ships (30,000 of them)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def find_structure_by_name(name: str) -> Structure | None:
    """Return the structure called ``name`` (case-insensitive), if any."""
    return db.session.scalar(select(Structure).where(func.lower(Structure.name) == name.strip().lower()))


def find_user_by_email(email: str) -> User | None:
    """Return the user with this email address (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _check_commune(structure: Structure, chosen: str) -> None:
    """Set the structure's INSEE code and commune name from the registry; refuse a commune it cannot settle."""
    structure.commune = (structure.commune or "").strip()
    typed = (structure.insee_code or "").strip().upper()
    try:
        commune = commune_meant(insee_code=typed, postcode=structure.postcode, name=structure.commune, chosen=chosen)
    except CommuneNotFound as refusal:
        field = refused_field(refusal, insee_code=typed, postcode=structure.postcode, name=structure.commune)
        raise refusal_with(refusal, refusal.message, {field: [refusal.message]}) from None
    structure.insee_code, structure.commune = commune.code, commune.name


def _check_structure(structure: Structure, *, commune_changed: bool = False, chosen: str = "") -> None:
    """Validate a structure before it is written; its commune too when it is new or changed."""
    structure.name = structure.name.strip()
    if not structure.name:
        _fail("name", _l("Give the structure a name."))
    same = find_structure_by_name(structure.name)
    if same is not None and same is not structure:
        _fail("name", _l("A structure with this name already exists."))
    structure.address = (structure.address or "").strip()[:200]
    structure.postcode = (structure.postcode or "").strip()
    if structure.postcode and not re.fullmatch(r"[0-9]{5}", structure.postcode):
        _fail("postcode", _l("The postcode has 5 digits, e.g. 35000."))
    structure.phone = " ".join((structure.phone or "").split())
    if structure.phone and not PHONE_RE.fullmatch(structure.phone):
        _fail("phone", _l("Give the phone number with digits only, e.g. 02 99 00 00 00 or +33 2 99 00 00 00."))
    if commune_changed:
        _check_commune(structure, chosen)
    structure.siret = normalise_number(structure.siret or "") or None
    if structure.siret and not siret_valid(structure.siret):
        _fail("siret", _l("This SIRET is not valid: 14 digits whose check key must match."))
    structure.tag_prefix = (structure.tag_prefix or "").strip().upper() or None
    if structure.is_workshop and not structure.tag_prefix:
        _fail("tag_prefix", _l("A workshop needs an asset-tag prefix (2 to 5 capital letters)."))
    if structure.tag_prefix is not None:
        if not TAG_PREFIX_RE.match(structure.tag_prefix):
            _fail("tag_prefix", _l("The asset-tag prefix is 2 to 5 capital letters, e.g. INF."))
        taken = db.session.scalar(select(Structure).where(Structure.tag_prefix == structure.tag_prefix))
        if taken is not None and taken is not structure:
            _fail("tag_prefix", _l("This prefix is already used by %(name)s.", name=taken.name))
    _check_workshop_settings(structure)
    for user in structure.users:
        needed = ROLE_REQUIRES_KIND.get(user.role)
        if user.active and needed is not None and needed not in structure.kinds:
            _fail("kinds", _l("%(user)s is %(role)s here: this structure must stay a %(kind)s.",
                              user=user.name, role=ROLE_LABELS[user.role], kind=KIND_LABELS[needed]))


def _check_workshop_settings(structure: Structure) -> None:
    """Validate the settings of prescriptions: minimums, warranty, support contact, usual workshop."""
    for name, top in (("min_ram_gb", 1024), ("min_storage_gb", 100_000)):
        value = getattr(structure, name)
        if value is not None and not 0 <= value <= top:
            _fail(name, _l("Give a number of GB between 0 and %(top)d, or leave it empty.", top=top))
    if structure.warranty_months is None:
        structure.warranty_months = 6
    if not 0 <= structure.warranty_months <= 60:
        _fail("warranty_months", _l("The warranty is between 0 and 60 months."))
    structure.support_contact = (structure.support_contact or "").strip()[:200]
    usual = structure.usual_workshop
    if usual is not None and not usual.is_workshop:
        _fail("usual_workshop", _l("The usual workshop must be a workshop."))
    if structure.usual_installer is not None and not structure.usual_installer.is_installer:
        _fail("usual_installer", _l("The usual installation partner must be an installer structure."))


def create_structure(*, by: User | None, name: str, kinds, commune: str = "", insee_code: str = "",
                     commune_choice: str = "", address: str = "", postcode: str = "", phone: str = "", siret: str | None = None, tag_prefix: str | None = None,
                     sanitization_needs_validation: bool = False, min_ram_gb: int | None = None,
                     min_storage_gb: int | None = None, warranty_months: int | None = 6, support_contact: str = "",
                     usual_workshop: Structure | None = None, usual_installer: Structure | None = None,
                     prescribers_request_visits: bool = False) -> Structure:
    """Create a structure of the network."""
    structure = Structure(name=name, address=address, postcode=postcode, phone=phone, commune=commune.strip(),
                          insee_code=insee_code, siret=siret,
                          tag_prefix=tag_prefix, sanitization_needs_validation=bool(sanitization_needs_validation),
                          min_ram_gb=min_ram_gb, min_storage_gb=min_storage_gb, warranty_months=warranty_months,
                          support_contact=support_contact, usual_workshop=usual_workshop,
                          usual_installer=usual_installer, prescribers_request_visits=bool(prescribers_request_visits))
    structure.kinds = {StructureKind(k) for k in kinds}
    _check_structure(structure, commune_changed=True, chosen=commune_choice)
    db.session.add(structure)
    db.session.flush()
    record_event(by, structure, "created", name=structure.name, kinds=sorted(structure.kinds))
    return structure


def update_structure(structure: Structure, *, by: User | None, commune_choice: str = "", **changes) -> Structure:
    """Change a structure's details; the change is recorded."""
    before = {field: _audit_value(getattr(structure, field)) for field in STRUCTURE_FIELDS}
    for field, value in changes.items():
        if field not in STRUCTURE_FIELDS:
            raise TypeError(f"unknown structure field {field}")
        if field == "kinds":
            structure.kinds = {StructureKind(k) for k in value}
        else:
            setattr(structure, field, value)
    commune_changed = any(before[f] != getattr(structure, f) for f in ("commune", "insee_code", "postcode"))
    with db.session.no_autoflush:
        _check_structure(structure, commune_changed=commune_changed, chosen=commune_choice)
    after = {field: _audit_value(getattr(structure, field)) for field in STRUCTURE_FIELDS}
    diff = {f: [before[f], after[f]] for f in STRUCTURE_FIELDS if before[f] != after[f]}
    if diff:
        record_event(by, structure, "updated", changes=diff)
    return structure


def _audit_value(value):
    """Return a JSON-friendly form of a field value for the audit trail."""
    if isinstance(value, set):
        return sorted(str(v) for v in value)
    if isinstance(value, Structure):
        return value.name
    return str(value) if value is not None and not isinstance(value, (str, int, bool)) else value


def _check_user(user: User) -> None:
    """Validate a user before it is written."""
    user.email = (user.email or "").strip().lower()
    if "@" not in user.email or len(user.email) > 254:
        _fail("email", _l("Give a valid email address."))
    same = find_user_by_email(user.email)
    if same is not None and same.id != user.id:  # ids: a view may pass the logged-in user as a proxy
        _fail("email", _l("Another account already uses this email address."))
    user.name = (user.name or "").strip()
    if not user.name:
        _fail("name", _l("Give the person's name."))
    if user.locale not in (None, *LANGUAGES):
        _fail("locale", _l("Unknown language."))
    needed = ROLE_REQUIRES_KIND.get(user.role)
    if needed is not None and needed not in user.structure.kinds:
        _fail("role", _l("The role %(role)s needs a structure of kind %(kind)s.",
                         role=ROLE_LABELS[user.role], kind=KIND_LABELS[needed]))


def create_user(*, by: User | None, email: str, name: str, structure: Structure, role,
                password: str, locale: str | None = None) -> User:
    """Create an account; the password must follow the rules."""
    user = User(email=email, name=name, structure=structure, role=Role(role), locale=locale or None)
    with db.session.no_autoflush:
        _check_user(user)
    problem = password_problem(password, user.email)
    if problem:
        _fail("password", problem)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event(by, user, "created", role=user.role.value, structure=structure.name)
    return user


def update_user(user: User, *, by: User | None, **changes) -> User:
    """Change a user's details; the change is recorded."""
    before = {field: _audit_value(getattr(user, field)) for field in USER_FIELDS}
    for field, value in changes.items():
        if field not in USER_FIELDS:
            raise TypeError(f"unknown user field {field}")
        if field == "role":
            value = Role(value)
        if field == "locale":
            value = value or None
        setattr(user, field, value)
    with db.session.no_autoflush:
        _check_user(user)
    after = {field: _audit_value(getattr(user, field)) for field in USER_FIELDS}
    diff = {f: [before[f], after[f]] for f in USER_FIELDS if before[f] != after[f]}
    if diff:
        record_event(by, user, "updated", changes=diff)
    return user


def set_user_active(user: User, active: bool, *, by: User | None) -> User:
    """Deactivate or reactivate an account; an inactive user cannot log in nor use tokens."""
    if by is not None and by.id == user.id and not active:
        _fail("active", _l("You cannot deactivate your own account."))
    if user.active != active:
        user.active = active
        user.session_version += 1
        record_event(by, user, "reactivated" if active else "deactivated")
    return user


def change_password(user: User, *, current: str, new: str) -> None:
    """Change one's own password after checking the current one; other sessions end."""
    if not user.check_password(current):
        _fail("current_password", _l("The current password is not correct."))
    problem = password_problem(new, user.email)
    if problem:
        _fail("new_password", problem)
    user.set_password(new)
    user.session_version += 1
    record_event(user, user, "password_changed")


def reset_password(user: User, password: str, *, by: User | None) -> None:
    """Set a new password for someone who forgot theirs; their open sessions end."""
    problem = password_problem(password, user.email)
    if problem:
        _fail("password", problem)
    user.set_password(password)
    user.session_version += 1
    record_event(by, user, "password_reset")


def end_sessions(user: User) -> None:
    """End every open session of ``user``: a session cookie kept or copied before no longer logs in."""
    user.session_version += 1


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None without saying which part failed."""
    user = find_user_by_email(email or "")
    if user is None:
        check_password_hash(_dummy_hash(), password or "")  # same time as a wrong password
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


@cache
def _dummy_hash() -> str:
    """Return a hash to check against when the email is unknown."""
    return generate_password_hash(secrets.token_hex(16))


def issue_token(user: User, *, by: User | None, label: str = "", scope: str = TokenScope.FULL) -> str:
    """Create an API token for ``user`` and return it; only its hash is kept.

    A bench token (``scope="bench"``) reaches only the workbench's endpoints, and only workshop staff get one.
    """
    if not user.active:
        _fail("user", _l("This account is deactivated."))
    if scope not in set(TokenScope):
        _fail("scope", _l("Choose what the token may do."))
    if scope == TokenScope.BENCH and not may_hold_bench_token(user):
        _fail("scope", _l("Only the workshop's staff (supervisors and technicians) can create a bench token."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user=user, token_hash=hash_token(token), hint=token[:9], label=label.strip()[:80],
                      scope=TokenScope(scope).value)
    db.session.add(record)
    db.session.flush()
    record_event(by, user, "token_created", token_id=record.id, label=record.label, scope=record.scope)
    return token


def revoke_token(token: ApiToken, *, by: User | None) -> None:
    """Revoke an API token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(by, token.user, "token_revoked", token_id=token.id)


def revoke_all_tokens(user: User, *, by: User | None) -> int:
    """Revoke every token of ``user`` still in use and return how many; they stop working at once."""
    now, count = utcnow(), 0
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
            count += 1
    if count:
        record_event(by, user, "tokens_revoked", tokens=count)
    return count


@cache
def _token_statement():
    """Return the statement reading a token by the hash bound as ``token_hash``, its user joined (their structure is
    read by the endpoints that use it), built once so that its cache key is computed once."""
    return select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash")) \
        .options(joinedload(ApiToken.user).lazyload(User.structure))


def token_for(token: str) -> ApiToken | None:
    """Return the valid, unrevoked token of an active user, read afresh at each call (a revocation works at once)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    record = db.session.scalar(_token_statement(), {"token_hash": hash_token(token)})
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > TOKEN_USE_PRECISION:
        record.last_used_at = now  # not at every call: parallel calls with one token would queue on its row
    return record


def user_for_token(token: str) -> User | None:
    """Return the active user of a valid, unrevoked token, or None."""
    record = token_for(token)
    return record.user if record is not None else None
