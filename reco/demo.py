"""The demo network: one workshop, two prescribers, an installer, a partner, their users, donors and devices."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from reco.accounts.services import create_structure, create_user, find_structure_by_name, find_user_by_email
from reco.core.time import local_today
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
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind, PartType
from reco.parts.stock import add_stock
from reco.prescriptions.models import Prescription
from reco.prescriptions.partner_reports import submit_partner_report
from reco.prescriptions.reservations import fitting_devices, ready_devices, reserve_device
from reco.prescriptions.services import create_prescription, decide_prescription
from reco.prescriptions.visits import request_visit, schedule_visit
from reco.reports.models import ensure_default_factors

DEMO_PASSWORD = "demo-reco-2026"

STRUCTURES = [
    {"name": "Atelier Démo", "kinds": ["workshop"], "address": "12 rue de la Réparation", "postcode": "35000",
     "commune": "Rennes", "insee_code": "35238",
     "tag_prefix": "DEM", "min_ram_gb": 4, "min_storage_gb": 120, "warranty_months": 6,
     "support_contact": "02 99 00 11 22 · atelier@demo.reco"},
    {"name": "Atelier Voisin", "kinds": ["workshop"], "commune": "Vitré", "insee_code": "35360",
     "tag_prefix": "VOI", "warranty_months": 3, "support_contact": "02 99 75 00 00"},
    {"name": "CCAS de Rennes", "kinds": ["prescriber"], "commune": "Rennes", "insee_code": "35238",
     "phone": "01 99 00 35 35"},
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
    ("supervisor2@demo.reco", "Victor Encadrant", "supervisor", "Atelier Voisin"),
    ("technician2@demo.reco", "Tina Technicienne", "technician", "Atelier Voisin"),
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
    created += ensure_default_factors()
    return created + _load_donations() + _load_workbench() + _load_prescriptions() + _load_parts()


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
    received = create_donation(by=supervisor, donor=company, planned_date=local_today() - timedelta(days=20),
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
    collected = create_donation(by=supervisor, donor=company, planned_date=local_today() - timedelta(days=2),
                                pickup_address="12 rue de la Donelière 35000 Rennes")
    import_declared_items(collected, _lines(6, "ARB"), by=supervisor)
    set_donation_status(collected, "collected", by=supervisor)
    create_donation(by=supervisor, donor=town, planned_date=local_today() + timedelta(days=10),
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
                         checks={"power_on": "ok", "screen": "ok", "keyboard": "ok", "battery": "ok",
                                 "webcam": "ok" if index != 1 else "faulty"},
                         specs={"ram_gb": "8", "os_name": "Debian 12", "screen_inches": "15,6"})
        for drive in device.drives:
            record_secure_erase(drive, by=technician, tool="hdparm", technique="block_erase",
                                method="hdparm --security-erase-enhanced", verification="last_pass")
        if index < 3:
            transition_device(device, "wiped", by=technician)
            transition_device(device, "ready", by=technician)
            move_device(device, ready_shelf, by=technician)
    return 3


#: (contact, phone, address, commune, INSEE code, QPV, adults, children in primary school, needs, equipment,
#:  urgency, what happens to it)
_HOUSEHOLDS = [
    ("Mme Amina Diallo", "0612345678", "4 square de Bohême, apt 32", "Rennes", "35238", True, 1, 2,
     ["school", "administration"], "laptop", "urgent", "submitted"),
    ("M. Jean Morel", "0698765432", "17 rue de Brest", "Rennes", "35238", False, 2, 0,
     ["job_search"], "any", "normal", "submitted"),
    ("Mme Rose Tanguy", "0711223344", "8 allée de la Lande", "Rennes", "35238", False, 1, 1,
     ["school"], "laptop", "priority", "accepted"),
    ("M. Karim Benali", "0655443322", "2 rue du Moulin", "Rennes", "35238", True, 1, 0,
     ["keeping_in_touch"], "laptop", "normal", "draft"),
    ("Mme Nadia Kerboul", "0644556677", "23 boulevard Villebois-Mareuil, 4e étage", "Rennes", "35238", True, 1, 3,
     ["school", "job_search"], "laptop", "normal", "visit"),
]


def _load_prescriptions() -> int:
    """Link the prescribers to the demo workshop and add a few households at every step, unless done already."""
    workshop = find_structure_by_name("Atelier Démo")
    if db.session.scalar(select(Prescription.id).limit(1)) is not None:
        return 0
    for name in ("CCAS de Rennes", "Maison des solidarités de Saint-Malo"):
        find_structure_by_name(name).usual_workshop = workshop
    workshop.usual_installer = find_structure_by_name("Médiation Numérique 35")
    prescriber = find_user_by_email("prescriber@demo.reco")
    supervisor = find_user_by_email("supervisor@demo.reco")
    for (contact, phone, address, commune, insee, qpv, adults, children, needs, equipment, urgency,
         status) in _HOUSEHOLDS:
        prescription = create_prescription(
            by=prescriber, workshop=workshop, consent=True, submit=status != "draft", contact_name=contact,
            contact_phone=phone, address=address, postcode="35000", commune=commune, insee_code=insee, qpv=qpv,
            adults=adults, children_primary=children, needs=needs, digital_level="training", equipment=equipment,
            internet="yes", visit_wanted=True, urgency=urgency,
            urgency_reason="Brevet blanc dans deux semaines" if urgency != "normal" else "",
            consent_on=local_today())
        if status in ("accepted", "visit"):
            decide_prescription(prescription, by=supervisor, accept=True)
        if status == "visit":
            _plan_visit(prescription, workshop, supervisor)
    _report_partner_month()
    return len(_HOUSEHOLDS)


def _plan_visit(prescription, workshop, supervisor) -> None:
    """Reserve the best ready device for the household and plan the installer's visit for tomorrow."""
    best = fitting_devices(prescription, ready_devices(workshop.id), workshop)[0]
    reserve_device(prescription, db.session.get(Device, best.id), by=supervisor)
    visit = request_visit(prescription, by=supervisor, installer=workshop.usual_installer,
                          note="Interphone au nom de Kerboul.")
    schedule_visit(visit, by=find_user_by_email("installer@demo.reco"), on=local_today() + timedelta(days=1),
                   slot="afternoon")


