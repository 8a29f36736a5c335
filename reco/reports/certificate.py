"""The certificate of sanitization (NIST SP 800-88 Rev.1 appendix G and Rev.2, IEEE 2883): one block per drive."""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from reco.accounts.labels import ROLE_LABELS
from reco.core.pdf import paragraph
from reco.core.printed import day, identifier, moment, number
from reco.inventory.models import DeviceState, Drive, Sanitization, SanitizationLevel, SanitizationResult
from reco.inventory.vocabulary import (
    DESTRUCTION_LABELS,
    INTERFACE_LABELS,
    LEVEL_LABELS,
    SANITIZATION_RESULT_LABELS,
    TECHNIQUE_LABELS,
    VERIFICATION_LABELS,
)

#: Drive makers, from the first word of the model or the maker's own prefix (e.g. ST500DM002 is a Seagate).
MAKERS = {"samsung": "Samsung", "kingston": "Kingston", "hitachi": "Hitachi", "hgst": "HGST", "toshiba": "Toshiba",
          "seagate": "Seagate", "crucial": "Crucial", "intel": "Intel", "sandisk": "SanDisk", "micron": "Micron",
          "wdc": "Western Digital", "wd": "Western Digital", "western": "Western Digital", "sk": "SK hynix",
          "hynix": "SK hynix", "kioxia": "Kioxia", "lexar": "Lexar", "transcend": "Transcend", "adata": "ADATA",
          "liteon": "Lite-On", "lite-on": "Lite-On", "plextor": "Plextor", "apple": "Apple", "maxtor": "Maxtor",
          "fujitsu": "Fujitsu", "pny": "PNY", "corsair": "Corsair", "verbatim": "Verbatim"}
PREFIXES = ((r"ST\d", "Seagate"), (r"WD", "Western Digital"), (r"H[DT][ST]\d|HUA|HTE", "Hitachi"),
            (r"MZ", "Samsung"), (r"CT\d", "Crucial"), (r"SA400|SUV|SKC|SNV", "Kingston"), (r"SSDSC|SSDPE", "Intel"),
            (r"MQ\d|MK\d|DT01|THNS|KBG|KXG", "Toshiba"), (r"SDSSD|SD\d", "SanDisk"), (r"MTFD", "Micron"))
TOOL_NAMES = {"nwipe": "nwipe", "hdparm": "hdparm", "nvme_cli": "nvme-cli"}
DESTINATIONS = {"reused": _l("reused in a device given to a household"), "parts_bank": _l("put in the parts bank"),
                "recycled": _l("recycled (WEEE)"), "destroyed": _l("destroyed"),
                "in_progress": _l("in progress at the workshop")}
#: Column widths of a drive's block: label, value, label, value (174 mm, the page's width inside its margins).
WIDTHS = [30 * mm, 57 * mm, 30 * mm, 57 * mm]


def manufacturer_of(model: str | None) -> str | None:
    """Return a drive's maker read from its model, or None when the model does not tell."""
    words = (model or "").split()
    if not words:
        return None
    known = MAKERS.get(words[0].lower())
    return known or next((maker for prefix, maker in PREFIXES if re.match(prefix, words[0], re.I)), None)


def destination_of(drive: Drive) -> str:
    """Return where a drive's media went: destroyed (once done, validated or not), else from where the drive is."""
    if any(s.level is SanitizationLevel.DESTROY and s.result is SanitizationResult.SUCCESS
           for s in drive.sanitizations):
        return "destroyed"
    device = drive.device
    if device is None:
        return "parts_bank"
    return {DeviceState.DELIVERED: "reused", DeviceState.RECYCLED: "recycled",
            DeviceState.HARVESTED: "parts_bank"}.get(device.state, "in_progress")


def _person(user) -> dict | None:
    """Return a person as the certificate names them: name and title."""
    return {"name": user.name, "role": user.role.value} if user is not None else None


def _moment(value: datetime | None) -> str | None:
    """Return a stored moment as text for the content (UTC, ISO 8601)."""
    return value.isoformat() if value else None


