"""How pages show a commune: its name with its INSEE code, e.g. « Rennes (35238) »."""
from __future__ import annotations

from collections.abc import Iterable

from reco.communes import bp
from reco.communes.registry import commune_names


def commune_labels(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return « Name (code) » for each (code, stored name): the registry's name of the code, else the stored one."""
    pairs = list(pairs)
    names = commune_names(code for code, _name in pairs)
    labels = {}
    for code, stored in pairs:
        name = names.get(code) or (stored or "").strip()
        labels[code] = f"{name} ({code})" if name and code else name or code or "—"
    return labels


@bp.app_template_global("commune_label")
def commune_label_shown(code: str, name: str = "") -> str:
    """Return « Name (code) » of one code, the stored name standing in for a code the registry does not know."""
    return commune_labels([(code or "", name or "")])[code or ""]
