"""The network's shared catalogue of part types, searched by name, category or one attribute."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from reco.accounts.models import User
from reco.core.audit import record_event
from reco.core.errors import ValidationFailed
from reco.extensions import db
from reco.parts.models import ATTRIBUTES, PartCategory, PartType


def _clean_attributes(category: PartCategory, attributes) -> dict[str, str]:
    """Return the attributes of the category, trimmed and in lower case; refuse others."""
    if not isinstance(attributes, dict):
        raise ValidationFailed(str(_l("The attributes are a list of name and value.")),
                               {"attributes": [str(_l("object expected"))]})
    unknown = sorted(set(attributes) - set(ATTRIBUTES[category]))
    if unknown:
        raise ValidationFailed(str(_l("Unknown attribute for this category: %(names)s.", names=", ".join(
            str(u)[:40] for u in unknown))), {"attributes": [str(_l("unknown attribute"))]})
    clean = {}
    for name, value in attributes.items():
        value = str(value if value is not None else "").strip().lower()
        if len(value) > 60 or any(c in value for c in ";="):
            raise ValidationFailed(str(_l("The value of « %(name)s » is too long or holds ; or =.", name=name)),
                                   {"attributes": [str(_l("invalid value"))]})
        if value:
            clean[name] = value
    return clean


def attributes_key(attributes: dict[str, str]) -> str:
    """Return the searchable form of attributes: "name=value;" for each, sorted."""
    return "".join(f"{name}={value};" for name, value in sorted(attributes.items()))


def create_part_type(*, by: User, category, name: str, attributes=None, compatible_models: str = "") -> PartType:
    """Add a part type to the shared catalogue."""
    try:
        category = PartCategory(category)
    except ValueError:
        raise ValidationFailed(str(_l("Choose the category of the part.")),
                               {"category": [str(_l("choose a category"))]}) from None
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 120:
        raise ValidationFailed(str(_l("Give the part a name (120 characters at most).")),
                               {"name": [str(_l("required"))]})
    if db.session.scalar(select(PartType.id).where(func.lower(PartType.name) == name.lower())) is not None:
        raise ValidationFailed(str(_l("A part type with this name already exists.")),
                               {"name": [str(_l("already in the catalogue"))]})
    clean = _clean_attributes(category, attributes or {})
    part_type = PartType(category=category, name=name, attributes=clean, attributes_key=attributes_key(clean),
                         compatible_models=str(compatible_models or "").strip()[:2000], created_by_id=by.id)
    db.session.add(part_type)
    db.session.flush()
    record_event(by, part_type, "created", name=name)
    return part_type


def parse_attribute(text: str) -> tuple[str, str] | None:
    """Return (name, value) from "name=value" or "name:value", or None."""
    for separator in ("=", ":"):
        if separator in (text or ""):
            name, value = text.split(separator, 1)
            if name.strip() and value.strip():
                return name.strip().lower(), value.strip().lower()
    return None


def search_filter(query, *, text: str = "", category: str = "", attribute: str = ""):
    """Narrow a query on PartType by words, category and one "name=value" attribute."""
    if category in {c.value for c in PartCategory}:
        query = query.where(PartType.category == PartCategory(category))
    pair = parse_attribute(attribute)
    if pair is not None:
        query = query.where(PartType.attributes_key.like(f"%{pair[0]}={pair[1]};%"))
    text = (text or "").strip().lower()[:100]
    if text:
        like = f"%{text}%"
        query = query.where(or_(func.lower(PartType.name).like(like),
                                func.lower(PartType.compatible_models).like(like)))
    return query