def _record(record: Sanitization) -> dict:
    """Return what the certificate states of one sanitization record."""
    return {"level": record.level.value, "technique": record.technique.value, "method": record.method,
            "destruction": record.destruction_method.value if record.destruction_method else None,
            "tool": record.tool.value, "tool_version": record.tool_version, "rounds": record.rounds,
            "verification": record.verification.value, "result": record.result.value,
            "proves_erasure": record.proves_erasure, "passing": record.is_passing,
            "started": _moment(record.started_at), "ended": _moment(record.ended_at or record.created_at),
            "operator": _person(record.operator), "witness": record.witness,
            "validation_required": record.drive.workshop.sanitization_needs_validation,
            "validator": _person(record.validated_by), "validated": _moment(record.validated_at),
            "log_sha256": record.log.sha256 if record.log else None}


def drive_content(drive: Drive) -> dict:
    """Return a drive's entry of the certificate: the drive, its device, its passing (or last) record, where it went."""
    record = drive.passing_sanitization or (drive.sanitizations[-1] if drive.sanitizations else None)
    home = drive.device or drive.removed_from
    return {"serial": drive.serial, "model": drive.model, "manufacturer": manufacturer_of(drive.model),
            "media": drive.interface.value if drive.interface else None, "capacity_bytes": drive.capacity_bytes,
            "device": home.tag if home else None,
            "donor_tag": home.donor_tag if home is not None and home.donation_id == drive.donation_id else None,
            "destination": destination_of(drive), "record": _record(record) if record else None}


def _when(text: str | None) -> str:
    """Return a moment of the content in local time, or a dash."""
    return moment(datetime.fromisoformat(text)) if text else "—"


def _named(person: dict | None) -> str:
    """Return « name, title » of a person of the content."""
    return f"{person['name']}, {ROLE_LABELS[person['role']]}" if person else "—"


def _tool(record: dict) -> str:
    """Return the tool and its version, with the tool's name of the method and its passes."""
    name = TOOL_NAMES.get(record["tool"], _("other"))
    text = f"{name} {record['tool_version']}".strip() if record["tool_version"] else name
    if record["method"]:
        text += f" · {record['method']}"
    if (record["rounds"] or 0) > 1:
        text += " · " + _("%(n)s passes", n=number(record["rounds"]))
    return text


def _result(record: dict) -> str:
    """Return the result, and whether it proves erasure."""
    text = str(SANITIZATION_RESULT_LABELS[record["result"]])
    if not record["proves_erasure"]:
        return text + " · " + _("does not prove erasure")
    if not record["passing"]:
        return text + " · " + _("awaiting validation")
    return text + " · " + _("data proven erased")


def _validation(record: dict) -> str:
    """Return who validated the record, or whether the workshop requires it."""
    if record["validator"]:
        return f"{_named(record['validator'])} · {_when(record['validated'])}"
    return _("awaiting a supervisor") if record["validation_required"] else _("not required by the workshop")


def _rows(index: int, count: int, drive: dict) -> tuple[list[list], list]:
    """Return the rows of a drive's block, and the spans of its cells."""
    value, wide = WIDTHS[1], sum(WIDTHS[1:])
    media = str(INTERFACE_LABELS[drive["media"]]) if drive["media"] else "—"
    if drive["capacity_bytes"]:
        media += " · " + _("%(n)s GB", n=number(drive["capacity_bytes"] / 1000 ** 3, "#,##0"))
    rows = [[_("Drive %(n)d of %(count)d", n=index, count=count), "", "", ""],
            [_("Manufacturer"), drive["manufacturer"] or "—", _("Model"), drive["model"] or "—"],
            [_("Serial number"), identifier(drive["serial"] or "—", wide), "", ""],
            [_("Media type"), media, _("Device (our tag)"), identifier(drive["device"] or "—", value)],
            [_("Donor's tag"), identifier(drive["donor_tag"] or "—", wide), "", ""]]
    spans = [((0, 0), (-1, 0)), ((1, 2), (-1, 2)), ((1, 4), (-1, 4))]
    record = drive["record"]
    if record is None:
        rows.append([_("Sanitization"), _("no record yet"), "", ""])
        spans.append(((1, 5), (-1, 5)))
    else:
        rows += [[_("Level"), str(LEVEL_LABELS[record["level"]]), _("Technique"),
                  str(TECHNIQUE_LABELS[record["technique"]])]]
        if record["destruction"]:
            rows += [[_("Destruction method"), str(DESTRUCTION_LABELS[record["destruction"]]), _("Witness"),
                      record["witness"] or "—"],
                     [_("Date of destruction"), day(datetime.fromisoformat(record["ended"])), _("Result"),
                      _result(record)]]
        else:
            rows += [[_("Tool and version"), _tool(record), _("Verification"),
                      str(VERIFICATION_LABELS[record["verification"]])],
                     [_("Started"), _when(record["started"]), _("Ended"), _when(record["ended"])],
                     [_("Result"), _result(record), "", ""]]
            spans.append(((1, len(rows) - 1), (-1, len(rows) - 1)))
        rows += [[_("Operator"), _named(record["operator"]), _("Validated by"), _validation(record)]]
        if record["log_sha256"]:
            rows.append([_("Tool's log (SHA-256)"), identifier(record["log_sha256"], wide, "small"), "", ""])
            spans.append(((1, len(rows) - 1), (-1, len(rows) - 1)))
    rows.append([_("Destination"), str(DESTINATIONS[drive["destination"]]), "", ""])
    spans.append(((1, len(rows) - 1), (-1, len(rows) - 1)))
    return rows, spans


