"""Every shipped format, rendered for several devices: the PDF has the format's size and every barcode scans."""
from collections import Counter

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from reco.labels.formats import load_formats
from reco.labels.printing import device_label
from reco.labels.render import FONT, LabelContent, UnprintableCode, barcode_modules, fit, render_labels
from tests.factories import make_device, make_donation, make_donor, make_structure
from tests.labels.label_helpers import MM, decode_pdf, page_sizes

FORMATS, PROBLEMS = load_formats()


def test_the_shipped_formats_are_all_valid():
    assert PROBLEMS == []
    assert set(FORMATS) == {"brother-ql-62x29", "brother-ql-62-endless", "dymo-99012", "dymo-11354",
                            "zebra-50x25", "a4-avery-l7160", "a4-avery-l7651"}


def _devices(prefix: str, count: int = 4):
    donation = make_donation(make_donor(make_structure("workshop", tag_prefix=prefix)))
    long_name = "Hewlett-Packard Company Professional Workstation Édition Spéciale " * 3
    devices = [make_device(donation, brand=long_name if n % 2 else "Dell", model=long_name if n % 3 else "E5530")
               for n in range(count)]
    return [device_label(d) for d in devices]


def _cell(fmt, slot):
    left, top = fmt.position(slot)
    return left, top, left + fmt.label_width, top + fmt.label_height


@pytest.mark.parametrize("key", sorted(FORMATS))
@pytest.mark.parametrize("prefix", ["DEM", "ABCDE"])
def test_every_barcode_scans_and_sits_in_its_label(app, ctx, key, prefix):
    fmt = FORMATS[key]
    contents = _devices(prefix)
    with app.test_request_context():
        pdf = render_labels(fmt, contents, copies=2)
    expected_pages = len(contents) * 2 if fmt.kind == "roll" else -(-len(contents) * 2 // fmt.per_page)
    assert page_sizes(pdf) == [pytest.approx((fmt.page_width * MM, fmt.page_height * MM), abs=0.01)] * expected_pages
    found = decode_pdf(pdf)
    assert Counter(f["text"] for f in found) == Counter({c.code: 2 for c in contents})
    for index, barcode in enumerate(sorted(found, key=lambda f: (f["page"], f["y"], f["x"]))):
        slot = index % fmt.per_page
        left, top, right, bottom = _cell(fmt, slot)
        assert left < barcode["x"] < right and top < barcode["y"] < bottom, (key, index, barcode)


@pytest.mark.parametrize("key", ["a4-avery-l7160", "a4-avery-l7651"])
def test_skip_leaves_the_first_labels_of_a_sheet_blank(app, ctx, key):
    fmt = FORMATS[key]
    contents = _devices("SKP", 3)
    with app.test_request_context():
        pdf = render_labels(fmt, contents, skip=fmt.per_page - 2)
    found = sorted(decode_pdf(pdf), key=lambda f: (f["page"], f["y"], f["x"]))
    assert [f["page"] for f in found] == [0, 0, 1]
    for barcode, slot in zip(found, [fmt.per_page - 2, fmt.per_page - 1, 0]):
        left, top, right, bottom = _cell(fmt, slot)
        assert left < barcode["x"] < right and top < barcode["y"] < bottom


def test_long_text_is_shortened_never_overflowing():
    text = fit("x" * 500, FONT, 6, 100)
    assert text.endswith("…") and stringWidth(text, FONT, 6) <= 100
    assert fit("court", FONT, 6, 100) == "court"
    assert fit("Łódź ½ € Œuvre ő", FONT, 6, 100) == "Łódź ½ € Œuvre ő"  # DejaVu Sans covers every Latin letter


@pytest.mark.parametrize("code", ["", "DÉM-000001", "DEM\x00", "タグ"])
def test_codes_code_128_cannot_carry_are_refused(code):
    with pytest.raises(UnprintableCode):
        barcode_modules(code)


def test_location_labels_scan(app, ctx):
    fmt = FORMATS["a4-avery-l7651"]
    with app.test_request_context():
        pdf = render_labels(fmt, [LabelContent("DEM-L0001", ("Étagère A",), ("title",))])
    assert [f["text"] for f in decode_pdf(pdf)] == ["DEM-L0001"]
