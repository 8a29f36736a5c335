"""What goes on device and location labels, and printing jobs checked before anything is drawn."""
from __future__ import annotations

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from reco.core.errors import ValidationFailed
from reco.extensions import db
from reco.inventory.intake import find_devices
from reco.inventory.models import Device, Location
from reco.inventory.vocabulary import LEVEL_LABELS, TYPE_LABELS
from reco.labels.formats import LabelFormat, load_formats
from reco.labels.render import LabelContent, UnprintableCode, render_labels

MAX_COPIES = 50
MAX_LABELS = 2000


def _size(byte_count: int | None, binary: bool = False) -> str:
    """Return a size in GB as people read it on labels, e.g. "8 Go"."""
    if not byte_count:
        return ""
    unit = 1024 ** 3 if binary else 1000 ** 3
    return _("%(n)s GB", n=f"{byte_count / unit:.0f}")


def _sanitization_line(device: Device) -> str:
    """Return how the device's data was made unrecoverable, with the date."""
    if not device.drives:
        return _("No storage")
    records = [d.passing_sanitization for d in device.drives]
    if not all(records):
        return _("Data not yet erased")
    last = max(records, key=lambda r: r.ended_at or r.created_at)
    when = last.ended_at or last.created_at
    return _("Erased: %(level)s, %(date)s", level=LEVEL_LABELS[last.level], date=format_date(when, "short"))


def device_label(device: Device) -> LabelContent:
    """Return the content of a device's label."""
    specs = " · ".join(p for p in (device.cpu.replace("(R)", "").replace("(TM)", "").replace("CPU ", ""),
                                   _size(device.ram_bytes, binary=True), _size(device.storage_bytes)) if p)
    grade = _("Grade %(grade)s", grade=device.grade.value if device.grade and device.grade.value != "parts_only"
              else _("parts only")) if device.grade else ""
    base = current_app.config["RECO_BASE_URL"].rstrip("/")
    return LabelContent(
        code=device.tag,
        lines=(f"{TYPE_LABELS[device.type]} {device.brand} {device.model}".strip(), specs, grade,
               _sanitization_line(device), device.workshop.name),
        kinds=("title", "specs", "grade", "sanitization", "workshop"),
        qr_url=f"{base}/devices/{device.tag}")


def location_label(location: Location) -> LabelContent:
    """Return the content of a shelf or bin label."""
    return LabelContent(code=location.code, lines=(location.name,), kinds=("title",))


def label_format(key: str | None) -> LabelFormat:
    """Return the format named ``key`` (the first format when none is named), or refuse with the list."""
    formats, _problems = load_formats()
    if key is None and formats:
        key = next(iter(formats))
    if key not in formats:
        raise ValidationFailed(_("Unknown label format « %(key)s ». Formats: %(known)s.", key=str(key)[:60],
                                 known=", ".join(formats)), {"format": [_("unknown format")]})
    return formats[key]


def _job(fmt: LabelFormat, count: int, copies, skip) -> tuple[int, int]:
    """Check copies and skip for a job of ``count`` labels."""
    try:
        copies, skip = int(copies or 1), int(skip or 0)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Copies and skipped labels are whole numbers."), {"copies": ["integer"]}) from None
    if not 1 <= copies <= MAX_COPIES:
        raise ValidationFailed(_("Between 1 and %(n)d copies.", n=MAX_COPIES), {"copies": [_("out of range")]})
    if fmt.kind == "sheet" and not 0 <= skip < fmt.per_page:
        raise ValidationFailed(_("A sheet of this format holds %(n)d labels: skip between 0 and %(max)d.",
                                 n=fmt.per_page, max=fmt.per_page - 1), {"skip": [_("out of range")]})
    if not 1 <= count * copies <= MAX_LABELS:
        raise ValidationFailed(_("Between 1 and %(n)d labels per print.", n=MAX_LABELS), {"tags": [_("too many")]})
    return copies, skip if fmt.kind == "sheet" else 0


def _devices_of_codes(workshop, codes: list[str]) -> dict[str, Device]:
    """Return the workshop's device of each code, as the scan box finds it: our tag, the donor's tag or the serial
    number; refuse codes no device has, and codes several devices share."""
    of_workshop = select(Device).where(Device.workshop_id == workshop.id)
    devices = {d.tag: d for d in db.session.scalars(of_workshop.where(Device.tag.in_(set(codes))))}
    unknown, shared = [], []
    for code in dict.fromkeys(c for c in codes if c not in devices):
        found = find_devices(code, of_workshop)
        if len(found) == 1:
            devices[code] = found[0]
        else:
            (shared if found else unknown).append(code)
    if unknown:
        raise ValidationFailed(_("No device of the workshop has these codes: %(codes)s.",
                                 codes=", ".join(unknown[:50])), {"tags": unknown[:50]})
    if shared:
        raise ValidationFailed(_("Several devices have these codes: %(codes)s. Scan our tag instead.",
                                 codes=", ".join(shared[:50])), {"tags": shared[:50]})
    return devices


def print_devices(workshop, tags: list[str], *, format_key: str | None, copies=1, skip=0) -> bytes:
    """Return the PDF of the labels of the workshop's devices ``tags`` (or serials, donor's tags), in that order."""
    fmt = label_format(format_key or workshop.label_format)
    wanted = [t.strip().upper() for t in tags if t and t.strip()]
    copies, skip = _job(fmt, len(wanted), copies, skip)
    devices = _devices_of_codes(workshop, wanted)
    try:
        pdf = render_labels(fmt, [device_label(devices[t]) for t in wanted], copies=copies, skip=skip,
                            title=_("Labels"))
    except UnprintableCode as error:
        raise ValidationFailed(_("« %(code)s » cannot be printed as a Code 128 barcode.", code=str(error)),
                               {"tags": [str(error)]}) from None
    workshop.label_format = fmt.key
    return pdf


def print_locations(workshop, codes: list[str] | None, *, format_key: str | None, copies=1, skip=0,
                    label=location_label) -> bytes:
    """Return the PDF of the labels of the workshop's locations (all of them when ``codes`` is empty)."""
    fmt = label_format(format_key or workshop.label_format)
    query = select(Location).where(Location.workshop_id == workshop.id, Location.active.is_(True))
    if codes:
        query = query.where(Location.code.in_([c.strip().upper() for c in codes]))
    locations = list(db.session.scalars(query.order_by(Location.code)))
    copies, skip = _job(fmt, len(locations), copies, skip)
    return render_labels(fmt, [label(loc) for loc in locations], copies=copies, skip=skip,
                         title=_("Location labels"))
