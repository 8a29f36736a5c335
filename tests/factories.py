"""Factories for test objects, committed so that requests see them."""
from __future__ import annotations

import io
import itertools

from openpyxl import Workbook
from werkzeug.security import generate_password_hash

from reco.accounts.models import ROLE_REQUIRES_KIND, Role, Structure, StructureKind, User
from reco.accounts.services import issue_token
from reco.core.time import local_today
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
    if not any(fields.get(name) for name in ("serial", "donor_tag", "brand", "model")):
        fields["donor_tag"] = f"INV-{next(_counter)}"  # a machine always has something that identifies it
    device = receive_device(donation, by=None, **fields).device
    db.session.commit()
    return device


def make_ready_device(workshop: Structure, *, type="laptop", grade="A", ram_gb="8", storage_gb="256",
                      webcam=True, **fields):
    """Take a new device of ``workshop`` through diagnosis and sanitization to the shelf, ready."""
    from reco.inventory.diagnosis import record_diagnosis
    from reco.inventory.lifecycle import transition_device
    from reco.inventory.sanitization import record_secure_erase

    drives = [{"serial": f"SSD-{next(_counter)}", "capacity_gb": storage_gb, "interface": "sata_ssd"}] \
        if storage_gb else []
    device = make_device(make_donation(make_donor(workshop)), type=type, drives=drives, **fields)
    checks = {"power_on": "ok"} | ({"webcam": "ok" if webcam else "faulty"} if webcam is not None else {})
    record_diagnosis(device, by=None, grade=grade, checks=checks, specs={"ram_gb": ram_gb} if ram_gb else {})
    for drive in device.drives:
        record_secure_erase(drive, by=None, tool="hdparm", technique="block_erase", verification="last_pass")
    transition_device(device, "wiped", by=None)
    transition_device(device, "ready", by=None)
    db.session.commit()
    return device


#: A household's answers as a complete prescription needs them.
HOUSEHOLD = {"contact_name": "Mme Awa Diop", "contact_phone": "06 12 34 56 78", "address": "4 square de Bohême",
             "postcode": "35200", "commune": "Rennes", "insee_code": "35238", "qpv": True, "adults": 1,
             "children_primary": 2, "needs": ["school"], "digital_level": "training", "equipment": "laptop",
             "internet": "yes", "visit_wanted": True, "urgency": "normal"}


def make_prescription(prescriber: User | None = None, workshop: Structure | None = None, *, status="submitted",
                      **fields):
    """Write a prescription through the services and take it to ``status`` (draft, submitted or accepted)."""
    from reco.prescriptions.services import create_prescription, decide_prescription

    workshop = workshop or make_structure("workshop")
    prescriber = prescriber or make_user(Role.PRESCRIBER)
    prescription = create_prescription(by=prescriber, workshop=workshop, consent=True, submit=status != "draft",
                                       consent_on=local_today(), **(HOUSEHOLD | fields))
    if status == "accepted":
        supervisor = make_user(Role.SUPERVISOR, structure=workshop)
        decide_prescription(prescription, by=supervisor, accept=True)
    db.session.commit()
    return prescription


def xlsx_of(rows) -> bytes:
    """Return an XLSX file whose first sheet holds ``rows``, as openpyxl writes it."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
