"""Ruled tables of a PDF page, found in the paths pdfium lists: no parse of the page by pdfminer.

The ruling comes from pdfium's path objects (on the page and in its Form XObjects), each subpath
read as pdfminer reads it (a line, a rectangle or a polyline through its points) and cut into
edges as pdfplumber cuts those. The cells are then made from the edges by pdfplumber's table
finder (TableFinder with its default settings: snap, join, intersect, smallest cells, contiguous
groups), rewritten here to give the same cells in less time: its own version looks at every later
intersection for each intersection, and at every remaining cell for each cell it places.

Coordinates: x from the page's left edge, top and bottom measured down from its top edge, as
pdfplumber's; on a rotated page, or one whose MediaBox does not start at the origin, those of the
page as displayed (see page_frame).
"""
from __future__ import annotations

import ctypes
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

import pypdfium2.raw as pdfium_raw

from .pdfium_calls import Handle, object_matrix, path_segment, path_segment_count, segment_closes, segment_point, \
    segment_type

Box = tuple[float, float, float, float]  # x0, top, x1, bottom, from the top of the page
Matrix = tuple[float, float, float, float, float, float]  # a, b, c, d, e, f as in PDF

_MOVE, _CURVE = pdfium_raw.FPDF_SEGMENT_MOVETO, pdfium_raw.FPDF_SEGMENT_BEZIERTO

# pdfplumber's TableSettings defaults: edges within this of one line are snapped onto it, pieces
# of a line this close are joined, and an edge reaching this near another crosses it.
SNAP = 3
JOIN = 3
CROSS = 3
# Edges shorter than this are not looked at (edge_min_length_prefilter), or dropped once joined.
SHORTEST_EDGE = 1
SHORTEST_JOINED = 3
# A slot's centre this close to a cell's edge is on the edge, so in the cell (which side of the
# edge it falls on would be decided by rounding).
ON_EDGE = 0.01


@dataclass
class Table:
    bbox: Box
    slots: list[list[Box | None]]  # for each grid slot, the box of the (merged) cell covering it
    columns: list[float]  # each column's centre


@dataclass(slots=True)
class Edge:
    """A vertical or horizontal stretch of ruling, as pdfplumber keeps one (its width and height are
    carried, not recomputed, as pdfplumber carries them)."""
    x0: float
    top: float
    x1: float
    bottom: float
    width: float
    height: float

    @property
    def bbox(self) -> Box:
        return self.x0, self.top, self.x1, self.bottom


def matrix_of(obj: Handle) -> Matrix:
    """A page object's matrix (a form's: the one its contents are drawn through)."""
    matrix = pdfium_raw.FS_MATRIX()
    object_matrix(obj, ctypes.byref(matrix))
    return matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f


def then(inner: Matrix, outer: Matrix | None) -> Matrix:
    """The matrix that applies inner, then outer."""
    if outer is None:
        return inner
    a, b, c, d, e, f = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def page_frame(page) -> tuple[Matrix | None, float]:
    """How PDF coordinates are turned into those of the page as displayed (None: they are those
    already), and the displayed page's height: pdfminer's turn for the page's /Rotate and the
    MediaBox's lower left corner, so that a rotated page's tables and text read across, as shown."""
    x0, y0, x1, y1 = page.get_mediabox()
    rotation = page.get_rotation()
    if rotation == 90:
        return (0, -1, 1, 0, -y0, x1), x1 - x0
    if rotation == 180:
        return (-1, 0, 0, -1, x1, y1), y1 - y0
    if rotation == 270:
        return (0, 1, -1, 0, y1, -x0), x1 - x0
    if (x0, y0) != (0, 0):
        return (1, 0, 0, 1, -x0, -y0), y1 - y0
    return None, page.get_height()


def page_tables(paths: list[tuple[Handle, Matrix | None]], height: float,
                carried: list[float] | None = None) -> list[Table]:
    """Ruled tables on the page as grids of cell boxes, from its path objects (each with the matrix
    that takes its coordinates onto the page as displayed, None for none) and the displayed page's
    height.

    A table continued from the previous page (carried: its column centres) keeps that page's
    columns: the rows that open this page may all be merged across a column (满意度指标 over two),
    so the ruling here alone would show fewer columns than the table has."""
    vertical, horizontal = [], []
    for path, outer in paths:
        for ops, points in _subpaths(path, outer):
            for edge, orientation in _path_edges(ops, points, height):
                if orientation == "v" and edge.height >= SHORTEST_EDGE:
                    vertical.append(edge)
                elif orientation == "h" and edge.width >= SHORTEST_EDGE:
                    horizontal.append(edge)
    return tables_from_edges(vertical, horizontal, carried)


