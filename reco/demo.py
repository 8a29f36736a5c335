"""The demo network: one workshop, two prescribers, an installer, a partner and their users."""
from __future__ import annotations

from reco.accounts.services import create_structure, create_user, find_structure_by_name, find_user_by_email

DEMO_PASSWORD = "demo-reco-2026"

STRUCTURES = [
    {"name": "Atelier Démo", "kinds": ["workshop"], "commune": "Rennes", "insee_code": "35238",
     "tag_prefix": "DEM"},
    {"name": "CCAS de Rennes", "kinds": ["prescriber"], "commune": "Rennes", "insee_code": "35238"},
    {"name": "Maison des solidarités de Saint-Malo", "kinds": ["prescriber"], "commune": "Saint-Malo",
     "insee_code": "35288"},
    {"name": "Médiation Numérique 35", "kinds": ["installer"], "commune": "Rennes", "insee_code": "35238"},
    {"name": "Partenaire Inclusion", "kinds": ["partner"], "commune": "Fougères", "insee_code": "35115"},
    {"name": "Coordination du réseau", "kinds": [], "commune": "Rennes", "insee_code": "35238"},
    {"name": "Conseil départemental (financeur)", "kinds": [], "commune": "Rennes", "insee_code": "35238"},
]

USERS = [
    ("admin@demo.reco", "Alice Admin", "admin", "Coordination du réseau"),
    ("supervisor@demo.reco", "Sam Encadrant", "supervisor", "Atelier Démo"),
    ("technician@demo.reco", "Théo Technicien", "technician", "Atelier Démo"),
    ("prescriber@demo.reco", "Paula Prescriptrice", "prescriber", "CCAS de Rennes"),
    ("prescriber2@demo.reco", "Pierre Prescripteur", "prescriber", "Maison des solidarités de Saint-Malo"),
    ("installer@demo.reco", "Inès Médiatrice", "installer", "Médiation Numérique 35"),
    ("partner@demo.reco", "Paul Partenaire", "partner", "Partenaire Inclusion"),
    ("viewer@demo.reco", "Valérie Financeuse", "viewer", "Conseil départemental (financeur)"),
]


def load_demo() -> int:
    """Add what is missing of the demo network and return how many objects were added."""
    created = 0
    for data in STRUCTURES:
        if find_structure_by_name(data["name"]) is None:
            create_structure(by=None, **data)
            created += 1
    for email, name, role, structure_name in USERS:
        if find_user_by_email(email) is None:
            create_user(by=None, email=email, name=name, role=role, password=DEMO_PASSWORD,
                        structure=find_structure_by_name(structure_name))
            created += 1
    return created
