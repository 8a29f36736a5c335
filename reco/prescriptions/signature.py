"""The family's signature drawn on the screen at the handover: a PNG data URL, checked before it is kept."""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from reco.core.errors import ValidationFailed

PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: Largest PNG kept, in KB: a signature drawn on a tablet at twice its pixel density stays far below.
MAX_KB = 200
MAX_BYTES = MAX_KB * 1024
#: Largest and smallest drawing, in pixels (a phone at three times its density, a tablet at twice).
MAX_WIDTH, MAX_HEIGHT = 2400, 1200
MIN_WIDTH, MIN_HEIGHT = 100, 40


@dataclass(frozen=True)
class Signature:
    """A checked signature: the PNG as drawn, its size in pixels and its SHA-256."""

    png: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the PNG, printed on the signed receipt."""
        return hashlib.sha256(self.png).hexdigest()


def _refuse(reason) -> ValidationFailed:
    """Return the refusal of a signature, saying why on the signature field."""
    message = str(_l("The signature could not be read: %(reason)s. Clear it and sign again.", reason=reason))
    return ValidationFailed(message, {"signature": [message]})


def png_size(png: bytes) -> tuple[int, int]:
    """Return the width and height a PNG's header declares, or refuse a file that is no PNG."""
    if len(png) < 33 or not png.startswith(PNG_MAGIC) or png[12:16] != b"IHDR":
        raise _refuse(_l("it is not a PNG image"))
    return struct.unpack(">II", png[16:24])


def _decoded(data_url: str) -> bytes:
    """Return the bytes of a PNG data URL, refusing another type, bad base64 or a file too large."""
    if not data_url.startswith(PREFIX):
        raise _refuse(_l("it is not a PNG image"))
    encoded = data_url[len(PREFIX):]
    if len(encoded) > (MAX_BYTES + 2) // 3 * 4:
        raise _refuse(_l("the image is larger than %(kb)d KB", kb=MAX_KB))
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(_l("the image is damaged")) from None


def _has_ink(png: bytes) -> bool:
    """Tell whether the PNG decodes in full and holds a stroke on its white or transparent background."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the size is capped already; a damaged file is refused below
            with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
                image.load()
                flat = Image.new("RGBA", image.size, "white")
                flat.alpha_composite(image.convert("RGBA"))
    except Exception:  # Pillow raises OSError, SyntaxError, EOFError, zlib.error... on a damaged file
        raise _refuse(_l("the image is damaged")) from None
    return ImageOps.invert(flat.convert("L")).getbbox() is not None


def parse_signature(data_url) -> Signature | None:
    """Return the signature of a PNG data URL (none when empty), or refuse anything else with a reason."""
    if data_url is None or data_url == "":
        return None
    if not isinstance(data_url, str):
        raise _refuse(_l("it is not a PNG image"))
    png = _decoded(data_url.strip())
    if len(png) > MAX_BYTES:
        raise _refuse(_l("the image is larger than %(kb)d KB", kb=MAX_KB))
    width, height = png_size(png)
    if not (MIN_WIDTH <= width <= MAX_WIDTH and MIN_HEIGHT <= height <= MAX_HEIGHT):
        raise _refuse(_l("the drawing is %(width)d × %(height)d pixels, not a signature pad's size",
                         width=width, height=height))
    if not _has_ink(png):
        raise _refuse(_l("the drawing is blank"))
    return Signature(png, width, height)