def tables_from_edges(vertical: list[Edge], horizontal: list[Edge], carried: list[float] | None = None) -> list[Table]:
    """The tables that vertical and horizontal stretches of ruling make (from a PDF's paths, or the
    lines seen on a page image), top to bottom; carried as for page_tables."""
    if len(vertical) < 2 or len(horizontal) < 2:
        return []  # a cell needs two ruling lines each way
    tables = []
    for k, (bbox, boxes) in enumerate(sorted(_find_tables(vertical, horizontal), key=lambda t: t[0][1])):
        columns = _column_centres(boxes)
        if k == 0 and carried and len(carried) > len(columns) and _within(carried, bbox):
            columns = carried
        slots = _covering_cells(boxes, columns)
        if slots and max(len(r) for r in slots) >= 2:
            tables.append(Table(bbox, slots, columns))
    return tables


def _within(columns: list[float], bbox: Box) -> bool:
    return bbox[0] < columns[0] and columns[-1] < bbox[2]


def _subpaths(path: Handle, outer: Matrix | None) -> list[tuple[str, list[tuple[float, float]]]]:
    """The path's subpaths as pdfminer records them: a letter for each operator (m, l, c, h) and
    the point each one ends at, in the page's coordinates (see page_tables). pdfium keeps a curve
    as three points and closes a subpath by marking its last point, after adding a line back to
    the start if needed."""
    a, b, c, d, e, f = then(matrix_of(path), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    x_out, y_out = ctypes.byref(x), ctypes.byref(y)
    subpaths: list[tuple[list[str], list[tuple[float, float]]]] = []
    curve_points = 0
    for i in range(path_segment_count(path)):
        segment = path_segment(path, i)
        segment_point(segment, x_out, y_out)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = segment_type(segment)
        if kind == _MOVE or not subpaths:
            subpaths.append((["m"], [point]))
            curve_points = 0
            continue
        ops, points = subpaths[-1]
        if kind == _CURVE:
            curve_points += 1
            if curve_points % 3:
                continue  # a control point
            op = "c"
        else:
            op = "l"
        closes = segment_closes(segment)
        if closes and op == "l" and point == points[0]:
            op = "h"  # the line pdfium drew back to the start stands for the close
        ops.append(op)
        points.append(point)
        if closes and op != "h":
            ops.append("h")
            points.append(points[0])
    return [("".join(ops), points) for ops, points in subpaths if len(ops) > 1]


def _path_edges(ops: str, points: list[tuple[float, float]], height: float) -> list[tuple[Edge, str | None]]:
    """One subpath as pdfminer shapes it (LTLine, LTRect or LTCurve) and pdfplumber cuts it into
    edges (each with its orientation: v, h or None for a slanted one), coordinates measured down
    from the top of the page."""
    if len(ops) > 3 and ops.endswith("lh") and points[-2] == points[0]:
        ops, points = ops[:-2] + "h", points[:-1]  # a line back to the start before closing adds nothing
    if ops in ("ml", "mlh"):
        (x0, y0), (x1, y1) = points[:2]
        x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
        top, bottom = height - y1, height - y0
        return [(Edge(x0, top, x1, bottom, x1 - x0, y1 - y0), "h" if top == bottom else "v")]
    if ops in ("mlllh", "mllll") and points[0] == points[4]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = points
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0):
            x0, x1, y0, y1 = min(x0, x2), max(x0, x2), min(y0, y2), max(y0, y2)
            width, rect_height, top, bottom = x1 - x0, y1 - y0, height - y1, height - y0
            return [(Edge(x0, top, x1, top, width, 0), "h"),
                    (Edge(x0, top + rect_height, x1, bottom, width, 0), "h"),
                    (Edge(x0, top, x0, bottom, 0, rect_height), "v"),
                    (Edge(x1, top, x1, bottom, 0, rect_height), "v")]
    points = [(x, height - y) for x, y in points]
    return [(Edge(min(x0, x1), min(top0, top1), max(x0, x1), max(top0, top1), abs(x0 - x1), abs(top0 - top1)),
             "v" if x0 == x1 else ("h" if top0 == top1 else None))
            for (x0, top0), (x1, top1) in zip(points, points[1:])]


# pdfplumber's table finder, the same cells in less time.

