"""Importing a donor's inventory: upload, preview with column mapping, all-or-nothing import."""
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import delete

from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import form_status
from reco.core.permissions import permission_required, require
from reco.core.time import utcnow
from reco.donations import bp
from reco.donations.declared import prior_imports, reimport_of
from reco.donations.forms import ImportConfirmForm, ImportUploadForm
from reco.donations.inventory_import import FIELD_LABELS, FIELDS, IGNORE, InventoryFileError, parse_inventory
from reco.donations.models import Donation, ImportDraft
from reco.donations.services import import_declared_items
from reco.extensions import db

DRAFT_LIFETIME = timedelta(days=1)


def _donation(donation_id: int) -> Donation:
    """Load a donation the user may import into."""
    donation = db.get_or_404(Donation, donation_id)
    require("donation.manage", donation)
    return donation


@bp.route("/donations/<id:donation_id>/import", methods=["GET", "POST"])
@permission_required("donation.manage")
def import_upload(donation_id: int):
    """Receive the donor's file and open its preview."""
    donation = _donation(donation_id)
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        try:
            parse_inventory(data, upload.filename or "")
        except InventoryFileError as error:
            form.file.errors.append(str(error))
        else:
            db.session.execute(delete(ImportDraft).where(ImportDraft.created_at < utcnow() - DRAFT_LIFETIME))
            draft = ImportDraft(donation_id=donation.id, user_id=current_user.id,
                                filename=(upload.filename or "")[:200], data=data)
            db.session.add(draft)
            db.session.flush()
            return redirect(url_for("donations.import_preview", donation_id=donation.id, draft_id=draft.id))
    return render_template("donations/import_upload.html", form=form, donation=donation), form_status(form)


def _mapping_from(request_form, headers) -> list[str] | None:
    """Return the column mapping chosen on the preview page, if it was sent."""
    if "column-0" not in request_form:
        return None
    allowed = set(FIELDS) | {IGNORE, ""}
    return [value if (value := request_form.get(f"column-{i}", "")) in allowed else ""
            for i in range(len(headers))]


@bp.route("/donations/<id:donation_id>/import/<id:draft_id>", methods=["GET", "POST"])
@permission_required("donation.manage")
def import_preview(donation_id: int, draft_id: int):
    """Show what the file holds, let the user map columns, and import everything or nothing."""
    donation = _donation(donation_id)
    draft = db.session.get(ImportDraft, draft_id)
    if draft is None or draft.donation_id != donation.id or draft.user_id != current_user.id:
        flash(_("This import is no longer available: send the file again."), "error")
        return redirect(url_for("donations.import_upload", donation_id=donation.id))
    parsed = parse_inventory(draft.data, draft.filename)
    mapping = _mapping_from(request.form, parsed.headers)
    if mapping is not None:
        parsed = parse_inventory(draft.data, draft.filename, mapping)
    form = ImportConfirmForm()
    refused = False
    if request.method == "POST" and request.form.get("action") == "import" and form.validate_on_submit():
        try:
            count = import_declared_items(donation, parsed, by=current_user,
                                          allow_duplicates=form.allow_duplicates.data,
                                          allow_reimport=form.allow_reimport.data)
        except (ValidationFailed, DomainError) as error:
            refused = True
            flash(error.message, "error")
        else:
            db.session.delete(draft)
            flash(ngettext("%(num)d line imported from %(file)s.", "%(num)d lines imported from %(file)s.", count,
                           file=draft.filename), "success")
            return redirect(url_for("donations.donation", donation_id=donation.id))
    ready = not parsed.errors and not parsed.unknown_columns
    reimport = reimport_of(donation, parsed, prior_imports(donation)) if ready else None
    status = 422 if request.method == "POST" and (refused or not ready) else 200
    return render_template("donations/import_preview.html", donation=donation, draft=draft, parsed=parsed,
                           reimport=reimport, form=form, field_labels=FIELD_LABELS, fields=FIELDS,
                           ignore=IGNORE), status
