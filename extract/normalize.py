"""Normalizer: LoadedFile → Document.

Full-width digits, letters and % become ASCII (one char for one, so offsets keep), markdown `**`
emphasis is removed and remembered, invisible and control characters are cut, page furniture is
dropped, and lines broken mid-sentence (by layout or page breaks) are re-joined. An OffsetMap keeps
the way back to the source.
"""
from __future__ import annotations

import functools
import re

import regex

from . import rules
from .flat_tables import flat_rows
from .headings import match_heading, match_marker
from .model import Document, LoadedFile, OffsetMap

_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update({0xFF21 + i: ord("A") + i for i in range(26)})
_FULLWIDTH.update({0xFF41 + i: ord("a") + i for i in range(26)})
_FULLWIDTH.update({0xFF05: "%", 0xFF0E: ".", 0xFF0B: "+", 0xFF1D: "=", 0xFF0F: "/"})
# Every kind of space becomes a plain one (tabs stay: they separate table cells); soft hyphens and
# zero-width marks are cut below.
_FULLWIDTH.update({c: " " for c in (0x3000, 0x00A0, 0x2002, 0x2003, 0x2009, 0x202F, 0x000B)})
TRANSLATION = str.maketrans(_FULLWIDTH)
# The characters TRANSLATION changes, in runs: most texts have few, and translating only them is
# ten times quicker than str.translate over the whole text (and the standard re scans a plain
# character class three times quicker than regex).
_TRANSLATED_RUNS = re.compile("[" + "".join(re.escape(chr(c)) for c in _FULLWIDTH) + "]+")

# Removed inside a line: markdown bold markers (remembered), invisible characters, and control
# characters a report has no use for (forgotten): bidi overrides and isolates, which reorder what a
# reader sees (U+202E shows 1.05 as 50.1), and C0/C1 controls (ESC starts a terminal's colour or
# link). Tab and the line breaks are not controls here: they are a text's structure.
_INVISIBLE = r"\u200b\u200c\u200d\u2060\ufeff\u00ad"
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"  # a character class's ranges
_C0_C1_CONTROLS = r"\x00-\x08\x0e-\x1f\x7f-\x9f"
_CUT = regex.compile(rf"\*\*|[{_INVISIBLE}{BIDI_CONTROLS}{_C0_C1_CONTROLS}]")
# A form's blank for a figure (≥**人, 不低于（**）%) is text: ** after a comparison or a bracket.
_BLANK_TO_FILL = regex.compile(r"[≥≤<>=＝≧≦（(]\*\*")
_LINE = regex.compile(r"[^\r\n\f]+|\f")
_LINE_BREAK = regex.compile(r"[\r\n\f]")
_FIELD = regex.compile(r"[：:]")
# Markdown (as converters such as Docling or MinerU write it): a heading's # marks are cut; a table row
# | a | b | becomes a tab-separated row, and the rule under its header (|---|:---:|) is dropped.
_MARKDOWN_HEADING = regex.compile(r"#{1,6}[ \t]+")
_MARKDOWN_ROW = regex.compile(r"^[ \t]*\|.*\|[ \t]*$")
_MARKDOWN_RULE = regex.compile(r"^[ \t]*\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*$")
_MARKDOWN_BAR = regex.compile(r"(?<!\\)\|")
_MARKDOWN_RULE_LINE = regex.compile(_MARKDOWN_RULE.pattern, regex.M)  # one anywhere in a text
# Blanks at a line's ends, tabs excepted: a tab there is a table row's empty first or last cell.
_LEADING_BLANKS = regex.compile(r"^[^\S\t]+")
_TRAILING_BLANKS = regex.compile(r"[^\S\t]+$")
_SENTENCE_PUNCTUATION = regex.compile(r"[，。；,;]")


@functools.cache
def _layout():
    cfg = rules.load("layout")
    furniture = regex.compile("|".join(f"(?:{p})" for p in cfg["page_number_lines"]))
    return (furniture, regex.compile(cfg["bare_number_line"]), cfg["terminal_marks"],
            cfg["closing_marks"], cfg["min_join_chars"], tuple(cfg["title_endings"]))