def _find_tables(vertical: list[Edge], horizontal: list[Edge]) -> list[tuple[Box, list[list[Box | None]]]]:
    """The tables the edges make, top to bottom: each table's box and its rows of cells (None for
    a slot no cell starts in), as pdfplumber's Table.bbox and Table.rows."""
    vertical = _merged(vertical, "v")
    horizontal = _merged(horizontal, "h")
    crossings = _crossings(vertical, horizontal)
    tables = []
    for cells in _contiguous(_cells(crossings)):
        if len(cells) < 2:
            continue
        bbox = (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))
        xs = sorted({c[0] for c in cells})
        rows = []
        for _, row_cells in groupby(sorted(cells, key=lambda c: (c[1], c[0])), key=lambda c: c[1]):
            by_x = {cell[0]: cell for cell in row_cells}
            rows.append([by_x.get(x) for x in xs])
        tables.append((min((c[1], c[0]) for c in cells), bbox, rows))
    return [(bbox, rows) for _, bbox, rows in sorted(tables)]


def _merged(edges: list[Edge], orientation: str) -> list[Edge]:
    """Edges snapped onto shared lines, the pieces of each line joined, short ones dropped
    (pdfplumber's merge_edges, then filter_edges)."""
    across = attrgetter("x0" if orientation == "v" else "top")  # where the edge's line is
    along = ("top", "bottom") if orientation == "v" else ("x0", "x1")  # where along the line
    start, end = attrgetter(along[0]), attrgetter(along[1])
    joined = []
    for _, line in groupby(sorted(_snapped(edges, orientation), key=across), key=across):
        line = sorted(line, key=start)
        pieces = [line[0]]
        last_end = end(line[0])
        for edge in line[1:]:
            if start(edge) <= last_end + JOIN:
                if end(edge) > last_end:
                    last_end = end(edge)
                    pieces[-1] = _extended(pieces[-1], orientation, last_end)
            else:
                pieces.append(edge)
                last_end = end(edge)
        joined += pieces
    length = attrgetter("height" if orientation == "v" else "width")
    return [edge for edge in joined if length(edge) >= SHORTEST_JOINED]


def _snapped(edges: list[Edge], orientation: str) -> list[Edge]:
    """Edges whose lines lie within SNAP of each other (chained) moved onto their average line
    (pdfplumber's snap_objects: the same sums in the same order, so the same floats)."""
    across = attrgetter("x0" if orientation == "v" else "top")
    values = sorted(set(map(across, edges)))
    cluster_of, cluster = {}, 0
    for i, value in enumerate(values):
        if i and value > values[i - 1] + SNAP:
            cluster += 1
        cluster_of[value] = cluster

    def cluster_key(edge: Edge) -> int:
        return cluster_of[across(edge)]
    snapped = []
    for _, members in groupby(sorted(edges, key=cluster_key), key=cluster_key):
        members = list(members)
        average = sum(map(across, members)) / len(members)
        if orientation == "v":
            snapped += [Edge(e.x0 + (average - e.x0), e.top, e.x1 + (average - e.x0), e.bottom, e.width, e.height)
                        for e in members]
        else:
            snapped += [Edge(e.x0, e.top + (average - e.top), e.x1, e.bottom + (average - e.top), e.width, e.height)
                        for e in members]
    return snapped


def _extended(edge: Edge, orientation: str, end: float) -> Edge:
    """The edge made to end further on (pdfplumber's resize_object of x1 or bottom)."""
    if orientation == "v":
        return Edge(edge.x0, edge.top, edge.x1, end, edge.width, edge.height + (end - edge.bottom))
    return Edge(edge.x0, edge.top, end, edge.bottom, end - edge.x0, edge.height)


def _crossings(vertical: list[Edge], horizontal: list[Edge]) -> dict[tuple[float, float], tuple[set, set]]:
    """Each point where a vertical and a horizontal edge cross (within CROSS), with the boxes of the
    vertical and of the horizontal edges through it (pdfplumber's edges_to_intersections)."""
    horizontal = sorted(horizontal, key=lambda h: h.top)
    tops = [h.top for h in horizontal]
    crossings: dict[tuple[float, float], tuple[set, set]] = {}
    for v in vertical:
        # The edges whose tops are near the vertical's span; the exact test is pdfplumber's.
        for h in horizontal[bisect_left(tops, v.top - CROSS - 1):bisect_right(tops, v.bottom + CROSS + 1)]:
            if v.top <= h.top + CROSS and v.bottom >= h.top - CROSS and v.x0 >= h.x0 - CROSS and v.x0 <= h.x1 + CROSS:
                through_v, through_h = crossings.setdefault((v.x0, h.top), (set(), set()))
                through_v.add(v.bbox)
                through_h.add(h.bbox)
    return crossings


