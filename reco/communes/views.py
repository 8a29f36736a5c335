"""The coordinator's list of records whose commune the registry could not settle."""
from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.communes import bp
from reco.communes.models import CommuneSource
from reco.communes.stored import KIND_LABELS, REASON_LABELS, WHERE_LABELS, correction_link, record_label, to_correct
from reco.core.navigation import NavEntry, add_nav_entry
from reco.core.permissions import permission_required
from reco.extensions import db

add_nav_entry(NavEntry("communes.to_correct_page", _l("Communes to correct"), "commune.review",
                       _l("Households, partners' lines and structures whose INSEE code the communes registry could "
                          "not settle."), 93))


@bp.route("/communes/to-correct")
@permission_required("commune.review")
def to_correct_page():
    """List the records whose stored commune is not in the registry, or not the one named."""
    source = db.session.scalars(select(CommuneSource).order_by(CommuneSource.id.desc()).limit(1)).first()
    items = [(item, record_label(item), correction_link(item)) for item in to_correct()]
    return render_template("communes/to_correct.html", items=items, source=source, kind_labels=KIND_LABELS,
                           reason_labels=REASON_LABELS, where_labels=WHERE_LABELS)
