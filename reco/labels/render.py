"""Drawing labels: Code 128 as vector bars, text that is shortened to fit, optional QR code, on exact pages."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

from barcode import Code128
from barcode.errors import BarcodeError
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from reco.labels.formats import LabelFormat

ELLIPSIS = "…"
#: The PDF standard fonts: nothing to embed, fast to draw, and they cover French (Windows-1252).
FONT, FONT_BOLD = "Helvetica", "Helvetica-Bold"


class UnprintableCode(ValueError):
    """A code holds characters a Code 128 barcode cannot carry."""


@dataclass(frozen=True)
class LabelContent:
    """What one label shows: the code (as barcode and in clear), lines of text, an optional QR link."""

    code: str
    lines: tuple[str, ...] = ()
    #: Label field of each line, to keep only the fields the format shows.
    kinds: tuple[str, ...] = ()
    qr_url: str | None = None
    modules: str = field(default="", compare=False)


def barcode_modules(code: str) -> str:
    """Return the Code 128 bars and spaces of ``code`` as a string of 1 and 0 (python-barcode)."""
    if not code or not code.isascii() or not code.isprintable():
        raise UnprintableCode(code)
    try:
        return Code128(code).build()[0]
    except BarcodeError as exc:
        raise UnprintableCode(code) from exc


def printable(text: str) -> str:
    """Return ``text`` with the characters the standard fonts lack replaced by a question mark."""
    return text.encode("cp1252", "replace").decode("cp1252")


@lru_cache(maxsize=4096)
def fit(text: str, font: str, size: float, width: float) -> str:
    """Return ``text`` shortened with an ellipsis so that it fits ``width`` points (lines repeat across a batch)."""
    text = printable(text)
    if width <= 0:
        return ""
    if stringWidth(text, font, size) <= width:
        return text
    keep = int(len(text) * width / stringWidth(text, font, size))  # a first guess, then adjust
    while keep and stringWidth(text[:keep] + ELLIPSIS, font, size) > width:
        keep -= 1
    return text[:keep].rstrip() + ELLIPSIS if keep else ""


def bar_runs(modules: str) -> list[tuple[int, int]]:
    """Return (first module, width in modules) of each dark bar."""
    runs, start = [], None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit == "0" and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def _draw_bars(canvas: Canvas, runs: list[tuple[int, int]], x: float, y: float, module: float,
               height: float) -> None:
    """Draw the bars as one filled path in module units (small whole numbers), ``x``/``y`` the bottom-left."""
    canvas.saveState()
    canvas.transform(module, 0, 0, height, x, y)
    path = canvas.beginPath()
    for start, width in runs:
        path.rect(start, 0, width, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of ``url`` as vectors in a square of ``size`` points."""
    widget = QrCodeWidget(url, barBorder=0)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def draw_label(canvas: Canvas, fmt: LabelFormat, content: LabelContent, left: float, top: float) -> None:
    """Draw one label whose top-left corner is at (``left``, ``top``) mm from the page's top-left."""
    pad = fmt.padding * mm
    x0 = left * mm + pad
    y_top = (fmt.page_height - top) * mm - pad
    width = fmt.label_width * mm - 2 * pad
    height = fmt.label_height * mm - 2 * pad
    qr_size = min(height, width * 0.35) if fmt.qr and content.qr_url else 0
    if qr_size:
        _draw_qr(canvas, content.qr_url, x0 + width - qr_size, y_top - qr_size, qr_size)
        width -= qr_size + pad
    modules = content.modules or barcode_modules(content.code)
    quiet = fmt.quiet_zone * mm
    module = min(fmt.module_width * mm, (width - 2 * quiet) / len(modules))
    bar_height = min(fmt.barcode_height * mm, height * 0.55)
    bar_width = module * len(modules)
    _draw_bars(canvas, bar_runs(modules), x0 + (width - bar_width) / 2, y_top - bar_height, module, bar_height)
    y = y_top - bar_height - fmt.tag_size * 1.05
    canvas.setFont(FONT_BOLD, fmt.tag_size)
    canvas.drawCentredString(x0 + width / 2, y, fit(content.code, FONT_BOLD, fmt.tag_size, width))
    lines = [fit(line, FONT, fmt.text_size, width) for kind, line in zip(content.kinds, content.lines)
             if kind in fmt.fields and line]
    room = int((y - (y_top - height)) // (fmt.text_size * 1.2))
    if lines and room > 0:
        text = canvas.beginText(x0, y - fmt.text_size * 1.2)
        text.setFont(FONT, fmt.text_size, fmt.text_size * 1.2)
        for line in lines[:room]:
            text.textLine(line)
        canvas.drawText(text)


def render_labels(fmt: LabelFormat, contents: list[LabelContent], *, copies: int = 1, skip: int = 0,
                  title: str = "Reco labels") -> bytes:
    """Return one PDF with each content ``copies`` times, sized exactly to the roll label or the sheet."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(fmt.page_width * mm, fmt.page_height * mm), pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Reco")
    slot = skip if fmt.kind == "sheet" else 0
    for content in contents:
        modules = barcode_modules(content.code)
        prepared = LabelContent(content.code, content.lines, content.kinds, content.qr_url, modules)
        for _ in range(copies):
            if slot == fmt.per_page:
                canvas.showPage()
                slot = 0
            draw_label(canvas, fmt, prepared, *fmt.position(slot))
            slot += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
