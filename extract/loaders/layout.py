"""Layout: characters with boxes → a page's lines in reading order, tables as tab-separated rows →
a document's page texts. One stage for every source of placed characters: the PDF text layer
(pdfium's characters, or pdfplumber's) and OCR (the characters RapidOCR reads off a page image).

Coordinates are points on the page as displayed: x from its left edge, tops measured down from its
top edge (a PDF text layer's own y, up from the bottom edge, is turned by PageChars.height).
Lines repeated at the same place on most pages (running headers, footers, page numbers) are
furniture, dropped by document_texts; lines the layout wrapped are noted so that normalize joins them.
"""
from __future__ import annotations

import math
import operator
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import regex

from ..model import LoadedFile, OcrUse
from .pdf_tables import Box, Table
from .tables import cell_text, despace_cjk, grid_text

T = TypeVar("T")

# A page with fewer characters than this carries no text worth reading (a scan, when it draws an image).
MIN_TEXT_CHARS = 10
# Running headers and footers live in the top and bottom margins of a page.
MARGIN_SHARE = 0.12
# …and repeat there on at least this share of the pages (and on two pages at least).
REPEAT_SHARE = 0.5
# A report's title may wrap onto this many lines.
TITLE_LINES = 3
# Lines whose tops differ by less than this (points) are at the same place.
SAME_PLACE = 3.0
# A line ending within this many characters of the text block's right edge was wrapped by the layout.
WRAP_SLACK_CHARS = 1.5
# A line starting this many characters right of the text block's left edge opens a paragraph.
INDENT_CHARS = 1.0
# Boxes read for a line outside tables: about this many of its characters (see samples).
LINE_SAMPLES = 6
_DIGITS = regex.compile(r"\d+")
_LINE = re.compile(r"[^\r\n]+")
_BLANK = re.compile(r"\s")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class Line:
    text: str
    top: float  # distance from the top of the page, in points
    left: float
    right: float = 0.0
    char_width: float = 0.0
    bold: list[tuple[int, int]] = field(default_factory=list)  # runs within text


