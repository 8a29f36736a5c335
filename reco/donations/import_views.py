"""Importing a donor's inventory: upload, preview with column mapping, all-or-nothing import."""
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import delete

from reco.core.errors import DomainError, ValidationFailed
from reco.core.forms import form_status
from reco.core.permissions import load_allowed, permission_required
from reco.core.time import utcnow
from reco.donations import bp
from reco.donations.columns import column_letter, updated_memory
from reco.donations.declared import AlreadyImported, prior_imports, reimport_of
from reco.donations.forms import ImportConfirmForm, ImportUploadForm
from reco.donations.inventory_import import (
    FIELD_LABELS,
    FIELDS,
    IGNORE,
    InventoryFileError,
    guess_field,
    parse_inventory,
)
from reco.donations.models import Donation, ImportDraft
from reco.donations.services import import_declared_items
from reco.extensions import db

DRAFT_LIFETIME = timedelta(days=1)


def _donation(donation_id: int) -> Donation:
    """Load a donation the user may import into."""
    return load_allowed(Donation, donation_id, "donation.manage", "donation.view")


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


def _line_number(text: str | None) -> int | None:
    """Return the header line chosen on the preview, None when none or not a number."""
    return int(text) if text and text.isdigit() and len(text) < 6 else None


def _refuse_import(form: ImportConfirmForm, parsed, error: DomainError | None = None) -> None:
    """Say on the preview why the import was refused, next to what the person can change."""
    if error is None:
        if not parsed.unknown_columns and not parsed.errors:
            form.form_errors.append(_("The header line changed: check what its columns hold, then import."))
        elif parsed.unknown_columns:
            form.form_errors.append(_("Say what each column holds, or choose « Do not import », then check again: "
                                      "nothing was imported."))
        else:
            form.form_errors.append(_("The file has errors: nothing was imported. Correct the lines listed below "
                                      "and send the file again."))
    elif isinstance(error, AlreadyImported):
        form.allow_reimport.errors = [error.message + " " + _("Tick the box to import these lines again.")]
    elif parsed.duplicates and not form.allow_duplicates.data:
        form.allow_duplicates.errors = [_("Some serial numbers appear several times: tick the box to import "
                                          "them anyway, or send a corrected file.")]
    else:
        form.form_errors.append(error.message)


@bp.route("/donations/<id:donation_id>/import/<id:draft_id>", methods=["GET", "POST"])
@permission_required("donation.manage")
def import_preview(donation_id: int, draft_id: int):
    """Show what the file holds, let the user choose the header line and map columns, and import everything or
    nothing. The columns chosen are remembered for the donor's next lists."""
    donation = _donation(donation_id)
    draft = db.session.get(ImportDraft, draft_id)
    if draft is None or draft.donation_id != donation.id or draft.user_id != current_user.id:
        flash(_("This import is no longer available: send the file again."), "error")
        return redirect(url_for("donations.import_upload", donation_id=donation.id))
    donor = donation.donor
    parsed = parse_inventory(draft.data, draft.filename, header_line=_line_number(request.form.get("header_line")),
                             remembered=donor.import_columns)
    same_header = request.form.get("header_was", str(parsed.header_line)) == str(parsed.header_line)
    mapping = _mapping_from(request.form, parsed.headers) if same_header else None
    if mapping is not None:
        parsed = parse_inventory(draft.data, draft.filename, mapping, header_line=parsed.header_line,
                                 remembered=donor.import_columns)
        memory = updated_memory(donor.import_columns, parsed.headers, mapping, guess_field)
        if memory != (donor.import_columns or {}):
            donor.import_columns = memory
    form = ImportConfirmForm()
    importing = request.method == "POST" and request.form.get("action") == "import"
    ready = not parsed.errors and not parsed.unknown_columns
    refused = False
    if importing and form.validate_on_submit():
        if not ready or mapping is None:
            refused = True
            _refuse_import(form, parsed)
        else:
            try:
                count = import_declared_items(donation, parsed, by=current_user,
                                              allow_duplicates=form.allow_duplicates.data,
                                              allow_reimport=form.allow_reimport.data)
            except (ValidationFailed, DomainError) as error:
                db.session.rollback()
                refused = True
                _refuse_import(form, parsed, error)
            else:
                db.session.delete(draft)
                flash(ngettext("%(num)d line imported from %(file)s.", "%(num)d lines imported from %(file)s.",
                               count, file=draft.filename), "success")
                return redirect(url_for("donations.donation", donation_id=donation.id))
    elif importing:
        refused = True
    reimport = reimport_of(donation, parsed, prior_imports(donation)) if ready else None
    return render_template("donations/import_preview.html", donation=donation, draft=draft, parsed=parsed,
                           reimport=reimport, form=form, field_labels=FIELD_LABELS, fields=FIELDS,
                           ignore=IGNORE, column_letter=column_letter), 422 if refused else 200
