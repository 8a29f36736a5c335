"""A realistic network of generated data, written in bulk, for benchmarks: the same seed gives the same data."""
from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Table, func, insert, select, text
from werkzeug.security import generate_password_hash

from reco.accounts.models import Structure, User
from reco.core.audit import Event
from reco.core.sequences import Sequence
from reco.donations.models import Donation, Donor
from reco.extensions import db
from reco.inventory.models import Device, DeviceExit, Drive, Sanitization, storage_recount
from reco.parts.models import PartType, StockLevel, StockMove
from reco.prescriptions.models import Prescription, Reservation, Visit, VisitReport

#: Every generated account has this password, so that benchmarks can log in.
PASSWORD = "generated-2026"
BATCH = 5000
START = datetime(2023, 1, 2, 8, 0, tzinfo=timezone.utc)
DAYS = 3 * 365

#: Where devices end, before prescriptions take some ready devices to reserved.
STATES = {"received": 8, "diagnosed": 7, "in_repair": 4, "wiped": 6, "ready": 10, "delivered": 40,
          "harvested": 12, "recycled": 13}
#: The states a device went through to reach each state, in order.
PATHS = {"received": [], "diagnosed": ["diagnosed"], "in_repair": ["diagnosed", "in_repair"],
         "wiped": ["diagnosed", "wiped"], "ready": ["diagnosed", "wiped", "ready"],
         "delivered": ["diagnosed", "wiped", "ready", "reserved", "delivered"],
         "harvested": ["diagnosed", "harvested"], "recycled": ["diagnosed", "recycled"]}
TYPES = {"laptop": 60, "desktop": 22, "all_in_one": 4, "tablet": 6, "smartphone": 3, "screen": 4, "printer": 1}
WITH_DRIVES = {"laptop", "desktop", "all_in_one"}
BRANDS = {"laptop": ["Dell Latitude E7470", "Lenovo ThinkPad T460", "HP EliteBook 840 G3", "Dell Latitude 5490"],
          "desktop": ["Dell OptiPlex 7050", "Lenovo ThinkCentre M710q", "HP ProDesk 600 G3"],
          "all_in_one": ["HP EliteOne 800 G2"], "tablet": ["Samsung Galaxy Tab A"], "smartphone": ["Samsung A40"],
          "screen": ["Dell P2217"], "printer": ["HP LaserJet P2055"]}
#: Prescription statuses and their weights; "equipped" and "reserved" take devices of the workshop.
OUTCOMES = {"equipped": 66, "reserved": 3, "accepted": 10, "submitted": 6, "declined": 6, "withdrawn": 5,
            "cancelled": 4}
#: (commune, INSEE code, postcode, QPV): real codes of the registry.
COMMUNES = [("Rennes", "35238", "35000", True), ("Rennes", "35238", "35200", False),
            ("Brest", "29019", "29200", True), ("Quimper", "29232", "29000", False),
            ("Lorient", "56121", "56100", True), ("Vannes", "56260", "56000", False),
            ("Saint-Brieuc", "22278", "22000", False), ("Saint-Malo", "35288", "35400", False),
            ("Lannion", "22113", "22300", False)]
PARTS = [("ram", "DDR3 SO-DIMM 4 Go"), ("ram", "DDR4 SO-DIMM 8 Go"), ("ram", "DDR4 DIMM 8 Go"),
         ("storage", "SSD SATA 2,5 pouces 240 Go"), ("storage", "SSD M.2 NVMe 256 Go"), ("battery", "Batterie E7470"),
         ("charger", "Chargeur Dell 65 W 7,4 mm"), ("charger", "Chargeur Lenovo 65 W USB-C"),
         ("screen", "Dalle 14 pouces eDP 30 broches"), ("keyboard", "Clavier AZERTY Latitude E7470")]


