"""OCR: a page image → its lines (characters with boxes through the layout stage, ruled tables as rows).

The engine is RapidOCR (rapidocr-onnxruntime) with the PP-OCRv4 detection and recognition models that
ship inside its wheel: nothing is fetched at run time. It is loaded on the first page that needs it,
once per process (a text-layer PDF never loads it), and runs on one thread: the workers are one per core.

Before recognition the image is made what the models read best: its red channel alone as grey, so that
an official seal's red ink over the text fades to white while black print stays black; then turned
straight (a page scanned a degree askew has its lines run into each other's bands otherwise).
Ruling lines are found in the straightened image and made into tables by the same finder as a PDF's
paths (pdf_tables); the characters, each with its share of its detection's box, go through
loaders/layout like pdfplumber's, so that a scanned page reads as its text layer would.
"""
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy
import regex

from .layout import Line, PageChars, bands, page_lines
from .pdf_tables import Edge, tables_from_edges

# How pages without a text layer are read: `auto` OCRs the pages that need it, `off` reads none (the
# file is a needs_ocr failure), `force` OCRs every page. Set by `jixiao ingest --ocr` before workers fork.
MODES = ("auto", "off", "force")
MODE = "auto"
# Resolution a PDF page is rendered at for OCR: body text of a report (12–16 pt) is then 30–45 pixels
# high, what PP-OCR's recognizer reads at its best (it scales each line to 48 pixels).
DPI = 200
# A page whose recognized characters average less than this confidence is doubtful: the report is partial.
LOW_CONFIDENCE = 0.85
# Skew searched for, in degrees either way, and the step of the search.
MAX_SKEW = 3.0
SKEW_STEP = 0.1
# Width (pixels) the page is shrunk to for the skew search: lines of text are still lines there.
SKEW_SAMPLE_WIDTH = 800
# A ruling line is at least this share of the page's width (or height) long in one piece.
RULE_SHARE = 0.02
# Darker than this (0–255) is ink.
INK_BELOW = 160
# Called before each page is read by OCR: a worker gives its file more time for it (workers.py).
before_page: Callable[[], None] | None = None


# A figure in thousands groups, separated by commas of either width (and no digit or comma runs on).
_DIGIT_GROUPS = regex.compile(r"(?<![\d,，])\d{1,3}(?:[,，]\d{3})+(?![\d,，])")


@dataclass
class OcrPage:
    lines: list[Line]
    height: float  # points
    confidence: float | None  # mean over the characters read; None when nothing was read


@functools.cache
def engine():
    """The OCR engine, made once per process. Its model files are those of the installed package."""
    from rapidocr_onnxruntime import RapidOCR
    # A page rendered at DPI is detected at that size: the default shrinks it to 2000 pixels, and the
    # noisy scans of benchmarks/ocr.py lost a twentieth of their amounts so.
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=10_000)


def model_files() -> list[Path]:
    """The model files the engine loads: inside the installed rapidocr_onnxruntime package."""
    import rapidocr_onnxruntime
    return sorted(Path(rapidocr_onnxruntime.__file__).parent.joinpath("models").glob("*.onnx"))


def read_pdf_page(page) -> OcrPage:
    """A PDF page (pypdfium2) rendered at DPI, as displayed, and read."""
    bitmap = page.render(scale=DPI / 72, rev_byteorder=True)
    try:
        return read_image(bitmap.to_numpy(), 72 / DPI)
    finally:
        bitmap.close()


def read_image(image: numpy.ndarray, points_per_pixel: float) -> OcrPage:
    """The lines of a page image (an RGB or grey array); boxes in points, as the page's text layer's."""
    if before_page is not None:
        before_page()
    grey = _without_red(image)
    grey = _straightened(grey)
    height_px, width_px = grey.shape
    try:
        found, _ = engine()(numpy.dstack([grey] * 3))
    except Exception as exc:  # onnxruntime's own exception types, a failed allocation among them
        if "alloc" in str(exc).lower():
            raise MemoryError(f"OCR of a {width_px}×{height_px} page image") from exc
        raise
    chars, scores = _page_chars(found or [], points_per_pixel)
    lines = page_lines(chars, tables_from_edges(*_ruling(grey, points_per_pixel))) if chars.text else []
    confidence = sum(scores) / len(scores) if scores else None
    return OcrPage(lines, height_px * points_per_pixel, confidence)


def _without_red(image: numpy.ndarray) -> numpy.ndarray:
    """The image as grey from its red channel: red ink (a seal, a signature in red) is light there."""
    if image.ndim == 2:
        return image
    return numpy.ascontiguousarray(image[:, :, 0])


