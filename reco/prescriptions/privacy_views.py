"""Erasure of a household's personal data on request, and the administrator's log of who saw or erased it."""
from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from reco.core.forms import run_small_form
from reco.core.inputs import arg_id
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.pagination import RowPage
from reco.core.permissions import load_allowed, permission_required
from reco.prescriptions import bp
from reco.prescriptions.forms import EraseForm
from reco.prescriptions.models import Prescription
from reco.prescriptions.privacy import (
    RETENTION_REASON,
    erase_personal_data,
    personal_data_accesses,
    prescribing_structures,
)

add_nav_entry(NavEntry("prescriptions.personal_data_log", _l("Personal data"), "privacy.audit",
                       _l("Who saw a household's contact outside the prescribing structure, and what was erased."),
                       92))


@bp.route("/prescriptions/<id:prescription_id>/erase", methods=["POST"])
@permission_required("prescription.erase")
def erase(prescription_id: int):
    """Erase the household's contact, address and comments at its request; the figures stay."""
    prescription = load_allowed(Prescription, prescription_id, "prescription.erase", "prescription.view")
    form = EraseForm()
    run_small_form(form, lambda: erase_personal_data(prescription, by=current_user, ground=form.ground.data,
                                                                requested_on=form.requested_on.data),
                   _("The personal data of household %(code)s were erased.", code=prescription.code))
    return redirect(url_for("prescriptions.prescription", prescription_id=prescription.id))


@bp.route("/admin/personal-data")
@permission_required("privacy.audit")
def personal_data_log():
    """List the accesses to personal data from outside the prescribing structure, and the erasures."""
    structure_id = arg_id("structure")
    page = RowPage(personal_data_accesses(structure_id))
    return render_template("prescriptions/personal_data_log.html", page=page, structures=prescribing_structures(),
                           structure_id=structure_id, retention_reason=RETENTION_REASON)