def _report_partner_month() -> None:
    """Report last month's families equipped by the demo partner."""
    last_month = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)
    submit_partner_report(find_structure_by_name("Partenaire Inclusion"), by=find_user_by_email("partner@demo.reco"),
                          month=last_month, lines=[
                              {"insee_code": "35115", "commune": "Fougères", "device_type": "laptop", "families": 7,
                               "accompanied": 5},
                              {"insee_code": "35115", "commune": "Fougères", "device_type": "tablet", "families": 3,
                               "accompanied": 1}])


#: (category, name, attributes, compatible models) of the demo catalogue.
_PART_TYPES = [
    ("ram", "RAM DDR3L SO-DIMM 4 Go", {"generation": "ddr3l", "form_factor": "so-dimm", "capacity_gb": "4"},
     "Dell Latitude E5530, E7240; HP ProBook 430 G1"),
    ("ram", "RAM DDR4 SO-DIMM 8 Go", {"generation": "ddr4", "form_factor": "so-dimm", "capacity_gb": "8"},
     "HP ProBook 430 G4, Lenovo ThinkPad T470"),
    ("storage", "SSD SATA 2,5 pouces 240 Go", {"interface": "sata", "form_factor": "2.5", "capacity_gb": "240"}, ""),
    ("charger", "Chargeur Dell 65 W (7,4 mm)", {"wattage": "65", "connector": "7.4 mm"}, "Dell Latitude E-series"),
    ("battery", "Batterie Dell Latitude E5530 (65 Wh)", {"voltage": "11.1", "capacity_wh": "65"},
     "Dell Latitude E5530"),
    ("keyboard", "Clavier AZERTY Latitude E7240", {"layout": "azerty"}, "Dell Latitude E7240"),
]


def _load_parts() -> int:
    """Fill the shared catalogue and give both demo workshops some stock and a device to repair."""
    if db.session.scalar(select(PartType.id).limit(1)) is not None:
        return 0
    demo, voisin = find_structure_by_name("Atelier Démo"), find_structure_by_name("Atelier Voisin")
    supervisor, supervisor2 = find_user_by_email("supervisor@demo.reco"), find_user_by_email("supervisor2@demo.reco")
    types = {name: create_part_type(by=supervisor, category=category, name=name, attributes=attributes,
                                    compatible_models=models) for category, name, attributes, models in _PART_TYPES}
    bin_ = create_location(demo, by=supervisor, name="Bac mémoire", kind="bin")
    add_stock(demo, types["RAM DDR4 SO-DIMM 8 Go"], quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED,
              by=supervisor, location=bin_, note="Lot Armor Conseil")
    add_stock(demo, types["Chargeur Dell 65 W (7,4 mm)"], quantity=5, condition="untested", kind=MoveKind.RECEIVED,
              by=supervisor)
    voisin_bin = create_location(voisin, by=supervisor2, name="Bac chargeurs", kind="bin")
    add_stock(voisin, types["Chargeur Dell 65 W (7,4 mm)"], quantity=2, condition="tested_ok",
              kind=MoveKind.RECEIVED, by=supervisor2, location=voisin_bin)
    add_stock(voisin, types["Batterie Dell Latitude E5530 (65 Wh)"], quantity=1, condition="faulty",
              kind=MoveKind.RECEIVED, by=supervisor2)
    donor = create_donor(by=supervisor2, workshop=voisin, name="Lycée Jean Guéhenno", kind="public_body",
                         company_number="", city="Vitré")
    donation = create_donation(by=supervisor2, donor=donor, planned_date=local_today() - timedelta(days=5))
    set_donation_status(donation, "collected", by=supervisor2)
    technician2 = find_user_by_email("technician2@demo.reco")
    for serial in ("VG-E5530-01", "VG-E5530-02"):
        device = receive_device(donation, by=technician2, type="laptop", brand="Dell", model="Latitude E5530",
                                serial=serial, weight_kg="2.3", accessories=["charger"]).device
    record_diagnosis(device, by=technician2, grade="B", faults=["performance"],
                     checks={"power_on": "ok", "screen": "ok", "keyboard": "ok"}, notes="Mémoire à remplacer.")
    return len(types)
