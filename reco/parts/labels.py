"""Labels of the bins that hold parts: the bin's code as a barcode, its name and the parts kept in it."""
from __future__ import annotations

from sqlalchemy import select

from reco.core.permissions import scoped
from reco.extensions import db
from reco.inventory.models import Location
from reco.labels.render import LabelContent
from reco.parts.models import PartType, StockLevel


def bins_with_parts(user) -> list[str]:
    """Return the codes of the locations holding parts whose labels ``user`` may print (their workshop's)."""
    query = select(Location.code).join(StockLevel, StockLevel.location_id == Location.id)
    return list(db.session.scalars(scoped(query, "label.print", user).where(StockLevel.quantity > 0)
                                   .distinct().order_by(Location.code)))


def part_bin_label(location: Location) -> LabelContent:
    """Return the content of a parts bin's label: its code, its name, the parts kept in it."""
    names = db.session.scalars(select(PartType.name).join(StockLevel, StockLevel.part_type_id == PartType.id)
                               .where(StockLevel.location_id == location.id, StockLevel.quantity > 0)
                               .distinct().order_by(PartType.name))
    return LabelContent(code=location.code, lines=(location.name, ", ".join(names)[:120]), kinds=("title", "specs"))
