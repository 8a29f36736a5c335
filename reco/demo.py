"""The demo network: one workshop, two prescribers, an installer, a partner, their users, donors and devices."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from reco.accounts.services import create_structure, create_user, find_structure_by_name, find_user_by_email
from reco.donations.inventory_import import Line, ParsedInventory
from reco.donations.models import Donor
from reco.donations.services import create_donation, create_donor, import_declared_items, set_donation_status
from reco.extensions import db
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.intake import receive_device
from reco.inventory.lifecycle import transition_device
from reco.inventory.locations import create_location, move_device
from reco.inventory.models import Device, DeviceType, Location
from reco.inventory.sanitization import record_secure_erase

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
    return created + _load_donations() + _load_workbench()


#: (brand, model, type) of the machines the demo company gives.
_MACHINES = [("Dell", "Latitude E5530", DeviceType.LAPTOP), ("Dell", "Latitude E7240", DeviceType.LAPTOP),
             ("HP", "ProBook 430 G4", DeviceType.LAPTOP), ("Lenovo", "ThinkCentre Edge 72", DeviceType.DESKTOP),
             ("HP", "Compaq 8100 Elite SFF", DeviceType.DESKTOP), ("Dell", "P2214H", DeviceType.SCREEN)]


def _lines(count: int, prefix: str) -> ParsedInventory:
    """Return a donor inventory of ``count`` machines, as if read from the company's file."""
    lines = [Line(number=n + 2, device_type=_MACHINES[n % len(_MACHINES)][2], brand=_MACHINES[n % len(_MACHINES)][0],
                  model=_MACHINES[n % len(_MACHINES)][1], serial=f"{prefix}SN{n + 1:04d}",
                  donor_tag=f"{prefix}-INV-{n + 1:04d}", purchase_date=date(2017, 3, 1) + timedelta(days=30 * n))
             for n in range(count)]
    return ParsedInventory(headers=[], mapping=[], preview=[], lines=lines)


def _load_donations() -> int:
    """Add two donors of the demo workshop and their collections, unless they are there already."""
    workshop = find_structure_by_name("Atelier Démo")
    if db.session.scalar(select(Donor).where(Donor.workshop_id == workshop.id).limit(1)) is not None:
        return 0
    supervisor = find_user_by_email("supervisor@demo.reco")
    technician = find_user_by_email("technician@demo.reco")
    company = create_donor(by=supervisor, workshop=workshop, name="Armor Conseil SAS", kind="company",
                           company_number="85234170000007", address="12 rue de la Donelière", postcode="35000",
                           city="Rennes", contact_name="Claire Le Gall", email="it@armor-conseil.example",
                           phone="02 99 00 00 00")
    town = create_donor(by=supervisor, workshop=workshop, name="Mairie de Cesson-Sévigné", kind="public_body",
                        company_number="213500994", address="1 esplanade de l'Hôtel de Ville", postcode="35510",
                        city="Cesson-Sévigné", contact_name="Service informatique")
    received = create_donation(by=supervisor, donor=company, planned_date=date.today() - timedelta(days=20),
                               pickup_address="12 rue de la Donelière 35000 Rennes", declared_value="1800")
    import_declared_items(received, _lines(26, "ARM"), by=supervisor)
    set_donation_status(received, "collected", by=supervisor)
    for item in received.declared_items[:24]:
        receive_device(received, by=technician, type=item.device_type, donor_tag=item.donor_tag,
                       weight_kg="2.1" if item.device_type is DeviceType.LAPTOP else "5.5",
                       accessories=["charger"] if item.device_type is DeviceType.LAPTOP else [],
                       drives=[{"serial": f"DRV-{item.serial}", "model": "ST500LM021", "capacity_gb": "500",
                                "interface": "ata_hdd"}] if item.device_type is not DeviceType.SCREEN else [])
    receive_device(received, by=technician, type="laptop", brand="Toshiba", model="Portégé R700",
                   serial="ZZ123456Q", notes="Arrived with the lot, not on the company's list.")
    collected = create_donation(by=supervisor, donor=company, planned_date=date.today() - timedelta(days=2),
                                pickup_address="12 rue de la Donelière 35000 Rennes")
    import_declared_items(collected, _lines(6, "ARB"), by=supervisor)
    set_donation_status(collected, "collected", by=supervisor)
    create_donation(by=supervisor, donor=town, planned_date=date.today() + timedelta(days=10),
                    pickup_address="1 esplanade de l'Hôtel de Ville 35510 Cesson-Sévigné",
                    declared_counts={"laptop": 10, "screen": 5}, notes="Parking at the back, ask for Marc.")
    return 2


def _load_workbench() -> int:
    """Add locations and take a few demo devices along the workbench, unless that was done already."""
    workshop = find_structure_by_name("Atelier Démo")
    if db.session.scalar(select(Location).where(Location.workshop_id == workshop.id).limit(1)) is not None:
        return 0
    technician = find_user_by_email("technician@demo.reco")
    shelf = create_location(workshop, by=technician, name="Étagère A (à diagnostiquer)", kind="shelf")
    ready_shelf = create_location(workshop, by=technician, name="Étagère R (prêts)", kind="shelf")
    create_location(workshop, by=technician, name="Bac pièces", kind="bin")
    devices = db.session.scalars(select(Device).where(Device.workshop_id == workshop.id,
                                                      Device.type == DeviceType.LAPTOP).order_by(Device.id)).all()
    for device in devices[:4]:
        move_device(device, shelf, by=technician)
    for index, device in enumerate(devices[4:9]):
        record_diagnosis(device, by=technician, grade="AB"[index % 2],
                         checks={"power_on": "ok", "screen": "ok", "keyboard": "ok", "battery": "ok"},
                         specs={"ram_gb": "8", "os_name": "Debian 12", "screen_inches": "15,6"})
        for drive in device.drives:
            record_secure_erase(drive, by=technician, tool="hdparm", technique="block_erase",
                                method="hdparm --security-erase-enhanced", verification="last_pass")
        if index < 3:
            transition_device(device, "wiped", by=technician)
            transition_device(device, "ready", by=technician)
            move_device(device, ready_shelf, by=technician)
    return 3
