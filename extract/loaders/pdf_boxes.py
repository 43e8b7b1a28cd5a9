"""Where on its page a fact read from a PDF is drawn: the box around the characters of its `raw`
text, in points from the page's top-left corner as displayed (pdfplumber's convention).

Found after extraction, from the loader's own text pages of the pages that hold facts (kept open for
it: OpenPages), not carried through layout and normalization: the layout reads the boxes of only a
few characters of a line outside tables (see layout.samples), which keeps text extraction fast. A
fact's text is looked for in the page's characters with blanks left out and full-width forms folded
(as normalize folds them); where it occurs more than once, the fact takes the occurrence of the same
rank as its own among the occurrences in the report's text of that page, or, where the report's text
holds it more often (a merged cell's text is repeated over its span), the occurrence as far into the
page as the fact is into the report's page. A text the page's characters do not hold (glyphs read
back from a font's CMap), and a page read by OCR, give no box. Where a fact's text runs over a line
break, its box is around the part on the line that holds most of it (a figure broken from its unit:
the figure).
"""
from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from .pdf_tables import Matrix, page_frame
from .pdfium_calls import as_handle, char_text, loose_char_box

Box = tuple[float, float, float, float]  # x0, top, x1, bottom

@dataclass(frozen=True)
class Wanted:
    """A fact to place: its text (folded, see fold), which occurrence of it on the page it is (0 the
    first) out of how many the report's text of that page holds, and how far into that text it is
    (0 at the start, 1 at the end)."""
    key: str
    rank: int
    of: int
    at: float


def fold(text: str) -> tuple[str, list[int]]:
    """The text without blanks, full-width forms as their ASCII (Ｏ→O, ，→,), and for each character
    kept its index in text."""
    kept, where = [], []
    for i, ch in enumerate(text):
        if ch.isspace() or not ch.isprintable():
            continue
        if "\uff01" <= ch <= "\uff5e":
            ch = unicodedata.normalize("NFKC", ch)
        kept.append(ch)
        where.append(i)
    return "".join(kept), where


def occurrences(text: str, key: str, where: list[int]) -> list[int]:
    """Where key starts in a folded text (where: see fold), occurrences not overlapping; a figure
    only where it is whole: 598.42 is not in 4598.42, 1,598.42 nor 598.425, unless a blank parts them
    (table cells side by side)."""
    found, at = [], text.find(key)
    while at >= 0 and key:
        end = at + len(key)
        whole = not (key[0].isdigit() and _continues(text, where, at - 1, -1)) and \
            not (key[-1].isdigit() and _continues(text, where, end, 1))
        if whole:
            found.append(at)
        at = text.find(key, end if whole else at + 1)
    return found


def _continues(text: str, where: list[int], i: int, step: int) -> bool:
    """Does the figure ending (step 1: starting) next to text[i] go on there: a digit, or a point or
    separator with a digit beyond, with nothing left out between?"""
    def touching(j: int) -> bool:  # text[j] is next to its neighbour towards the figure in the source
        return 0 <= j < len(text) and 0 <= j - step < len(text) and abs(where[j] - where[j - step]) == 1
    if not touching(i):
        return False
    if text[i].isdigit():
        return True
    return text[i] in ".," and touching(i + step) and text[i + step].isdigit()


class OpenPages:
    """A PDF's pages as its loader read them (pdf.load_pdf), left open for the facts found in their
    text to be placed on: no page is parsed twice, and the pages are those the loader read (a
    repaired page tree's, objects in line order). Pages read by OCR are not kept: they give no box."""

    def __init__(self, document: pdfium.PdfDocument):
        self._document = document
        self._pages: dict[int, tuple[pdfium.PdfPage, pdfium.PdfTextPage]] = {}  # 1-based

    def keep(self, number: int, page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> None:
        self._pages[number] = (page, textpage)

    def boxes(self, wanted: dict[int, dict[str, Wanted]]) -> dict[str, Box]:
        """The boxes of the facts wanted on each page (1-based page → fact id → Wanted), by fact id."""
        placed: dict[str, Box] = {}
        for number, facts in wanted.items():
            if number in self._pages:
                placed.update(_page_boxes(*self._pages[number], facts))
        return placed

    def close(self) -> None:
        for page, textpage in self._pages.values():
            textpage.close()
            page.close()
        self._pages.clear()
        self._document.close()


def _page_boxes(page, textpage, facts: dict[str, Wanted]) -> dict[str, Box]:
    handle = as_handle(textpage.raw)
    text, where = fold(char_text(textpage, handle))
    frame, height = page_frame(page)
    placed, found = {}, {}
    for fact_id, fact in facts.items():
        if fact.key not in found:
            found[fact.key] = occurrences(text, fact.key, where)
        starts = found[fact.key]
        if not starts:
            continue
        if len(starts) == fact.of:
            start = starts[fact.rank]
        else:  # a merged cell's text repeated over its span: the occurrence as far into the page
            start = min(starts, key=lambda s: abs(s / len(text) - fact.at))
        box = _union(handle, where[start:start + len(fact.key)], frame, height)
        if box is not None:
            placed[fact_id] = box
    return placed


def _union(handle, indices: list[int], frame: Matrix | None, height: float) -> Box | None:
    """The box around these characters on the page as displayed, or, where they run over a line
    break, around those of the line holding most of them (a figure broken from its unit: the
    figure); None if none has a box."""
    rect = pdfium_raw.FS_RECTF()
    lines: list[list[Box]] = []
    for i in indices:
        # The loose box (the font's ascent to descent): a font drawn without its glyphs (not
        # embedded) has no tight box, and pdfplumber's boxes are of this kind too.
        if not loose_char_box(handle, i, ctypes.byref(rect)) or rect.right <= rect.left or rect.top <= rect.bottom:
            continue
        corners = [(rect.left, rect.bottom), (rect.right, rect.top)]
        if frame is not None:
            a, b, c, d, e, f = frame
            corners = [(a * x + c * y + e, b * x + d * y + f) for x, y in corners]
        xs, ys = [x for x, _ in corners], [height - y for _, y in corners]
        box = (min(xs), min(ys), max(xs), max(ys))
        if not lines or not lines[-1][0][1] <= (box[1] + box[3]) / 2 <= lines[-1][0][3]:
            lines.append([])
        lines[-1].append(box)
    if not lines:
        return None
    chars = max(lines, key=len)
    return (round(min(b[0] for b in chars), 2), round(min(b[1] for b in chars), 2),
            round(max(b[2] for b in chars), 2), round(max(b[3] for b in chars), 2))
