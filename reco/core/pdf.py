"""PDF building blocks shared by every document: fonts, styles, page frame with fingerprint."""
from __future__ import annotations

import io
from pathlib import Path

from flask_babel import format_datetime
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from reco.core.documents import DocumentMeta

FONT = "RecoSans"
FONT_BOLD = "RecoSans-Bold"
#: DejaVu Sans (its licence beside it), shipped with Reco: every Latin letter (Ł, Ź, Œ, ő...) prints as itself.
FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"


def register_fonts() -> None:
    """Embed DejaVu Sans (regular and bold), whose glyphs cover every Latin alphabet, so that every name prints."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles of documents."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=10,
                             spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
    }


def paragraph(text: str, style: str = "body") -> Paragraph:
    """Return a paragraph of plain text (escaped, never interpreted as markup)."""
    escaped = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    return Paragraph(escaped, styles()[style])


def table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    """Return a table of plain-text cells that wraps long values."""
    cells = [[c if not isinstance(c, (str, int, float)) or c == "" else paragraph(str(c), "cell") for c in row]
             for row in rows]
    result = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    commands = [("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef4")))
    result.setStyle(TableStyle(commands))
    return result


def build_pdf(meta: DocumentMeta, story: list) -> bytes:
    """Lay out ``story`` on A4 pages that carry the issuer, number, date and fingerprint."""
    register_fonts()
    buffer = io.BytesIO()
    issued = format_datetime(meta.issued_at, "short")

    def frame(canvas, doc):
        canvas.saveState()
        width, height = A4
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawString(18 * mm, height - 14 * mm, meta.issuer)
        canvas.setFont(FONT, 8.5)
        canvas.drawRightString(width - 18 * mm, height - 14 * mm,
                               _("No. %(number)s · %(date)s", number=meta.number, date=issued))
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.line(18 * mm, height - 17 * mm, width - 18 * mm, height - 17 * mm)
        canvas.line(18 * mm, 20 * mm, width - 18 * mm, 20 * mm)
        canvas.setFont(FONT, 7)
        canvas.drawString(18 * mm, 15.5 * mm, _("SHA-256 fingerprint: %(fingerprint)s", fingerprint=meta.fingerprint))
        if meta.verify_url:  # a document handed out without being kept has no page to check it at
            canvas.drawString(18 * mm, 11.5 * mm, _("Check this document at %(url)s", url=meta.verify_url))
        canvas.drawRightString(width - 18 * mm, 11.5 * mm, _("Page %(n)d", n=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=24 * mm,
                            bottomMargin=26 * mm, title=f"{meta.title} {meta.number}", author=meta.issuer,
                            creator="Reco", subject=meta.fingerprint,
                            initialFontName=FONT)  # else each page names Helvetica, a font no PDF embeds
    doc.build([paragraph(meta.title, "h1"), *story], onFirstPage=frame, onLaterPages=frame)
    return buffer.getvalue()