class _Line:
    """A source line after clean-up: pieces of text with the source offset each starts at, and
    where ** stood in its text (bold on, bold off)."""
    __slots__ = ("pieces", "text", "bold_toggles")

    def __init__(self, pieces: list[tuple[str, int]], bold_toggles: list[int] | None = None):
        self.pieces = pieces
        self.text = pieces[0][0] if len(pieces) == 1 else "".join(p for p, _ in pieces)
        self.bold_toggles = bold_toggles or []


def _without_blank_ends(text: str) -> tuple[str, int]:
    """The text without blanks at its ends (tabs kept), and how many it lost in front."""
    if "\t" not in text:  # most lines: str.strip is quicker
        stripped = text.lstrip()
        return stripped.rstrip(), len(text) - len(stripped)
    lead = _LEADING_BLANKS.match(text)
    trail = _TRAILING_BLANKS.search(text)
    start = lead.end() if lead else 0
    return text[start:trail.start() if trail else len(text)], start


def _markdown_row(text: str, bars: list[int], src_start: int) -> _Line | None:
    """A markdown table row (its | at bars) as a tab-separated line: each cell cleaned as a line of
    its own, the | between two cells standing as a tab."""
    pieces: list[tuple[str, int]] = []
    toggles: list[int] = []
    length = 0
    for k, (left, right) in enumerate(zip(bars, bars[1:])):
        if k:
            pieces.append(("\t", src_start + left))
            length += 1
        cell = _split_line(text[left + 1:right], src_start + left + 1)
        if cell:
            pieces += cell.pieces
            toggles += [length + t for t in cell.bold_toggles]
            length += len(cell.text)
    return _Line(pieces, toggles) if length > len(bars) - 2 else None


def _split_line(text: str, src_start: int, markdown: bool = True) -> _Line | None:
    """A line cleaned. markdown: the document's tables are markdown (| a | b | between outer bars);
    otherwise a web page's flattened form, where a bar ends each cell (年度资金总额: | 811.54 | 100% |)
    and a line opening with a bar has an empty first cell (a merged cell of the row above)."""
    if not text.strip():
        return None
    if "|" in text:
        if _MARKDOWN_RULE.match(text):
            return None
        if markdown:
            bars = [m.start() for m in _MARKDOWN_BAR.finditer(text)] if _MARKDOWN_ROW.match(text) else []
            if len(bars) >= 3:
                return _markdown_row(text, bars, src_start)
        else:
            bars = [m.start() for m in _MARKDOWN_BAR.finditer(text)]
            ends = [-1, *bars] + ([len(text)] if bars and text[bars[-1] + 1:].strip() else [])
            filled = sum(bool(text[left + 1:right].strip()) for left, right in zip(ends, ends[1:]))
            if bars and filled >= 2:
                return _markdown_row(text, ends, src_start)
    stripped, lead = _without_blank_ends(text)
    heading = _MARKDOWN_HEADING.match(stripped) if stripped.startswith("#") else None
    if heading:
        stripped, lead = stripped[heading.end():], lead + heading.end()
    src_start += lead
    if not _CUT.search(stripped):  # most lines: nothing to cut, the line is one piece
        return _Line([(stripped, src_start)]) if stripped else None
    cuts = [m for m in _CUT.finditer(stripped) if m.group() != "**" or not _BLANK_TO_FILL.match(stripped, m.start() - 1)]
    if sum(m.group() == "**" for m in cuts) % 2:
        cuts = [m for m in cuts if m.group() != "**"]  # a lone ** is text, not a bold mark left open
    pieces: list[tuple[str, int]] = []
    toggles: list[int] = []
    pos, out_len = 0, 0
    for m in cuts:
        if m.start() > pos:
            pieces.append((stripped[pos:m.start()], src_start + pos))
            out_len += m.start() - pos
        if m.group() == "**":
            toggles.append(out_len)
        pos = m.end()
    if pos < len(stripped):
        pieces.append((stripped[pos:], src_start + pos))
    if not pieces:
        return None
    # Cutting markers can leave spaces at the ends ("** 标题"); trim them off the pieces.
    first, first_src = pieces[0]
    first, lead = _without_blank_ends(first)
    pieces[0] = (first, first_src + lead)
    toggles = [max(0, t - lead) for t in toggles]
    last, last_src = pieces[-1]
    pieces[-1] = (_TRAILING_BLANKS.sub("", last), last_src)
    pieces = [p for p in pieces if p[0]]
    return _Line(pieces, toggles) if pieces else None


