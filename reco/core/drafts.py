"""Forms a phone keeps as drafts and sends, maybe more than once, when the network allows: answered in JSON."""
from flask import flash, jsonify, redirect, request
from flask_babel import gettext as _

from reco.core.forms import form_status, refusal_on_form
from reco.core.submissions import AlreadySubmitted

#: Header of the requests that reco/static/drafts.js sends; they get JSON instead of a page.
DRAFT_HEADER = "X-Reco-Draft"


def from_draft() -> bool:
    """Tell whether the phone's script sent the form (it wants JSON) rather than the browser itself."""
    return request.headers.get(DRAFT_HEADER) == "1"


def recorded(message: str, location: str, *, already: bool = False):
    """Answer a form recorded, now or by an earlier sending: the next page with the message, or JSON."""
    flash(message, "success")
    if from_draft():
        return jsonify({"recorded": True, "already": already, "message": message, "location": location})
    return redirect(location)


def record_once(form, action, *, success: str, location: str):
    """Validate the form and run ``action``; return the answer when it is recorded (now or before), else None.

    A refusal is left on the form, as ``refusal_on_form`` does; ``form_page`` or ``refused`` shows it.
    """
    if not form.validate_on_submit():
        return None
    try:
        with refusal_on_form(form):
            action()
            return recorded(success, location)
    except AlreadySubmitted as done:
        return recorded(done.message, location, already=True)
    return None


def refused(form):
    """Tell the phone's script why the form was refused (422): a message, and each field's messages."""
    fields = {name: [str(message) for message in messages] for name, messages in form.errors.items() if name}
    if fields.pop("csrf_token", None):
        general = [_("The form had expired: send it again.")]
    else:
        general = [str(message) for message in form.form_errors]
    message = " ".join(general) or _("Some answers need a correction: see the fields marked.")
    return jsonify({"recorded": False, "message": message, "errors": fields}), 422


def form_page(form, render):
    """Answer a full-page form not recorded: the page (422 when it has errors), or JSON for the phone's script."""
    if from_draft() and form.is_submitted():
        return refused(form)
    return render(), form_status(form)
