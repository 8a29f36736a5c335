"""The device page's actions: diagnosis, reports, sanitization, repairs, moves between states and places."""
import base64
import binascii

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import form_status, refusal_on_form, show_errors
from reco.core.permissions import acting_user, permission_required, require
from reco.core.scanning import normalise_code
from reco.extensions import db
from reco.inventory import bp
from reco.inventory.diagnosis import ReportMismatch, apply_hardware_report, record_diagnosis, report_answers
from reco.inventory.forms import (
    CloseRepairForm,
    DestructionForm,
    DiagnosisForm,
    ErasureLogForm,
    ExitForm,
    HardwareReportForm,
    RepairForm,
    SecureEraseForm,
)
from reco.inventory.intake import workshop_device
from reco.inventory.lifecycle import parse_state, transition_device
from reco.inventory.locations import find_location, move_device
from reco.inventory.models import Check, CheckResult, Device, Drive, Repair, Sanitization
from reco.inventory.repairs import close_repair, record_repair
from reco.inventory.sanitization import (
    AnonymisedMatch,
    import_erasure_log,
    record_destruction,
    record_secure_erase,
    remove_drive,
    validate_sanitization,
)
from reco.inventory.vocabulary import CHECK_LABELS, STATE_LABELS, VERIFICATION_LABELS


def _device(tag: str, action: str = "device.work") -> Device:
    """Load a device of the user's workshop by its tag, or stop with 404/403."""
    device = workshop_device(tag, acting_user().structure_id)
    if device is None:
        abort(404)
    require(action, device)
    return device


def _drive(device: Device, drive_id: int) -> Drive:
    """Load a drive of the device (or one removed from it)."""
    drive = db.session.get(Drive, drive_id)
    if drive is None or device.id not in (drive.device_id, drive.removed_from_id):
        abort(404)
    return drive


def _back(device: Device, anchor: str = ""):
    """Return to the device page."""
    return redirect(url_for("inventory.device", tag=device.tag) + (f"#{anchor}" if anchor else ""))


def _done(device: Device, message: str, anchor: str = ""):
    """Flash a success and go back to the device."""
    flash(message, "success")
    return _back(device, anchor)


def _refused(device: Device, error: DomainError, anchor: str = ""):
    """Undo, explain a refusal and go back to the device."""
    db.session.rollback()
    flash(error.message, "error")
    return _back(device, anchor)


def _report_marks(form: DiagnosisForm, device: Device, answers) -> set[str]:
    """Say on the form what the hardware report answered; return the checklist points it answered as shown."""
    if answers is None:
        return set()
    said = _("From the hardware report")
    if answers.ram_bytes and answers.ram_bytes == device.ram_bytes:
        form.ram_gb.description = said
    if answers.battery_health_pct is not None and answers.battery_health_pct == device.battery_health_pct:
        form.battery_health_pct.description = said
    if not answers.drives:
        form.no_storage.description = _("The hardware report found no drive in this machine.")
    return {check for check, result in answers.checks.items() if form[f"check_{check}"].data == result}


@bp.route("/devices/<tag>/diagnosis", methods=["GET", "POST"])
@permission_required("device.work")
def diagnosis(tag: str):
    """Record a diagnosis: checklist, faults, grade and specs.

    The checklist starts unanswered but for what the latest lshw report answers; « Everything works » sets every
    other point to OK (in the page with its script, else by showing the page again), then the exceptions are
    changed. Points left unanswered are not recorded.
    """
    device = _device(tag)
    form = DiagnosisForm(obj=device)
    answers = report_answers(device)
    all_ok = request.method == "POST" and "all_ok" in request.form
    if request.method == "GET":
        previous = device.diagnosis
        form.grade.data = device.grade.value if device.grade else ""
        form.ram_gb.data = f"{device.ram_bytes / 1024 ** 3:g}" if device.ram_bytes else ""
        answered = previous.checks if previous else {}
        if previous:
            form.faults.data = previous.faults
        for check in Check:
            form[f"check_{check.value}"].data = answered.get(check.value) or (answers.checks.get(check.value)
                                                                                if answers else None)
    elif all_ok:
        from_report = _report_marks(form, device, answers)
        for check in Check:
            if check.value not in from_report:
                form[f"check_{check.value}"].data = CheckResult.OK.value
    elif form.validate_on_submit():
        checks = {check.value: value for check in Check if (value := form[f"check_{check.value}"].data)}
        specs = {name: form[name].data for name in ("cpu", "ram_gb", "screen_inches", "os_name",
                                                    "battery_health_pct")}
        with refusal_on_form(form):
            record_diagnosis(device, by=current_user, checks=checks, faults=form.faults.data, grade=form.grade.data,
                             specs=specs, notes=form.notes.data, no_storage=form.no_storage.data)
            done = _done(device, _("Diagnosis recorded."))
            unanswered = [str(CHECK_LABELS[check]) for check in Check if check.value not in checks]
            if unanswered:
                flash(_("Points of the checklist not answered, so not recorded: %(points)s.",
                        points=", ".join(unanswered)), "warning")
            return done
    from_report = _report_marks(form, device, answers)
    return render_template("inventory/diagnosis.html", device=device, form=form, checks=list(Check),
                           answers=answers, from_report=from_report, all_ok_done=all_ok), form_status(form)


