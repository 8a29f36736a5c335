"""The printers' own drivers run on a label PDF, and what the printer would mark read back as an image."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from brother_ql.reader import OPCODES, chunker
from PIL import Image, ImageFilter, ImageOps

CUPSFILTER = shutil.which("cupsfilter")
DRIVERD = Path("/usr/lib/cups/daemon/cups-driverd")
RASTER2DYMOLW = Path("/usr/lib/cups/filter/raster2dymolw")
REQUIRED = os.environ.get("RECO_REQUIRE_BROWSER") == "1"
INK = 128  #: grey levels below this are ink


def need_cups(*tools: Path | None) -> None:
    """Skip without cupsfilter and the drivers, or fail when RECO_REQUIRE_BROWSER=1 makes them required."""
    if not CUPSFILTER or not DRIVERD.exists() or not all(tool and Path(tool).exists() for tool in tools):
        (pytest.fail if REQUIRED else pytest.skip)(
            "cupsfilter or a CUPS driver missing (apt-get install cups printer-driver-dymo cups-ppdc)")


def ppd_file(name: str, folder: Path) -> Path:
    """Write the PPD CUPS gives for the driver ``name`` (as `lpinfo -m` lists it) and return its path."""
    path = folder / "printer.ppd"
    path.write_bytes(subprocess.run([str(DRIVERD), "cat", name], capture_output=True, check=True, timeout=60).stdout)
    return path


def _cupsfilter(fmt, pdf: bytes, folder: Path, *options: str) -> bytes:
    """Return what cupsfilter makes of ``pdf`` with the format's PPD and page size."""
    source = folder / "label.pdf"
    source.write_bytes(pdf)
    command = [CUPSFILTER, *options, "-p", str(ppd_file(fmt.ppd, folder)), "-o", f"PageSize={fmt.media}",
               "-o", f"Resolution={fmt.dpi}dpi", str(source)]
    return subprocess.run(command, capture_output=True, check=True, timeout=120).stdout


def dymo_stream(fmt, pdf: bytes, folder: Path) -> bytes:
    """Return the LabelWriter commands the Dymo CUPS driver sends for ``pdf``."""
    raster = _cupsfilter(fmt, pdf, folder, "-m", "application/vnd.cups-raster")
    # A network queue: the driver's language monitor asks a USB printer for its status, and would wait for it.
    env = {**os.environ, "PPD": str(folder / "printer.ppd"), "DEVICE_URI": "socket://127.0.0.1:9100"}
    return subprocess.run([str(RASTER2DYMOLW), "1", "reco", "label", "1", f"PageSize={fmt.media}"], input=raster,
                          env=env, capture_output=True, check=True, timeout=120).stdout


def zebra_zpl(fmt, pdf: bytes, folder: Path) -> str:
    """Return the ZPL that CUPS's Zebra driver (rastertolabel) sends for ``pdf``."""
    return _cupsfilter(fmt, pdf, folder, "-e", "-m", "printer/label").decode("ascii")


#: LabelWriter commands after ESC, with the number of bytes each takes (LabelWriter 400/450 reference).
LABELWRITER = {b"@": 0, b"*": 0, b"A": 0, b"B": 1, b"C": 1, b"D": 1, b"E": 0, b"G": 0, b"L": 2, b"M": 8, b"Q": 2,
               b"c": 0, b"d": 0, b"e": 0, b"f": 2, b"g": 0, b"h": 0, b"i": 0, b"q": 1}


def labelwriter_image(stream: bytes) -> Image.Image:
    """Return the dots a LabelWriter prints from ``stream`` (black is ink), one row per line fed."""
    rows, index, tab, width = [], 0, 0, 0
    while index < len(stream):
        byte = stream[index]
        if byte == 0x1B and stream[index + 1:index + 2] == b"\x1b":  # ESC padding that resynchronises the printer
            index += 1
        elif byte == 0x1B:
            command = stream[index + 1:index + 2]
            if command not in LABELWRITER:
                raise ValueError(f"unknown LabelWriter command ESC {command!r} at {index}")
            argument = stream[index + 2:index + 2 + LABELWRITER[command]]
            index += 2 + LABELWRITER[command]
            if command == b"B":
                tab = argument[0]
            elif command == b"D":
                width = argument[0]
            elif command == b"f":
                rows.extend([(0, [])] * argument[1])
        elif byte == 0x16:  # SYN: one line of ``width`` bytes
            line = stream[index + 1:index + 1 + width]
            rows.append((tab, [(value >> (7 - bit)) & 1 for value in line for bit in range(8)]))
            index += 1 + width
        elif byte == 0x17:  # ETB: one line in runs (bit 7 the colour, bits 0-6 the length less one)
            bits, index = [], index + 1
            while len(bits) < width * 8:
                run = stream[index]
                bits += [run >> 7] * ((run & 0x7F) + 1)
                index += 1
            rows.append((tab, bits))
        else:
            raise ValueError(f"unexpected byte {byte:#04x} at {index} of the LabelWriter stream")
    image = Image.new("L", (max(t * 8 + len(b) for t, b in rows), len(rows)), 255)
    pixels = image.load()
    for y, (tab, bits) in enumerate(rows):
        for x, bit in enumerate(bits):
            if bit:
                pixels[tab * 8 + x, y] = 0
    return image


