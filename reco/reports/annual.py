"""The annual activity report for funders (PDF): the year's figures, a chart of families per month, the tables."""
from __future__ import annotations

import io
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from reco.core.pdf import paragraph, register_fonts, table
from reco.reports import figures
from reco.reports.figures import Audience, Period, protect_summary, protected
from reco.reports.tables import TABLES


def _families_chart(audience: Audience, period: Period) -> Drawing:
    """Draw the families equipped per month, pipeline and declared, as bars (the dashboard's chart, in vector)."""
    months = figures.families_by_month(audience, period)
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 45 * mm
    hide = audience.suppress
    chart.data = [[protected(p, hide) or 0 for _m, p, _d in months] or [0],
                  [protected(d, hide) or 0 for _m, _p, d in months] or [0]]
    chart.categoryAxis.categoryNames = [m[2:] for m, _p, _d in months] or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor, chart.bars[1].fillColor = colors.HexColor("#0b5c8e"), colors.HexColor("#8a5300")
    drawing.add(chart)
    return drawing


def annual_report_pdf(audience: Audience, year: int, issuer: str) -> bytes:
    """Return the activity report of ``year`` for the audience, as PDF bytes."""
    register_fonts()
    period = Period(date(year, 1, 1), date(year, 12, 31))
    data = protect_summary(figures.summary(audience, period), audience.suppress)

    def count(value) -> str:
        return "< 5" if value is None else str(value)

    def amount(value) -> str:
        return "—" if value is None else format_decimal(value)

    headline = [[_("Families equipped through the pipeline"), count(data["families_equipped"]["pipeline"])]]
    if audience.network:
        headline.append([_("Families equipped, declared by partners"), count(data["families_equipped"]["declared"])])
    headline += [[_("Devices received"), count(data["devices_received"])],
                 [_("of them given to households"), count(data["devices_delivered"])],
                 [_("of them dismantled for parts"), count(data["devices_harvested"])],
                 [_("of them recycled"), count(data["devices_recycled"])],
                 [_("Drives with data proven erased"), count(data["drives_sanitized"])],
                 [_("Weight kept out of waste (kg)"), amount(data["weight_diverted_kg"])],
                 [_("CO2e avoided (kg)"), amount(data["co2e_avoided_kg"])]]
    hide = audience.suppress
    story = [paragraph(_("Activity report %(year)d", year=year), "h1"), paragraph(issuer),
             paragraph(_("Counts are rounded to a multiple of 5; those under 5 are shown as « < 5 » to protect the "
                         "households."), "small") if hide else
             Spacer(1, 2 * mm),
             paragraph(_("The year in figures"), "h2"), table(headline, [120 * mm, 50 * mm], header=False),
             paragraph(_("Families equipped per month (blue: pipeline, brown: declared by partners)"), "h2"),
             _families_chart(audience, period)]
    for key in ("families_commune", "families_qpv", "families_prescriber", "families_level", "devices_type",
                "sanitization"):
        section = TABLES[key](audience, period)
        story += [paragraph(section.title, "h2"),
                  table([section.columns, *section.rows], [170 * mm / len(section.columns)] * len(section.columns))
                  if section.rows else paragraph(_("Nothing over this period."))]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=_("Activity report %(year)d", year=year), author=issuer,
                      creator="Reco").build(story)
    return buffer.getvalue()