@dataclass
class PageChars:
    """A page's characters in reading order, one entry per character in each list. pdfium's text
    is a string that ends lines with "\\r" or "\\n"; pdfplumber's is a list of character texts
    (some longer than one character) with None where a line ends. The boxes' top and bottom edges
    are kept in the source's own y: pdfium's runs up from the page's bottom edge (height is the
    page's height), pdfplumber's runs down from its top edge (height is None)."""
    text: str | list[str | None]
    left: list[float]
    top: list[float]
    right: list[float]
    bottom: list[float]
    height: float | None
    bold: list[bool] | None = None  # None when nothing on the page is bold

    def line_spans(self) -> list[tuple[int, int]]:
        """(start, end) of each run of characters between line breaks."""
        text = self.text
        if not isinstance(text, str):
            text = "".join("\n" if ch is None else " " for ch in text)
        return _line_spans(text)

    def sample_widths(self, start: int, end: int) -> list[float]:
        """The widths of the line's sample characters (see _line_samples): their median is the
        line's typical character width."""
        if isinstance(self.text, str):
            picked = _line_samples(self.text, start, end)
        else:
            picked = [i for i in range(start, end) if not self.text[i].isspace()]
        return [self.right[i] - self.left[i] for i in picked]

    def from_top(self, y: float) -> float:
        return y if self.height is None else self.height - y

    def line_top(self, start: int, end: int) -> float:
        """How far below the page's top edge the highest of these characters reaches."""
        if self.height is None:
            return min(self.top[start:end])
        # height - y falls as y rises (rounding included), so this is the least height - y.
        return self.height - max(self.top[start:end])

    def line_extent(self, start: int, end: int) -> tuple[float, float]:
        """How far below the page's top edge these characters reach, up and down."""
        if self.height is None:
            return min(self.top[start:end]), max(self.bottom[start:end])
        return self.height - max(self.top[start:end]), self.height - min(self.bottom[start:end])

    def append(self, ch: str | None, box: tuple[float, float, float, float], bold: bool) -> None:
        """Add a character of pdfplumber's at the end; box is (left, top, right, bottom)."""
        self.text.append(ch)
        for values, value in zip((self.left, self.top, self.right, self.bottom), box):
            values.append(value)
        if self.bold is not None:
            self.bold.append(bold)

    def insert(self, runs: dict[int, list[tuple[str, tuple[float, float, float, float], bool]]]) -> None:
        """Put each run of characters (text, box, bold) before its position of pdfium's text (its
        length: at the end), all in one pass."""
        old = [self.left, self.top, self.right, self.bottom] + ([self.bold] if self.bold is not None else [])
        new: list[list] = [[] for _ in old]
        text, start = [], 0
        for at in sorted(runs):
            text.append(self.text[start:at])
            for values, before in zip(new, old):
                values += before[start:at]
            for ch, box, bold in runs[at]:
                text.append(ch)
                for values, value in zip(new, (*box, bold)):
                    values.append(value)
            start = at
        text.append(self.text[start:])
        for values, before in zip(new, old):
            values += before[start:]
        self.text = "".join(text)
        self.left, self.top, self.right, self.bottom = new[:4]
        if self.bold is not None:
            self.bold = new[4]


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of characters between line breaks."""
    return [match.span() for match in _LINE.finditer(text)]


def whole_characters(text: str, runs: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The text with each pair of UTF-16 halves (see pdfium_calls.char_text) joined into its character, and the
    runs (start, end) in it moved to match."""
    if not _SURROGATE.search(text):
        return text, runs
    joined_before, pairs = [], 0  # for each offset, how many pairs were joined before it
    for i, ch in enumerate(text):
        joined_before.append(pairs)
        if "\ud800" <= ch <= "\udbff" and i + 1 < len(text) and "\udc00" <= text[i + 1] <= "\udfff":
            pairs += 1
    joined_before.append(pairs)
    whole = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return whole, [(start - joined_before[start], end - joined_before[end]) for start, end in runs]


def _line_samples(text: str, start: int, end: int) -> list[int]:
    """The sample characters (see samples) of the line text[start:end]; none for a blank line."""
    line = text[start:end]
    first, last = start + len(line) - len(line.lstrip()), start + len(line.rstrip()) - 1
    return samples(text, first, last) if first <= last else []


def samples(text: str, first: int, last: int) -> list[int]:
    """The characters of a line whose boxes stand for all of its: its first and last that are not
    blank (they give its left and right edges) and some between them (for its height and typical
    character width)."""
    step = (last - first) // LINE_SAMPLES or 1
    if _BLANK.search(text, first, last):
        picked = [i for i in range(first, last, step) if not text[i].isspace()]
    else:
        picked = list(range(first, last, step))
    picked.append(last)
    return picked


def page_lines(chars: PageChars, tables: list[Table]) -> list[Line]:
    """The page's lines top to bottom; a table's characters go to its cells and the table takes
    the place of its lines, one tab-separated row per line."""
    lines: list[Line] = []
    table_chars: list[list[_Char]] = [[] for _ in tables]
    for start, end in chars.line_spans():
        if tables:
            lines += [_make_line(chars, s, e) for s, e in _runs_outside_tables(chars, start, end, tables, table_chars)]
        else:
            lines.append(_make_line(chars, start, end))
    for table, inside in zip(tables, table_chars):
        lines.append(Line(grid_text(_table_rows(table, inside)), table.bbox[1], table.bbox[0]))
    return reading_order([line for line in lines if line.text.strip()])


def running_off(tables: list[Table], lines: list[Line], height: float) -> list[float] | None:
    """A table that ends the page's body (no text below it but the footer margin) may go on over
    the page: its column centres, so that the next page's part can be laid on the same columns."""
    if not tables:
        return None
    last = max(tables, key=lambda t: t.bbox[3])
    body_bottom = height * (1 - MARGIN_SHARE)
    if any(last.bbox[3] < line.top < body_bottom and "\t" not in line.text for line in lines):
        return None
    return last.columns


