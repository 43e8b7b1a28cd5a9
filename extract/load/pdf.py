"""PDF: text from pypdfium2 (fast), ruled tables from pdfplumber on the pages that have ruling lines.

Each page becomes lines in reading order (top to bottom), with the text of any table replaced by the
table's rows (tab-separated, merged cells carried). Lines repeated at the same place on most pages
(running headers, footers, page numbers) are dropped; bold characters are kept as emphasis runs.
"""
from __future__ import annotations

import ctypes
import io
import math
from collections import Counter
from dataclasses import dataclass, field

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import regex

from ..errors import IngestError
from ..model import LoadedFile
from . import loader
from .tables import cell_text, despace_cjk, grid_text

# Running headers and footers live in the top and bottom margins of a page.
MARGIN_SHARE = 0.12
# …and repeat there on at least this share of the pages (and on two pages at least).
REPEAT_SHARE = 0.5
# Lines whose tops differ by less than this (points) are at the same place.
SAME_PLACE = 3.0
# A table needs ruling lines: at least this many horizontal and vertical strokes on the page.
MIN_RULES = 2
# A page with fewer characters than this carries no text layer worth reading.
MIN_TEXT_CHARS = 10
BOLD_WEIGHT = 600
BOLD_NAMES = (b"bold", b"black", b"heavy")
FONT_NAME_BYTES = 128
# What pdfium's FPDFTextObj_GetText returns for a text object it found no text in: a bare terminator.
EMPTY_UTF16 = 2
# A line ending within this many characters of the text block's right edge was wrapped by the layout.
WRAP_SLACK_CHARS = 1.5
# A line starting this many characters right of the text block's left edge opens a paragraph.
INDENT_CHARS = 1.0

_DIGITS = regex.compile(r"\d+")


@dataclass
class _Line:
    text: str
    top: float  # distance from the top of the page, in points
    left: float
    right: float = 0.0
    char_width: float = 0.0
    bold: list[tuple[int, int]] = field(default_factory=list)  # runs within text


@loader(".pdf")
def load_pdf(path: str, data: bytes, sha256: str) -> LoadedFile:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_raw.FPDF_ERR_PASSWORD:
            raise IngestError("load", "encrypted", f"{path}: encrypted PDF, a password is needed to open it") from exc
        raise IngestError("load", "corrupt", f"{path}: not a readable PDF ({exc})") from exc
    try:
        pages, heights = [], []
        with pdfplumber.open(io.BytesIO(data)) as plumber:
            for index in range(len(pdf)):
                page = pdf[index]
                heights.append(page.get_height())
                tables = _tables(plumber.pages[index]) if _has_ruling(page) else []
                chars = _pdfium_chars(page)
                if chars is None:
                    chars = _plumber_chars(plumber.pages[index])
                pages.append(_page_lines(chars, tables))
    finally:
        pdf.close()
    if not pages:
        raise IngestError("load", "corrupt", f"{path}: PDF has no pages")
    n_chars = sum(len(line.text.strip()) for lines in pages for line in lines)
    if n_chars < MIN_TEXT_CHARS * len(pages):
        # Scanned pages: images without a text layer. Nothing to read until someone runs OCR.
        return LoadedFile(path=path, file_type="pdf", sha256=sha256, pages=[""] * len(pages), needs_ocr=True)
    furniture = _running_lines(pages, heights)
    bodies = [[line for line in lines if (index, id(line)) not in furniture] for index, lines in enumerate(pages)]
    wrapped_ids = _wrapped_lines(bodies)
    texts, bold, wrapped = [], [], []
    for index, body in enumerate(bodies):
        parts, pos = [], 0
        for line in body:
            bold.extend((index, pos + s, pos + e) for s, e in line.bold)
            parts.append(line.text)
            pos += len(line.text)
            if id(line) in wrapped_ids:
                wrapped.append((index, pos))
            pos += 1
        texts.append("\n".join(parts))
    return LoadedFile(path=path, file_type="pdf", sha256=sha256, pages=texts, bold=bold, wrapped=wrapped)


