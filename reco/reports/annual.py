"""The annual activity report for funders (PDF): the year's figures, a chart of families per month, the tables."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from reco.core.documents import Document, DocumentMeta, issue_document
from reco.core.pdf import FONT, build_pdf, paragraph, register_fonts, table
from reco.core.printed import number
from reco.reports import figures
from reco.reports.figures import Audience, Period, protect_summary, protected
from reco.reports.kept import current_document
from reco.reports.tables import TABLES

#: The tables of the dashboard the report carries, in its order.
SECTIONS = ("families_commune", "families_epci", "families_departement", "families_qpv", "families_prescriber",
            "families_level", "devices_type", "sanitization")


def _printed(cell) -> str:
    """Return a cell of a table as printed: counts in the reader's number format."""
    return number(int(cell), "#,##0") if isinstance(cell, str) and cell.isdigit() else cell


def annual_content(audience: Audience, year: int) -> dict:
    """Return what the report of ``year`` states for the audience: the figures, the months, the tables."""
    period = Period(date(year, 1, 1), date(year, 12, 31))
    hide = audience.suppress
    months = [[m, protected(p, hide), protected(d, hide)] for m, p, d in figures.families_by_month(audience, period)]
    sections = [TABLES[key](audience, period) for key in SECTIONS]
    return {"year": year, "network": audience.network, "suppressed": hide,
            "audience": [audience.workshop_id, audience.prescriber_id],
            "figures": protect_summary(figures.summary(audience, period), hide), "months": months,
            "tables": [[section.title, section.columns, section.rows] for section in sections]}


def families_chart(months: list[list]) -> Flowable:
    """Draw the families equipped per month, pipeline (filled) and declared (outlined) stacked, each part with its
    count written on it; say so when there is nothing to draw."""
    pipeline, declared = [p or 0 for _m, p, _d in months], [d or 0 for _m, _p, d in months]
    if not any(pipeline) and not any(declared):
        return paragraph(_("No data: no family equipped, or too few to be shown, over this period."))
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 45 * mm
    chart.data = [pipeline, declared]
    chart.categoryAxis.categoryNames = [m[2:] for m, _p, _d in months]
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 6
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = lambda value: number(value, "#,##0")
    chart.categoryAxis.style = "stacked"
    chart.bars.strokeColor, chart.bars.strokeWidth = colors.HexColor("#0b5c8e"), 1
    chart.bars[0].fillColor = colors.HexColor("#0b5c8e")
    chart.bars[1].fillColor, chart.bars[1].strokeColor = colors.white, colors.HexColor("#8a5300")
    chart.bars[1].strokeWidth, chart.bars[1].strokeDashArray = 1.2, (2, 1)
    chart.barLabelFormat = lambda value: number(value, "#,##0") if value else ""
    chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.boxTarget = FONT, 6, "mid"
    chart.barLabels[0].fillColor = colors.white
    drawing.add(chart)
    return drawing


def annual_report_pdf(content: dict, meta: DocumentMeta) -> bytes:
    """Build the activity report of a year from its content."""
    register_fonts()
    data = content["figures"]

    def count(value) -> str:
        return "< 5" if value is None else number(value, "#,##0")

    def amount(value) -> str:
        return _("not published (fewer than 5 devices)") if value is None else number(value)

    headline = [[_("Families equipped through the pipeline"), count(data["families_equipped"]["pipeline"])]]
    if content["network"]:
        headline.append([_("Families equipped, declared by partners"), count(data["families_equipped"]["declared"])])
    headline += [[_("Devices received"), count(data["devices_received"])],
                 [_("of them given to households"), count(data["devices_delivered"])],
                 [_("of them dismantled for parts"), count(data["devices_harvested"])],
                 [_("of them recycled"), count(data["devices_recycled"])],
                 [_("Drives with data proven erased"), count(data["drives_sanitized"])],
                 [_("Weight kept out of waste (kg)"), amount(data["weight_diverted_kg"])],
                 [_("CO2e avoided (kg)"), amount(data["co2e_avoided_kg"])]]
    story = [paragraph(_("Counts are rounded to a multiple of 5; those under 5 are shown as « < 5 » to protect the "
                         "households."), "small") if content["suppressed"] else Spacer(1, 2 * mm),
             paragraph(_("The year in figures"), "h2"), table(headline, [120 * mm, 50 * mm], header=False),
             paragraph(_("Families equipped per month (filled: through the pipeline, outlined: declared by partners)"),
                       "h2"),
             families_chart(content["months"])]
    for title, columns, rows in content["tables"]:
        story += [paragraph(title, "h2"),
                  table([columns, *[[_printed(cell) for cell in row] for row in rows]],
                        [170 * mm / len(columns)] * len(columns))
                  if rows else paragraph(_("Nothing over this period."))]
    return build_pdf(meta, story)


def annual_report(audience: Audience, year: int, *, by) -> Document:
    """Return the kept activity report of ``year`` for the user's structure, issuing it when the figures changed."""
    content = annual_content(audience, year)
    structure = by.structure
    return current_document(structure, "annual_report", content) or issue_document(
        kind="annual_report", code="RA", title=_("Activity report %(year)d", year=year), structure=structure,
        obj=structure, content=content, by=by, build=lambda meta: annual_report_pdf(content, meta))
