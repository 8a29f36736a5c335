"""A device's « Correct » page: fix its identity, void it, or merge a duplicate intake into it."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from reco.core.forms import form_status, refusal_on_form
from reco.core.permissions import acting_user, can, permission_required, require
from reco.inventory import bp
from reco.inventory.correction_forms import FIELD_LABELS, CorrectionForm, MergeForm, VoidForm
from reco.inventory.corrections import CORRECTABLE, correct_device, merge_devices, plan_merge, void_device
from reco.inventory.intake import workshop_device
from reco.inventory.models import Device


def _device(tag: str, action: str) -> Device:
    """Load a device of the user's workshop by its tag, or stop with 404/403."""
    device = workshop_device(tag, acting_user().structure_id)
    if device is None:
        abort(404)
    require(action, device)
    return device


def _page(device: Device, *, correction=None, void=None, merge=None, plan=None, status: int = 200):
    """Show the page with its three forms, those not sent prefilled."""
    if correction is None:
        correction = CorrectionForm(formdata=None, obj=device)
    return render_template(
        "inventory/correct.html", device=device, form=correction, plan=plan, field_labels=FIELD_LABELS,
        void_form=void or VoidForm(formdata=None, prefix="void"),
        merge_form=merge or MergeForm(formdata=None, prefix="merge")), status


@bp.route("/devices/<tag>/correct", methods=["GET", "POST"])
@permission_required("device.correct")
def correct(tag: str):
    """Correct the type, brand, model, serial or donor's tag recorded at intake."""
    device = _device(tag, "device.correct")
    form = CorrectionForm(obj=device) if request.method == "POST" else None
    if form is not None and form.validate_on_submit():
        with refusal_on_form(form):
            corrected = correct_device(device, {name: form[name].data for name in CORRECTABLE}, by=acting_user())
            flash(_("Corrected: %(fields)s.", fields=", ".join(str(form[name].label.text)
                                                                for name in corrected.changes)), "success")
            for warning in corrected.warnings:
                flash(warning, "warning")
            return redirect(url_for("inventory.device", tag=device.tag))
    return _page(device, correction=form, status=form_status(form) if form is not None else 200)


@bp.route("/devices/<tag>/void", methods=["POST"])
@permission_required("device.void")
def void(tag: str):
    """Void a device received by mistake."""
    device = _device(tag, "device.void")
    form = VoidForm(prefix="void")
    if form.validate_on_submit():
        with refusal_on_form(form):
            void_device(device, by=acting_user(), reason=form.reason.data)
            flash(_("%(tag)s is voided: it keeps its tag and history, and counts nowhere.", tag=device.tag),
                  "success")
            return redirect(url_for("inventory.device", tag=device.tag))
    return _page(device, void=form, status=form_status(form))


@bp.route("/devices/<tag>/merge", methods=["POST"])
@permission_required("device.merge")
def merge(tag: str):
    """Show what merging another device with this one would do, then merge them once confirmed."""
    device = _device(tag, "device.merge")
    form = MergeForm(prefix="merge")
    plan = None
    if form.validate_on_submit():
        other = workshop_device(form.other.data, device.workshop_id)
        if other is None or not can(acting_user(), "device.merge", other):
            form.other.errors.append(_("No device of your workshop has this tag."))
            return _page(device, merge=form, status=422)
        kept, merged = (device, other) if form.keep.data == "this" else (other, device)
        if not form.confirm.data:
            plan = plan_merge(kept, merged)
            return _page(device, merge=form, plan=plan, status=422 if plan.problems else 200)
        with refusal_on_form(form):
            merge_devices(kept, merged, by=acting_user())
            flash(_("%(other)s is merged into %(kept)s.", other=merged.tag, kept=kept.tag), "success")
            return redirect(url_for("inventory.device", tag=kept.tag))
    return _page(device, merge=form, plan=plan, status=form_status(form))