def _cells(crossings: dict[tuple[float, float], tuple[set, set]]) -> list[Box]:
    """For each crossing, the smallest cell it is the top left corner of: the first crossing below
    it on a shared vertical edge and the first to its right on a shared horizontal edge whose
    fourth corner is a crossing on both (pdfplumber's intersections_to_cells, which takes them in
    this order)."""
    down: dict[float, list[float]] = defaultdict(list)  # x → the crossings' tops there, in order
    across: dict[float, list[float]] = defaultdict(list)  # top → the crossings' x there, in order
    for x, top in sorted(crossings):
        down[x].append(top)
        across[top].append(x)

    def same_vertical(p, q) -> bool:
        return not crossings[p][0].isdisjoint(crossings[q][0])

    def same_horizontal(p, q) -> bool:
        return not crossings[p][1].isdisjoint(crossings[q][1])

    cells = []
    for x, top in sorted(crossings):
        point = (x, top)
        tops, xs = down[x], across[top]
        # Looked at lazily, in pdfplumber's order: most crossings find their cell at once.
        below = ((x, t) for t in tops[bisect_right(tops, top):] if same_vertical(point, (x, t)))
        right = xs[bisect_right(xs, x):]
        on_edge: dict[float, bool] = {}  # for a crossing to the right: on a horizontal edge with point?

        def on_shared_horizontal(r: float) -> bool:
            if r not in on_edge:
                on_edge[r] = same_horizontal(point, (r, top))
            return on_edge[r]
        # The fourth corner's lookup comes first: it is the cheapest test and fails most often.
        cell = next(((x, top, r, b[1]) for b in below for r in right
                     if (r, b[1]) in crossings and on_shared_horizontal(r)
                     and same_vertical((r, b[1]), (r, top)) and same_horizontal((r, b[1]), b)), None)
        if cell:
            cells.append(cell)
    return cells


def _contiguous(cells: list[Box]) -> list[list[Box]]:
    """The cells in groups that touch corner to corner, directly or through others (pdfplumber's
    cells_to_tables, before it drops single cells and sorts)."""
    parent: dict = {}

    def root(corner):
        while parent.setdefault(corner, corner) != corner:
            parent[corner] = parent[parent[corner]]
            corner = parent[corner]
        return corner

    for x0, top, x1, bottom in cells:
        first = root((x0, top))
        for corner in ((x0, bottom), (x1, top), (x1, bottom)):
            parent[root(corner)] = first
            first = root(first)
    groups: dict = defaultdict(list)
    for cell in cells:
        groups[root((cell[0], cell[1]))].append(cell)
    return list(groups.values())


def _column_centres(boxes: list[list[Box | None]]) -> list[float | None]:
    """A column's centre is given by its narrowest cell (one not merged across)."""
    centres = []
    for c in range(max(len(row) for row in boxes)):
        cells = [row[c] for row in boxes if c < len(row) and row[c]]
        narrowest = min(cells, key=lambda b: b[2] - b[0]) if cells else None
        centres.append((narrowest[0] + narrowest[2]) / 2 if narrowest else None)
    return centres


def _covering_cells(boxes: list[list[Box | None]], column_x: list[float | None]) -> list[list[Box | None]]:
    """For each row and column, the box of the cell that holds the slot's centre: pdfplumber leaves
    a slot under a merged cell empty (None), and the covering cell is found up and to the left.
    With the columns of the table's part on the previous page, a cell is found across the row."""
    own_grid = len(column_x) == max(len(row) for row in boxes)
    # How far down each row's cells reach: rows whose cells all end above a slot are passed over.
    reach = [max((b[3] for b in row if b), default=-math.inf) for row in boxes]
    slots = []
    for r, row in enumerate(boxes):
        # The row's centre from its shortest cell: a cell merged down reaches into the rows below.
        shortest = min((b for b in row if b), key=lambda b: b[3] - b[1], default=None)
        row_y = (shortest[1] + shortest[3]) / 2 if shortest else None
        out = []
        for c, x in enumerate(column_x):
            box = row[c] if own_grid and c < len(row) else None
            if box is None and row_y is not None and x is not None:
                box = next((b for rr in range(r, -1, -1) if row_y <= reach[rr] + ON_EDGE
                            for b in (boxes[rr][:c + 1] if own_grid else boxes[rr])
                            if b and b[0] - ON_EDGE <= x <= b[2] + ON_EDGE
                            and b[1] - ON_EDGE <= row_y <= b[3] + ON_EDGE), None)
            out.append(box)
        slots.append(out)
    return slots