@bp.route("/devices/<tag>/hardware-report", methods=["POST"])
@permission_required("device.work")
def hardware_report(tag: str):
    """Import an lshw or smartctl JSON report; one of another machine is refused until confirmed."""
    device = _device(tag)
    form = HardwareReportForm()
    if not form.validate_on_submit():
        flash(_("Choose the report file (lshw -json or smartctl --json)."), "error")
        return _back(device, "reports")
    try:
        summary = apply_hardware_report(device, form.file.data.read(), by=current_user,
                                        confirm_serial=form.confirm_serial.data,
                                        distinct_drives=form.distinct_drives.data)
    except ReportMismatch as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("inventory.device", tag=device.tag, confirm=error.details["confirm"]) + "#reports")
    except DomainError as error:
        return _refused(device, error, "reports")
    failing = [d["serial"] for d in summary["drives"] if d["failing"]]
    if failing:
        flash(_("SMART says these drives are failing: %(serials)s. Do not reuse them.",
                serials=", ".join(str(s) for s in failing)), "warning")
    return _done(device, ngettext("%(kind)s report imported: %(num)d drive recognised.",
                                  "%(kind)s report imported: %(num)d drives recognised.", len(summary["drives"]),
                                  kind=summary["kind"]), "reports")


def _erasure_upload(form: ErasureLogForm) -> tuple[bytes, str] | None:
    """Return the log's bytes and file name: the file chosen, or the one sent back once confirmed."""
    if form.file.data:
        return form.file.data.read(), form.file.data.filename or ""
    try:
        return base64.b64decode(form.content.data or "", validate=True) or None, form.filename.data or ""
    except binascii.Error:
        return None


@bp.route("/devices/<tag>/erasure-log", methods=["POST"])
@permission_required("device.work")
def erasure_log(tag: str):
    """Import an nwipe log: a record for each drive it truly describes; a log without serial is confirmed first."""
    device = _device(tag)
    form = ErasureLogForm()
    upload = _erasure_upload(form) if form.validate_on_submit() else None
    if upload is None:
        flash(_("Choose the nwipe log file."), "error")
        return _back(device, "drives")
    data, filename = upload
    try:
        result = import_erasure_log(device, data, by=current_user, filename=filename,
                                    confirm_anonymised=form.confirm_anonymised.data == "1")
    except AnonymisedMatch as error:
        db.session.rollback()
        confirm = ErasureLogForm(formdata=None, content=base64.b64encode(data).decode(), filename=filename,
                                 confirm_anonymised="1")
        return render_template("inventory/erasure_confirm.html", device=device, form=confirm,
                               proposed=error.details["proposed"])
    except DomainError as error:
        return _refused(device, error, "drives")
    for record in result.records:
        drive = record.drive.serial or record.drive.device_path
        if record.is_passing:
            flash(_("Drive %(drive)s: erased and verified (%(method)s).", drive=drive, method=record.method),
                  "success")
        elif record.proves_erasure:
            flash(_("Drive %(drive)s: erased and verified (%(method)s); another person must now validate it.",
                    drive=drive, method=record.method), "success")
        else:
            flash(_("Drive %(drive)s: this wipe does not prove the data is gone (%(result)s, verification: "
                    "%(verification)s).", drive=drive,
                    result=_("success") if record.result.value == "success" else _("failed"),
                    verification=VERIFICATION_LABELS[record.verification]), "warning")
    for wiped in result.unmatched:
        flash(_("The log also mentions %(drive)s, which is not a drive of this device: ignored.",
                drive=wiped.serial or wiped.device_path), "warning")
    return _back(device, "drives")


def _drive_record(tag: str, drive_id: int, form, save, title: str, done: str):
    """Show a drive's record form, and save it with ``save(drive, form)``."""
    device = _device(tag)
    drive = _drive(device, drive_id)
    if form.validate_on_submit():
        with refusal_on_form(form):
            save(drive, form)
            return _done(device, done, "drives")
    return render_template("inventory/drive_form.html", device=device, drive=drive, form=form,
                           title=title), form_status(form)


@bp.route("/devices/<tag>/drives/<id:drive_id>/secure-erase", methods=["GET", "POST"])
@permission_required("device.work")
def secure_erase(tag: str, drive_id: int):
    """Record an hdparm or nvme-cli secure erase."""
    return _drive_record(tag, drive_id, SecureEraseForm(), lambda drive, form: record_secure_erase(
        drive, by=current_user, tool=form.tool.data, technique=form.technique.data, method=form.method.data,
        verification=form.verification.data, result=form.result.data, notes=form.notes.data),
        _("Record a secure erase"), _("Secure erase recorded."))


