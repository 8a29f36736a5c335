"""The dashboard's tables: each has a title, column names and rows, shown on the page and exported as is."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from reco.donations.models import DonorKind
from reco.inventory.vocabulary import LEVEL_LABELS, SANITIZATION_RESULT_LABELS, TECHNIQUE_LABELS, TYPE_LABELS
from reco.prescriptions.models import Prescription
from reco.prescriptions.vocabulary import DIGITAL_LEVEL_LABELS
from reco.reports import figures
from reco.reports.figures import Audience, Period, protected, shown


@dataclass
class Table:
    """One table of figures: what it counts, its columns, its rows (counts already protected when needed)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    #: The raw counts drawn as bars (hidden counts draw none); empty for a table without a chart.
    values: list[int] = field(default_factory=list)
    #: How many leading columns name the row; the others hold counts (numbers in the exports).
    label_columns: int = 1
    #: The names of the series stacked in each bar, when a bar has several (``values`` then holds lists).
    series: list[str] = field(default_factory=list)

    @property
    def bars(self) -> list[list[int]]:
        """Return each row's bar as the parts stacked in it, one per series (a single part without series)."""
        return [value if isinstance(value, list) else [value] for value in self.values]


def _counted(key, title, label, rows, audience: Audience) -> Table:
    """Return a (label, count) table charted as bars, counts protected when they leave their structure."""
    table = Table(key, str(title), [str(label), str(_l("Count"))])
    for name, count in rows:
        table.rows.append([name, shown(count, audience.suppress)])
        table.values.append(protected(count, audience.suppress) or 0)
    return table


def _families(key: str, title, label, rows: list[tuple[str, int, int]], audience: Audience) -> Table:
    """Return a table of families through the pipeline and, for the network, declared by partners, stacked in
    its chart; counts protected when they leave their structure."""
    series = [str(_l("Through the pipeline"))] + ([str(_l("Declared by partners"))] if audience.network else [])
    table = Table(key, str(title), [str(label), *series], series=series)
    for name, pipeline, declared in rows:
        counts = [pipeline, declared][:len(series)]
        table.rows.append([name, *(shown(count, audience.suppress) for count in counts)])
        table.values.append([protected(count, audience.suppress) or 0 for count in counts])
    return table


def families_month(audience: Audience, period: Period) -> Table:
    """Families equipped per month, through the pipeline and declared by partners (told apart)."""
    rows = [(format_date(date.fromisoformat(f"{month}-01"), "MMM y"), pipeline, declared)
            for month, pipeline, declared in figures.families_by_month(audience, period)]
    return _families("families_month", _l("Families equipped per month"), _l("Month"), rows, audience)


def _by_place(level: str, audience: Audience, period: Period) -> list[tuple[str, int, int]]:
    """Return the families per place of ``level``; outside their structure ranked by the counts shown, then by
    name, so that the order tells nothing the hidden counts hide."""
    rows = figures.families_by_place(audience, period, level)
    if not audience.suppress:
        return rows
    return sorted(rows, key=lambda row: (-(protected(row[1], True) or 0), -(protected(row[2], True) or 0), row[0]))


def families_commune(audience: Audience, period: Period) -> Table:
    """Families equipped per commune as it is today (its former codes counted in it)."""
    return _families("families_commune", _l("Families equipped per commune"), _l("Commune"),
                     _by_place("commune", audience, period), audience)


def families_epci(audience: Audience, period: Period) -> Table:
    """Families equipped per EPCI (métropole, communauté d'agglomération or de communes)."""
    return _families("families_epci", _l("Families equipped per EPCI"), _l("EPCI"),
                     _by_place("epci", audience, period), audience)


def families_departement(audience: Audience, period: Period) -> Table:
    """Families equipped per département."""
    return _families("families_departement", _l("Families equipped per département"), _l("Département"),
                     _by_place("departement", audience, period), audience)


def families_qpv(audience: Audience, period: Period) -> Table:
    """Families equipped in priority neighbourhoods or not."""
    rows = figures.families_by(audience, period, Prescription.qpv)
    return _counted("families_qpv", _l("Families equipped in priority neighbourhoods (QPV)"), _l("Neighbourhood"),
                    [(str(_l("QPV")) if flag else str(_l("Not QPV")), count) for flag, count in rows], audience)


def families_prescriber(audience: Audience, period: Period) -> Table:
    """Families equipped per prescribing structure."""
    rows = figures.families_by(audience, period, Prescription.structure_id)
    names = figures.structure_names(i for i, _count in rows)
    return _counted("families_prescriber", _l("Families equipped per prescriber"), _l("Prescriber"),
                    [(names.get(i, "—"), count) for i, count in rows], audience)


def families_level(audience: Audience, period: Period) -> Table:
    """Families equipped per household digital level."""
    rows = figures.families_by(audience, period, Prescription.digital_level)
    return _counted("families_level", _l("Families equipped per digital level"), _l("Digital level"),
                    [(str(DIGITAL_LEVEL_LABELS[level]) if level else "—", count) for level, count in rows], audience)


def devices_type(audience: Audience, period: Period) -> Table:
    """Devices received per type."""
    rows = figures.devices_by_type(audience, period)
    return _counted("devices_type", _l("Devices received per type"), _l("Type"),
                    [(str(TYPE_LABELS[kind]), count) for kind, count in rows], audience)


def devices_donor(audience: Audience, period: Period) -> Table:
    """Devices received per donor; people who give are counted together, never named."""
    by_donor: dict[str, int] = {}
    for kind, name, count in figures.devices_by_donor(audience, period):
        label = str(_l("Private individuals")) if kind is DonorKind.INDIVIDUAL else name
        by_donor[label] = by_donor.get(label, 0) + count
    return _counted("devices_donor", _l("Devices received per donor"), _l("Donor"),
                    sorted(by_donor.items(), key=lambda item: -item[1]), audience)


def sanitization(audience: Audience, period: Period) -> Table:
    """Sanitization records per level, technique and result (failures and destructions included)."""
    table = Table("sanitization", str(_l("Drive sanitizations")),
                  [str(_l("Level")), str(_l("Technique")), str(_l("Result")), str(_l("Count"))], label_columns=3)
    for level, technique, result, count in figures.sanitizations_by(audience, period):
        table.rows.append([str(LEVEL_LABELS[level]), str(TECHNIQUE_LABELS[technique]),
                           str(SANITIZATION_RESULT_LABELS[result]), shown(count, audience.suppress)])
    return table


#: Every table of the dashboard, in the order of the page.
TABLES: dict[str, Callable[[Audience, Period], Table]] = {
    "families_month": families_month, "families_commune": families_commune, "families_epci": families_epci,
    "families_departement": families_departement, "families_qpv": families_qpv,
    "families_prescriber": families_prescriber, "families_level": families_level, "devices_type": devices_type,
    "devices_donor": devices_donor, "sanitization": sanitization}


def build_tables(audience: Audience, period: Period) -> dict[str, Table]:
    """Return every table of the dashboard for the audience and period."""
    return {key: build(audience, period) for key, build in TABLES.items()}