def _is_finished(text: str, terminal: str, closing: str) -> bool:
    last = text[-1]
    if last in terminal:
        return True
    return last in closing and len(text) > 1 and text[-2] in terminal


def _lines(source: str) -> list[_Line]:
    """Cleaned lines; page-number furniture dropped."""
    furniture, bare_number, *_ = _layout()
    lines: list[_Line] = []
    page_edges: list[tuple[int, int]] = []  # (index of first line, index past last line) per page
    page, page_first = 0, 0
    markdown = _MARKDOWN_RULE_LINE.search(source) is not None or "|" not in source
    cells: list[tuple[_Line | None, int]] = []  # a row of one-cell lines (see _cell_per_line_row)
    for m in _LINE.finditer(source):
        if not markdown and (cell := _BAR_ENDED_CELL.fullmatch(m.group())):
            cells.append((_split_line(cell.group("cell"), m.start() + cell.start("cell"), markdown),
                          m.start() + cell.end("cell")))
            continue
        if cells:
            row_ends = _ROW_END.fullmatch(m.group()) is not None
            lines += _cell_per_line_row(cells) if row_ends else _each_cell(cells)
            cells = []
            if row_ends:
                continue
        if m.group() == "\f":
            page_edges.append((page_first, len(lines)))
            page += 1
            page_first = len(lines)
            continue
        line = _split_line(m.group(), m.start(), markdown)
        if line is None or furniture.fullmatch(line.text):
            continue
        lines.append(line)
    lines += _each_cell(cells)
    page_edges.append((page_first, len(lines)))
    if page > 0:  # bare page numbers only exist where there are pages
        edge_ids = {i for first, end in page_edges if end > first for i in (first, end - 1)}
        lines = [ln for i, ln in enumerate(lines) if not (i in edge_ids and bare_number.fullmatch(ln.text))]
    return lines


# A paragraph longer than this is no heading (a title has at most 40 characters, after a marker of a
# few), and is not asked whether it is one.
HEADING_MAX_CHARS = 200


class _Paragraph:
    """What _joins asks of the paragraph built so far, kept up to date as each of its lines is added:
    asked of the paragraph's whole text again for each line, it made normalizing a long run of
    broken lines quadratic (2 MB of them took 83 s)."""
    __slots__ = ("solid_chars", "tail", "head", "has_cell_mark", "has_field_mark", "has_sentence_punctuation")

    def __init__(self, text: str):
        self.solid_chars, self.tail, self.head = 0, "", ""
        self.has_cell_mark = self.has_field_mark = self.has_sentence_punctuation = False
        self.add(text)

    def add(self, text: str) -> None:
        self.solid_chars += len(text) - text.count(" ")  # all but the spaces
        self.tail = self.tail[-_tail_chars():] + text[-_tail_chars():]
        if self.head is not None:  # the whole text, while it may be a heading
            self.head = self.head + text if len(self.head) + len(text) <= HEADING_MAX_CHARS else None
        self.has_cell_mark = self.has_cell_mark or "\t" in text or "|" in text
        self.has_field_mark = self.has_field_mark or _FIELD.search(text) is not None
        self.has_sentence_punctuation = self.has_sentence_punctuation or _SENTENCE_PUNCTUATION.search(text) is not None


@functools.cache
def _tail_chars() -> int:
    """How much of a paragraph's end _joins looks at: its last two characters, a title's ending."""
    return max(2, *map(len, _layout()[5]))


def _joins(previous: _Paragraph, line: str) -> bool:
    """Does `line` continue the paragraph `previous`, broken by layout or a page break?"""
    _, _, terminal, closing, min_chars, title_endings = _layout()
    if previous.solid_chars < min_chars or _is_finished(previous.tail, terminal, closing):
        return False
    if previous.tail.endswith(title_endings) or previous.has_cell_mark or "\t" in line or "|" in line:
        return False
    # "发布日期: 2025-04-29" or "部门(单位)名称: …": a field line, complete without punctuation.
    if previous.has_field_mark and not previous.has_sentence_punctuation:
        return False
    if (previous.head is not None and match_heading(previous.head)) or match_marker(line):
        return False
    return True


