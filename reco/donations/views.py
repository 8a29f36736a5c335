"""Pages for donors and donations."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select

from reco.core.audit import events_for
from reco.core.documents import Document, documents_about
from reco.core.errors import DomainError
from reco.core.forms import flash_form_errors, form_status, refusal_on_form
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import paginate
from reco.core.permissions import load_allowed, permission_required, scoped
from reco.donations import bp
from reco.donations.declared import delete_declared_items, line_ranges
from reco.donations.forms import DeleteLinesForm, DonationForm, DonorForm
from reco.donations.models import Donation, DonationStatus, Donor, DonorKind
from reco.donations.pdf import issue_collection_receipt, issue_donation_attestation
from reco.donations.services import (
    DONATION_FIELDS,
    DONATION_LIFECYCLE,
    DONOR_FIELDS,
    create_donation,
    create_donor,
    declared_vs_received,
    set_donation_status,
    update_donation,
    update_donor,
)
from reco.donations.vocabulary import KIND_LABELS, STATUS_LABELS
from reco.extensions import db
from reco.inventory.models import DeviceType
from reco.reports.donor_report import issue_donor_report

add_nav_entry(NavEntry("donations.donations", _l("Collections"), "donation.view",
                       _l("Plan collections, import the donor's list, receive the machines."), 10))
add_nav_entry(NavEntry("donations.donors", _l("Donors"), "donor.view",
                       _l("Companies, public bodies and people who give equipment."), 30))

ISSUERS = {"collection_receipt": issue_collection_receipt, "donation_attestation": issue_donation_attestation,
           "donor_report": issue_donor_report}


@bp.app_context_processor
def donation_labels():
    """Give templates the names of donor kinds and donation statuses."""
    return {"donor_kind_labels": KIND_LABELS, "donation_status_labels": STATUS_LABELS}


@bp.route("/donors")
@permission_required("donor.view")
def donors():
    """List the workshop's donors, searched by name, SIREN or city."""
    query = scoped(select(Donor), "donor.view").order_by(Donor.name)
    text = request.args.get("q", "").strip()[:100]
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Donor.name).like(like), func.lower(Donor.city).like(like),
                                Donor.siren == text.replace(" ", "")[:9]))
    kind = request.args.get("kind", "")
    if kind in {k.value for k in DonorKind}:
        query = query.where(Donor.kind == DonorKind(kind))
    return render_template("donations/donors.html", page=paginate(query), q=text, kind=kind)


@bp.route("/donors/new", methods=["GET", "POST"])
@permission_required("donor.manage")
def new_donor():
    """Create a donor."""
    form = DonorForm()
    if form.validate_on_submit():
        with refusal_on_form(form):
            donor = create_donor(by=current_user, workshop=current_user.structure,
                                 **{f: form[f].data for f in DONOR_FIELDS})
            flash(_("Donor %(name)s created.", name=donor.name), "success")
            return redirect(url_for("donations.donor", donor_id=donor.id))
    return render_template("donations/donor_form.html", form=form, donor=None), form_status(form)


def _donor(donor_id: int, action: str) -> Donor:
    """Load a donor the user may act on."""
    return load_allowed(Donor, donor_id, action, "donor.view")


@bp.route("/donors/<id:donor_id>")
@permission_required("donor.view")
def donor(donor_id: int):
    """Show a donor and their donations."""
    donor = _donor(donor_id, "donor.view")
    return render_template("donations/donor.html", donor=donor, history=events_for(donor))


@bp.route("/donors/<id:donor_id>/edit", methods=["GET", "POST"])
@permission_required("donor.manage")
def edit_donor(donor_id: int):
    """Edit a donor."""
    donor = _donor(donor_id, "donor.manage")
    form = DonorForm(obj=donor)
    if request.method == "GET":
        form.kind.data = donor.kind.value
        form.company_number.data = donor.siret or donor.siren or ""
    if form.validate_on_submit():
        with refusal_on_form(form):
            update_donor(donor, by=current_user, **{f: form[f].data for f in DONOR_FIELDS})
            flash(_("Donor %(name)s saved.", name=donor.name), "success")
            return redirect(url_for("donations.donor", donor_id=donor.id))
    return render_template("donations/donor_form.html", form=form, donor=donor), form_status(form)


@bp.route("/donations")
@permission_required("donation.view")
def donations():
    """List the workshop's collections, filtered by status or donor."""
    query = scoped(select(Donation).join(Donation.donor), "donation.view").order_by(Donation.id.desc())
    status = request.args.get("status", "open")
    if status == "open":
        query = query.where(Donation.status != DonationStatus.CLOSED)
    elif status in {s.value for s in DonationStatus}:
        query = query.where(Donation.status == DonationStatus(status))
    text = request.args.get("q", "").strip()[:100]
    if text:
        query = query.where(func.lower(Donor.name).like(f"%{text.lower()}%"))
    return render_template("donations/donations.html", page=paginate(query), status=status, q=text)