def _wrapped_lines(bodies: list[list[_Line]]) -> set[int]:
    """id() of the lines the layout wrapped: they run to the right edge of the text block and the
    next line (on the next page, for a page's last line) is not indented as a new paragraph."""
    prose = [line for body in bodies for line in body if "\t" not in line.text and line.char_width]
    if not prose:
        return set()
    # The text block's edges: where most lines start and end (a stray wide line does not move them).
    block_left = Counter(round(line.left) for line in prose).most_common(1)[0][0]
    block_right = Counter(round(line.right) for line in prose).most_common(1)[0][0]
    following = [line for body in bodies for line in body]
    wrapped = set()
    for line, after in zip(following, following[1:]):
        if line.char_width == 0 or "\t" in line.text or "\t" in after.text:
            continue
        runs_to_edge = line.right >= block_right - WRAP_SLACK_CHARS * line.char_width
        indented = after.left > block_left + INDENT_CHARS * line.char_width
        if runs_to_edge and not indented:
            wrapped.add(id(line))
    return wrapped


def _has_ruling(page) -> bool:
    """Cheap test before the costly table search: are there strokes that could rule a table?"""
    horizontal = vertical = 0
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_PATH]):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if width > 10:
            horizontal += 2 if height > 10 else 1
        if height > 10:
            vertical += 2 if width > 10 else 1
        if horizontal >= MIN_RULES and vertical >= MIN_RULES:
            return True
    return False


Box = tuple[float, float, float, float]  # x0, top, x1, bottom, from the top of the page


@dataclass
class _Table:
    bbox: Box
    slots: list[list[Box | None]]  # for each grid slot, the box of the (merged) cell covering it


def _tables(plumber_page) -> list[_Table]:
    """Ruled tables on the page as grids of cell boxes (pdfplumber finds the ruling)."""
    tables = []
    for table in plumber_page.find_tables():
        slots = _covering_cells([list(row.cells) for row in table.rows])
        if slots and max(len(r) for r in slots) >= 2:
            tables.append(_Table(table.bbox, slots))
    return tables


def _covering_cells(boxes: list[list[Box | None]]) -> list[list[Box | None]]:
    """pdfplumber leaves a slot under a merged cell empty (None); the cell covering it is the one
    whose box holds the slot's centre, found up and to the left."""
    width = max(len(row) for row in boxes)
    column_x = []
    for c in range(width):
        # A column's centre is given by its narrowest cell (one not merged across).
        cells = [row[c] for row in boxes if c < len(row) and row[c]]
        narrowest = min(cells, key=lambda b: b[2] - b[0]) if cells else None
        column_x.append((narrowest[0] + narrowest[2]) / 2 if narrowest else None)
    slots = []
    for r, row in enumerate(boxes):
        row_y = next(((b[1] + b[3]) / 2 for b in row if b), None)
        out = []
        for c in range(width):
            box = row[c] if c < len(row) else None
            if box is None and row_y is not None and column_x[c] is not None:
                x = column_x[c]
                box = next((b for rr in range(r, -1, -1) for b in boxes[rr][:c + 1]
                            if b and b[0] <= x <= b[2] and b[1] <= row_y <= b[3]), None)
            out.append(box)
        slots.append(out)
    return slots


def _pdfium_chars(page):
    """The page's characters from pdfium, None where pdfium breaks a line; None in place of the
    whole list when pdfium could not decode one of the page's text objects (it drops strings of a
    single glyph in some CID-keyed fonts), so that the page is read with pdfplumber instead."""
    height = page.get_height()
    textpage = page.get_textpage()
    try:
        for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]):
            if pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0) <= EMPTY_UTF16:
                return None
        chars: list[_Char | None] = []
        bold_objects: dict = {}
        for i, ch in enumerate(textpage.get_text_range()):
            if ch in "\r\n":
                chars.append(None)
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            chars.append(_Char(ch, height - top, height - bottom, left, right, _is_bold(textpage, i, bold_objects)))
        return chars
    finally:
        textpage.close()


def _is_bold(textpage, index: int, known: dict) -> bool:
    """Bold by the font's weight, or by its name where the PDF gives no weight (Helvetica-Bold).
    Asked once per text object: its characters share one font."""
    handle = pdfium_raw.FPDFText_GetTextObject(textpage, index)
    key = ctypes.cast(handle, ctypes.c_void_p).value
    if key not in known:
        bold = pdfium_raw.FPDFText_GetFontWeight(textpage, index) >= BOLD_WEIGHT
        if not bold:
            name = ctypes.create_string_buffer(FONT_NAME_BYTES)
            pdfium_raw.FPDFText_GetFontInfo(textpage, index, name, FONT_NAME_BYTES, None)
            bold = any(word in name.value.lower() for word in BOLD_NAMES)
        known[key] = bold
    return known[key]