def _continues(paragraph: list[_Line], current: _Paragraph, line: _Line, heading_starts: set[int],
               wrapped: set[int]) -> bool:
    if line.pieces[0][1] in heading_starts or paragraph[0].pieces[0][1] in heading_starts:
        return False
    last_text, last_src = paragraph[-1].pieces[-1]
    if last_src + len(last_text) in wrapped and "\t" not in line.text and not match_marker(line.text):
        return True
    return _joins(current, line.text)


# A web page's form copied one cell per line: each cell ends with a bar (an empty cell is a bar alone),
# and a line of two bars or more ends the row.
_BAR_ENDED_CELL = regex.compile(r"[ \t]*(?P<cell>[^|\n]*?)[ \t]*\|[ \t]*")
_ROW_END = regex.compile(r"[ \t]*\|{2,}[ \t]*")


def _cell_per_line_row(cells: list[tuple[_Line | None, int]]) -> list[_Line]:
    """The cells (each cleaned, None for an empty one, with the offset of the bar after it) as one
    tab-separated row; a single cell stays a line of its own."""
    if sum(cell is not None for cell, _ in cells) < 2:
        return _each_cell(cells)
    pieces: list[tuple[str, int]] = []
    for k, (cell, bar) in enumerate(cells):
        if cell:
            pieces += cell.pieces
        if k < len(cells) - 1:
            pieces.append(("\t", bar))
    return [_Line(pieces)]


def _each_cell(cells: list[tuple[_Line | None, int]]) -> list[_Line]:
    """Cells that make no row, each a line of its own (empty ones dropped)."""
    return [cell for cell, _ in cells if cell]


# A form flattened onto one line with spaces between its cells (a Word file's text, a page's table
# copied as one paragraph) has at least this many of them.
SPACED_FORM_CELLS = 8
_NON_BLANK = regex.compile(r"\S+")


def _spaced_form(line: _Line) -> list[_Line] | None:
    """A line holding a form's budget block with spaces for cell borders (项目资金 (万元) 年初预算数
    全年预算数 … 年度资金总额: 0 0 0 10 …) as the text before it, the block's rows (tab-separated,
    found as flat_rows finds one cell per line) and the text after it; None for any other line."""
    text = line.text
    if "\t" in text or text.count(" ") < SPACED_FORM_CELLS - 1:
        return None
    tokens = list(_NON_BLANK.finditer(text))
    rows = flat_rows([token.group() for token in tokens]) if len(tokens) >= SPACED_FORM_CELLS else []
    if not rows:
        return None
    parts, done = [], 0  # done: the tokens placed so far
    for row in rows:
        if row.lines[0] > done:
            parts.append(_part(line, tokens[done].start(), tokens[row.lines[0] - 1].end()))
        pieces: list[tuple[str, int]] = []
        for k, index in enumerate(row.lines):
            cell = _part(line, tokens[index].start(), tokens[index].end())
            if (k or row.blank_first) and index not in row.continues:
                pieces.append(("\t", cell.pieces[0][1]))
            pieces += cell.pieces
        parts.append(_Line(pieces))
        done = row.lines[-1] + 1
    if done < len(tokens):
        parts.append(_part(line, tokens[done].start(), tokens[-1].end()))
    return parts


def _part(line: _Line, start: int, end: int) -> _Line:
    """The line's text from start to end, with the source offset of each of its pieces."""
    pieces, at = [], 0
    for text, source in line.pieces:
        low, high = max(start, at), min(end, at + len(text))
        if low < high:
            pieces.append((text[low - at:high - at], source + low - at))
        at += len(text)
    return _Line(pieces)


