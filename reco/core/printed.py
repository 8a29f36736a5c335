"""Numbers, dates and identifiers as documents print them: in the reader's language, identifiers never broken."""
from __future__ import annotations

import math
from datetime import date, datetime
from xml.sax.saxutils import escape

from flask_babel import format_date, format_datetime, format_decimal
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from reco.core.pdf import styles

#: Left plus right padding of a table cell (reportlab's default, kept by reco.core.pdf.table).
CELL_PADDING = 12


def _printable(text: str) -> str:
    """Return text whose narrow no-break spaces (French thousands) print in every font: plain no-break spaces."""
    return text.replace("\u202f", "\u00a0")


def number(value, pattern: str = "#,##0.#") -> str:
    """Return a number as the reader writes it, e.g. « 1 234,5 » in French."""
    return _printable(format_decimal(value, pattern))


def day(value: date | datetime) -> str:
    """Return a day as « 4 déc. 2026 » (a moment is first put in the network's time zone)."""
    return format_date(value, "d MMM y")


def moment(value: datetime) -> str:
    """Return a moment in the network's time zone (RECO_TIMEZONE) as « 4 déc. 2026, 10:02 »."""
    return format_datetime(value, "d MMM y, HH:mm")


def identifier(text: str, width: float, style: str = "cell") -> Paragraph:
    """Return a cell of ``width`` holding serials or tags whole: wrapped at spaces only, the font shrunk to fit."""
    base = styles()[style]
    room = width - CELL_PADDING
    widest = max((stringWidth(word, base.fontName, base.fontSize) for word in text.split()), default=0)
    size = base.fontSize if widest <= room else math.floor(base.fontSize * room / widest * 10) / 10
    fitted = ParagraphStyle(f"{style}-identifier-{size}", parent=base, fontSize=size,
                            leading=size * base.leading / base.fontSize, splitLongWords=0)
    return Paragraph(escape(text).replace("\n", "<br/>"), fitted)
