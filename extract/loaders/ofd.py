"""OFD (GB/T 33190, China's fixed-layout format for official documents): what each page draws, laid
out as a PDF's text layer is (loaders/layout); a page that draws images and next to no text is a scan,
its images read by OCR.

Read, for each page of the package's first document (see ofd_package), on the template pages it is
drawn over and on itself: text objects (each character placed by its TextCode's X and Y and the DeltaX
advances, "g N V" standing for N advances of V, through the object's CTM into its boundary), path
objects (their straight horizontal and vertical stretches: a table's ruling), image objects, and the
objects inside page blocks and composite objects. Not read: annotations, the appearance of signatures
and seals, attachments, custom tags. Coordinates are millimetres down from the page's top left corner,
turned into points for the layout stage.
"""
from __future__ import annotations

import functools
import io
import math
import unicodedata
from dataclasses import dataclass, field

import numpy
from lxml import etree

from ..errors import IngestError, one_line
from ..model import LoadedFile
from . import image, loader, ocr
from .layout import MIN_TEXT_CHARS, Line, PageChars, Scans, bands, laid_out_file, page_lines, reading_order, \
    running_off, too_little_text
from .ofd_package import Document, OfdError, Package, Resources, add_resources, deltas, floats, open_document, \
    Point, page_box, resolve, straight_segments
from .pdf_tables import SHORTEST_EDGE, Edge, Matrix, then, tables_from_edges

MM = 72 / 25.4  # points in a millimetre
BOLD_WEIGHT = 700
# A gap between two characters of a line wider than this share of the font size is a space.
SPACE_GAP = 1 / 3
# A character's box reaches this share of the font size above its baseline and this share below
# (the ascent and descent of SimSun and most Chinese fonts).
ASCENT, DESCENT = 0.85, 0.15
# A stretch of path whose ends differ by less than this (points) across it is level (or upright).
LEVEL = 0.1
# Nothing is drawn this far (points) from a page's corner (a page is at most some metres wide): a
# place or size beyond it is hostile, and would overflow the layout's sums.
FAR = 1e5
# Page blocks and composite objects nest: deeper than this is not read (a composite drawing itself).
MAX_DEPTH = 16
# A page draws composite graphics (a logo, a seal) a few times; past this many, no more are drawn:
# composites drawing each other many times over would take for ever.
MAX_COMPOSITES = 1000
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_OBJECTS = ("TextObject", "PathObject", "ImageObject", "CompositeObject")

PlacedBox = tuple[float, float, float, float]  # left, top, right, bottom in points on the page


@dataclass(slots=True)
class _Glyph:
    ch: str
    left: float
    top: float
    right: float
    bottom: float
    size: float  # points
    bold: bool


@dataclass
class _Drawn:
    """What a page draws, in points on the page."""
    glyphs: list[_Glyph] = field(default_factory=list)
    vertical: list[Edge] = field(default_factory=list)
    horizontal: list[Edge] = field(default_factory=list)
    images: list[tuple[str, PlacedBox]] = field(default_factory=list)  # (resource ID, where)
    composites: int = 0  # composite graphics drawn


@loader(".ofd")
def load_ofd(path: str, data: bytes, sha256: str) -> LoadedFile:
    from . import MAX_PAGES
    warnings: list[str] = []
    try:
        package = Package(data)
        document = open_document(package)
        if len(document.pages) > MAX_PAGES:
            raise IngestError("load", "too_many_pages",
                              f"{path}: {len(document.pages)} pages, more than --max-pages {MAX_PAGES}")
        pages, heights, scans = _read_pages(path, package, document, warnings)
    except OfdError as exc:
        if exc.kind == "encrypted":
            raise IngestError("load", "encrypted",
                              f"{path}: encrypted OFD ({exc.reason}), not readable without its key") from exc
        raise IngestError("load", "corrupt", f"{path}: not a readable OFD file ({one_line(exc.reason)})") from exc
    if not pages:
        raise IngestError("load", "corrupt", f"{path}: not a readable OFD file (no pages)")
    if too_little_text(pages):
        # Scanned pages left unread (--ocr off), or no text on them, as for a PDF: the file fails.
        return LoadedFile(path=path, file_type="ofd", sha256=sha256, pages=[""] * len(pages), needs_ocr=True,
                          ocr=scans.read, warnings=warnings)
    return laid_out_file(path, "ofd", sha256, pages, heights, scans, warnings,
                         "are images without text and were not read")


