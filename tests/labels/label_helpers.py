"""Reading printed labels back: rasterise the PDF (pypdfium2) and decode every barcode (zxing-cpp)."""
import pypdfium2
import zxingcpp

DPI = 600
MM = 72 / 25.4


def decode_pdf(pdf: bytes) -> list[dict]:
    """Return every Code 128 found on every page: text, page, centre in mm from the top-left, page size in points."""
    found = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document):
            width, height = page.get_size()
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128):
                corners = [result.position.top_left, result.position.top_right, result.position.bottom_right,
                           result.position.bottom_left]
                x = sum(c.x for c in corners) / 4 / DPI * 25.4
                y = sum(c.y for c in corners) / 4 / DPI * 25.4
                found.append({"text": result.text, "page": number, "x": x, "y": y, "size": (width, height)})
    finally:
        document.close()
    return found


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Return the size in points of every page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_size() for page in document]
    finally:
        document.close()
