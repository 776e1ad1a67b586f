"""The page frame and building blocks the bilingual trade documents share, on fpdf2.

A US broker and a Mexican agente aduanal read the same sheet, so every label prints in
English and Spanish side by side ("Currency / Moneda"): the labels are constants in
:data:`LABELS`, not catalogued messages. Pages are US Letter, the paper size used on both
sides of this border (Mexico's "tamaño carta"), so the sheet prints unscaled in Phoenix and
in Guadalajara. Dates print as ISO 8601 (2026-11-30), which neither side misreads as
month/day or day/month. Amounts stay Decimal down to the text; nothing passes through float.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfReader

from cruce.artifacts._labels import LABELS
from cruce.artifacts._text import (
    party_details,
)
from cruce.i18n import _
from cruce.model.problems import blocker

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cruce.model import Party, Problem

FONT_DIR: Final = Path(__file__).parent / "fonts"
FONT: Final = "DejaVuSansCondensed"
MARGIN: Final = 10.0  # mm
BODY_PT: Final = 7.0
PAD: Final = 0.8  # mm inside each box
LINE_FACTOR: Final = 0.42  # mm of leading per point of type size (1.2 x 0.3528)
BASELINE_FACTOR: Final = 0.33  # mm from a line's top to its baseline, per point
FIXED_CREATION: Final = date(2000, 1, 1)  # when the record has no invoice date
GREY: Final = (232, 232, 232)
RULE: Final = (150, 150, 150)


# ---------------------------------------------------------------- the document


@dataclass(frozen=True, slots=True)
class Cell:
    """Text for one box of a row; it wraps at word boundaries to the box's width."""

    text: str
    align: str = "L"  # L, C or R
    bold: bool = False
    fill: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """A row laid out but not yet drawn: its boxes, their wrapped lines, and its height."""

    cells: Sequence[Cell]
    widths: Sequence[float]
    lines: list[list[str]]
    size: float
    height: float


