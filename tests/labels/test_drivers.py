"""Every shipped label goes through its printer's real driver and comes out whole and readable."""
import pytest
import zxingcpp
from PIL import ImageFilter

from reco.labels.formats import LABELS_DIR, load_formats, parse_format
from reco.labels.raster import brother_raster, page_images, printable_crop
from reco.labels.render import LabelContent, render_labels
from tests.labels.driver_helpers import (RASTER2DYMOLW, brother_image, dymo_stream, labelwriter_image, lost_ink,
                                         need_cups, zebra_zpl, zpl_image)

FORMATS, _ = load_formats()
CONTENT = LabelContent("ABCDE-000001", ("Dell Latitude E7470 Édition spéciale", "Core i5 · 8 Go · SSD 256 Go",
                                        "Grade A", "Effacé (NIST 800-88)", "Atelier de Łódź"),
                       ("title", "specs", "grade", "sanitization", "workshop"),
                       "https://reco.example.org/devices/ABCDE-000001")
MOST_LOST = 0.005  #: share of the ink a driver may drop at the edges of marks (rasterisation), never a text's end


def _keys(driver, ppd=""):
    """Return the shipped formats printed by ``driver`` (and a PPD starting with ``ppd``)."""
    return sorted(k for k, f in FORMATS.items() if f.driver == driver and f.ppd.startswith(ppd))


def _codes(image):
    """Return the texts of every code zxing-cpp reads in ``image``."""
    return sorted(r.text for r in zxingcpp.read_barcodes(image))


def _reference(fmt, pdf):
    """Return the label's own page at its printer's resolution."""
    return page_images(pdf, fmt.dpi)[0]


@pytest.mark.parametrize("model", ["QL-700", "QL-800"])
@pytest.mark.parametrize("key", _keys("brother_ql"))
def test_brother_ql_takes_the_label_without_cropping_and_the_raster_decodes(key, model):
    fmt = FORMATS[key]
    pdf = render_labels(fmt, [CONTENT])
    printed = brother_image(brother_raster(fmt, pdf, model))
    assert printed.width == 720  # the QL-700/800 head: 90 bytes a line
    assert CONTENT.code in _codes(printed)
    assert lost_ink(printable_crop(fmt, _reference(fmt, pdf), 300), printed) < MOST_LOST


@pytest.mark.parametrize("key", _keys("cups", "dymo:"))
def test_the_dymo_driver_prints_every_line_whole(key, tmp_path):
    need_cups(RASTER2DYMOLW)
    fmt = FORMATS[key]
    pdf = render_labels(fmt, [CONTENT])
    printed = labelwriter_image(dymo_stream(fmt, pdf, tmp_path))
    expected = [CONTENT.code] + ([CONTENT.qr_url] if fmt.qr else [])
    assert _codes(printed) == sorted(expected)
    assert lost_ink(_reference(fmt, pdf), printed) < MOST_LOST


def test_the_dymo_check_sees_the_end_the_driver_cuts(tmp_path):
    """Without its margins, the 99012 label loses the start of its lines in the driver, and the check says so."""
    need_cups(RASTER2DYMOLW)
    text = (LABELS_DIR / "dymo-99012.toml").read_text(encoding="utf-8")
    path = tmp_path / "no-margins.toml"
    path.write_text(text.replace("unprintable_mm = { left = 6.011, top = 1.524, right = 6.011, bottom = 1.524 }",
                                 "unprintable_mm = { left = 0, top = 0, right = 0, bottom = 0 }")
                    .replace("padding_mm = 2", "padding_mm = 0.5"), encoding="utf-8")
    fmt = parse_format(path)
    pdf = render_labels(fmt, [CONTENT])
    printed = labelwriter_image(dymo_stream(fmt, pdf, tmp_path))
    assert lost_ink(_reference(fmt, pdf), printed) > 10 * MOST_LOST


@pytest.mark.parametrize("key", _keys("cups", "drv:///sample.drv/zebra"))
def test_the_zebra_driver_prints_the_label_whole(key, tmp_path):
    need_cups()
    fmt = FORMATS[key]
    pdf = render_labels(fmt, [CONTENT])
    zpl = zebra_zpl(fmt, pdf, tmp_path)
    assert "^XA" in zpl and "^XZ" in zpl
    printed = zpl_image(zpl)
    assert CONTENT.code in _codes(printed)
    assert lost_ink(_reference(fmt, pdf), printed) < MOST_LOST


def test_every_roll_format_goes_through_a_driver_tested_here():
    tested = set(_keys("brother_ql")) | set(_keys("cups", "dymo:")) | set(_keys("cups", "drv:///sample.drv/zebra"))
    assert tested == {k for k, f in FORMATS.items() if f.driver != "sheet"}


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("key", sorted(FORMATS))
def test_every_format_decodes_at_thermal_resolutions_sharp_thresholded_and_blurred(key, dpi):
    """A 1-pixel blur is read as a scanner reads a smudged print: with a fixed threshold (zxing-cpp's own
    adaptive binarizer loses 2-dot bars once blurred)."""
    fmt = FORMATS[key]
    page = page_images(render_labels(fmt, [CONTENT]), dpi)[0]
    variants = {"rendered": (page, zxingcpp.Binarizer.LocalAverage),
                "black and white": (page.point(lambda v: 0 if v < 128 else 255), zxingcpp.Binarizer.LocalAverage),
                "blurred": (page.filter(ImageFilter.GaussianBlur(1)), zxingcpp.Binarizer.FixedThreshold)}
    for name, (image, binarizer) in variants.items():
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128, binarizer=binarizer)
        assert [r.text for r in found] == [CONTENT.code], f"{key} at {dpi} dpi, {name}"
