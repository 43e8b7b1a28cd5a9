"""PDF: text from pypdfium2 (fast); ruled tables made from pdfium's paths (see pdf_tables).

Each page becomes lines in reading order (top to bottom), with the text of any table replaced by the
table's rows (tab-separated, merged cells carried). Lines repeated at the same place on most pages
(running headers, footers, page numbers) are dropped; bold characters are kept as emphasis runs.

Speed: a page costs little more than pdfium's own text extraction. Character boxes come from direct
pdfium calls into a reused buffer: every character's on a page with a table (its cells are filled
character by character), a few per line elsewhere; everything else is done per line, per text
object or per path. Tables come from pdfium's paths and lost glyphs from the content stream, so
pdfplumber parses a page only where pdfium's reading cannot stand in for its own (see
_pdfium_lines); work done for a document's fonts is done once for the document (see pdf_glyphs).
Hostile files, pdfium the authority for the text: every page the page tree holds is read (pdf_page_tree),
a parser's failure costs a page only what pdfium lost (pdf_secondary), library log lines become warnings
(pdf_library_logs), tens of thousands of text objects on a page cost linear time (pdf_text_order).
"""
from __future__ import annotations

import ctypes
import functools
import operator
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from ..errors import IngestError
from ..model import LoadedFile
from . import loader, ocr
from .pdf_library_logs import LibraryLogs
from .pdf_boxes import OpenPages
from .pdf_page_tree import every_page
from .pdf_secondary import SecondaryParsers
from .layout import MIN_TEXT_CHARS, Line, PageChars, Scans, bold_runs, laid_out_file, page_lines, reading_order, \
    running_off, samples, too_little_text, whole_characters
from .pdf_tables import SHORTEST_EDGE, Matrix, Table, matrix_of, page_frame, page_tables, then
from .pdf_text_order import put_in_line_order
from .pdfium_calls import Handle, as_handle, char_object, char_text, char_unicode, count_form_objects, \
    count_page_objects, font_is_embedded, font_name, font_weight, form_object, glyph_width, loose_char_box, \
    object_bounds, object_font, object_text, object_type, page_object
from .tables import despace_cjk

# A table needs ruling lines: at least this many horizontal and vertical strokes on the page.
MIN_RULES = 2
# A page without text but with this many paths has its text drawn as outlines: OCR reads it, as a scan.
OUTLINED_TEXT_PATHS = 200
BOLD_WEIGHT = 600
BOLD_NAMES = (b"bold", b"black", b"heavy")
FONT_NAME_BYTES = 128
# What pdfium's FPDFTextObj_GetText returns for a text object it found no text in: a bare terminator.
EMPTY_UTF16 = 2
# Form XObjects nest; objects this deep or deeper are not looked at (pypdfium2's get_objects default).
OBJECT_DEPTH = 15
# Characters this far apart are enough to show most text objects have text (see _undecoded).
SAMPLE_STEP = 16
# Past this many text objects whose text is not known from those characters, the text page is
# looked at character by character rather than once for each object (see _undecoded).
FEW_UNKNOWN = 32

# A line from its first to its last character that is not blank (despaced, that is the line's text).
_INKED_LINE = re.compile(r"\S(?:[^\r\n]*\S)?")


_NO_BUFFER = ctypes.c_ulong(0)


