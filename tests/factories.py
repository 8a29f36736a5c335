"""Factories for test objects, committed so that requests see them."""
from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from reco.accounts.models import ROLE_REQUIRES_KIND, Role, Structure, StructureKind, User
from reco.accounts.services import issue_token
from reco.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_PREFIXES = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH")


def make_structure(*kinds: str, **fields) -> Structure:
    """Create a structure of the given kinds (default: a workshop)."""
    n = next(_counter)
    kinds = kinds or ("workshop",)
    structure = Structure(name=fields.pop("name", f"Structure {n}"), commune=fields.pop("commune", "Rennes"),
                          insee_code=fields.pop("insee_code", "35238"), **fields)
    structure.kinds = {StructureKind(k) for k in kinds}
    if structure.is_workshop and not structure.tag_prefix:
        structure.tag_prefix = _PREFIXES[n % len(_PREFIXES)] + chr(65 + n // len(_PREFIXES) % 26)
    db.session.add(structure)
    db.session.commit()
    return structure


def structure_for(role: Role) -> Structure:
    """Create a structure of the kind ``role`` needs."""
    kind = ROLE_REQUIRES_KIND.get(Role(role))
    return make_structure(kind.value) if kind else make_structure("partner")


def make_user(role: Role | str = Role.TECHNICIAN, structure: Structure | None = None, **fields) -> User:
    """Create an active user with the password ``PASSWORD``."""
    n = next(_counter)
    role = Role(role)
    user = User(email=fields.pop("email", f"user{n}@example.org"), name=fields.pop("name", f"User {n}"),
                role=role, structure=structure or structure_for(role), password_hash=_FAST_HASH, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def make_token(user: User) -> str:
    """Create an API token for ``user`` and return it."""
    token = issue_token(user, by=user)
    db.session.commit()
    return token


def make_donor(workshop: Structure | None = None, **fields):
    """Create a donor of ``workshop`` (a new workshop by default)."""
    from reco.donations.models import Donor, DonorKind

    n = next(_counter)
    donor = Donor(workshop_id=(workshop or make_structure("workshop")).id, name=fields.pop("name", f"Donor {n}"),
                  kind=fields.pop("kind", DonorKind.COMPANY), **fields)
    db.session.add(donor)
    db.session.commit()
    return donor


def make_donation(donor=None, **fields):
    """Create a planned donation from ``donor`` (a new donor by default)."""
    from reco.donations.models import Donation

    donor = donor or make_donor()
    donation = Donation(donor=donor, workshop_id=donor.workshop_id, **fields)
    db.session.add(donation)
    db.session.commit()
    return donation


def make_device(donation=None, **fields):
    """Receive a device in ``donation`` (a new donation by default) through the intake service."""
    from reco.inventory.intake import receive_device

    donation = donation or make_donation()
    fields.setdefault("type", "laptop")
    device = receive_device(donation, by=None, **fields).device
    db.session.commit()
    return device