def reading_order(lines: list[Line]) -> list[Line]:
    """Top to bottom; lines at the same height left to right."""
    lines.sort(key=lambda line: (round(line.top / SAME_PLACE), line.left))
    return lines


def _runs_outside_tables(chars: PageChars, start: int, end: int, tables: list[Table],
                         table_chars: list[list[_Char]]) -> list[tuple[int, int]]:
    """A line's characters inside a table go to that table; the runs between them stay lines."""
    # A character is in a table when its centre is; most lines are too far above or below every
    # table for that (a point of margin covers the rounding in finding a centre).
    top, bottom = chars.line_extent(start, end)
    near = [(k, t.bbox) for k, t in enumerate(tables) if t.bbox[1] - 1 <= bottom and top <= t.bbox[3] + 1]
    if not near:
        return [(start, end)]
    runs, run_start = [], start
    text, lefts, tops, rights, bottoms, height = chars.text, chars.left, chars.top, chars.right, chars.bottom, chars.height
    previous = None  # the last character's box: (top, bottom, left, right)
    for i in range(start, end):
        if height is None:
            char_top, char_bottom = tops[i], bottoms[i]
        else:
            char_top, char_bottom = height - tops[i], height - bottoms[i]
        left, right = lefts[i], rights[i]
        if previous is not None and left == right and text[i].isspace():
            # A space pdfium made up between two text objects has no width and a place of its own
            # (often in another cell, inside a figure there). It goes to the character before it:
            # to its cell and line, at its centre, so that it sorts after it (and after a copy of
            # it drawn over it for bold) and before the next character, even where the two overlap.
            char_top, char_bottom, previous_left, previous_right = previous
            left = right = (previous_left + previous_right) / 2
        previous = (char_top, char_bottom, left, right)
        x, y = (left + right) / 2, (char_top + char_bottom) / 2
        for k, box in near:
            if _contains(box, x, y):
                if i > run_start:
                    runs.append((run_start, i))
                table_chars[k].append(_Char(text[i], char_top, char_bottom, left, right))
                run_start = i + 1
                break
    if end > run_start:
        runs.append((run_start, end))
    return runs


@dataclass
class _Char:
    ch: str
    top: float
    bottom: float
    left: float
    right: float