@dataclass
class Sizes:
    """How much to generate."""

    devices: int
    workshops: int = 20
    prescriptions: int | None = None
    seed: int = 2026

    def __post_init__(self) -> None:
        if self.prescriptions is None:
            self.prescriptions = self.devices // 10


@dataclass
class Writer:
    """Rows buffered per table and inserted in batches, with ids given here so that rows can point at each other."""

    counts: dict[str, int] = field(default_factory=dict)
    _rows: dict[Table, list[dict]] = field(default_factory=dict)
    _next_id: dict[Table, int] = field(default_factory=dict)

    def add(self, entity, /, **row) -> int:
        """Queue one row of ``entity`` (a model) and return its id."""
        table = entity.__table__
        if table not in self._next_id:
            self._next_id[table] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        row["id"] = self._next_id[table]
        self._next_id[table] += 1
        buffer = self._rows.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()
        return row["id"]

    def flush(self) -> None:
        """Write every queued row, parents before the rows that point at them."""
        for table in db.metadata.sorted_tables:
            self._write(table)

    def _write(self, table: Table) -> None:
        rows = self._rows.pop(table, [])
        if not rows:
            return
        rows = [{column.name: _value(column, row) for column in table.columns} for row in rows]
        if db.session.get_bind().dialect.name == "postgresql":
            _copy(table, rows)
        else:
            db.session.execute(insert(table), rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def finish(self) -> None:
        """Write what is left and move PostgreSQL's id sequences past the ids given."""
        self.flush()
        if db.session.get_bind().dialect.name == "postgresql":
            for table in self._next_id:
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                        f"(SELECT max(id) FROM {table.name}))"))


def _copy(table: Table, rows: list[dict]) -> None:
    """Send complete rows to PostgreSQL with COPY, the fastest way in."""
    names = ", ".join(f'"{column.name}"' for column in table.columns)
    connection = db.session.connection().connection.dbapi_connection
    with connection.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()])


def _value(column, row: dict):
    """Return the value of ``column`` in ``row``, or the column's default as an insert would give it."""
    if column.name in row:
        return row[column.name]
    if column.default is None:
        return None
    return column.default.arg(None) if column.default.is_callable else column.default.arg


def _state_weights(sizes: Sizes) -> dict[str, float]:
    """Return the weights of the devices' states, with as many delivered devices as households equipped."""
    equipped = sizes.prescriptions * OUTCOMES["equipped"] / sum(OUTCOMES.values())
    delivered = min(STATES["delivered"], 100 * equipped / sizes.devices * 1.02)  # a few spare
    others = sum(w for s, w in STATES.items() if s != "delivered")
    return {s: delivered if s == "delivered" else w * (100 - delivered) / others for s, w in STATES.items()}


def _weighted(rng: random.Random, weights: dict[str, int]) -> Iterator[str]:
    """Yield keys of ``weights`` drawn at random in proportion to their weights."""
    keys, cumulative = list(weights), list(weights.values())
    while True:
        yield from rng.choices(keys, weights=cumulative, k=1000)


def _moment(rng: random.Random, after: datetime | None = None) -> datetime:
    """Return a working-day moment in the three generated years, after ``after`` when given."""
    if after is not None:
        return after + timedelta(days=rng.randint(1, 40), minutes=rng.randint(0, 480))
    return START + timedelta(days=rng.randrange(DAYS), minutes=rng.randint(0, 480))


