"""A page's text objects handed to pdfium's text page in an order it reads in linear time.

pdfium builds a page's text (FPDFText_LoadPage) line by line. It gathers the text objects that follow
one another within about half a glyph, up or down, of the rightmost one so far into a list kept in
order of x: each new object is inserted after the last one left of it, looked for from the right end
of the list. Objects that come from right to left (a line drawn backwards, objects shuffled, rows so
close they run into one line) each walk and shift the whole line: quadratic, a page of 10,000
one-glyph objects on a line took 2.5 s to load, 80,000 took 148 s, 300,000 would take half an hour
(benchmarks/pathological_pdf.py). Handed over in order of x within each band of lines, every object
goes on the end of its line, and pdfium's text is the same.

A page is reordered only when pdfium would walk far (WALK_BUDGET): elsewhere the order of the content
stream is kept, as it decides where pdfium breaks lines. Only the page's own text objects are moved
(any inside a Form XObject stay in it); the page's other objects go back first, in their order.
"""
from __future__ import annotations

import ctypes

import pypdfium2.raw as pdfium_raw

from .pdf_tables import Matrix
from .pdfium_calls import Handle, count_page_objects, direct, object_bounds, object_matrix, page_object

# Below this many text objects on a page, pdfium's walk is short whatever their order: not looked at.
MANY_TEXT_OBJECTS = 2000
# Steps along its lines (tens of nanoseconds each) past which pdfium is handed the page reordered.
WALK_BUDGET = 2_000_000

_remove_object = direct(pdfium_raw.FPDFPage_RemoveObject)
_insert_object = direct(pdfium_raw.FPDFPage_InsertObject, None)


def put_in_line_order(page: Handle, text: list[tuple[Handle, int]], frame: Matrix | None) -> None:
    """Reorder the page's own text objects (text: each with its nesting level) if pdfium would
    take long over them as they come; frame takes PDF coordinates onto the page as displayed."""
    own = [obj for obj, level in text if level == 0]
    if len(own) < MANY_TEXT_OBJECTS:
        return
    places = _places(own, frame)
    if _walk(places) <= WALK_BUDGET:
        return
    _reorder(page, own, sorted(range(len(own)), key=_line_order(places)))


def _places(objects: list[Handle], frame: Matrix | None) -> list[tuple[float, float, float]]:
    """Each text object's origin (x, y) and height on the page as displayed, y running up."""
    a, b, c, d, e, f = frame or (1, 0, 0, 1, 0, 0)
    matrix = pdfium_raw.FS_MATRIX()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    bounds = [ctypes.byref(value) for value in (left, bottom, right, top)]
    places = []
    for obj in objects:
        object_matrix(obj, ctypes.byref(matrix))
        object_bounds(obj, *bounds)
        x, y = matrix.e, matrix.f
        # The frame turns by quarter turns: a turned page's height runs across the PDF's.
        height = abs(b) * (right.value - left.value) + abs(d) * (top.value - bottom.value)
        places.append((a * x + c * y + e, b * x + d * y + f, height))
    return places


def _same_line(one: tuple[float, float, float], other: tuple[float, float, float]) -> bool:
    """Within half the taller one's height of each other, up or down: about where pdfium's line
    goes on (it takes half a glyph's width)."""
    return abs(one[1] - other[1]) <= max(one[2], other[2]) / 2


def _walk(places: list[tuple[float, float, float]]) -> int:
    """At most how many steps pdfium takes along its lines placing the objects in this order: an
    object left of its line's rightmost may walk the whole line."""
    steps = on_line = 0
    rightmost = None
    for place in places:
        if rightmost is None or not _same_line(place, rightmost):
            rightmost, on_line = place, 0
        elif place[0] >= rightmost[0]:
            rightmost = place
        else:
            steps += on_line
        on_line += 1
    return steps


def _line_order(places: list[tuple[float, float, float]]):
    """Sort key of an object's index: its band of lines top to bottom (bands apart by more than a
    line's half height), then x, then its place in the content stream."""
    band_of = [0] * len(places)
    band = 0
    downwards = sorted(range(len(places)), key=lambda i: -places[i][1])
    for above, below in zip(downwards, downwards[1:]):
        if not _same_line(places[above], places[below]):
            band += 1
        band_of[below] = band
    return lambda i: (band_of[i], places[i][0], i)


def _reorder(page: Handle, own_text: list[Handle], order: list[int]) -> None:
    """Take every object off the page and put them back: the others in their order, then the text
    objects in order. Taken from the front, each is found at once (pdfium looks from the front)."""
    objects = [page_object(page, i) for i in range(count_page_objects(page))]
    for obj in objects:
        _remove_object(page, obj)
    text = {obj.value for obj in own_text}
    for obj in objects:
        if obj.value not in text:
            _insert_object(page, obj)
    for i in order:
        _insert_object(page, own_text[i])
