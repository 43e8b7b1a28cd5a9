"""Cells that text extraction ran together, split back by the form's own arithmetic.

A self-evaluation form's budget row reads 全年预算数 | 全年执行数 | 执行率 (or 年初预算数 | 调整预算数 |
全年执行数 | 执行率); flattened without borders it becomes one run of digits, `40004000100%` or
`64.864.864.8100%`. The rate is the last figure over the one before it (B/A), so of all the ways to
cut the run into figures only those whose rate holds are the row's cells. A run is split only when
exactly one reading holds (with every figure written to the same decimals as the others).
"""
from __future__ import annotations

import functools
import itertools
from decimal import Decimal, InvalidOperation

import regex

# A run of figures glued to a percentage: digits and points, then %.
GLUED_RATE = regex.compile(r"(?<![\d.])(?P<run>\d[\d.]{4,40})(?=\s*[%％])")
# A budget row's figure in 元 has at most this many digits before its point (a country's budget).
MAX_FIGURE_DIGITS = 10
# Figures before the rate: a budget row has two or three.
FIGURES_BEFORE_RATE = (2, 3)


def glued_runs(text: str):
    """Runs of glued cells before a %, outside tab-separated rows (whose cells are known). Each line
    is looked at once, however many runs it holds (a long line of thousands of them)."""
    line_end, tabbed = -1, False
    for m in GLUED_RATE.finditer(text):
        if m.start() > line_end:  # the first run of its line
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.start())
            line_end = len(text) if line_end < 0 else line_end
            tabbed = "\t" in text[line_start:line_end]
        if not tabbed:
            yield m


@functools.lru_cache(maxsize=1024)
def split_row(run: str) -> list[tuple[int, int]] | None:
    """The (start, end) of each figure in a run of glued cells whose last figure is the rate of the
    one before it over the one before that, or None when no one reading holds. The fewest figures
    that read the run win: a row of two figures and a rate before one of three."""
    for count in FIGURES_BEFORE_RATE:
        readings = []
        for cuts in itertools.combinations(range(1, len(run)), count):
            edges = (0, *cuts, len(run))
            pieces = [run[a:b] for a, b in zip(edges, edges[1:])]
            if all(_is_figure(p) for p in pieces) and _rate_holds(pieces) and _same_decimals(pieces[:-1]):
                readings.append(list(zip(edges, edges[1:])))
        if readings:
            return readings[0] if len(readings) == 1 else None
    return None


def _is_figure(piece: str) -> bool:
    """A figure as a form prints it: at most one point, not at either end, no leading zero before a
    digit (07 is no figure; 0.5 is), at most MAX_FIGURE_DIGITS digits before the point."""
    if piece.count(".") > 1 or piece.startswith(".") or piece.endswith("."):
        return False
    if len(piece.partition(".")[0]) > MAX_FIGURE_DIGITS:
        return False
    return not (len(piece) > 1 and piece[0] == "0" and piece[1] != ".")


def _same_decimals(pieces: list[str]) -> bool:
    decimals = {len(p.partition(".")[2]) for p in pieces}
    return len(decimals) == 1


def _rate_holds(pieces: list[str]) -> bool:
    """The last piece is the rate of the one before it over the one before that, to its own rounding."""
    try:
        base, part, rate = (Decimal(p) for p in pieces[-3:])
    except InvalidOperation:
        return False
    if base <= 0 or part <= 0 or rate <= 0 or rate > 1000:
        return False  # zeros glued to figures cannot be told from the figures' own digits
    decimals = len(pieces[-1].partition(".")[2])
    # The rate as printed: rounded or cut after its last digit (97.69 for 97.702).
    return abs(part / base * 100 - rate) <= Decimal(1).scaleb(-decimals)


# A third-level indicator's weight (分值) in a self-evaluation form: a few points, rarely over 20.
MAX_WEIGHT = 30


def glued_weight(text: str, match: regex.Match, pattern: regex.Pattern) -> int:
    """A flattened indicator row runs its cells together, 三级指标 分值 年度指标值 全年实际值 得分:
    保障人数102370人2370人10 (weight 10, target and actual 2370人, score 10). Where the figure with
    its unit that `match` found (by `pattern`, with groups num and unit) is a weight of one or two
    digits glued to the value that the very next figure repeats with the same unit (a target met),
    the length of that weight, else 0."""
    digits, unit = match.group("num"), text[match.end("num"):match.end()]
    again = pattern.match(text, match.end())
    if again is None or text[again.end("num"):again.end()] != unit:
        return 0
    for width in (1, 2):
        weight, value = digits[:width], digits[width:]
        if not (weight.isdigit() and 1 <= int(weight) <= MAX_WEIGHT) or not value[:1].isdigit() \
                or (value[0] == "0" and value[1:2] != "."):
            continue
        if again.group("num") == value:
            return width
    return 0
