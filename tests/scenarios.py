"""Scenarios the tests share: two workshops with their supervisors, a prescriber structure sending its households to a
workshop, and a household's chain from its prescription sent, accepted, to a device reserved for it."""
from __future__ import annotations

from reco.accounts.models import Role
from reco.extensions import db
from tests.factories import make_prescription, make_ready_device, make_structure, make_user


def two_workshops() -> dict:
    """Two workshops, each with its supervisor: ``here`` with ``me``, ``there`` with ``them``."""
    here, there = make_structure("workshop"), make_structure("workshop")
    return {"here": here, "there": there, "me": make_user(Role.SUPERVISOR, structure=here),
            "them": make_user(Role.SUPERVISOR, structure=there)}


def prescriber_network(**workshop_fields) -> dict:
    """A workshop with its supervisor, and a prescriber structure (``ccas``) whose usual workshop it is, with its
    prescriber."""
    workshop = make_structure("workshop", **workshop_fields)
    ccas = make_structure("prescriber", usual_workshop=workshop)
    return {"workshop": workshop, "ccas": ccas, "prescriber": make_user(Role.PRESCRIBER, structure=ccas),
            "supervisor": make_user(Role.SUPERVISOR, structure=workshop)}


def reserved_household(*, prescriber: dict | None = None, mediator: dict | None = None, visit: bool = False,
                       **fields) -> dict:
    """A household's chain: its prescription sent by ``prescriber`` and accepted by the workshop, whose usual
    installer structure has a ``mediator``, and a ready device reserved for it; with ``visit``, a visit asked of the
    installer. ``prescriber`` and ``mediator`` are the fields of those users, ``fields`` the prescription's."""
    from reco.prescriptions.reservations import reserve_device
    from reco.prescriptions.visits import request_visit

    installer = make_structure("installer")
    workshop = make_structure("workshop", usual_installer=installer)
    scenario = {"installer": installer, "workshop": workshop,
                "prescriber": make_user(Role.PRESCRIBER, **(prescriber or {})),
                "supervisor": make_user(Role.SUPERVISOR, structure=workshop),
                "mediator": make_user(Role.INSTALLER, structure=installer, **(mediator or {}))}
    scenario["prescription"] = make_prescription(scenario["prescriber"], workshop, status="accepted", **fields)
    scenario["device"] = make_ready_device(workshop)
    reserve_device(scenario["prescription"], scenario["device"], by=scenario["supervisor"])
    if visit:
        scenario["visit"] = request_visit(scenario["prescription"], by=scenario["supervisor"], installer=installer)
    db.session.commit()
    return scenario
