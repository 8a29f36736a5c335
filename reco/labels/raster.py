"""Label PDFs as printer dots: page images, the printable part of a label, and Brother QL raster data."""
from __future__ import annotations

import pypdfium2
from brother_ql import BrotherQLError
from brother_ql.conversion import convert
from brother_ql.labels import FormFactor, LabelsManager
from brother_ql.raster import BrotherQLRaster
from PIL import Image

MM_PER_INCH = 25.4
THRESHOLD = 50  #: percent of darkness from which a pixel prints (brother_ql's own scale)
INK = 128  #: grey levels below this print at THRESHOLD


class RasterError(ValueError):
    """A label cannot be turned into printer raster data; the message says why."""


def page_images(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Return every page of the PDF rendered in greys at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document]
    finally:
        document.close()


def dots(mm: float, dpi: int) -> int:
    """Return a length in mm as a whole number of dots at ``dpi``."""
    return round(mm * dpi / MM_PER_INCH)


def printable_box(fmt, dpi: int) -> tuple[int, int, int, int]:
    """Return the (left, top, right, bottom) dots of a page of ``fmt`` that the printer can mark."""
    left, top, right, bottom = fmt.margins
    return (dots(left, dpi), dots(top, dpi),
            dots(fmt.page_width - right, dpi), dots(fmt.page_height - bottom, dpi))


def printable_crop(fmt, image: Image.Image, dpi: int) -> Image.Image:
    """Return the part of a page image of ``fmt`` inside its printable margins, in whole dots."""
    return image.crop(printable_box(fmt, dpi))


def ink_outside(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Return how many pixels dark enough to print lie outside ``box``."""
    dark = image.convert("L").point(lambda v: 255 if v < INK else 0)
    total = dark.histogram()[255]
    return total - dark.crop(box).histogram()[255]


def brother_raster(fmt, pdf: bytes, model: str) -> bytes:
    """Return the Brother QL raster instructions printing every page of ``pdf`` on ``fmt.media`` with ``model``."""
    try:
        label = LabelsManager()[fmt.media]
    except KeyError:
        raise RasterError(f"brother_ql ne connaît pas le rouleau « {fmt.media} ». "
                          f"/ brother_ql has no label {fmt.media!r}.") from None
    if fmt.dpi != 300:
        raise RasterError(f"{fmt.key}: les Brother QL impriment à 300 dpi, pas {fmt.dpi}. "
                          f"/ Brother QL printers print at 300 dpi.")
    try:
        qlr = BrotherQLRaster(model)
    except BrotherQLError:
        raise RasterError(f"brother_ql ne connaît pas l'imprimante « {model} ». / brother_ql has no model {model!r}.") \
            from None
    qlr.exception_on_warning = True  # commands a model lacks are skipped by convert() instead of logged
    width, length = label.dots_printable
    left, top, right, bottom = printable_box(fmt, 300)
    if label.form_factor in (FormFactor.DIE_CUT, FormFactor.ROUND_DIE_CUT):
        box = (left, top, left + width, top + length)
    else:
        box = (left, top, left + width, bottom)
    images = []
    for number, page in enumerate(page_images(pdf, 300), 1):
        if box[2] > page.width or box[3] > page.height:
            raise RasterError(f"{fmt.key}: la page {number} ({page.width}×{page.height} points à 300 dpi) est plus "
                              f"petite que la zone imprimable du rouleau {fmt.media}. / the page is smaller than "
                              f"the label's printable area {box}.")
        lost = ink_outside(page, box)
        if lost:
            raise RasterError(f"{fmt.key}: {lost} points d'encre de la page {number} sortent de la zone imprimable "
                              f"du rouleau {fmt.media}. / {lost} dots of ink lie outside the printable area {box}.")
        images.append(page.crop(box))
    try:
        return convert(qlr, images, fmt.media, cut=True, dither=False, threshold=THRESHOLD, rotate=0, red=False,
                       dpi_600=False, compress=False)
    except (BrotherQLError, ValueError) as error:
        raise RasterError(f"{fmt.key}: brother_ql refuse l'image ({error}). / brother_ql refused the image.") \
            from error