@functools.cache
def _no_system_fonts() -> pdfium_raw.FPDF_SYSFONTINFO:
    """Tell pdfium that the machine has no fonts. For a font the PDF does not embed (common in
    published reports) pdfium would otherwise load a system CJK font (Noto CJK: tens of MB) to stand
    in for it: ten times slower (1 → 12 ms a page), and the text and boxes we read do not need
    outlines. The PDF's own widths still apply. Kept (cached) so that the callbacks stay alive."""
    fields = dict(pdfium_raw.FPDF_SYSFONTINFO._fields_)
    info = pdfium_raw.FPDF_SYSFONTINFO(version=1)
    info.Release = fields["Release"](lambda this: None)
    info.EnumFonts = fields["EnumFonts"](lambda this, mapper: None)
    info.MapFont = fields["MapFont"](lambda this, weight, italic, charset, pitch, face, exact: None)
    info.GetFont = fields["GetFont"](lambda this, face: None)
    info.GetFontData = fields["GetFontData"](lambda this, font, table, buffer, size: 0)
    info.GetFaceName = fields["GetFaceName"](lambda this, font, buffer, size: 0)
    info.GetFontCharset = fields["GetFontCharset"](lambda this, font: 0)
    info.DeleteFont = fields["DeleteFont"](lambda this, font: None)
    pdfium_raw.FPDF_SetSystemFontInfo(ctypes.byref(info))
    return info


@loader(".pdf")
def load_pdf(path: str, data: bytes, sha256: str) -> LoadedFile:
    _no_system_fonts()
    from . import MAX_PAGES
    with LibraryLogs(path) as logs:  # what the libraries log becomes the file's warnings
        pdf = _opened(path, data)
        if len(pdf) > MAX_PAGES:
            n_pages = len(pdf)
            pdf.close()
            raise IngestError("load", "too_many_pages", f"{path}: {n_pages} pages, more than --max-pages {MAX_PAGES}")
        pdf, data, warnings = every_page(path, data, pdf, MAX_PAGES)
        parsers = SecondaryParsers(path, data)
        # Its pages stay open once read, for the facts found in them to be placed on (pdf_boxes).
        open_pages = OpenPages(pdf)
        try:
            pages, heights, scans = _read_pages(path, pdf, parsers, logs, warnings, open_pages)
        except BaseException:
            open_pages.close()
            raise
        finally:
            parsers.close()
    warnings += parsers.warnings() + logs.warnings()
    if not pages or too_little_text(pages):
        open_pages.close()
    if not pages:
        raise IngestError("load", "corrupt", f"{path}: PDF has no pages")
    if too_little_text(pages):
        # Scanned pages left unread (--ocr off), or with no text OCR could find: the file fails.
        return LoadedFile(path=path, file_type="pdf", sha256=sha256, pages=[""] * len(pages), needs_ocr=True,
                          ocr=scans.read)
    try:
        loaded = laid_out_file(path, "pdf", sha256, pages, heights, scans, warnings,
                               "have no text layer and were not read")
    except BaseException:
        open_pages.close()
        raise
    loaded.placer = open_pages
    return loaded


