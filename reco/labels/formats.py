"""Label formats: one TOML file per printer or sheet in labels/, checked when read."""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from reco.config import PROJECT_ROOT

LABELS_DIR = PROJECT_ROOT / "labels"
FIELDS = ("tag", "title", "specs", "grade", "sanitization", "workshop")
DRIVERS = ("brother_ql", "cups", "sheet")
SIDES = ("left", "top", "right", "bottom")


class FormatError(ValueError):
    """A label format file cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class LabelFormat:
    """Where labels sit on a page, and what each shows; lengths in millimetres."""

    key: str
    name: str
    kind: str  #: "roll" (one label per page) or "sheet"
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int
    rows: int
    margin_left: float
    margin_top: float
    gap_x: float
    gap_y: float
    padding: float
    fields: tuple[str, ...]
    qr: bool
    module_width: float
    barcode_height: float
    quiet_zone: float
    tag_size: float  #: points
    text_size: float  #: points
    dpi: int = 300  #: the printer's resolution
    driver: str = "sheet"  #: "brother_ql", "cups" or "sheet" (an office printer)
    media: str = ""  #: brother_ql's label identifier, or the PPD's PageSize name
    ppd: str = ""  #: the PPD the CUPS driver prints with
    #: What the printer cannot print at the label's left, top, right and bottom edges (mm, reading orientation).
    margins: tuple[float, float, float, float] = (0, 0, 0, 0)
    source: str = ""  #: where the margins come from

    @property
    def dot(self) -> float:
        """Return the size of one printer dot in mm."""
        return 25.4 / self.dpi

    @property
    def min_module_dots(self) -> int:
        """Return the narrowest bar in printer dots: 0.2 mm rounded up, at least 2 (2 at 203 dpi, 3 at 300)."""
        return max(2, math.ceil(0.2 / self.dot))

    @property
    def per_page(self) -> int:
        """Return how many labels a page holds."""
        return self.columns * self.rows

    def position(self, index: int) -> tuple[float, float]:
        """Return the (left, top) corner in mm of the label at ``index`` on its page."""
        column, row = index % self.columns, index // self.columns
        return (self.margin_left + column * (self.label_width + self.gap_x),
                self.margin_top + row * (self.label_height + self.gap_y))


def _number(data: dict, key: str, path: Path, low: float = 0, high: float = 1000) -> float:
    """Return a number of the file, checked against its range."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise FormatError(f"{path.name}: « {key} » doit être un nombre entre {low} et {high}. "
                          f"/ {key} must be a number between {low} and {high}.")
    return float(value)