def _straightened(grey: numpy.ndarray) -> numpy.ndarray:
    """The page turned so that its lines of text run level: the angle at which the rows of a shrunk
    copy are most unequal in ink (lines of text and the gaps between them, sharpest when level)."""
    import cv2
    scale = min(1.0, SKEW_SAMPLE_WIDTH / grey.shape[1])
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = (small < INK_BELOW).astype(numpy.float32)
    if ink.sum() == 0:
        return grey
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)

    def sharpness(angle: float) -> float:
        turned = cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, angle, 1.0), (ink.shape[1], ink.shape[0]))
        return float(numpy.var(turned.sum(axis=1)))

    steps = int(round(MAX_SKEW / SKEW_STEP))
    best = max((k * SKEW_STEP for k in range(-steps, steps + 1)), key=sharpness)
    if abs(best) < SKEW_STEP / 2:
        return grey
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), best, 1.0)
    return cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _page_chars(found: list, points_per_pixel: float) -> tuple[PageChars, list[float]]:
    """The recognized characters in lines (detections on one band joined left to right, a space
    between two), each with its box in points; and each character's confidence."""
    chars = PageChars([], [], [], [], [], None)
    scores: list[float] = []
    for band in _bands(found):
        if chars.text:
            chars.append(None, (0.0, 0.0, 0.0, 0.0), False)
        for k, detection in enumerate(band):
            placed = _grouped_digits(list(_placed_characters(detection)))
            if k and placed:
                # A space with no width at the end of the text before: layout gives it to that text.
                right = chars.right[-1]
                chars.append(" ", (right, chars.top[-1], right, chars.bottom[-1]), False)
            for ch, (x0, top, x1, bottom), score in placed:
                chars.append(ch, (x0 * points_per_pixel, top * points_per_pixel, x1 * points_per_pixel,
                                  bottom * points_per_pixel), False)
                scores.append(score)
    return chars, scores


def _bands(found: list) -> list[list]:
    """The detections grouped into lines as layout groups characters (see layout.bands), each line
    left to right."""
    def extent(detection):
        ys = [y for _, y in detection[0]]
        return min(ys), max(ys)

    return [sorted(line, key=lambda d: min(x for x, _ in d[0])) for line in bands(found, extent)]


def _grouped_digits(placed: list) -> list:
    """A thousands separator read as the Chinese comma (86，452 for 86,452: one dot of ink apart, and the
    recognizer reads Chinese text) put back, where the groups after it are of three digits each."""
    text = "".join(ch for ch, _, _ in placed)
    if "，" not in text:
        return placed
    fixed = list(text)
    for match in _DIGIT_GROUPS.finditer(text):
        for i in range(match.start(), match.end()):
            if fixed[i] == "，":
                fixed[i] = ","
    return [(ch, box, score) for ch, (_, box, score) in zip(fixed, placed)]


def _placed_characters(detection):
    """(character, (x0, top, x1, bottom) in pixels, confidence) of each character of a detection: its
    box shared among its characters by their widths, a Chinese character or full-width sign two
    units, a digit, Latin letter or half-width sign one. (RapidOCR can place each character itself,
    at two fifths more time a page; a detection rarely spans two cells of a ruled table.)"""
    corners, text, score = detection[0], detection[1].strip(), float(detection[2])
    if not text:
        return
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    widths = [2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text]
    unit, left = (x1 - x0) / sum(widths), x0
    for ch, width in zip(text, widths):
        yield ch, (left, top, left + width * unit, bottom), score
        left += width * unit


def _ruling(grey: numpy.ndarray, points_per_pixel: float) -> tuple[list[Edge], list[Edge]]:
    """The page's vertical and horizontal ruling lines as edges in points: runs of ink at least
    RULE_SHARE of the page long in one direction (text strokes are far shorter)."""
    import cv2
    ink = (grey < INK_BELOW).astype(numpy.uint8)
    h, w = ink.shape
    edges: dict[str, list[Edge]] = {"v": [], "h": []}
    for orientation, kernel in (("h", (max(2, int(w * RULE_SHARE)), 1)), ("v", (1, max(2, int(h * RULE_SHARE))))):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for x, y, width, height, _ in stats[1:count]:
            if orientation == "h":
                middle = (y + height / 2) * points_per_pixel
                x0, x1 = x * points_per_pixel, (x + width) * points_per_pixel
                edges["h"].append(Edge(x0, middle, x1, middle, x1 - x0, 0.0))
            else:
                middle = (x + width / 2) * points_per_pixel
                top, bottom = y * points_per_pixel, (y + height) * points_per_pixel
                edges["v"].append(Edge(middle, top, middle, bottom, 0.0, bottom - top))
    return edges["v"], edges["h"]
