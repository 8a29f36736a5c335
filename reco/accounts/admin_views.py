"""Administration of structures and users by the network coordinator."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from reco.accounts import bp
from reco.accounts.forms import StructureForm, UserForm
from reco.accounts.models import Role, Structure, StructureKind, User
from reco.accounts.services import (
    create_structure,
    create_user,
    reset_password,
    set_user_active,
    update_structure,
    update_user,
)
from reco.communes.forms import communes_offered
from reco.core.audit import events_for
from reco.core.errors import ValidationFailed
from reco.core.forms import form_status, show_errors
from reco.core.inputs import arg_id
from reco.core.pagination import paginate
from reco.core.permissions import can, permission_required, require
from reco.extensions import db

STRUCTURE_FORM_FIELDS = ("name", "address", "postcode", "phone", "commune", "insee_code", "siret", "tag_prefix", "sanitization_needs_validation",
                         "min_ram_gb", "min_storage_gb", "warranty_months", "support_contact",
                         "prescribers_request_visits")


def _structure_form(structure: Structure | None = None) -> StructureForm:
    """Return the structure form with the workshops and installers offered as usual partners."""
    form = StructureForm(obj=structure)
    for name, kind in (("usual_workshop_id", Structure.is_workshop), ("usual_installer_id", Structure.is_installer)):
        kept = getattr(structure, name, None)  # a deactivated partner stays until someone changes it
        partners = db.session.scalars(select(Structure).where(kind.is_(True), or_(Structure.active.is_(True),
                                                                                  Structure.id == kept))
                                      .order_by(Structure.name))
        form[name].choices = [SelectChoice(0, "—")] + [SelectChoice(s.id, s.name) for s in partners]
        if structure is not None and request.method == "GET":
            form[name].data = getattr(structure, name) or 0
    return form


def _structure_changes(form: StructureForm) -> dict:
    """Return the structure fields from the submitted form."""
    usual = {name: db.session.get(Structure, form[f"{name}_id"].data) if form[f"{name}_id"].data else None
             for name in ("usual_workshop", "usual_installer")}
    return ({"kinds": form.kinds.data} | usual | {f: form[f].data for f in STRUCTURE_FORM_FIELDS}
            | {"insee_code": "", "commune_choice": form.insee_code.data or ""})


@bp.route("/admin/structures")
@permission_required("structure.manage")
def structures():
    """List the structures, filtered by name, commune or kind."""
    query = select(Structure).order_by(Structure.name)
    text = request.args.get("q", "").strip()[:100]
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Structure.name).like(like), func.lower(Structure.commune).like(like),
                                Structure.insee_code == text.upper()))
    kind = request.args.get("kind", "")
    if kind in {k.value for k in StructureKind}:
        query = query.where(getattr(Structure, f"is_{kind}").is_(True))
    return render_template("accounts/structures.html", page=paginate(query), q=text, kind=kind,
                           kinds=list(StructureKind))


@bp.route("/admin/structures/new", methods=["GET", "POST"])
@permission_required("structure.manage")
def new_structure():
    """Create a structure."""
    form = _structure_form()
    if form.validate_on_submit():
        try:
            with communes_offered(form.insee_code):
                structure = create_structure(by=current_user, **_structure_changes(form))
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("Structure %(name)s created.", name=structure.name), "success")
            return redirect(url_for("accounts.structure", structure_id=structure.id))
    return render_template("accounts/structure_form.html", form=form, structure=None), form_status(form)


@bp.route("/structures/<id:structure_id>")
@permission_required("structure.view")
def structure(structure_id: int):
    """Show a structure, its members and (for the coordinator) its history."""
    structure = db.get_or_404(Structure, structure_id)
    require("structure.view", structure)
    history = events_for(structure) if can(current_user, "structure.manage") else []
    return render_template("accounts/structure.html", structure=structure, history=history)


@bp.route("/admin/structures/<id:structure_id>/edit", methods=["GET", "POST"])
@permission_required("structure.manage")
def edit_structure(structure_id: int):
    """Edit a structure."""
    structure = db.get_or_404(Structure, structure_id)
    form = _structure_form(structure)
    if request.method == "GET":
        form.kinds.data = sorted(k.value for k in structure.kinds)
    if form.validate_on_submit():
        try:
            with communes_offered(form.insee_code):
                update_structure(structure, by=current_user, **_structure_changes(form))
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            flash(_("Structure %(name)s saved.", name=structure.name), "success")
            return redirect(url_for("accounts.structure", structure_id=structure.id))
    return render_template("accounts/structure_form.html", form=form, structure=structure), form_status(form)


@bp.route("/admin/users")
@permission_required("user.manage")
def users():
    """List the accounts, filtered by name or email, role, structure and status."""
    query = select(User).join(User.structure).order_by(User.name)
    text = request.args.get("q", "").strip()[:100]
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    structure_id = arg_id("structure")
    if structure_id:
        query = query.where(User.structure_id == structure_id)
    status = request.args.get("status", "active")
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    return render_template("accounts/users.html", page=paginate(query), q=text, role=role, status=status,
                           structure_id=structure_id, structures=_all_structures())


def _all_structures() -> list[Structure]:
    """Return every structure, by name."""
    return list(db.session.scalars(select(Structure).order_by(Structure.name)))


def _user_form(user: User | None = None) -> UserForm:
    """Build the user form with the structures to choose from."""
    form = UserForm(obj=user)
    form.structure_id.choices = [SelectChoice(s.id, s.name) for s in _all_structures()]
    if user is not None and request.method == "GET":
        form.role.data = user.role.value
        form.locale.data = user.locale or ""
    return form


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required("user.manage")
def new_user():
    """Create an account."""
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = create_user(by=current_user, email=form.email.data, name=form.name.data,
                               structure=db.session.get(Structure, form.structure_id.data),
                               role=form.role.data, locale=form.locale.data, password=form.password.data or "")
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            flash(_("Account of %(name)s created.", name=user.name), "success")
            return redirect(url_for("accounts.user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=None), form_status(form)


@bp.route("/admin/users/<id:user_id>")
@permission_required("user.manage")
def user(user_id: int):
    """Show an account and its history."""
    user = db.get_or_404(User, user_id)
    return render_template("accounts/user.html", user=user, history=events_for(user))


@bp.route("/admin/users/<id:user_id>/edit", methods=["GET", "POST"])
@permission_required("user.manage")
def edit_user(user_id: int):
    """Edit an account, and set a new password for someone who forgot theirs."""
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    form.password.label.text = _("New password (leave empty to keep the current one)")
    if form.validate_on_submit():
        try:
            update_user(user, by=current_user, email=form.email.data, name=form.name.data,
                        structure=db.session.get(Structure, form.structure_id.data),
                        role=form.role.data, locale=form.locale.data)
            if form.password.data:
                reset_password(user, form.password.data, by=current_user)
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            flash(_("Account of %(name)s saved.", name=user.name), "success")
            return redirect(url_for("accounts.user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=user), form_status(form)


@bp.route("/admin/users/<id:user_id>/active", methods=["POST"])
@permission_required("user.manage")
def set_active(user_id: int):
    """Deactivate or reactivate an account."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        set_user_active(user, active, by=current_user)
    except ValidationFailed as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.user", user_id=user.id))
    flash(_("Account reactivated.") if active else _("Account deactivated: this person can no longer log in."),
          "success")
    return redirect(url_for("accounts.user", user_id=user.id))
