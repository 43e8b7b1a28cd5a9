"""Numbers as reports write them: 2,653.04 / 2653.04 / 二十一 / 三百 / 二百万 / 一点五 → Decimal."""
from __future__ import annotations

import functools
from decimal import Decimal

import cn2an
import regex

from . import rules

# An Arabic figure as written: digits, grouped by threes or not, and a decimal part. Anything else
# Decimal would take is not a figure in this genre: Chinese reports never write exponents (1E5),
# NaN, Infinity or 1_000, and commas out of their places (1,2,3,4) join cells, not thousands.
_ARABIC = regex.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# The most digits a figure has on either side of its point to be read at all. A government's whole
# budget has 14 digits in yuan, and the dataset holds 38 (a figure a little too wide for it is still
# listed, left empty, with a note; one with 50 decimals is rounded); a longer run of digits
# (thousands, in a probe) is a code or cells run together, and no fact: see too_long_figures.
MAX_FIGURE_DIGITS = 64


@functools.cache
def arabic_pattern() -> str:
    """A regex source matching one Arabic number as written (2,653.04 / 2653.04).

    The rules already leave digits glued to a letter alone (A3, 1E5); the exponent of 1E+5 is no
    figure either. Long runs are scanned in linear time, with the rules' matches: the pattern is
    atomic, since a shorter piece of a run is always followed by more of it, never by what may follow
    a figure; and a group of 1,234,234,… starts no match where the group before it could, since that
    start already tried every end this one could reach."""
    arabic = rules.load("numbers")["arabic"]
    return rf"(?<![A-Za-z][+-])(?!(?<=,\d{{3}},)\d{{3}}(?!\d))(?>{arabic})"


@functools.cache
def number_pattern() -> str:
    """A regex source matching one number, Arabic or Chinese, in group `num`.

    A Chinese numeral does not start inside a run of numeral characters after one that could start
    it (九九九, 一亿一亿): that earlier start already tried every end a later one could reach, and
    trying them again from every character would take time quadratic in the run's length."""
    chinese = rules.load("numbers")["chinese"]
    starts, inner = regex.findall(r"\[[^\]]+\]", chinese)[:2]  # what a numeral starts with, what may follow
    return f"(?P<num>{arabic_pattern()}|(?={starts})(?<!{starts}{inner}*?){chinese})"


def too_long_figures(text: str) -> list[str]:
    """A warning for each figure in text with more than MAX_FIGURE_DIGITS digits on a side of its
    point, which parse_number does not read: the report's other facts are read, and the figure is
    said to be passed over."""
    return [f"a figure of {m.end() - m.start()} characters at character {m.start()} has more than "
            f"{MAX_FIGURE_DIGITS} digits on a side of its point; no fact read from it"
            for m in _figures().finditer(text) if _too_long(m.group())]


@functools.cache
def _figures() -> regex.Pattern:
    return regex.compile(arabic_pattern())


def _too_long(figure: str) -> bool:
    whole, _, decimals = figure.replace(",", "").partition(".")
    return len(whole) > MAX_FIGURE_DIGITS or len(decimals) > MAX_FIGURE_DIGITS


@functools.cache
def _lone() -> frozenset[str]:
    return frozenset(rules.load("numbers")["lone_chinese_not_numbers"])


def parse_number(text: str) -> Decimal | None:
    """The exact value of a number as written, however long (the dataset writer rounds it to its
    column or leaves it out with a note), or None when it is not one (a lone 一 is an article, 1E5 a
    code, 1,2341,234 cells run together)."""
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit():
        return Decimal(text.replace(",", "")) if _ARABIC.fullmatch(text) and not _too_long(text) else None
    if text in _lone():
        return None
    try:
        value = cn2an.cn2an(text.replace("两", "二"), "strict")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return Decimal(str(value))


def decimals_of(text: str) -> int:
    """How many digits a written number has after its point (precision as printed)."""
    text = text.replace(",", "")
    return len(text.split(".", 1)[1]) if "." in text and text[0].isdigit() else 0