def _read_pages(path: str, package: Package, document: Document,
                warnings: list[str]) -> tuple[list[list[Line]], list[float], Scans]:
    """Each page's lines and height (points); a scanned page read by OCR as ocr.MODE says. With
    --ocr force a page's images are read even under text: an OFD page cannot be rendered here."""
    pages, heights, scans = [], [], Scans()
    templates: dict[str, etree._Element] = {}  # a template is parsed once, drawn under every page naming it
    carried: list[float] | None = None  # column centres of a table running off the previous page
    for number, part in enumerate(document.pages, 1):
        content = package.xml(part)
        box = page_box(content.find("Area")) or document.box
        outer = (MM, 0.0, 0.0, MM, -box[0] * MM, -box[1] * MM)
        resources = _page_resources(package, content, part, document.resources)
        drawn = _Drawn()
        for template in content.iterfind("Template"):
            template_part = document.templates.get(template.get("TemplateID", ""))
            if template_part is not None:
                if template_part not in templates:
                    templates[template_part] = package.xml(template_part)
                _draw_layers(templates[template_part], outer, resources, drawn)
        _draw_layers(content, outer, resources, drawn)
        n_chars = sum(glyph.ch != " " for glyph in drawn.glyphs)
        scanned = bool(drawn.images) and (n_chars < MIN_TEXT_CHARS or ocr.MODE == "force")
        if scanned and ocr.MODE != "off":
            lines, confidence = _read_images(path, number, package, resources, drawn.images, warnings)
            scans.read.add(number, confidence, ocr.LOW_CONFIDENCE)
            carried = None
        else:
            if scanned:
                scans.unread.append(number)
            lines, carried = _page_lines(drawn, carried, box[3] * MM)
        pages.append(lines)
        heights.append(box[3] * MM)
    return pages, heights, scans


def _page_resources(package: Package, content: etree._Element, part: str, shared: Resources) -> Resources:
    """The document's resources, with those the page names for itself (PageRes) added."""
    own = [name.text.strip() for name in content.iterfind("PageRes") if name.text and name.text.strip()]
    if not own:
        return shared
    resources = Resources(set(shared.bold_fonts), dict(shared.media), dict(shared.composites))
    for name in own:
        add_resources(package, resolve(part, name), resources)
    return resources


def _draw_layers(page: etree._Element, outer: Matrix, resources: Resources, drawn: _Drawn) -> None:
    for layer in page.iterfind("Content/Layer"):
        _draw(layer, outer, resources, drawn, 0)


def _draw(holder: etree._Element, outer: Matrix, resources: Resources, drawn: _Drawn, depth: int) -> None:
    """The objects of a layer, page block or composite graphic, through outer onto the page."""
    for obj in holder:
        if obj.tag == "PageBlock" and depth < MAX_DEPTH:
            _draw(obj, outer, resources, drawn, depth + 1)
        if obj.tag not in _OBJECTS:
            continue
        matrix = _object_matrix(obj, outer)
        if matrix is None:
            continue
        if obj.tag == "TextObject":  # even if not Visible: the text layer over a scan is invisible
            _draw_text(obj, matrix, resources, drawn)
        elif obj.get("Visible") == "false":
            continue
        elif obj.tag == "PathObject":
            _draw_path(obj, matrix, drawn)
        elif obj.tag == "ImageObject":
            corners = [_apply(matrix, x, y) for x, y in ((0, 0), (1, 1))]  # its image fills its unit square
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            if _near(*xs, *ys):
                drawn.images.append((obj.get("ResourceID", ""), (min(xs), min(ys), max(xs), max(ys))))
        elif obj.tag == "CompositeObject" and depth < MAX_DEPTH and drawn.composites < MAX_COMPOSITES:
            unit = resources.composites.get(obj.get("ResourceID", ""))
            if unit is not None:
                drawn.composites += 1
                for content in unit.iterfind("Content"):
                    _draw(content, matrix, resources, drawn, depth + 1)


