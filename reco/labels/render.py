"""Drawing labels: Code 128 and QR on whole printer dots inside the printable area, embedded fonts, exact pages."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

from barcode import Code128
from barcode.errors import BarcodeError
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from reco.core.pdf import FONT, FONT_BOLD, register_fonts
from reco.labels.formats import LabelFormat

ELLIPSIS = "…"
#: The quiet zone the Code 128 standard asks on each side, in modules.
CODE128_QUIET = 10
#: The quiet zone the QR standard asks on each side, in modules.
QR_QUIET = 4
SMALLEST_TAG_PT = 5


class UnprintableCode(ValueError):
    """A code holds characters a Code 128 barcode cannot carry."""


class CodeDoesNotFit(UnprintableCode):
    """A code is too long for the format's printable width at its printer's narrowest readable bar."""


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


@lru_cache(maxsize=4096)
def fit(text: str, font: str, size: float, width: float) -> str:
    """Return ``text`` shortened with an ellipsis so that it fits ``width`` points (lines repeat across a batch)."""
    register_fonts()
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


def qr_modules(text: str, quiet_zone: int = QR_QUIET) -> list[str]:
    """Return the QR code of ``text`` (error correction M) as rows of 0 and 1, 1 dark, with its quiet zone."""
    qr = QRCode(None, QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.make()
    count = qr.getModuleCount()
    blank = "0" * (count + 2 * quiet_zone)
    rows = ["0" * quiet_zone + "".join("1" if qr.isDark(row, col) else "0" for col in range(count))
            + "0" * quiet_zone for row in range(count)]
    return [blank] * quiet_zone + rows + [blank] * quiet_zone


def _draw_qr(canvas: Canvas, rows: list[str], x: float, y: float, module: float) -> None:
    """Draw QR ``rows`` as one path of squares of ``module`` points, ``x``/``y`` the top-left of its quiet zone."""
    path = canvas.beginPath()
    for index, row in enumerate(rows):
        for start, width in bar_runs(row):
            path.rect(x + start * module, y - (index + 1) * module, width * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


@dataclass(frozen=True)
class Layout:
    """Where the marks of one label go, in printer dots from the label's top-left corner."""

    box: tuple[int, int, int, int]  #: printable and padded area: left, top, right, bottom
    module: int  #: bar width in dots
    bars_left: int
    bar_height: int
    qr_module: int = 0  #: QR module in dots, 0 without a QR code
    qr_left: int = 0


def _dots(fmt: LabelFormat, length_mm: float) -> int:
    """Return a length in whole printer dots, rounded down."""
    return int(length_mm / fmt.dot + 1e-6)


def layout(fmt: LabelFormat, modules: str, qr_rows: list[str] | None = None) -> Layout:
    """Place a barcode of ``modules`` (and a QR code) on whole printer dots inside the printable area.

    Bars keep at least the printer's narrowest readable width; a QR code that leaves too little room is dropped;
    a code that still does not fit is refused.
    """
    margins = [max(fmt.padding, margin) for margin in fmt.margins]
    box = (math.ceil(margins[0] / fmt.dot - 1e-6), math.ceil(margins[1] / fmt.dot - 1e-6),
           _dots(fmt, fmt.label_width - margins[2]), _dots(fmt, fmt.label_height - margins[3]))
    width, height = box[2] - box[0], box[3] - box[1]
    if qr_rows:
        qr_module = min(height, int(width * 0.4)) // len(qr_rows)
        if qr_module >= fmt.min_module_dots:
            qr_size = qr_module * len(qr_rows)
            try:
                return _barcode(fmt, modules, box, width - qr_size, qr_module, box[2] - qr_size)
            except CodeDoesNotFit:
                pass  # the barcode matters more than the QR code
    return _barcode(fmt, modules, box, width)


