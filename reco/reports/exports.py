"""Exports: CSV that opens correctly in French Excel, XLSX, and whole lists streamed row by row."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.extensions import db
from reco.inventory.models import Device, DeviceState, Drive, Sanitization
from reco.prescriptions.models import Prescription, PrescriptionStatus

BATCH = 1000
#: The size of the pieces a streamed CSV is sent in, in characters.
STREAM_PIECE = 1 << 16


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return a cell value a spreadsheet will never run as a formula (text starting with = + - @ gets a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_stream(rows: Iterable[list], separator: str = ";") -> Iterator[str]:
    """Yield CSV text: a UTF-8 byte-order mark first, so that Excel reads the accents, then pieces of about 64 KB:
    one write to the network per row would cost more than the row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    yield "\ufeff"
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if buffer.tell() >= STREAM_PIECE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def table_xlsx(table) -> bytes:
    """Return one dashboard table as an XLSX workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.key[:31])
    sheet.append([safe_cell(table.title)])
    sheet.append([safe_cell(c) for c in table.columns])
    for row in table.rows:
        sheet.append([int(v) if isinstance(v, str) and re.fullmatch(r"[0-9]{1,12}", v) else safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _streamed(query):
    """Run a query and read its rows a thousand at a time, never all at once."""
    return db.session.execute(query.execution_options(yield_per=BATCH))


def _workshop_names(workshop_id: int | None) -> dict[int, str] | None:
    """Return the names of the network's workshops for a network list (``workshop_id`` None), else None."""
    if workshop_id is not None:
        return None
    return dict(db.session.execute(select(Structure.id, Structure.name).where(Structure.is_workshop)).all())


def _header(names: dict | None, columns: list) -> list[str]:
    """Return the header of a list, led by the workshop's column in a network list."""
    return ([str(_l("Workshop"))] if names is not None else []) + [str(c) for c in columns]


def _lead(names: dict | None, workshop_id: int) -> list[str]:
    """Return the first cell of a row of a network list, its workshop; nothing in a workshop's list."""
    return [names.get(workshop_id, "")] if names is not None else []


def device_rows(workshop_id: int | None) -> Iterator[list]:
    """Yield the header and every device of the workshop but the voided ones (None: of the whole network)."""
    names = _workshop_names(workshop_id)
    yield _header(names, [_l("Asset tag"), _l("Type"), _l("Brand"), _l("Model"), _l("Serial number"),
                          _l("Donor's tag"), _l("State"), _l("Grade"), _l("Received on"), _l("Weight (kg)")])
    query = (select(Device.workshop_id, Device.tag, Device.type, Device.brand, Device.model, Device.serial,
                    Device.donor_tag, Device.state, Device.grade, Device.received_at, Device.weight_kg)
             .where(Device.state != DeviceState.VOIDED).order_by(Device.id))
    if names is None:
        query = query.where(Device.workshop_id == workshop_id)
    for row in _streamed(query):
        yield _lead(names, row.workshop_id) + [
            row.tag, row.type.value, row.brand, row.model, row.serial, row.donor_tag, row.state.value,
            row.grade.value if row.grade else "", row.received_at.date().isoformat(),
            str(row.weight_kg) if row.weight_kg is not None else ""]


def prescription_rows(workshop_id: int) -> Iterator[list]:
    """Yield the header and the prescriptions addressed to the workshop, by household code, without names."""
    yield [str(_l("Household")), str(_l("Status")), str(_l("Commune")), str(_l("INSEE code")), "QPV",
           str(_l("People")), str(_l("Needs")), str(_l("Digital level")), str(_l("Equipment wanted")),
           str(_l("Sent on")), str(_l("Equipped on"))]
    query = (select(Prescription.code, Prescription.status, Prescription.commune, Prescription.insee_code,
                    Prescription.qpv, Prescription.adults, Prescription.children_preschool,
                    Prescription.children_primary, Prescription.children_middle, Prescription.children_high,
                    Prescription.students, Prescription.needs, Prescription.digital_level, Prescription.equipment,
                    Prescription.submitted_at, Prescription.equipped_at)
             .where(Prescription.workshop_id == workshop_id, Prescription.status != PrescriptionStatus.DRAFT)
             .order_by(Prescription.id))
    for row in _streamed(query):
        people = sum(row[5:11])
        yield [row.code, row.status.value, row.commune, row.insee_code, "1" if row.qpv else "0", people,
               ",".join(row.needs or []), row.digital_level.value if row.digital_level else "",
               row.equipment.value if row.equipment else "",
               row.submitted_at.date().isoformat() if row.submitted_at else "",
               row.equipped_at.date().isoformat() if row.equipped_at else ""]


def sanitization_rows(workshop_id: int | None) -> Iterator[list]:
    """Yield the header and every sanitization record of the workshop's drives (None: of the whole network)."""
    names = _workshop_names(workshop_id)
    yield _header(names, [_l("Asset tag"), _l("Drive serial"), _l("Drive model"), _l("Level"), _l("Technique"),
                          _l("Tool"), _l("Verification"), _l("Result"), _l("Started"), _l("Ended")])
    query = (select(Drive.workshop_id, Device.tag, Drive.serial, Drive.model, Sanitization.level,
                    Sanitization.technique, Sanitization.tool, Sanitization.verification, Sanitization.result,
                    Sanitization.started_at, Sanitization.ended_at)
             .join(Drive, Drive.id == Sanitization.drive_id)
             .outerjoin(Device, Device.id == Sanitization.device_id).order_by(Sanitization.id))
    if names is None:
        query = query.where(Drive.workshop_id == workshop_id)
    for row in _streamed(query):
        yield _lead(names, row.workshop_id) + [
            row.tag or "", row.serial or "", row.model, row.level.value, row.technique.value, row.tool.value,
            row.verification.value, row.result.value,
            row.started_at.isoformat() if row.started_at else "", row.ended_at.isoformat() if row.ended_at else ""]