def _counts(form) -> dict:
    """Return the declared counts typed in a donation form."""
    return {kind.value: form[f"count_{kind.value}"].data or 0 for kind in DeviceType}


@bp.route("/donors/<id:donor_id>/donations/new", methods=["GET", "POST"])
@permission_required("donation.manage")
def new_donation(donor_id: int):
    """Plan a collection from a donor."""
    donor = _donor(donor_id, "donor.manage")
    form = DonationForm()
    if request.method == "GET" and donor.address:
        form.pickup_address.data = " ".join(p for p in (donor.address, donor.postcode, donor.city) if p)
    if form.validate_on_submit():
        with refusal_on_form(form):
            donation = create_donation(by=current_user, donor=donor, declared_counts=_counts(form),
                                       **{f: form[f].data for f in DONATION_FIELDS})
            flash(_("Collection %(ref)s planned.", ref=donation.reference), "success")
            return redirect(url_for("donations.donation", donation_id=donation.id))
    return render_template("donations/donation_form.html", form=form, donor=donor, donation=None), form_status(form)


def _donation(donation_id: int, action: str) -> Donation:
    """Load a donation the user may act on."""
    return load_allowed(Donation, donation_id, action, "donation.view")


@bp.route("/donations/<id:donation_id>")
@permission_required("donation.view")
def donation(donation_id: int):
    """Show a collection: declared against received, devices, documents and history."""
    donation = _donation(donation_id, "donation.view")
    return render_template("donations/donation.html", donation=donation, summary=declared_vs_received(donation),
                           delete_form=DeleteLinesForm(), documents=documents_about(donation),
                           history=events_for(donation), moves=DONATION_LIFECYCLE.offered(donation, current_user))


@bp.route("/donations/<id:donation_id>/edit", methods=["GET", "POST"])
@permission_required("donation.manage")
def edit_donation(donation_id: int):
    """Edit a collection."""
    donation = _donation(donation_id, "donation.manage")
    form = DonationForm(obj=donation)
    if request.method == "GET":
        for count in donation.declared_counts:
            form[f"count_{count.device_type.value}"].data = count.quantity
    if form.validate_on_submit():
        with refusal_on_form(form):
            update_donation(donation, by=current_user, declared_counts=_counts(form),
                            **{f: form[f].data for f in DONATION_FIELDS})
            flash(_("Collection %(ref)s saved.", ref=donation.reference), "success")
            return redirect(url_for("donations.donation", donation_id=donation.id))
    return render_template("donations/donation_form.html", form=form, donor=donation.donor,
                           donation=donation), form_status(form)


@bp.route("/donations/<id:donation_id>/status", methods=["POST"])
@permission_required("donation.manage")
def donation_status(donation_id: int):
    """Move a collection to its next status, or explain why not."""
    donation = _donation(donation_id, "donation.manage")
    try:
        set_donation_status(donation, request.form.get("to", ""), by=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Collection %(ref)s is now « %(status)s ».", ref=donation.reference,
                status=STATUS_LABELS[donation.status]), "success")
    return redirect(url_for("donations.donation", donation_id=donation_id))


@bp.route("/donations/<id:donation_id>/declared-items/delete", methods=["POST"])
@permission_required("donation.manage")
def delete_declared_lines(donation_id: int):
    """Delete lines of the donor's list that no device uses: the one whose button was pressed, or those ticked."""
    donation = _donation(donation_id, "donation.manage")
    form = DeleteLinesForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("donations.donation", donation_id=donation.id))
    chosen = [form.line.data] if form.line.data is not None else form.lines.data or []
    try:
        deleted = delete_declared_items(donation, chosen, by=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(ngettext("Line %(lines)s of the donor's list deleted.", "Lines %(lines)s of the donor's list deleted.",
                       len(deleted), lines=line_ranges(deleted)), "success")
    return redirect(url_for("donations.donation", donation_id=donation.id))


@bp.route("/donations/<id:donation_id>/documents/<kind>", methods=["POST"])
@permission_required("document.issue")
def issue_document(donation_id: int, kind: str):
    """Issue a collection receipt or a donation attestation, then download it."""
    donation = _donation(donation_id, "document.issue")
    if kind not in ISSUERS:
        abort(404)
    document = ISSUERS[kind](donation, by=current_user)
    flash(_("Document %(number)s issued.", number=document.number), "success")
    return redirect(url_for("donations.donation", donation_id=donation.id, issued=document.id))


@bp.route("/documents/<id:document_id>.pdf")
@permission_required("document.view")
def document_pdf(document_id: int):
    """Download an issued document as it was printed."""
    document = load_allowed(Document, document_id, "document.view", "document.view")
    if document.object_type != "donation":
        abort(404)
    return send_file(io.BytesIO(document.pdf), mimetype="application/pdf",
                     download_name=f"{document.number}.pdf", as_attachment=False)