def _barcode(fmt: LabelFormat, modules: str, box, width: int, qr_module: int = 0, qr_left: int = 0) -> Layout:
    """Return the layout of the bars in the ``width`` dots at the box's left, the QR code being right of it."""
    # The quiet zones may lie in the padding and the unprintable margins: they only need to stay blank.
    span = qr_left or _dots(fmt, fmt.label_width)

    def fits(module: int) -> bool:
        return len(modules) * module <= width and span - len(modules) * module >= 2 * CODE128_QUIET * module

    module = max(fmt.min_module_dots, round(fmt.module_width / fmt.dot))
    while module > fmt.min_module_dots and not fits(module):
        module -= 1
    bars = len(modules) * module
    if not fits(module):
        raise CodeDoesNotFit(f"{fmt.key}: {len(modules)} modules x {module} dots")
    left = box[0] + (width - bars) // 2
    if qr_left:
        left = min(left, qr_left - bars - CODE128_QUIET * module)
    left = max(left, CODE128_QUIET * module)
    bar_height = min(_dots(fmt, fmt.barcode_height), int((box[3] - box[1]) * 0.55))
    return Layout(box, module, left, bar_height, qr_module, qr_left)


def layout_problems(fmt: LabelFormat, code: str = "ABCDE-000001", url: str = "https://reco.example.org/devices/"
                    "ABCDE-000001") -> list[str]:
    """Return what does not fit on the format for a long tag: the barcode at its narrowest bar, the QR, the text."""
    try:
        place = layout(fmt, barcode_modules(code), qr_modules(url) if fmt.qr else None)
    except CodeDoesNotFit:
        return [f"{fmt.key}: le code-barres de « {code} » ne tient pas dans la zone imprimable avec des barres de "
                f"{fmt.min_module_dots} points à {fmt.dpi} dpi. / the barcode does not fit the printable area."]
    problems = []
    if fmt.qr and not place.qr_module:
        problems.append(f"{fmt.key}: pas de place pour le QR code à côté du code-barres. / no room for the QR code.")
    text_height = place.bar_height * 72 / fmt.dpi + fmt.tag_size * 1.3
    if text_height > (place.box[3] - place.box[1]) * 72 / fmt.dpi:
        problems.append(f"{fmt.key}: le numéro en clair ne tient pas sous le code-barres. / the tag text does not fit.")
    return problems


def draw_label(canvas: Canvas, fmt: LabelFormat, content: LabelContent, left: float, top: float) -> None:
    """Draw one label whose top-left corner is at (``left``, ``top``) mm from the page's top-left."""
    register_fonts()
    dot = 72 / fmt.dpi
    origin_x = round(left / fmt.dot) * dot
    origin_y = (fmt.page_height * mm) - round(top / fmt.dot) * dot
    modules = content.modules or barcode_modules(content.code)
    qr_rows = qr_modules(content.qr_url) if fmt.qr and content.qr_url else None
    place = layout(fmt, modules, qr_rows)
    box_left, box_top, box_right, box_bottom = (v * dot for v in place.box)
    if place.qr_module:
        _draw_qr(canvas, qr_rows, origin_x + place.qr_left * dot, origin_y - box_top, place.qr_module * dot)
        box_right = place.qr_left * dot
    _draw_bars(canvas, bar_runs(modules), origin_x + place.bars_left * dot,
               origin_y - box_top - place.bar_height * dot, place.module * dot, place.bar_height * dot)
    width = box_right - box_left
    x0 = origin_x + box_left
    size = fmt.tag_size
    while size > SMALLEST_TAG_PT and stringWidth(content.code, FONT_BOLD, size) > width:
        size -= 0.5
    y = origin_y - box_top - place.bar_height * dot - size * 1.05
    canvas.setFont(FONT_BOLD, size)
    canvas.drawCentredString(x0 + width / 2, y, fit(content.code, FONT_BOLD, size, width))
    lines = [fit(line, FONT, fmt.text_size, width) for kind, line in zip(content.kinds, content.lines)
             if kind in fmt.fields and line]
    # Lines hang from their baseline: the last one's descenders must stay above the printable bottom.
    room = int((y - (origin_y - box_bottom) - fmt.text_size * 0.25) // (fmt.text_size * 1.2))
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
    register_fonts()
    canvas = Canvas(buffer, pagesize=(fmt.page_width * mm, fmt.page_height * mm), pageCompression=1,
                    initialFontName=FONT)  # else every page names Helvetica, which is not embedded
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