def _opened(path: str, data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_raw.FPDF_ERR_PASSWORD:
            raise IngestError("load", "encrypted", f"{path}: encrypted PDF, a password is needed to open it") from exc
        raise IngestError("load", "corrupt", f"{path}: not a readable PDF ({exc})") from exc


def _read_pages(path: str, pdf: pdfium.PdfDocument, parsers: SecondaryParsers, logs: LibraryLogs,
                warnings: list[str], open_pages: OpenPages) -> tuple[list[list[Line]], list[float], Scans]:
    """Each page's lines and height, a page without a text layer read by OCR (as ocr.MODE says); a
    page pdfium cannot load is said, and kept empty (for the numbers). A page read from its text
    layer is left open in open_pages, the others closed."""
    pages, heights, not_loaded = [], [], []
    scans = Scans()
    carried: list[float] | None = None  # column centres of a table running off the previous page
    for index in range(len(pdf)):
        logs.page = index
        page = _loaded_page(pdf, index)
        if page is None:
            not_loaded.append(index + 1)
            lines, height = [], 0.0
        else:
            textpage = None
            try:
                lines, carried, height, scanned, textpage = _read_page(page, parsers, index, carried)
                if ocr.MODE == "force" or (scanned and ocr.MODE == "auto"):
                    read = ocr.read_pdf_page(page)
                    lines, height, carried = read.lines, read.height, None
                    scans.read.add(index + 1, read.confidence, ocr.LOW_CONFIDENCE)
                elif scanned:
                    scans.unread.append(index + 1)
                else:
                    open_pages.keep(index + 1, page, textpage)
                    page = textpage = None
            finally:
                if textpage is not None:
                    textpage.close()
                if page is not None:
                    page.close()
        pages.append(lines)
        heights.append(height)
    if not_loaded:
        warnings.append(f"{path}: page(s) {', '.join(map(str, not_loaded))} could not be loaded, read as empty")
    return pages, heights, scans


def _loaded_page(pdf: pdfium.PdfDocument, index: int):
    """The page, or None where pdfium cannot load it (a page tree declaring more pages than it holds)."""
    try:
        return pdf[index]
    except pdfium.PdfiumError:
        return None


def _read_page(page, parsers: SecondaryParsers, index: int,
               carried: list[float] | None) -> tuple[list[Line], list[float] | None, float, bool, pdfium.PdfTextPage]:
    """The page's lines, the column centres of a table that runs off its foot (for the next page),
    the page's height, as it is displayed (see pdf_tables.page_frame), whether it is a scan (an
    image with no text layer worth reading on it: fewer than MIN_TEXT_CHARS characters), and its
    text page (the caller's to close)."""
    objects = _page_objects(page)
    put_in_line_order(as_handle(page.raw), objects.text, objects.frame)
    height = objects.height
    tables = page_tables(objects.paths, height, carried) if objects.ruled else []
    textpage = page.get_textpage()  # of the objects in line order
    # Table cells are filled character by character; lines outside tables need only a few boxes.
    every_box = bool(tables)
    try:
        lines = _pdfium_lines(page, textpage, objects, functools.partial(parsers.lost_text, index), tables, every_box)
        if lines is None:  # text pdfium lost cannot be put back into its own: pdfplumber reads the page
            chars = parsers.plumber_read(index, _plumber_chars)
            # Where pdfplumber fails on the page, pdfium's text stands, without what it lost.
            lines = page_lines(chars, tables) if chars is not None else \
                _pdfium_lines(page, textpage, objects, None, tables, every_box)
    except BaseException:
        textpage.close()
        raise
    drawn = objects.images > 0 or objects.path_count >= OUTLINED_TEXT_PATHS
    scanned = drawn and sum(len(line.text.strip()) for line in lines) < MIN_TEXT_CHARS
    return lines, running_off(tables, lines, height), height, scanned, textpage


@dataclass
class _PageObjects:
    """What a page's objects tell before its text is read."""
    # How PDF coordinates are turned into the page's as displayed (None: they are those already),
    # and its height as displayed (see pdf_tables.page_frame).
    frame: Matrix | None
    height: float
    text: list[tuple[Handle, int]] = field(default_factory=list)  # (handle, nesting level)
    bold: set[int] = field(default_factory=set)  # addresses of the text objects in a bold font
    # Each bold text object's (bottom, top) on the page; None when one is inside a Form XObject,
    # whose bounds are in the form's own space, or the page is turned (see pdf_tables.page_frame).
    bold_bands: list[tuple[float, float]] | None = field(default_factory=list)
    # Each path with the matrix that takes it onto the page as displayed (None: it is there).
    paths: list[tuple[Handle, Matrix | None]] = field(default_factory=list)
    horizontal_rules: int = 0
    vertical_rules: int = 0
    # How many image and path objects the page draws: a page without text that draws some is a scan.
    images: int = 0
    path_count: int = 0

    @property
    def ruled(self) -> bool:
        """Cheap test before the costly table search: are there strokes that could rule a table?"""
        return self.horizontal_rules >= MIN_RULES and self.vertical_rules >= MIN_RULES


def _page_objects(page) -> _PageObjects:
    """One pass over the page's objects, into Form XObjects: the text objects (which are bold),
    the paths (which could rule a table), each with the matrix that takes it onto the page as
    displayed (see pdf_tables.page_frame)."""
    frame, height = page_frame(page)
    found = _PageObjects(frame, height, bold_bands=[] if frame is None else None)
    bold_fonts: dict[int | None, bool] = {}
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    bounds = [ctypes.byref(value) for value in (left, bottom, right, top)]

    def walk(holder: Handle, level: int, outer: Matrix | None) -> None:
        if level == 0:
            children = (page_object(holder, i) for i in range(count_page_objects(holder)))
        else:
            children = (form_object(holder, ctypes.c_ulong(i)) for i in range(count_form_objects(holder)))
        for obj in children:
            kind = object_type(obj)
            if kind == pdfium_raw.FPDF_PAGEOBJ_TEXT:
                found.text.append((obj, level))
                font = object_font(obj)
                if font.value not in bold_fonts:
                    bold_fonts[font.value] = _font_is_bold(font)
                if bold_fonts[font.value]:
                    found.bold.add(obj.value)
                    if level or found.bold_bands is None:
                        found.bold_bands = None
                    else:
                        object_bounds(obj, *bounds)
                        found.bold_bands.append((bottom.value, top.value))
            elif kind == pdfium_raw.FPDF_PAGEOBJ_PATH:
                found.path_count += 1
                if level < OBJECT_DEPTH:
                    object_bounds(obj, *bounds)
                    width, height = right.value - left.value, top.value - bottom.value
                    # A path smaller than a point each way (on the page itself, whose frame only
                    # turns it) cannot hold a ruling edge: a table's edges are at least that long.
                    if level or width >= SHORTEST_EDGE or height >= SHORTEST_EDGE:
                        found.paths.append((obj, outer))
                    if width > 10:
                        found.horizontal_rules += 2 if height > 10 else 1
                    if height > 10:
                        found.vertical_rules += 2 if width > 10 else 1
            elif kind == pdfium_raw.FPDF_PAGEOBJ_IMAGE:
                found.images += 1
            elif kind == pdfium_raw.FPDF_PAGEOBJ_FORM:
                walk(obj, level + 1, then(matrix_of(obj), outer))

    walk(as_handle(page.raw), 0, frame)
    return found


def _font_is_bold(font: Handle) -> bool:
    """Bold by the font's weight, or by its name where the PDF gives no weight (Helvetica-Bold)."""
    if font_weight(font) >= BOLD_WEIGHT:
        return True
    name = ctypes.create_string_buffer(FONT_NAME_BYTES)
    font_name(font, name, ctypes.c_size_t(FONT_NAME_BYTES))
    return any(word in name.value.lower() for word in BOLD_NAMES)


class _CharBoxes:
    """pdfium's loose character boxes: one direct call per character, into a buffer kept with a
    ready pointer to each of its slots. pdfium runs one call at a time (it is not thread-safe), so
    one buffer, grown as needed, serves every page of every document."""

    def __init__(self):
        self._buffer = None
        self._slots: list = []

    def read(self, textpage: Handle, wanted: Sequence[int], frame: Matrix | None) -> tuple[list[float], ...]:
        """The left, top, right and bottom edges of the wanted characters, in PDF coordinates, of the
        page as displayed (frame: see pdf_tables.page_frame)."""
        if not wanted:
            return [], [], [], []
        if len(wanted) > len(self._slots):
            slots = max(len(wanted), 2 * len(self._slots))
            self._buffer = (pdfium_raw.FS_RECTF * slots)()
            size = ctypes.sizeof(pdfium_raw.FS_RECTF)
            self._slots = [ctypes.byref(self._buffer, i * size) for i in range(slots)]
        list(map(loose_char_box, repeat(textpage, len(wanted)), wanted, self._slots))
        floats = memoryview(self._buffer).cast("B").cast("f")[: 4 * len(wanted)]
        edges = tuple(floats[edge::4].tolist() for edge in range(4))
        return edges if frame is None else _framed(edges, frame)


def _framed(boxes: tuple[Sequence[float], ...], frame: Matrix) -> tuple[list[float], ...]:
    """Boxes (their left, top, right and bottom edges) moved onto the page as displayed: the frame
    turns by quarter turns, so two opposite corners still make each box. A whole page's boxes at
    once, in arrays."""
    a, b, c, d, e, f = frame
    left, top, right, bottom = (numpy.asarray(edge, dtype=numpy.float64) for edge in boxes)
    x0, y0 = a * left + c * bottom + e, b * left + d * bottom + f
    x1, y1 = a * right + c * top + e, b * right + d * top + f
    return (numpy.minimum(x0, x1).tolist(), numpy.maximum(y0, y1).tolist(),
            numpy.maximum(x0, x1).tolist(), numpy.minimum(y0, y1).tolist())


_CHAR_BOXES = _CharBoxes()


def _pdfium_lines(page, textpage, objects: _PageObjects, lost_text, tables: list[Table],
                  every_box: bool) -> list[Line] | None:
    """The page's lines (see page_lines) from pdfium, with any text pdfium lost recovered from the
    content stream by lost_text; None when that cannot be done, so that the page is read with
    pdfplumber instead. lost_text None: pdfium's text as it is, nothing put back.
    Unless every_box, or text was lost, only a few boxes of each line are read (see _sampled_lines).
    The page's frame and height come with its objects (see _PageObjects)."""
    frame, height = objects.frame, objects.height
    handle = as_handle(textpage.raw)
    text = char_text(textpage, handle)
    undecoded = _undecoded(objects, handle, len(text)) if lost_text else []
    if not every_box and not undecoded:
        return _sampled_lines(text, handle, frame, objects, height)
    chars = PageChars(text, *_CHAR_BOXES.read(handle, range(len(text)), frame), height)
    # Which text object each character comes from: asked only where bold or lost text needs it.
    owners = []
    if objects.bold or undecoded:
        owners = list(map(char_object, repeat(handle, len(text)), range(len(text))))
    if objects.bold:
        chars.bold = [owner in objects.bold for owner in owners]
    if undecoded and not _recover_glyphs(chars, owners, objects, undecoded, lost_text, frame):
        return None
    return page_lines(chars, tables)


def _sampled_lines(text: str, handle: Handle, frame: Matrix | None, objects: _PageObjects,
                   height: float) -> list[Line]:
    """The lines of a page without tables, each placed by the boxes of a few of its characters (see
    samples). Which characters are bold is asked of pdfium only for the lines a bold text object
    reaches. Built here in one pass: the most common page costs no more than it must."""
    spans, wanted, measured = [], [], []
    for match in _INKED_LINE.finditer(text):
        start, end = match.span()
        picked = samples(text, start, end - 1)
        spans.append((start, end))
        measured.append((len(wanted), len(wanted) + len(picked)))
        wanted += picked
    left, top, right, bottom = _CHAR_BOXES.read(handle, wanted, frame)
    if objects.bold and objects.bold_bands is not None:
        band_bottoms, band_tops = _joined_bands(objects.bold_bands)
    lines = []
    for (start, end), (low, high) in zip(spans, measured):
        glyphs = text[start:end]
        line_text = despace_cjk(glyphs)
        line_top = max(top[low:high])
        bold = []
        # The last band starting below the line's top is the highest reaching up from there.
        if objects.bold and (objects.bold_bands is None or (
                (k := bisect_left(band_bottoms, line_top) - 1) >= 0 and min(bottom[low:high]) < band_tops[k])):
            owners = map(char_object, repeat(handle, end - start), range(start, end))
            bold = bold_runs(glyphs, [owner in objects.bold for owner in owners], line_text)
        lefts, rights = left[low:high], right[low:high]
        widths = sorted(map(operator.sub, rights, lefts))
        line_text, bold = whole_characters(line_text, bold)
        lines.append(Line(line_text, height - line_top, min(lefts), max(rights), widths[len(widths) // 2], bold))
    return reading_order(lines)


def _joined_bands(bands: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """The bottoms and tops of the bands (bottom, top) joined where they overlap, bottom to top:
    a line reaches into one of the bands (its top above the band's bottom, its bottom below the
    band's top) if and only if it reaches into one of these."""
    bottoms: list[float] = []
    tops: list[float] = []
    for band_bottom, band_top in sorted(bands):
        if tops and band_bottom < tops[-1]:
            tops[-1] = max(tops[-1], band_top)
        else:
            bottoms.append(band_bottom)
            tops.append(band_top)
    return bottoms, tops


def _undecoded(objects: _PageObjects, textpage: Handle, count: int) -> list[Handle]:
    """The text objects pdfium found no text in (none of the text page's characters is theirs).
    Asking pdfium for an object's text scans the whole text page, so first the text object of every
    SAMPLE_STEP-th character is looked up: an object met there with a real character (Unicode value
    not 0) has text. The others are asked, unless there are more than FEW_UNKNOWN of them: then the
    text object of every character is looked up, once."""
    has_text = {char_object(textpage, i) for i in range(0, count, SAMPLE_STEP) if char_unicode(textpage, i)}
    unknown = [obj for obj, level in objects.text if level < OBJECT_DEPTH and obj.value not in has_text]
    if len(unknown) > FEW_UNKNOWN:
        has_text = set(map(char_object, repeat(textpage, count), range(count)))
        return [obj for obj in unknown if obj.value not in has_text]
    return [obj for obj in unknown if object_text(obj, textpage, None, _NO_BUFFER) <= EMPTY_UTF16]


def _recover_glyphs(chars: PageChars, owners: list, objects: _PageObjects, undecoded: list,
                    lost_text, frame: Matrix | None) -> bool:
    """Put back the glyphs of the text objects pdfium left empty (see pdf_glyphs), each object's
    right after the last character of the text object drawn before it when they continue that
    character's line, else on a line of their own: where pdfplumber's character order puts them.
    False when a lost object is not on the page itself (it is in a Form XObject) or its text or
    place cannot be read."""
    top_level = [obj.value for obj, level in objects.text if level == 0]
    position_of = {value: position for position, value in enumerate(top_level)}
    positions = [position_of.get(obj.value) for obj in undecoded]
    if None in positions:
        return False
    fonts: dict = {}
    texts = {position: " " for obj, position in zip(undecoded, positions) if _blank(obj, fonts)}
    if len(texts) < len(positions):
        read = lost_text(len(top_level), [position for position in positions if position not in texts])
        if read is None:
            return False
        texts.update(read)
    last_char = {owner: i for i, owner in enumerate(owners)}  # each text object's last character
    runs: dict[int, list] = {}  # what goes before each position of pdfium's text
    put_back: dict[int, tuple[list, float, float]] = {}  # object → its run, its last glyph's left and top
    metrics: dict = {}  # the page's fonts' measures (see _glyph_boxes)
    for obj, position in zip(undecoded, positions):
        glyphs = texts[position]
        boxes = _glyph_boxes(obj, glyphs, frame, metrics)
        if boxes is None:
            return False
        previous = top_level[position - 1] if position else None
        if previous in put_back:
            run, previous_left, previous_top = put_back[previous]
        elif previous in last_char:
            i = last_char[previous]
            run, previous_left, previous_top = runs.setdefault(i + 1, []), chars.left[i], chars.top[i]
        else:
            run = None
        left, top, _, bottom = boxes[0]
        bold = obj.value in objects.bold
        if run is None or not (abs(top - previous_top) <= (top - bottom) / 2 and left >= previous_left):
            run = runs.setdefault(len(chars.text), [])
            run.append(("\n", boxes[0], False))
        run += [(glyph, box, bold) for glyph, box in zip(glyphs, boxes)]
        put_back[obj.value] = (run, boxes[-1][0], boxes[-1][1])
    chars.insert(runs)
    return True


def _blank(obj: Handle, fonts: dict) -> bool:
    """A text object that shows one blank glyph: it has no width, and its font can measure every
    glyph it could show (it is embedded), or cannot show a CJK character at all (it gives 中 no
    width: a Latin font such as a Times New Roman left out of the file, which pdfium's built-in
    fonts stand in for). Nearly every object pdfium leaves empty on real pages is such a space
    (between cells, after a figure): read as one without parsing the content stream for it. A
    lone CJK glyph in a CID font left out of the file also has no width: that one is read.
    fonts keeps the answer for each font of the page."""
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not object_bounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)):
        return False
    if right.value != left.value:
        return False
    font = object_font(obj)
    if font.value not in fonts:
        width = ctypes.c_float()
        fonts[font.value] = font_is_embedded(font) == 1 or (
            glyph_width(font, ord("中"), ctypes.c_float(1.0), ctypes.byref(width))
            and width.value == 0)
    return fonts[font.value]


def _glyph_boxes(obj: Handle, glyphs: str, frame: Matrix | None,
                 metrics: dict) -> list[tuple[float, float, float, float]] | None:
    """The boxes of a text object's glyphs in PDF coordinates (of the page as displayed, see
    pdf_tables.page_frame), built like pdfium's loose boxes: from the object's origin, each glyph
    the font's advance width along the line, the font's ascent and descent across it; None when
    pdfium gives no matrix or size for the object. metrics keeps what was asked of each font at
    each size on the page: the lost objects of a page are mostly the same glyph in a few fonts."""
    text_object = ctypes.cast(obj, pdfium_raw.FPDF_PAGEOBJECT)
    matrix, size = pdfium_raw.FS_MATRIX(), ctypes.c_float()
    if not glyphs or not pdfium_raw.FPDFPageObj_GetMatrix(text_object, matrix):
        return None
    if not pdfium_raw.FPDFTextObj_GetFontSize(text_object, size):
        return None
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    font = pdfium_raw.FPDFTextObj_GetFont(text_object)
    key = (ctypes.cast(font, ctypes.c_void_p).value, size.value)
    if key not in metrics:
        ascent, descent = ctypes.c_float(), ctypes.c_float()
        pdfium_raw.FPDFFont_GetAscent(font, size.value, ascent)
        pdfium_raw.FPDFFont_GetDescent(font, size.value, descent)
        metrics[key] = (ascent.value, descent.value, {})
    ascent, descent, widths = metrics[key]
    boxes, start = [], 0.0
    for glyph in glyphs:
        if glyph not in widths:
            width = ctypes.c_float()
            pdfium_raw.FPDFFont_GetGlyphWidth(font, ord(glyph), size.value, width)
            widths[glyph] = width.value
        end = start + widths[glyph]
        corners = [(a * x + c * y + e, b * x + d * y + f) for x in (start, end) for y in (descent, ascent)]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        boxes.append((min(xs), max(ys), max(xs), min(ys)))
        start = end
    if frame is not None:
        boxes = list(zip(*_framed(tuple(map(list, zip(*boxes))), frame)))
    return boxes


def _plumber_chars(plumber_page) -> PageChars:
    """The page's characters from pdfplumber, None where a new line starts."""
    chars = PageChars([], [], [], [], [], None, [])
    previous = None
    for c in plumber_page.chars:
        if previous and (abs(c["top"] - previous["top"]) > (c["bottom"] - c["top"]) / 2 or c["x0"] < previous["x0"]):
            chars.append(None, (0.0, 0.0, 0.0, 0.0), False)
        bold = any(word in c["fontname"].lower().encode() for word in BOLD_NAMES)
        chars.append(c["text"], (c["x0"], c["top"], c["x1"], c["bottom"]), bold)
        previous = c
    return chars