class TradeDocument(FPDF):
    """A Letter page frame: bilingual title and numbers on top, "Page X of Y" at the foot.

    Rows are laid out here rather than with ``FPDF.table``, which wraps each cell several
    times over: a 250-line invoice took five seconds with it and takes under one this way.
    """

    def __init__(self, title: str, header_lines: Sequence[str], footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self._title, self._header_lines, self._footer_text = title, tuple(header_lines), footer_text
        self._widths: dict[tuple[str, str, float], float] = {}
        self.add_font(FONT, "", FONT_DIR / "DejaVuSansCondensed.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSansCondensed-Bold.ttf")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=16)
        self.alias_nb_pages()
        self.set_title(title)
        self.set_creator("cruce")
        self.set_line_width(0.15)
        self.add_page()

    def date_from(self, day: date | None) -> None:
        """Stamp the file with ``day`` (or a fixed date): equal records give equal bytes."""
        self.set_creation_date(datetime.combine(day or FIXED_CREATION, time(), tzinfo=UTC))

    def header(self) -> None:
        """Title on the left, document numbers on the right, a rule under both."""
        top = self.t_margin
        self.set_font(FONT, "B", 14)
        self.set_xy(self.l_margin, top)
        self.cell(self.get_string_width(self._title), 7, self._title)
        title_end = self.get_x()
        self.set_font(FONT, "", 8)
        widest = max((self.get_string_width(line) for line in self._header_lines), default=0)
        # numbers beside the title when they fit there, under it when they do not
        self.set_xy(
            self.l_margin, top if title_end + 4 + widest <= self.w - self.r_margin else top + 8
        )
        for line in self._header_lines:
            self.cell(0, 3.8, line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        bottom = max(self.get_y(), top + 8) + 1.5
        self.set_draw_color(*RULE)
        self.line(self.l_margin, bottom, self.w - self.r_margin, bottom)
        self.set_y(bottom + 2.5)

    def footer(self) -> None:
        """Reference on the left, "Page X of Y / Página X de Y" in the middle."""
        self.set_y(-12)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FONT, "", 7)
        third = self.epw / 3
        fitted = min(7.0, 7.0 * (third - 2) / max(self.get_string_width(self._footer_text), 1))
        self.set_font_size(fitted)
        self.cell(third, 5, self._footer_text)
        self.set_font_size(7)
        self.cell(third, 5, LABELS["page"].format(page=self.page_no(), pages="{nb}"), align="C")
        self.cell(third, 5, "cruce", align="R")

    def keep_together(self, height: float) -> None:
        """Start a new page when a block of ``height`` mm would not fit on this one."""
        if self.will_page_break(height):
            self.add_page()

    def section(self, label: str) -> None:
        """A bold caption over the block that follows, never alone at a page's foot."""
        self.keep_together(14)
        self.ln(1.5)
        self.set_font(FONT, "B", 8.5)
        self.cell(0, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, size: float = BODY_PT, *, bold: bool = False) -> None:
        """Wrapped text across the page width."""
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, size * 0.45, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _width(self, text: str, style: str, size: float) -> float:
        key = (text, style, size)
        if key not in self._widths:
            self.set_font(FONT, style, size)
            self._widths[key] = self.get_string_width(text)
        return self._widths[key]

    def _wrap(self, text: str, style: str, size: float, width: float) -> list[str]:
        """Greedy word wrap to ``width`` mm; explicit newlines start new lines."""
        lines: list[str] = []
        space = self._width(" ", style, size)
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split():
                for piece in self._pieces(word, style, size, width):
                    wide = self._width(piece, style, size)
                    if line and used + space + wide <= width:
                        line, used = f"{line} {piece}", used + space + wide
                        continue
                    if line:
                        lines.append(line)
                    line, used = piece, wide
            lines.append(line)
        return lines

    def _pieces(self, word: str, style: str, size: float, width: float) -> list[str]:
        """``word`` cut where it overflows ``width``; the word itself when it fits."""
        pieces: list[str] = []
        rest = word
        while len(rest) > 1 and self._width(rest, style, size) > width:
            fits = (
                k
                for k in range(len(rest) - 1, 1, -1)
                if self._width(rest[:k], style, size) <= width
            )
            cut = next(fits, 1)
            pieces.append(rest[:cut])
            rest = rest[cut:]
        return [*pieces, rest]

    def layout(self, cells: Sequence[Cell], widths: Sequence[float], size: float = BODY_PT) -> Row:
        """Wrap each box's text to its width; the tallest box sets the row's height."""
        lines = [
            self._wrap(c.text, "B" if c.bold else "", size, w - 2 * PAD)
            for c, w in zip(cells, widths, strict=True)
        ]
        height = max(len(box) for box in lines) * size * LINE_FACTOR + 2 * PAD
        return Row(cells, widths, lines, size, height)

    def draw(self, row: Row, *, rule: bool = True, left: float = 0.0) -> None:
        """Draw a laid-out row at the current height, ``left`` mm in, then move below it."""
        top = self.get_y()
        x = self.l_margin + left
        for cell, width, lines in zip(row.cells, row.widths, row.lines, strict=True):
            style = "B" if cell.bold else ""
            if cell.fill:
                self.set_fill_color(*GREY)
                self.rect(x, top, width, row.height, style="F")
            self.set_font(FONT, style, row.size)
            for index, line in enumerate(lines):
                room = width - self._width(line, style, row.size)
                offset = {"L": PAD, "R": room - PAD}.get(cell.align, room / 2)
                baseline = top + PAD + (index * LINE_FACTOR + BASELINE_FACTOR) * row.size
                self.text(x + offset, baseline, line)
            x += width
        if rule:
            self.set_draw_color(*RULE)
            self.line(self.l_margin + left, top + row.height, x, top + row.height)
        self.set_y(top + row.height)

    def spread(self, widths: Sequence[float], total: float | None = None) -> list[float]:
        """Relative widths scaled to ``total`` mm, the width between the margins by default."""
        scale = (total or self.epw) / sum(widths)
        return [w * scale for w in widths]

    def grid(
        self,
        headings: Sequence[str],
        widths: Sequence[float],
        aligns: str,
        rows: Iterable[Sequence[str]],
        total: float | None = None,
    ) -> None:
        """A table whose heading row repeats at the top of every page it runs onto.

        ``aligns`` has a letter a column (L, C, R); a narrower table (``total`` mm) sits right.
        """
        columns = self.spread(widths, total)
        left = self.epw - sum(columns)
        size = BODY_PT - 0.5
        heading = self.layout([Cell(t, "C", bold=True, fill=True) for t in headings], columns, size)
        self.keep_together(heading.height + 12)
        self.draw(heading, left=left)
        for values in rows:
            row = self.layout(
                [Cell(t, a) for t, a in zip(values, aligns, strict=True)], columns, size
            )
            if self.will_page_break(row.height):
                self.add_page()
                self.draw(heading, left=left)
            self.draw(row, left=left)
        self.ln(1.5)

    def fields(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label and value pairs, two pairs a row."""
        columns = self.spread((22, 28, 22, 28))
        flat = [item for pair in pairs for item in pair]
        flat += [""] * (-len(flat) % 4)
        for start in range(0, len(flat), 4):
            chunk = flat[start : start + 4]
            row = self.layout([Cell(t, bold=i % 2 == 0) for i, t in enumerate(chunk)], columns)
            self.keep_together(row.height)
            self.draw(row)
        self.ln(1.5)

    def party_grid(self, blocks: Sequence[tuple[str, Party]]) -> None:
        """Parties two abreast: role, name in bold, then address, tax ids and contact."""
        columns = self.spread((48, 4, 48))
        blank = Cell("")
        for left, right in zip_longest(blocks[::2], blocks[1::2]):
            pair = (left, None, right)
            rows = [
                self.layout(
                    [Cell(b[0], bold=True, fill=True) if b else blank for b in pair], columns
                ),
                self.layout([Cell(b[1].name, bold=True) if b else blank for b in pair], columns),
                self.layout([Cell(party_details(b[1])) if b else blank for b in pair], columns),
            ]
            self.keep_together(sum(row.height for row in rows))
            for row in rows:
                self.draw(row, rule=False)
            self.ln(2)

    def to_bytes(self) -> bytes:
        """The finished file."""
        return bytes(self.output())


def validate_pdf(key: str, data: bytes, title: str) -> list[Problem]:
    """Open ``data`` as a PDF and read its text; problems instead of exceptions, whatever it is."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return [
                blocker(
                    f"{key}.pdf.encrypted", "", _("The PDF is encrypted; customs cannot read it")
                )
            ]
        if len(reader.pages) == 0:
            return [blocker(f"{key}.pdf.no_pages", "", _("The PDF has no pages"))]
        first = reader.pages[0].extract_text() or ""
        rest = "".join(page.extract_text() or "" for page in reader.pages[1:])
    except Exception:  # noqa: BLE001 - pypdf raises many exception types on damaged input; all mean "unreadable"
        return [blocker(f"{key}.pdf.unreadable", "", _("The file is not a readable PDF"))]
    if not (first + rest).strip():
        return [blocker(f"{key}.pdf.no_text", "", _("The PDF has no text that can be extracted"))]
    if title not in first:
        return [
            blocker(
                f"{key}.pdf.title_missing",
                "",
                _("The first page does not carry the title '{title}'", title=title),
            )
        ]
    return []