def zpl_image(zpl: str) -> Image.Image:
    """Return the graphic a ZPL ~DG download holds (black is ink), undoing ZPL's hexadecimal compression."""
    header = re.search(r"~DG\w:[\w.]+,(\d+),(\d+),", zpl)
    total, per_row = int(header.group(1)), int(header.group(2))
    data = zpl[header.end():zpl.index("^XA", header.end())]
    width, rows, current, count = per_row * 2, [], "", 0
    for char in data:
        if char.isspace():
            continue
        if "G" <= char <= "Y":
            count += ord(char) - ord("F")
        elif "g" <= char <= "z":
            count += (ord(char) - ord("f")) * 20
        elif char in ",!:":
            rows.append(rows[-1] if char == ":" else current.ljust(width, "0" if char == "," else "F"))
            current = ""
        else:
            current += char * (count or 1)
            count = 0
            if len(current) == width:
                rows.append(current)
                current = ""
    assert len(rows) * per_row == total, "the ZPL graphic does not hold the rows it announces"
    return ImageOps.invert(Image.frombytes("1", (per_row * 8, len(rows)), bytes.fromhex("".join(rows))).convert("L"))


def brother_image(raster: bytes) -> Image.Image:
    """Return the dots a Brother QL prints from the first page of ``raster`` (black is ink), as the label reads."""
    rows = []
    for instruction in chunker(raster, raise_exception=True):
        name = next(OPCODES[code][0] for code in OPCODES if instruction.startswith(code))
        assert not (name == "compression" and instruction[1] == 0x02), "compressed raster is not read back here"
        if name == "raster":
            rows.append(instruction[3:])
        elif name == "print":
            break
    image = Image.frombytes("1", (len(rows[0]) * 8, len(rows)), b"".join(rows))
    return ImageOps.mirror(ImageOps.invert(image.convert("L")))  # the head prints right to left


def _code128(image: Image.Image):
    """Return the one Code 128 zxing-cpp finds in ``image``, or None."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    return found[0] if len(found) == 1 else None


def _corner(result) -> tuple[int, int]:
    """Return the top-left of the code's bounding box."""
    points = [result.position.top_left, result.position.top_right, result.position.bottom_right,
              result.position.bottom_left]
    return min(p.x for p in points), min(p.y for p in points)


def lost_ink(reference: Image.Image, printed: Image.Image) -> float:
    """Return the share of the reference's ink that the printed image lacks, turned and aligned on the Code 128.

    Both images are at the same resolution; one dot of difference at every edge is forgiven (the drivers
    rasterise with their own anti-aliasing and halftoning).
    """
    wanted = _code128(reference)
    assert wanted, "the reference holds no readable Code 128"
    for turn in (0, 90, 180, 270):
        turned = printed.rotate(turn, expand=True, fillcolor=255)
        found = _code128(turned)
        if found and found.text == wanted.text and found.orientation == wanted.orientation:
            break
    else:
        return 1.0
    (rx, ry), (px, py) = _corner(wanted), _corner(found)
    canvas = Image.new("L", reference.size, 255)
    canvas.paste(turned, (rx - px, ry - py))
    ink = reference.point(lambda v: 0 if v < INK else 255).filter(ImageFilter.MaxFilter(3))  # thinned by one dot
    kept = canvas.point(lambda v: 0 if v < INK else 255).filter(ImageFilter.MinFilter(3))  # widened by one dot
    wanted_dots = ink.histogram()[0]
    missing = sum(1 for a, b in zip(ink.tobytes(), kept.tobytes()) if a == 0 and b == 255)
    return missing / wanted_dots