def normalize(loaded: LoadedFile) -> Document:
    source = _TRANSLATED_RUNS.sub(lambda m: m.group().translate(TRANSLATION), "\f".join(loaded.pages))
    page_starts, pos = [], 0
    for page_text in loaded.pages:
        page_starts.append(pos)
        pos += len(page_text) + 1

    heading_starts = {page_starts[page] + start for page, start, _ in loaded.styled_headings}
    wrapped = {page_starts[page] + offset for page, offset in loaded.wrapped}
    lines = [part for line in _lines(source) for part in (_spaced_form(line) or [line])]
    # Tables flattened to one cell per line become tab-separated rows, one paragraph each.
    flat = {row.lines[0]: row for row in flat_rows([line.text for line in lines])}
    in_flat_rows = {k for row in flat.values() for k in row.lines}
    paragraphs: list[list[_Line]] = []
    row_paragraphs: dict[int, bool] = {}  # paragraph index → its first cell is empty
    continued: dict[int, set[int]] = {}  # paragraph index → its lines that go on the cell before them
    current: _Paragraph | None = None
    for k, line in enumerate(lines):
        if k in flat:
            row_paragraphs[len(paragraphs)] = flat[k].blank_first
            paragraphs.append([lines[j] for j in flat[k].lines])
            continued[len(paragraphs) - 1] = {n for n, j in enumerate(flat[k].lines) if j in flat[k].continues}
            current = None  # nothing joins a table row
        elif k in in_flat_rows:
            continue
        elif current is not None and _continues(paragraphs[-1], current, line, heading_starts, wrapped):
            paragraphs[-1].append(line)
            current.add(line.text)
        else:
            paragraphs.append([line])
            current = _Paragraph(line.text)

    offset_map = OffsetMap()
    out: list[str] = []
    emphasis: list[tuple[int, int]] = []
    norm_pos = 0

    def line_break_after(line: _Line) -> int:
        """Where the line ends in the source: its line break, past any trailing spaces or ** it lost."""
        text, src = line.pieces[-1]
        line_break = _LINE_BREAK.search(source, src + len(text))
        return line_break.start() if line_break else src + len(text)

    for i, paragraph in enumerate(paragraphs):
        if i:  # the newline between paragraphs stands for the line break after the previous one
            offset_map.add_run(norm_pos, line_break_after(paragraphs[i - 1][-1]))
            out.append("\n")
            norm_pos += 1
        if row_paragraphs.get(i):  # an empty first cell: a tab for the same line break
            offset_map.add_run(norm_pos, line_break_after(paragraphs[i - 1][-1]))
            out.append("\t")
            norm_pos += 1
        bold_start = None
        for j, line in enumerate(paragraph):
            if j and i in row_paragraphs and j not in continued[i]:
                # the tab between two cells stands for the line break between them
                offset_map.add_run(norm_pos, line_break_after(paragraph[j - 1]))
                out.append("\t")
                norm_pos += 1
            line_start = norm_pos
            for text, src in line.pieces:
                offset_map.add_run(norm_pos, src)
                out.append(text)
                norm_pos += len(text)
            for toggle in line.bold_toggles:
                if bold_start is None:
                    bold_start = line_start + toggle
                else:
                    if line_start + toggle > bold_start:
                        emphasis.append((bold_start, line_start + toggle))
                    bold_start = None
        if bold_start is not None and norm_pos > bold_start:
            emphasis.append((bold_start, norm_pos))

    # Emphasis and styled headings the loader marked in the source, moved to normalized offsets.
    for page, start, end in loaded.bold:
        norm_start = offset_map.to_normalized(page_starts[page] + start)
        norm_end = offset_map.to_normalized(page_starts[page] + end)
        if norm_end > norm_start:
            emphasis.append((norm_start, norm_end))
    styled_headings = {offset_map.to_normalized(page_starts[page] + start): level
                       for page, start, level in loaded.styled_headings}

    return Document(
        report_id=loaded.report_id,
        source_path=loaded.path,
        file_type=loaded.file_type,
        sha256=loaded.sha256,
        text="".join(out),
        n_pages=len(loaded.pages),
        offset_map=offset_map,
        source_page_starts=page_starts,
        emphasis=sorted(emphasis),
        styled_headings=styled_headings,
        needs_ocr=loaded.needs_ocr,
        ocr=loaded.ocr,
        warnings=list(loaded.warnings),
    )