def _object_matrix(obj: etree._Element, outer: Matrix) -> Matrix | None:
    """What takes the object's own coordinates onto the page: its CTM, then its boundary's origin,
    then outer. None for an object without a boundary that can be read."""
    boundary = floats(obj.get("Boundary"))
    if boundary is None or len(boundary) != 4:
        return None
    ctm = floats(obj.get("CTM"))
    if ctm is None or len(ctm) != 6:
        # An image without a CTM is taken to fill its boundary (its own space is the unit square).
        ctm = [boundary[2], 0.0, 0.0, boundary[3], 0.0, 0.0] if obj.tag == "ImageObject" else list(_IDENTITY)
    return then(then(tuple(ctm), (1.0, 0.0, 0.0, 1.0, boundary[0], boundary[1])), outer)


def _apply(matrix: Matrix, x: float, y: float) -> Point:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _draw_text(obj: etree._Element, matrix: Matrix, resources: Resources, drawn: _Drawn) -> None:
    """Each character of the object's TextCodes at its place: X and Y give the first character's
    (Y its baseline), DeltaX the advances to the next; a TextCode without X or Y goes on from the
    last. A character's box is its advance, if no wider than the font size (wider: the advance
    holds a gap), else the width of its kind: the size for a Chinese one, half for others."""
    size = _number(obj.get("Size"), 0.0)
    if size <= 0:
        return
    bold = _number(obj.get("Weight"), 0.0) >= BOLD_WEIGHT or obj.get("Font", "") in resources.bold_fonts
    a, b, c, d, _, _ = matrix
    height = size * math.sqrt(abs(a * d - b * c))
    x = y = 0.0
    for code in obj.iterfind("TextCode"):
        text = code.text or ""
        x, y = _number(code.get("X"), x), _number(code.get("Y"), y)
        across, down = deltas(code.get("DeltaX"), len(text)), deltas(code.get("DeltaY"), len(text))
        for i, ch in enumerate(text):
            if i < len(across):
                advance = across[i]
            elif across and i < len(text) - 1:
                advance = across[-1]
            else:
                advance = size * _em_share(ch)
            width = advance if 0 < advance <= size else size * _em_share(ch)
            left, baseline = _apply(matrix, x, y)
            right = left + a * width
            if _near(left, right, baseline, height):
                drawn.glyphs.append(_Glyph(" " if ch.isspace() else ch, min(left, right), baseline - ASCENT * height,
                                           max(left, right), baseline + DESCENT * height, height, bold))
            x += advance
            y += down[i] if i < len(down) else (down[-1] if down else 0.0)


