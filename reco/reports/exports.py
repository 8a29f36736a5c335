"""Exports: the whole lists and the dashboard's tables, each defined once as columns and written as CSV or XLSX."""
from __future__ import annotations

import re
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.core.permissions import scoped
from reco.core.spreadsheet import Column, Kind, Sheet, streamed_rows
from reco.extensions import db
from reco.inventory.models import Device, DeviceState, Drive, Sanitization
from reco.inventory.repairs import ords_list
from reco.inventory.vocabulary import (
    GRADE_LABELS,
    LEVEL_LABELS,
    SANITIZATION_RESULT_LABELS,
    STATE_LABELS,
    TECHNIQUE_LABELS,
    TOOL_LABELS,
    TYPE_LABELS,
    VERIFICATION_LABELS,
)
from reco.prescriptions.models import Prescription
from reco.prescriptions.vocabulary import (
    DIGITAL_LEVEL_LABELS,
    EQUIPMENT_LABELS,
    NEED_LABELS,
    PRESCRIPTION_STATUS_LABELS,
)

YES_NO = {"1": _l("yes"), "0": _l("no")}
_COUNT = re.compile(r"[0-9]+")

DEVICE_COLUMNS = [
    Column(_l("Asset tag"), Kind.IDENTIFIER), Column(_l("Type"), labels=TYPE_LABELS), Column(_l("Brand")),
    Column(_l("Model")), Column(_l("Serial number"), Kind.IDENTIFIER), Column(_l("Donor's tag"), Kind.IDENTIFIER),
    Column(_l("State"), labels=STATE_LABELS), Column(_l("Grade"), labels=GRADE_LABELS),
    Column(_l("Received on"), Kind.DATE), Column(_l("Weight (kg)"), Kind.DECIMAL)]
PRESCRIPTION_COLUMNS = [
    Column(_l("Household"), Kind.IDENTIFIER), Column(_l("Status"), labels=PRESCRIPTION_STATUS_LABELS),
    Column(_l("Commune")), Column(_l("INSEE code"), Kind.IDENTIFIER), Column("QPV", labels=YES_NO),
    Column(_l("People"), Kind.NUMBER), Column(_l("Needs"), labels=NEED_LABELS),
    Column(_l("Digital level"), labels=DIGITAL_LEVEL_LABELS), Column(_l("Equipment wanted"), labels=EQUIPMENT_LABELS),
    Column(_l("Sent on"), Kind.DATE), Column(_l("Equipped on"), Kind.DATE)]
SANITIZATION_COLUMNS = [
    Column(_l("Asset tag"), Kind.IDENTIFIER), Column(_l("Drive serial"), Kind.IDENTIFIER), Column(_l("Drive model")),
    Column(_l("Level"), labels=LEVEL_LABELS), Column(_l("Technique"), labels=TECHNIQUE_LABELS),
    Column(_l("Tool"), labels=TOOL_LABELS), Column(_l("Verification"), labels=VERIFICATION_LABELS),
    Column(_l("Result"), labels=SANITIZATION_RESULT_LABELS), Column(_l("Started"), Kind.DATETIME),
    Column(_l("Ended"), Kind.DATETIME)]
#: The first column of a network list.
WORKSHOP_COLUMN = Column(_l("Workshop"))


def workshop_names() -> dict[int, str]:
    """Return the names of the network's workshops, for the first column of a network list."""
    return dict(db.session.execute(select(Structure.id, Structure.name).where(Structure.is_workshop)).all())


def _network(name: str, columns: list[Column], network: bool, rows) -> Sheet:
    """Return a workshop's list, or the network's with each row led by its workshop."""
    if not network:
        return Sheet(name, columns, (row[1:] for row in rows))
    names = workshop_names()
    return Sheet(f"{name}-network", [WORKSHOP_COLUMN, *columns], ((names.get(row[0], ""), *row[1:]) for row in rows))


def _lists_action(network: bool) -> str:
    """Return the action whose scope a whole list is exported in: the network's, or the user's workshop's."""
    return "report.network_lists" if network else "report.lists"


def device_list(user, *, network: bool = False) -> Sheet:
    """Return every device of the user's workshop but the voided ones (``network``: of the whole network)."""
    query = (select(Device.workshop_id, Device.tag, Device.type, Device.brand, Device.model, Device.serial,
                    Device.donor_tag, Device.state, Device.grade, Device.received_at, Device.weight_kg)
             .where(Device.state != DeviceState.VOIDED).order_by(Device.id))
    return _network("devices", DEVICE_COLUMNS, network, streamed_rows(scoped(query, _lists_action(network), user)))


def prescription_list(user) -> Sheet:
    """Return the prescriptions addressed to the user's workshop, by household code, without names."""
    query = (select(Prescription.code, Prescription.status, Prescription.commune, Prescription.insee_code,
                    Prescription.qpv, Prescription.adults, Prescription.children_preschool,
                    Prescription.children_primary, Prescription.children_middle, Prescription.children_high,
                    Prescription.students, Prescription.needs, Prescription.digital_level, Prescription.equipment,
                    Prescription.submitted_at, Prescription.equipped_at)
             .order_by(Prescription.id))
    rows = ([row.code, row.status, row.commune, row.insee_code, "1" if row.qpv else "0", sum(row[5:11]),
             row.needs or None, row.digital_level, row.equipment, row.submitted_at, row.equipped_at]
            for row in streamed_rows(scoped(query, "prescription.view", user)))
    return Sheet("prescriptions", PRESCRIPTION_COLUMNS, rows)


def sanitization_list(user, *, network: bool = False) -> Sheet:
    """Return every sanitization record of the user's workshop's drives (``network``: of the whole network)."""
    query = (select(Drive.workshop_id, Device.tag, Drive.serial, Drive.model, Sanitization.level,
                    Sanitization.technique, Sanitization.tool, Sanitization.verification, Sanitization.result,
                    Sanitization.started_at, Sanitization.ended_at)
             .join(Drive, Drive.id == Sanitization.drive_id)
             .outerjoin(Device, Device.id == Sanitization.device_id).order_by(Sanitization.id))
    return _network("sanitizations", SANITIZATION_COLUMNS, network,
                    streamed_rows(scoped(query, _lists_action(network), user)))


def table_sheet(table, name: str) -> Sheet:
    """Return one dashboard table as a list: its naming columns as text, its counts as numbers (« < 5 » as text)."""
    columns = [Column(title, Kind.TEXT if i < table.label_columns else Kind.NUMBER)
               for i, title in enumerate(table.columns)]
    rows = [[int(v) if i >= table.label_columns and isinstance(v, str) and _COUNT.fullmatch(v) else v
             for i, v in enumerate(row)] for row in table.rows]
    return Sheet(name, columns, rows, title=table.title)


#: Lists exported for the user's workshop.
LISTS = {"devices": device_list, "prescriptions": prescription_list, "sanitizations": sanitization_list}


#: The lists the coordinator exports for the whole network: none about households.
NETWORK_LISTS = {"devices": device_list, "sanitizations": sanitization_list, "repairs": ords_list}