def _prefix(number: int) -> str:
    """Return the asset-tag prefix of generated workshop ``number``: GNA, GNB, ... GNZ, GOA..."""
    return "G" + string.ascii_uppercase[13 + number // 26] + string.ascii_uppercase[number % 26]


def generate(sizes: Sizes, progress=lambda message: None) -> dict[str, int]:
    """Fill the database with a generated network of ``sizes`` and return the number of rows per table."""
    rng = random.Random(sizes.seed)
    out = Writer()
    password = generate_password_hash(PASSWORD)

    def structure(name: str, **kinds) -> int:
        commune, insee, postcode, _qpv = rng.choice(COMMUNES)
        return out.add(Structure, name=name, commune=commune, insee_code=insee, postcode=postcode, active=True,
                       created_at=START,
                       **{f"is_{k}": k in kinds for k in ("workshop", "prescriber", "installer", "partner")})

    def user(structure_id: int, role: str, email: str) -> int:
        return out.add(User, email=email, name=email.split("@")[0].replace(".", " ").title(), role=role,
                       structure_id=structure_id, password_hash=password, active=True, session_version=1,
                       created_at=START)

    installers = [structure(f"Médiation générée {n + 1}", installer=True) for n in range(max(2, sizes.workshops // 2))]
    workshops, staff = [], {}
    for n in range(sizes.workshops):
        workshop = out.add(Structure, name=f"Atelier généré {n + 1}", is_workshop=True, is_prescriber=False,
                           is_installer=False, is_partner=False, commune=COMMUNES[n % len(COMMUNES)][0],
                           insee_code=COMMUNES[n % len(COMMUNES)][1], postcode=COMMUNES[n % len(COMMUNES)][2],
                           tag_prefix=_prefix(n), active=True,
                           min_ram_gb=4, min_storage_gb=120, usual_installer_id=installers[n % len(installers)],
                           created_at=START)
        workshops.append(workshop)
        staff[workshop] = [user(workshop, "supervisor", f"supervisor{n + 1}@generated.reco")] + \
            [user(workshop, "technician", f"technician{n + 1}.{k}@generated.reco") for k in range(3)]
    prescribers = []
    for n in range(sizes.workshops * 2):
        prescriber = structure(f"CCAS généré {n + 1}", prescriber=True)
        prescribers.append((prescriber, user(prescriber, "prescriber", f"prescriber{n + 1}@generated.reco"),
                            workshops[n % len(workshops)]))
    mediators = {i: user(i, "installer", f"mediator{i}@generated.reco") for i in installers}
    partner = structure("Partenaire généré", partner=True)
    user(partner, "partner", "partner@generated.reco")
    user(partner, "viewer", "viewer@generated.reco")
    user(installers[0], "admin", "admin@generated.reco")
    progress(f"{len(workshops)} workshops, {len(prescribers)} prescribing structures")

    donors = {w: [out.add(Donor, workshop_id=w, name=f"Entreprise {w}-{k}", kind="company", created_at=START)
                  for k in range(50)] for w in workshops}
    ready, delivered = {w: [] for w in workshops}, {w: [] for w in workshops}
    states, types = _weighted(rng, _state_weights(sizes)), _weighted(rng, TYPES)
    tags = {w: 0 for w in workshops}
    donation, left_in_donation = None, 0
    for number in range(sizes.devices):
        workshop = workshops[number % len(workshops)]
        received = _moment(rng)
        if left_in_donation == 0 or number % len(workshops) == 0 and rng.random() < 0.05:
            donation = {w: out.add(Donation, donor_id=rng.choice(donors[w]), workshop_id=w, status="closed",
                                   created_at=received, received_at=received, closed_at=received + timedelta(days=60))
                        for w in workshops}
            left_in_donation = 25 * len(workshops)
        left_in_donation -= 1
        tags[workshop] += 1
        kind, state = next(types), next(states)
        if kind not in WITH_DRIVES and state in ("in_repair", "wiped"):
            state = "diagnosed"
        model = rng.choice(BRANDS[kind])
        technician = rng.choice(staff[workshop][1:])
        device = out.add(Device, tag=f"{_prefix(number % len(workshops))}-{tags[workshop]:06d}", workshop_id=workshop,
                         donation_id=donation[workshop], type=kind, brand=model.split()[0], model=model,
                         serial=f"SN{sizes.seed}{number:09d}", state=state, received_at=received,
                         received_by_id=technician, accessories=["charger"] if kind == "laptop" else [],
                         weight_kg={"laptop": 2, "desktop": 7, "all_in_one": 8}.get(kind, 1),
                         grade=None if state == "received" else rng.choice("AABBC"),
                         ram_bytes=rng.choice((4, 8, 8, 16)) * 2**30 if kind in WITH_DRIVES else None,
                         has_webcam=kind in ("laptop", "all_in_one", "tablet"), notes="")
        out.add(Event, at=received, actor_id=technician, object_type="device", object_id=str(device),
                action="received", details={"drives": 1 if kind in WITH_DRIVES else 0})
        moment, previous = received, "received"
        for step in PATHS[state]:
            moment = _moment(rng, moment)
            out.add(Event, at=moment, actor_id=technician, object_type="device", object_id=str(device),
                    action="transition", details={"from": previous, "to": step})
            previous = step
        if kind in WITH_DRIVES:
            drive = out.add(Drive, device_id=device, donation_id=donation[workshop], workshop_id=workshop,
                            serial=f"WD{sizes.seed}{number:09d}", model="ST500LM021",
                            capacity_bytes=rng.choice((128, 256, 500, 1000)) * 10**9,
                            interface=rng.choice(("ata_hdd", "sata_ssd", "nvme")), created_at=received)
            if "wiped" in PATHS[state]:
                out.add(Sanitization, drive_id=drive, device_id=device, level="clear", technique="overwrite",
                        tool="nwipe", tool_version="0.34", method="PRNG Stream", rounds=1, verification="last_pass",
                        blanking=True, result="success", started_at=received + timedelta(days=1),
                        ended_at=received + timedelta(days=1, hours=2), operator_id=technician,
                        created_at=received + timedelta(days=1))
        if state in ("harvested", "recycled"):
            out.add(DeviceExit, device_id=device, kind=state, on=moment.date(),
                    parts=["RAM"] if state == "harvested" else [], by_id=technician,
                    weight_kg=7 if state == "recycled" else None,
                    slip_number=f"DEEE-{number:07d}" if state == "recycled" else "")
        if state == "ready":
            ready[workshop].append((device, moment))
        elif state == "delivered":
            delivered[workshop].append((device, moment))
        if number % 100000 == 99999:
            progress(f"{number + 1} devices")
    installer_of = {w: installers[n % len(installers)] for n, w in enumerate(workshops)}
    reserved = _prescriptions(out, rng, sizes.prescriptions, prescribers, staff, mediators, installer_of, ready,
                              delivered)
    progress(f"{sizes.prescriptions} prescriptions")
    _parts(out, rng, workshops, staff)
    out.finish()
    db.session.execute(storage_recount(select(Drive.device_id).where(Drive.device_id.is_not(None))))
    for start in range(0, len(reserved), BATCH):
        db.session.execute(Device.__table__.update().where(Device.id.in_(reserved[start:start + BATCH]))
                           .values(state="reserved"))
    for n, workshop in enumerate(workshops):
        db.session.merge(Sequence(key=f"tag:{_prefix(n)}", last_value=tags[workshop]))
    return out.counts


def _prescriptions(out: Writer, rng: random.Random, count: int, prescribers, staff, mediators, installer_of, ready,
                   delivered) -> list[int]:
    """Generate prescriptions; equipped and reserved ones take devices, with their reservations and visits."""
    outcomes, reserved_devices = _weighted(rng, OUTCOMES), []
    for number in range(count):
        structure_id, prescriber, workshop = prescribers[number % len(prescribers)]
        supervisor = staff[workshop][0]
        outcome = next(outcomes)
        if outcome == "equipped" and not delivered[workshop] or outcome == "reserved" and not ready[workshop]:
            outcome = "accepted"
        device, handed = delivered[workshop].pop() if outcome == "equipped" else \
            ready[workshop].pop() if outcome == "reserved" else (None, None)
        created = handed - timedelta(days=rng.randint(10, 90)) if handed else _moment(rng)
        submitted, decided = created + timedelta(hours=2), created + timedelta(days=rng.randint(1, 6))
        commune, insee, postcode, qpv = rng.choice(COMMUNES)
        visit_wanted = rng.random() < 0.7
        prescription = out.add(
            Prescription, code=f"FOY-G{number:07d}", structure_id=structure_id, workshop_id=workshop,
            created_by_id=prescriber, status=outcome, contact_name=f"Foyer généré {number}",
            contact_phone="0600000000", address=f"{number % 200 + 1} rue de la République", postcode=postcode,
            commune=commune, insee_code=insee, qpv=qpv, adults=rng.randint(1, 2), children_primary=rng.randint(0, 3),
            children_middle=rng.randint(0, 2), needs=["school"] if rng.random() < 0.6 else ["job_search"],
            digital_level=rng.choice(("assistance", "training", "occasional_help")), equipment="laptop",
            internet=rng.choice(("yes", "yes", "no", "unknown")), visit_wanted=visit_wanted,
            urgency=rng.choice(("normal", "normal", "normal", "priority", "urgent")), consent_on=created.date(),
            consent_recorded_by_id=prescriber, consent_recorded_at=created, created_at=created,
            submitted_at=submitted,
            decided_at=decided if outcome not in ("submitted", "withdrawn") else None,
            equipped_at=handed if outcome == "equipped" else None,
            closed_at=(handed if outcome == "equipped" else decided)
            if outcome in ("equipped", "declined", "withdrawn", "cancelled") else None)
        steps = {"submitted": ["submitted"], "declined": ["submitted", "declined"],
                 "withdrawn": ["submitted", "withdrawn"], "accepted": ["submitted", "accepted"],
                 "cancelled": ["submitted", "accepted", "cancelled"],
                 "reserved": ["submitted", "accepted", "reserved"],
                 "equipped": ["submitted", "accepted", "reserved", "equipped"]}[outcome]
        previous = "draft"
        for step in steps:
            out.add(Event, at=decided, actor_id=supervisor if step != "submitted" else prescriber,
                    object_type="prescription", object_id=str(prescription), action="status",
                    details={"from": previous, "to": step})
            previous = step
        if device is None:
            continue
        reservation = out.add(Reservation, prescription_id=prescription, device_id=device,
                              reserved_at=decided + timedelta(days=1), reserved_by_id=supervisor)
        if outcome == "reserved":
            reserved_devices.append(device)
            out.add(Event, at=decided + timedelta(days=1), actor_id=supervisor, object_type="device",
                    object_id=str(device), action="transition", details={"from": "ready", "to": "reserved"})
        elif visit_wanted:
            installer = installer_of[workshop]
            visit = out.add(Visit, prescription_id=prescription, reservation_id=reservation, workshop_id=workshop,
                            installer_id=installer, status="done", scheduled_on=handed.date(), slot="morning",
                            requested_at=decided + timedelta(days=1), requested_by_id=supervisor, closed_at=handed)
            out.add(VisitReport, visit_id=visit, installed_working=True, internet_connected=True,
                    accounts=["email"], first_steps=["turn_on", "safe_browsing"], follow_ups=[],
                    receipt_signed=True, reported_at=handed, reported_by_id=mediators[installer])
    return reserved_devices


def _parts(out: Writer, rng: random.Random, workshops: list[int], staff) -> None:
    """Generate the parts catalogue and, in each workshop, stock received with donations."""
    for category, name in PARTS:
        part_type = out.add(PartType, category=category, name=f"{name} (généré)", attributes={}, created_at=START)
        for workshop in workshops:
            if rng.random() < 0.6:
                quantity = rng.randint(1, 12)
                level = out.add(StockLevel, workshop_id=workshop, part_type_id=part_type, condition="tested_ok",
                                quantity=quantity, reserved=0, location_key=0)
                out.add(StockMove, stock_level_id=level, workshop_id=workshop, part_type_id=part_type,
                        kind="received", quantity=quantity, at=START, by_id=staff[workshop][0])