def parse_format(path: Path) -> LabelFormat:
    """Read and check one label format file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:  # deep nesting recurses
        raise FormatError(f"{path.name}: fichier illisible ({exc}). / unreadable file.") from exc
    barcode, fonts = data.get("barcode"), data.get("fonts")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise FormatError(f"{path.name}: « name » manque. / name is missing.")
    if data.get("kind") not in ("roll", "sheet"):
        raise FormatError(f"{path.name}: « kind » vaut roll ou sheet. / kind must be roll or sheet.")
    if not isinstance(barcode, dict) or not isinstance(fonts, dict):
        raise FormatError(f"{path.name}: les sections [barcode] et [fonts] manquent. / [barcode] or [fonts] missing.")
    if not isinstance(data.get("qr", False), bool):
        raise FormatError(f"{path.name}: « qr » vaut true ou false. / qr must be true or false.")
    for key in ("columns", "rows"):
        if not isinstance(data.get(key), int) or isinstance(data.get(key), bool):
            raise FormatError(f"{path.name}: « {key} » est un nombre entier. / {key} must be a whole number.")
    fields = data.get("fields", list(FIELDS))
    if not isinstance(fields, list) or "tag" not in fields or any(f not in FIELDS for f in fields):
        raise FormatError(f"{path.name}: « fields » liste des champs parmi {', '.join(FIELDS)} et contient tag. "
                          f"/ fields must list known fields and include tag.")
    printer = data.get("printer")
    if not isinstance(printer, dict) or printer.get("driver") not in DRIVERS:
        raise FormatError(f"{path.name}: la section [printer] donne driver ({', '.join(DRIVERS)}), dpi et "
                          f"unprintable_mm. / [printer] must give driver, dpi and unprintable_mm.")
    unprintable = printer.get("unprintable_mm")
    if not isinstance(unprintable, dict) or set(unprintable) != set(SIDES):
        raise FormatError(f"{path.name}: « unprintable_mm » donne left, top, right et bottom. "
                          f"/ unprintable_mm must give left, top, right and bottom.")
    dpi = _number(printer, "dpi", path, 150, 1200)
    if dpi != int(dpi):
        raise FormatError(f"{path.name}: « dpi » est un nombre entier. / dpi must be a whole number.")
    texts = {key: printer.get(key, "") for key in ("media", "ppd", "source")}
    if any(not isinstance(value, str) or len(value) > 300 for value in texts.values()):
        raise FormatError(f"{path.name}: media, ppd et source sont des textes. / media, ppd and source are text.")
    fmt = LabelFormat(
        key=path.stem, name=data["name"].strip(), kind=data["kind"],
        page_width=_number(data, "page_width_mm", path, 10), page_height=_number(data, "page_height_mm", path, 10),
        label_width=_number(data, "label_width_mm", path, 10), label_height=_number(data, "label_height_mm", path, 10),
        columns=int(_number(data, "columns", path, 1, 20)), rows=int(_number(data, "rows", path, 1, 40)),
        margin_left=_number(data, "margin_left_mm", path), margin_top=_number(data, "margin_top_mm", path),
        gap_x=_number(data, "gap_x_mm", path, 0, 50), gap_y=_number(data, "gap_y_mm", path, 0, 50),
        padding=_number(data, "padding_mm", path, 0, 10), fields=tuple(fields), qr=data.get("qr", False),
        module_width=_number(barcode, "module_width_mm", path, 0.15, 1.5),
        barcode_height=_number(barcode, "height_mm", path, 3, 100),
        quiet_zone=_number(barcode, "quiet_zone_mm", path, 1, 20),
        tag_size=_number(fonts, "tag_pt", path, 4, 40), text_size=_number(fonts, "text_pt", path, 3, 30),
        dpi=int(dpi), driver=printer["driver"], media=texts["media"], ppd=texts["ppd"], source=texts["source"],
        margins=tuple(_number(unprintable, side, path, 0, 20) for side in SIDES))
    right = fmt.margin_left + fmt.columns * fmt.label_width + (fmt.columns - 1) * fmt.gap_x
    bottom = fmt.margin_top + fmt.rows * fmt.label_height + (fmt.rows - 1) * fmt.gap_y
    if right > fmt.page_width + 0.01 or bottom > fmt.page_height + 0.01:
        raise FormatError(f"{path.name}: les étiquettes dépassent de la page. / the labels do not fit the page.")
    inner = fmt.label_width - 2 * fmt.padding - 2 * fmt.quiet_zone - (fmt.label_height if fmt.qr else 0)
    if inner < 20 or fmt.label_height - 2 * fmt.padding < 8:
        raise FormatError(f"{path.name}: trop peu de place dans l'étiquette pour un code-barres (marges, zones "
                          f"blanches, QR). / too little room inside the label for a barcode.")
    if fmt.kind == "roll" and fmt.per_page != 1:
        raise FormatError(f"{path.name}: un rouleau a une étiquette par page. / a roll has one label per page.")
    return fmt


def load_formats(directory: Path = LABELS_DIR) -> tuple[dict[str, LabelFormat], list[str]]:
    """Read every format file; return the usable formats by key and a message per broken file."""
    formats, problems = {}, []
    for path in sorted(directory.glob("*.toml")):
        try:
            formats[path.stem] = parse_format(path)
        except FormatError as error:
            problems.append(str(error))
    return formats, problems


def report_label_problems(app) -> None:
    """Say in the log, at start-up, which label format files cannot be used."""
    for problem in load_formats()[1]:
        app.logger.warning("label format ignored: %s", problem)