def _block(index: int, count: int, drive: dict) -> KeepTogether:
    """Return a drive's block: a table of labelled fields that stays on one page."""
    rows, spans = _rows(index, count, drive)
    cells = [[c if not isinstance(c, str) or c == "" else paragraph(c, "cell") for c in row] for row in rows]
    result = Table(cells, colWidths=WIDTHS)
    commands = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef4")),
                ("BACKGROUND", (0, 1), (0, -1), colors.HexColor("#f4f6f8"))]
    spanned = {start[1] for start, _end in spans}
    commands += [("BACKGROUND", (2, row), (2, row), colors.HexColor("#f4f6f8"))
                 for row in range(1, len(rows)) if row not in spanned]
    commands += [("SPAN", start, end) for start, end in spans]
    result.setStyle(TableStyle(commands))
    return KeepTogether([result, Spacer(1, 3 * mm)])


def _signatures(drives: list[dict]) -> Table:
    """Return the signature boxes: the operators, the validators (or the workshop), each with name and title."""
    records = [d["record"] for d in drives if d["record"]]
    operators = sorted({_named(r["operator"]) for r in records if r["operator"]})
    validators = sorted({_named(r["validator"]) for r in records if r["validator"]})
    left = _("Sanitization performed by (name, title, date, signature)") + "\n" + "\n".join(operators)
    right = (_("Validated by (name, title, date, signature)") + "\n" + "\n".join(validators) if validators else
             _("For the workshop (name, title, date, signature)"))
    boxes = Table([[paragraph(left, "cell"), paragraph(right, "cell")], ["", ""]], colWidths=[87 * mm, 87 * mm],
                  rowHeights=[None, 22 * mm])
    boxes.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return boxes


def certificate_story(content: dict) -> list:
    """Return the certificate's flowables: who sanitized, the standards, every drive, the attestation, signatures."""
    workshop = content["workshop"]
    town = " ".join(p for p in (workshop.get("postcode"), workshop["commune"]) if p)
    where = ", ".join(p for p in (workshop.get("address"), f"{town} (INSEE {workshop['insee_code']})") if p)
    drives = content["drives"]
    story = [paragraph(_("Certificate of sanitization"), "h2"),
             paragraph(_("Sanitization performed by %(name)s, %(address)s.", name=workshop["name"], address=where)
                       + (f"\nSIRET {workshop['siret']}" if workshop["siret"] else "")),
             paragraph(_("Media sanitized according to NIST SP 800-88 (Rev. 1, appendix G, and Rev. 2) and IEEE "
                         "2883-2022. Times are local (%(zone)s).",
                         zone=current_app.config["BABEL_DEFAULT_TIMEZONE"]), "small"),
             Spacer(1, 2 * mm)]
    if not drives:
        return [*story, paragraph(_("No drive was received with this donation."))]
    story += [_block(n, len(drives), drive) for n, drive in enumerate(drives, start=1)]
    story += [paragraph(_("Attestation"), "h2"),
              paragraph(_("I attest that the media listed above were sanitized as described, with the results "
                          "stated, and sent to the destination given. A drive whose result does not prove erasure "
                          "was neither reused nor given away as it was: it is wiped again or destroyed.")),
              Spacer(1, 3 * mm), KeepTogether(_signatures(drives))]
    return story