@bp.route("/devices/<tag>/drives/<id:drive_id>/destruction", methods=["GET", "POST"])
@permission_required("device.work")
def destruction(tag: str, drive_id: int):
    """Record the physical destruction of a drive."""
    return _drive_record(tag, drive_id, DestructionForm(), lambda drive, form: record_destruction(
        drive, by=current_user, method=form.method.data, on=form.on.data, witness=form.witness.data,
        notes=form.notes.data), _("Record a destruction"), _("Destruction recorded; the drive is out of the device."))


@bp.route("/devices/<tag>/drives/<id:drive_id>/remove", methods=["POST"])
@permission_required("device.work")
def remove(tag: str, drive_id: int):
    """Take a drive out of the device."""
    device = _device(tag)
    try:
        remove_drive(_drive(device, drive_id), by=current_user)
    except DomainError as error:
        return _refused(device, error, "drives")
    return _done(device, _("Drive taken out; it stays traceable to its collection."), "drives")


@bp.route("/devices/<tag>/sanitizations/<id:record_id>/validate", methods=["POST"])
@permission_required("sanitization.validate")
def validate(tag: str, record_id: int):
    """Validate a sanitization, as the workshop's supervisor."""
    device = _device(tag, "sanitization.validate")
    record = db.session.get(Sanitization, record_id)
    if record is None or record.device_id != device.id:
        return _back(device, "drives")
    try:
        validate_sanitization(record, by=current_user)
    except DomainError as error:
        return _refused(device, error, "drives")
    return _done(device, _("Sanitization validated."), "drives")


@bp.route("/devices/<tag>/repairs", methods=["GET", "POST"])
@permission_required("device.work")
def repair(tag: str):
    """Open or record a repair."""
    device = _device(tag)
    form = RepairForm()
    if form.validate_on_submit():
        with refusal_on_form(form):
            record_repair(device, by=current_user, problem=form.problem.data, fault_type=form.fault_type.data,
                          actions=form.actions.data, minutes_spent=form.minutes_spent.data, status=form.status.data,
                          barrier=form.barrier.data, parts_used=form.parts_used.data)
            return _done(device, _("Repair recorded."), "repairs")
    return render_template("inventory/repair_form.html", device=device, form=form, repair=None), form_status(form)


@bp.route("/devices/<tag>/repairs/<id:repair_id>", methods=["GET", "POST"])
@permission_required("device.work")
def close(tag: str, repair_id: int):
    """Close an open repair."""
    device = _device(tag)
    repair = db.session.get(Repair, repair_id)
    if repair is None or repair.device_id != device.id:
        return _back(device, "repairs")
    form = CloseRepairForm()
    if form.validate_on_submit():
        try:
            close_repair(repair, by=current_user, status=form.status.data, barrier=form.barrier.data,
                         actions=form.actions.data, minutes_spent=form.minutes_spent.data)
        except DomainError as error:
            db.session.rollback()
            if isinstance(error, ValidationFailed):
                show_errors(form, error)
            else:
                flash(error.message, "error")
        else:
            return _done(device, _("Repair closed."), "repairs")
    return render_template("inventory/repair_form.html", device=device, form=form, repair=repair), form_status(form)


@bp.route("/devices/<tag>/transition", methods=["POST"])
@permission_required("device.work")
def transition(tag: str):
    """Move the device to another state, or explain why it cannot."""
    device = _device(tag)
    try:
        to = parse_state(request.form.get("to", ""))
        transition_device(device, to, by=current_user, reason=request.form.get("reason", "")[:500])
    except DomainError as error:
        return _refused(device, error)
    return _done(device, _("%(tag)s is now « %(state)s ».", tag=device.tag, state=STATE_LABELS[device.state]))


@bp.route("/devices/<tag>/exit/<kind>", methods=["GET", "POST"])
@permission_required("device.work")
def exit_device(tag: str, kind: str):
    """Harvest a device for parts, or hand it to the WEEE channel."""
    if kind not in ("harvested", "recycled"):
        abort(404)
    device = _device(tag)
    if kind == "harvested":
        return redirect(url_for("parts.harvest", tag=device.tag))
    to = parse_state(kind)
    form = ExitForm()
    if form.validate_on_submit():
        try:
            transition_device(device, to, by=current_user, parts=(form.parts.data or "").splitlines(),
                              weight_kg=form.weight_kg.data, slip_number=form.slip_number.data, on=form.on.data,
                              notes=form.notes.data)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            return _done(device, _("Exit recorded."))
    return render_template("inventory/exit_form.html", device=device, form=form, kind=to.value), form_status(form)


@bp.route("/devices/<tag>/move", methods=["POST"])
@permission_required("device.work")
def move(tag: str):
    """Put the device at the location whose code was scanned."""
    device = _device(tag)
    location = find_location(request.form.get("location"), device.workshop_id)
    if location is None:
        flash(_("No location of the workshop has the code « %(code)s ».",
                code=normalise_code(request.form.get("location")) or ""), "error")
        return _back(device)
    move_device(device, location, by=current_user)
    return _done(device, _("%(tag)s is now at %(location)s.", tag=device.tag, location=location.name))