@functools.cache
def _em_share(ch: str) -> float:
    """A character's width in its font size: a Chinese character or full-width sign fills it (so do
    the signs of ambiguous width: Chinese fonts draw them wide), others half."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5


def _draw_path(obj: etree._Element, matrix: Matrix, drawn: _Drawn) -> None:
    """The path's straight level and upright stretches (lines, the sides of rectangles, filled or
    stroked) as ruling edges, as pdfplumber cuts a PDF's paths. A path neither stroked nor filled
    (a clipping outline) draws nothing."""
    if obj.get("Stroke", "true") == "false" and obj.get("Fill", "false") == "false":
        return
    data = obj.find("AbbreviatedData")
    for start, end in straight_segments((data.text or "") if data is not None else ""):
        (x0, y0), (x1, y1) = _apply(matrix, *start), _apply(matrix, *end)
        if not _near(x0, y0, x1, y1):
            continue
        if abs(y0 - y1) < LEVEL and abs(x1 - x0) >= SHORTEST_EDGE:
            left, right, y = min(x0, x1), max(x0, x1), (y0 + y1) / 2
            drawn.horizontal.append(Edge(left, y, right, y, right - left, 0.0))
        elif abs(x0 - x1) < LEVEL and abs(y1 - y0) >= SHORTEST_EDGE:
            top, bottom, x = min(y0, y1), max(y0, y1), (x0 + x1) / 2
            drawn.vertical.append(Edge(x, top, x, bottom, 0.0, bottom - top))


def _page_lines(drawn: _Drawn, carried: list[float] | None, height: float) -> tuple[list[Line], list[float] | None]:
    """The page's lines, and the column centres of a table that may run on over the next page (see
    layout.running_off). A table continued from the previous page keeps that page's columns, as a
    PDF's does."""
    chars = _page_chars(drawn.glyphs)
    if not chars.text:
        return [], None
    tables = tables_from_edges(drawn.vertical, drawn.horizontal, carried)
    lines = page_lines(chars, tables)
    return lines, running_off(tables, lines, height)


def _page_chars(glyphs: list[_Glyph]) -> PageChars:
    """The characters in lines (see layout.bands), each left to right; a space where the text has one,
    or where two characters are further apart than SPACE_GAP of their size. A character drawn twice
    at one place (a bold made by overprinting, a template's text under the page's own) is kept once."""
    chars = PageChars([], [], [], [], [], None, [] if any(g.bold for g in glyphs) else None)
    for band in bands(glyphs, lambda g: (g.top, g.bottom)):
        if chars.text:
            chars.append(None, (0.0, 0.0, 0.0, 0.0), False)
        before, spaced = None, False
        for glyph in sorted(band, key=lambda g: g.left):
            if before is not None and not spaced and (
                    glyph.ch == " " or glyph.left - before.right > SPACE_GAP * max(glyph.size, before.size)):
                # A space with no width at the end of the text before: layout gives it to that text.
                chars.append(" ", (before.right, before.top, before.right, before.bottom), False)
                spaced = True
            if glyph.ch == " " or (before is not None and glyph.ch == before.ch
                                   and abs(glyph.left - before.left) < before.size * 0.2):
                continue
            chars.append(glyph.ch, (glyph.left, glyph.top, glyph.right, glyph.bottom), glyph.bold)
            before, spaced = glyph, False
    return chars


def _read_images(path: str, number: int, package: Package, resources: Resources,
                 images: list[tuple[str, PlacedBox]], warnings: list[str]) -> tuple[list[Line], float | None]:
    """A scanned page's lines, read by OCR from each of its images, placed where the image is; and
    the mean confidence of the characters read. An image that cannot be decoded is said, and skipped."""
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = image.MAX_PIXELS
    lines, confidences = [], []
    for resource_id, (left, top, right, _) in images:
        part = resources.media.get(resource_id)
        if part is None:
            raise OfdError("corrupt", f"page {number} draws image {resource_id}, which no resource names")
        try:
            with Image.open(io.BytesIO(package.read(part))) as picture:
                pixels = numpy.asarray(picture.convert("RGB"))
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            warnings.append(f"{path}: page {number}: image {part} could not be decoded, not read "
                            f"({one_line(str(exc), 120)})")
            continue
        read = ocr.read_image(pixels, (right - left) / pixels.shape[1])
        for line in read.lines:
            line.top, line.left, line.right = line.top + top, line.left + left, line.right + left
        lines += read.lines
        if read.confidence is not None:
            confidences.append(read.confidence)
    return reading_order(lines), (sum(confidences) / len(confidences) if confidences else None)


def _near(*values: float) -> bool:
    """Are these places and sizes (points) within FAR of the page's corner?"""
    return all(-FAR < value < FAR for value in values)


def _number(text: str | None, default: float) -> float:
    numbers = floats(text)
    return numbers[0] if numbers and len(numbers) == 1 else default