def _contains(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _table_rows(table: Table, chars: list[_Char]) -> list[list[str]]:
    """Each slot's text: the characters inside its cell's box, line by line, lines joined."""
    # The characters in order of their centres' height, so that a cell looks only at its own rows;
    # those of a band of rows (the cells of a row share theirs) then in order of their centres' x.
    centres = sorted(((c.top + c.bottom) / 2, i) for i, c in enumerate(chars))
    heights = [y for y, _ in centres]
    bands: dict[tuple[float, float], tuple[list[float], list[int]]] = {}
    texts: dict[Box, str] = {}
    for box in {b for row in table.slots for b in row if b}:
        band = bands.get((box[1], box[3]))
        if band is None:
            rows = centres[bisect_left(heights, box[1]):bisect_right(heights, box[3])]
            across = sorted(((chars[i].left + chars[i].right) / 2, i) for _, i in rows)
            band = bands[box[1], box[3]] = ([x for x, _ in across], [i for _, i in across])
        xs, members = band
        in_box = sorted(members[bisect_left(xs, box[0]):bisect_right(xs, box[2])])
        texts[box] = whole_characters(cell_text("\n".join(_text_lines([chars[i] for i in in_box]))), [])[0]
    return [[texts.get(b, "") if b else "" for b in row] for row in table.slots]


def bands(items: list[T], extent: Callable[[T], tuple[float, float]]) -> list[list[T]]:
    """Things placed on a page (characters, OCR's detections) grouped into lines by their vertical
    centres, top to bottom: one joins the line when its centre is within half the line's tallest
    height (its own included) of the line's first centre. Tops do not line up: with a real font a
    comma's or bracket's box is a small one low in the line. extent gives (top, bottom)."""
    lines: list[tuple[float, float, list[T]]] = []  # (first centre, tallest height, members)
    for item, (top, bottom) in sorted(((item, extent(item)) for item in items), key=lambda p: sum(p[1]) / 2):
        centre, height = (top + bottom) / 2, bottom - top
        if lines and centre - lines[-1][0] <= max(lines[-1][1], height) / 2:
            first, tallest, members = lines[-1]
            members.append(item)
            lines[-1] = (first, max(tallest, height), members)
        else:
            lines.append((centre, height, [item]))
    return [members for _, _, members in lines]


def _text_lines(chars: list[_Char]) -> list[str]:
    """Characters grouped into lines (see bands), each line left to right."""
    return ["".join(c.ch for c in sorted(line, key=lambda c: c.left))
            for line in bands(chars, lambda c: (c.top, c.bottom))]


def _make_line(chars: PageChars, start: int, end: int) -> Line:
    glyphs = chars.text[start:end]
    raw = glyphs if isinstance(glyphs, str) else "".join(glyphs)
    text = despace_cjk(raw).strip()
    bold = bold_runs(glyphs, chars.bold[start:end], text) if chars.bold else []
    text, bold = whole_characters(text, bold)
    widths = sorted(chars.sample_widths(start, end))
    char_width = widths[len(widths) // 2] if widths else 0.0
    return Line(text, chars.line_top(start, end), min(chars.left[start:end]), max(chars.right[start:end]),
                 char_width, bold)


def bold_runs(glyphs: Sequence, flags: list[bool], text: str) -> list[tuple[int, int]]:
    """(start, end) in text of the runs of bold glyphs; text is the glyphs despaced and stripped,
    so glyphs and text are matched in order."""
    if not any(flags):
        return []
    in_text, j = [], 0
    for ch, is_bold in zip(glyphs, flags):
        if j < len(text) and text[j] == ch:
            in_text.append(is_bold)
            j += 1
    runs, start_run = [], None
    for k, flag in enumerate(in_text + [False]):
        if flag and start_run is None:
            start_run = k
        elif not flag and start_run is not None:
            runs.append((start_run, k))
            start_run = None
    return runs


def header_over_its_title(lines: list[Line], height: float) -> set[tuple[int, int]]:
    """(0, id(line)) of a line in the first page's top margin that the next lines repeat: a running
    header carrying the report's title, over the title itself (wrapped on up to TITLE_LINES lines).
    Furniture even in a one-page file, where nothing else shows it recurs."""
    for j, line in enumerate(lines):
        if line.top >= height * MARGIN_SHARE:
            break
        key = line.text.replace(" ", "")
        below = ""
        for after in lines[j + 1:j + 1 + TITLE_LINES]:
            below += after.text.replace(" ", "")
            if below == key and "\t" not in key:
                return {(0, id(line))}
    return set()


def running_lines(pages: list[list[Line]], heights: list[float]) -> set[tuple[int, int]]:
    """(page index, id(line)) of lines in a margin that recur at the same place on most pages,
    digits ignored (- 3 -, 第 3 页 共 10 页, the report's running title)."""
    if len(pages) < 2:
        return set()
    margin_lines: list[tuple[int, Line, str]] = []
    for index, lines in enumerate(pages):
        margin = heights[index] * MARGIN_SHARE
        for line in lines:
            if "\t" not in line.text and (line.top < margin or line.top > heights[index] - margin):
                margin_lines.append((index, line, _DIGITS.sub("#", line.text.replace(" ", ""))))
    by_key: dict[str, list[tuple[float, int, Line]]] = {}
    for index, line, key in margin_lines:
        by_key.setdefault(key, []).append((line.top, index, line))
    needed = max(2, math.ceil(len(pages) * REPEAT_SHARE))
    running = set()
    for same_text in by_key.values():
        # Top to bottom, with the pages of the lines within SAME_PLACE of each in a moving window.
        same_text.sort(key=operator.itemgetter(0))
        pages_near: Counter[int] = Counter()
        low = high = 0
        for top, index, line in same_text:
            while high < len(same_text) and same_text[high][0] - top <= SAME_PLACE:
                pages_near[same_text[high][1]] += 1
                high += 1
            while top - same_text[low][0] > SAME_PLACE:
                pages_near[same_text[low][1]] -= 1
                if not pages_near[same_text[low][1]]:
                    del pages_near[same_text[low][1]]
                low += 1
            if len(pages_near) >= needed:
                running.add((index, id(line)))
    return running


def wrapped_lines(bodies: list[list[Line]]) -> set[int]:
    """id() of the lines the layout wrapped: they run to the right edge of the text block and the
    next line (on the next page, for a page's last line) is not indented as a new paragraph."""
    prose = [line for body in bodies for line in body if "\t" not in line.text and line.char_width]
    if not prose:
        return set()
    # The text block's edges: where most lines start and end (a stray wide line does not move them),
    # within half a character: OCR's boxes of aligned lines differ by a few points.
    half_char = sorted(line.char_width for line in prose)[len(prose) // 2] / 2
    block_left = _most_common_place([line.left for line in prose], half_char)
    block_right = _most_common_place([line.right for line in prose], half_char)
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


def _most_common_place(values: list[float], tolerance: float) -> float:
    """Where most of the values lie, to the point: the most common (rounded) value of the widest
    run of values no more than twice the tolerance apart. The lines of a text block line up exactly
    in a text layer, within a few points in OCR's boxes."""
    ordered = sorted(values)
    widest, low = (0, 0), 0
    for high, value in enumerate(ordered):
        while value - ordered[low] > 2 * tolerance:
            low += 1
        if high + 1 - low > widest[1] - widest[0]:
            widest = (low, high + 1)
    return Counter(round(value) for value in ordered[widest[0]:widest[1]]).most_common(1)[0][0]


@dataclass
class DocumentTexts:
    """Each page's text (its body lines joined by newlines), the bold runs (page index, start, end)
    and the places where a wrapped line ends (page index, offset), as LoadedFile keeps them."""
    pages: list[str]
    bold: list[tuple[int, int, int]]
    wrapped: list[tuple[int, int]]


def document_texts(pages: list[list[Line]], heights: list[float]) -> DocumentTexts:
    """The pages' lines as text, running headers and footers left out."""
    furniture = running_lines(pages, heights) | header_over_its_title(pages[0], heights[0])
    bodies = [[line for line in lines if (index, id(line)) not in furniture] for index, lines in enumerate(pages)]
    wrapped_ids = wrapped_lines(bodies)
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
    return DocumentTexts(texts, bold, wrapped)


@dataclass
class Scans:
    """What OCR read (see model.OcrUse), and the scanned pages left unread (--ocr off)."""
    read: OcrUse = field(default_factory=OcrUse)
    unread: list[int] = field(default_factory=list)


def too_little_text(pages: list[list[Line]]) -> bool:
    """Fewer than MIN_TEXT_CHARS characters a page: scanned pages left unread, or no text on them."""
    return sum(len(line.text.strip()) for lines in pages for line in lines) < MIN_TEXT_CHARS * len(pages)


def laid_out_file(path: str, file_type: str, sha256: str, pages: list[list[Line]], heights: list[float],
                  scans: Scans, warnings: list[str], unread: str) -> LoadedFile:
    """The file of these placed pages (running furniture out, see document_texts), the scanned pages
    left unread said in a warning ("page(s) 3, 4 " + unread)."""
    if scans.unread:
        warnings.append(f"{path}: page(s) {', '.join(map(str, scans.unread))} {unread} (--ocr off)")
    laid_out = document_texts(pages, heights)
    return LoadedFile(path=path, file_type=file_type, sha256=sha256, pages=laid_out.pages, bold=laid_out.bold,
                      wrapped=laid_out.wrapped, warnings=warnings, ocr=scans.read)