def _plumber_chars(plumber_page) -> list[_Char | None]:
    """The page's characters from pdfplumber, None where a new line starts."""
    chars: list[_Char | None] = []
    previous = None
    for c in plumber_page.chars:
        if previous and (abs(c["top"] - previous["top"]) > (c["bottom"] - c["top"]) / 2 or c["x0"] < previous["x0"]):
            chars.append(None)
        chars.append(_Char(c["text"], c["top"], c["bottom"], c["x0"], c["x1"], any(word in c["fontname"].lower().encode() for word in BOLD_NAMES)))
        previous = c
    return chars


def _page_lines(chars: list[_Char | None], tables: list[_Table]) -> list[_Line]:
    """The page's lines top to bottom; a table's characters go to its cells and the table takes
    the place of its lines, one tab-separated row per line."""
    lines: list[_Line] = []
    line: list[_Char] = []
    table_chars: list[list[_Char]] = [[] for _ in tables]
    for char in chars + [None]:
        inside = None
        if char is not None:
            x, y = (char.left + char.right) / 2, (char.top + char.bottom) / 2
            inside = next((k for k, t in enumerate(tables) if _contains(t.bbox, x, y)), None)
        if char is None or inside is not None:
            if line:
                lines.append(_make_line(line))
                line = []
            if inside is not None:
                table_chars[inside].append(char)
        else:
            line.append(char)
    for table, inside in zip(tables, table_chars):
        lines.append(_Line(grid_text(_table_rows(table, inside)), table.bbox[1], table.bbox[0]))
    lines = [line for line in lines if line.text.strip()]
    # Top to bottom; lines at the same height left to right.
    lines.sort(key=lambda line: (round(line.top / SAME_PLACE), line.left))
    return lines


@dataclass
class _Char:
    ch: str
    top: float
    bottom: float
    left: float
    right: float
    bold: bool


def _contains(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _table_rows(table: _Table, chars: list[_Char]) -> list[list[str]]:
    """Each slot's text: the characters inside its cell's box, line by line, lines joined."""
    texts: dict[Box, str] = {}
    for box in {b for row in table.slots for b in row if b}:
        inside = [c for c in chars if _contains(box, (c.left + c.right) / 2, (c.top + c.bottom) / 2)]
        inside.sort(key=lambda c: (round(c.top / SAME_PLACE), c.left))
        lines, last_row = [], None
        for c in inside:
            row = round(c.top / SAME_PLACE)
            if row != last_row:
                lines.append("")
                last_row = row
            lines[-1] += c.ch
        texts[box] = cell_text("\n".join(lines))
    return [[texts.get(b, "") if b else "" for b in row] for row in table.slots]


def _make_line(chars: list[_Char]) -> _Line:
    raw = "".join(c.ch for c in chars)
    text = despace_cjk(raw).strip()
    bold = []
    if any(c.bold for c in chars):
        # Bold runs are found on the despaced text: match characters in order.
        flags, j = [], 0
        for c in chars:
            if j < len(text) and text[j] == c.ch:
                flags.append(c.bold)
                j += 1
        start = None
        for k, flag in enumerate(flags + [False]):
            if flag and start is None:
                start = k
            elif not flag and start is not None:
                bold.append((start, k))
                start = None
    widths = sorted(c.right - c.left for c in chars if not c.ch.isspace())
    char_width = widths[len(widths) // 2] if widths else 0.0
    return _Line(text, min(c.top for c in chars), min(c.left for c in chars), max(c.right for c in chars),
                 char_width, bold)


def _running_lines(pages: list[list[_Line]], heights: list[float]) -> set[tuple[int, int]]:
    """(page index, id(line)) of lines in a margin that recur at the same place on most pages,
    digits ignored (- 3 -, 第 3 页 共 10 页, the report's running title)."""
    if len(pages) < 2:
        return set()
    margin_lines: list[tuple[int, _Line, str]] = []
    for index, lines in enumerate(pages):
        margin = heights[index] * MARGIN_SHARE
        for line in lines:
            if "\t" not in line.text and (line.top < margin or line.top > heights[index] - margin):
                margin_lines.append((index, line, _DIGITS.sub("#", line.text.replace(" ", ""))))
    by_key: dict[str, list[tuple[int, float]]] = {}
    for index, line, key in margin_lines:
        by_key.setdefault(key, []).append((index, line.top))
    needed = max(2, math.ceil(len(pages) * REPEAT_SHARE))
    running = set()
    for index, line, key in margin_lines:
        pages_with_it = {i for i, top in by_key[key] if abs(top - line.top) <= SAME_PLACE}
        if len(pages_with_it) >= needed:
            running.add((index, id(line)))
    return running
