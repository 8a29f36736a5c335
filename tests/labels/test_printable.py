"""Every format keeps its marks inside the printer's printable area, on whole printer dots, with embedded fonts."""
import subprocess

import pypdfium2
import pytest
import zxingcpp

from reco.labels.formats import LABELS_DIR, load_formats, parse_format
from reco.labels.render import (CODE128_QUIET, QR_QUIET, CodeDoesNotFit, LabelContent, barcode_modules, layout,
                                layout_problems, qr_modules, render_labels)

FORMATS, _ = load_formats()
LONG = "Łódź Œuvre ő — Hewlett-Packard Company Professional Workstation Édition Spéciale " * 3
CONTENT = LabelContent("ABCDE-000001", (LONG, LONG, "Grade A", LONG, LONG),
                       ("title", "specs", "grade", "sanitization", "workshop"),
                       "https://reco.example.org/devices/ABCDE-000001")


def _render(fmt, dpi):
    """Return the first page of the label's PDF as a grayscale image at ``dpi``."""
    document = pypdfium2.PdfDocument(render_labels(fmt, [CONTENT]))
    try:
        return document[0].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        document.close()


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_bars_are_whole_dots_no_narrower_than_the_printer_reads(key):
    fmt = FORMATS[key]
    modules = barcode_modules(CONTENT.code)
    place = layout(fmt, modules)
    assert place.module >= (3 if fmt.dpi >= 300 else 2) and place.module >= fmt.min_module_dots
    assert place.box[0] <= place.bars_left and place.bars_left + len(modules) * place.module <= place.box[2]
    assert place.bars_left >= CODE128_QUIET * place.module
    assert layout_problems(fmt) == []


@pytest.mark.parametrize("key", sorted(k for k in FORMATS if FORMATS[k].kind == "roll"))
def test_no_ink_in_the_unprintable_margins(key):
    fmt = FORMATS[key]
    image = _render(fmt, fmt.dpi).point(lambda v: 255 if v > 200 else 0)
    width, height = image.size
    left, top, right, bottom = (round(m / fmt.dot) for m in fmt.margins)
    inside = image.crop((left, top, width - right, height - bottom))
    assert image.histogram()[0] == inside.histogram()[0] > 0, "ink lies where the printer cannot print"


def test_the_qr_code_has_error_correction_m_and_a_four_module_quiet_zone():
    fmt = FORMATS["dymo-99012"]
    rows = qr_modules(CONTENT.qr_url)
    assert set(rows[:QR_QUIET] + rows[-QR_QUIET:]) == {"0" * len(rows[0])}
    assert all(r[:QR_QUIET] == r[-QR_QUIET:] == "0" * QR_QUIET for r in rows)
    place = layout(fmt, barcode_modules(CONTENT.code), rows)
    assert place.qr_module >= fmt.min_module_dots
    found = zxingcpp.read_barcodes(_render(fmt, 300), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [(r.text, r.ec_level) for r in found] == [(CONTENT.qr_url, "M")]


def test_fonts_are_embedded_and_latin_text_is_kept(tmp_path):
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(render_labels(FORMATS["a4-avery-l7160"], [CONTENT]))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line and "DejaVuSans" in line for line in fonts)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Łódź Œuvre ő" in text and "?" not in text


def test_a_code_too_long_for_the_printable_width_is_refused_not_narrowed(tmp_path):
    good = (LABELS_DIR / "zebra-50x25.toml").read_text(encoding="utf-8")
    path = tmp_path / "narrow.toml"
    path.write_text(good.replace("label_width_mm = 50", "label_width_mm = 30")
                    .replace("page_width_mm = 50", "page_width_mm = 30"), encoding="utf-8")
    fmt = parse_format(path)
    with pytest.raises(CodeDoesNotFit):
        layout(fmt, barcode_modules("ABCDE-000001"))
    assert "2 points à 203 dpi" in layout_problems(fmt)[0]
