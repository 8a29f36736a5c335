"""Benchmark: 1,000 device labels beside a baseline that draws the same Code 128 codes straight onto a canvas.

Each case runs in its own process so that its peak memory (RSS) is its own.
Usage: python -m bench.labels
"""
from __future__ import annotations

import importlib
import io
import resource
import subprocess
import sys
import time

COUNT = 1000
FORMATS = ("a4-avery-l7160", "brother-ql-62x29")


def _codes() -> list[str]:
    """Return the asset tags to print."""
    return [f"DEM-{n:06d}" for n in range(1, COUNT + 1)]


def baseline_case(key: str) -> None:
    """Draw the Code 128 of every tag with reportlab's own barcode, on pages of the format's size."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from reco.labels.formats import load_formats

    fmt = load_formats()[0][key]
    canvas = Canvas(io.BytesIO(), pagesize=(fmt.page_width * mm, fmt.page_height * mm), pageCompression=1)
    for index, code in enumerate(_codes()):
        slot = index % fmt.per_page
        if index and slot == 0:
            canvas.showPage()
        left, top = fmt.position(slot)
        Code128(code, barWidth=fmt.module_width * mm, barHeight=fmt.barcode_height * mm).drawOn(
            canvas, (left + fmt.padding) * mm, (fmt.page_height - top - fmt.padding - fmt.barcode_height) * mm)
    canvas.showPage()
    canvas.save()


def reco_case(key: str) -> None:
    """Render the full device labels with Reco's renderer."""
    from reco.labels.formats import load_formats
    from reco.labels.render import LabelContent, render_labels

    fmt = load_formats()[0][key]
    contents = [LabelContent(code, ("Ordinateur portable Dell Latitude E5530 non-vPro", "i5-3340M · 8 Go · 500 Go",
                                    "Grade B", "Effacé : Clear, 22/11/2026", "Atelier Démo"),
                             ("title", "specs", "grade", "sanitization", "workshop")) for code in _codes()]
    render_labels(fmt, contents)


def run_case(case: str, key: str) -> None:
    """Run one case (its modules imported first, as in a running server) and print its seconds and peak RSS in MB."""
    modules = ["reportlab.graphics.barcode.code128", "reportlab.pdfgen.canvas", "reco.labels.formats"]
    for module in modules + (["reco.labels.render"] if case == "reco" else []):
        importlib.import_module(module)
    start = time.perf_counter()
    {"baseline": baseline_case, "reco": reco_case}[case](key)
    seconds = time.perf_counter() - start
    print(f"{seconds:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def _measure(case: str, key: str, runs: int = 3) -> tuple[float, float]:
    """Return the best time and the largest peak RSS of ``runs`` fresh processes."""
    results = []
    for _ in range(runs):
        output = subprocess.run([sys.executable, "-m", "bench.labels", case, key], capture_output=True, text=True,
                                check=True).stdout.split()
        results.append((float(output[0]), float(output[1])))
    return min(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    """Print the table of figures and ratios (target: at most 1.5x the baseline, under 200 MB)."""
    print(f"{COUNT} labels   {'format':<18}{'baseline s':>11}{'reco s':>9}{'ratio':>7}{'reco peak MB':>14}")
    for key in FORMATS:
        base, _base_rss = _measure("baseline", key)
        ours, rss = _measure("reco", key)
        print(f"{'':<13}{key:<18}{base:>11.3f}{ours:>9.3f}{ours / base:>7.2f}{rss:>14.0f}")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        run_case(sys.argv[1], sys.argv[2])
    else:
        main()
