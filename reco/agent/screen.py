"""What the technician reads: large French text on the terminal, colours with words, the tag in block letters,
the label's QR code in half blocks."""
from __future__ import annotations

import os
import shutil
import sys

from . import font

GREEN, RED, YELLOW, BOLD, RESET = "\033[1;32m", "\033[1;31m", "\033[1;33m", "\033[1m", "\033[0m"
#: Half blocks: (upper filled, lower filled) -> character.
HALF = {(True, True): "\u2588", (True, False): "\u2580", (False, True): "\u2584", (False, False): " "}


class Screen:
    """The terminal: every line goes through here (colours only on a terminal, or RECO_AGENT_COLOR=1)."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        forced = os.environ.get("RECO_AGENT_COLOR")
        self.colour = forced == "1" if forced in ("0", "1") else self.out.isatty()

    @property
    def columns(self) -> int:
        """The terminal's width."""
        return shutil.get_terminal_size((80, 25)).columns

    def line(self, text: str = "", colour: str = "") -> None:
        """Write one line, coloured when the terminal shows colours."""
        self.out.write((f"{colour}{text}{RESET}" if colour and self.colour else text) + "\n")
        self.out.flush()

    def title(self, text: str) -> None:
        """Write a section title, underlined."""
        self.line()
        self.line(text.upper(), BOLD)
        self.line("=" * min(len(text), self.columns))

    def ok(self, text: str) -> None:
        """Write something that went well, in green, starting with OK."""
        self.line(f"[ OK ] {text}", GREEN)

    def fail(self, text: str, todo: str = "") -> None:
        """Write a failure in red with what to do."""
        self.line(f"[ÉCHEC] {text}", RED)
        if todo:
            self.line(f"       → À faire : {todo}", RED)

    def warn(self, text: str) -> None:
        """Write something to know, in yellow."""
        self.line(f"[ !! ] {text}", YELLOW)

    def big(self, text: str, colour: str = BOLD) -> None:
        """Write ``text`` (the tag) in block letters."""
        self.line()
        for row in font.render(text, self.columns):
            self.line(row, colour)
        self.line()

    def qr(self, modules: list[str]) -> None:
        """Draw a QR code given as rows of 0/1, two rows per line; light modules are drawn filled, for the
        light-on-dark text of a console (the quiet zone comes out as a light frame)."""
        rows = [[cell == "0" for cell in row] for row in modules]
        if len(rows) % 2:
            rows.append([True] * len(rows[0]))
        for top, bottom in zip(rows[::2], rows[1::2]):
            self.line("".join(HALF[(a, b)] for a, b in zip(top, bottom)))

    def ask(self, question: str) -> str:
        """Ask a question and return the answer typed or scanned ('' at the end of input)."""
        self.out.write(question + " ")
        self.out.flush()
        answer = sys.stdin.readline()
        if not answer:
            self.line()
        return answer.strip()
