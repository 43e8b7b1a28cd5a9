"""The words of table headers (rules/tables.yaml), shared by the normalizer (which rebuilds tables
flattened to one cell per line) and the table extractors: which cells name money, rate and score
columns, and which cells hold a figure."""
from __future__ import annotations

import functools

import regex

from . import rules
from .spans import simplified

UNITS = "亿元|億元|万元|萬元|千元|元"
# A money unit noted in a cell: 单位：万元, or in brackets after a column's name (年初预算数（万元）).
UNIT_NOTE = regex.compile(rf"(?:单位\s*[：:]\s*|[（(]\s*)(?P<unit>{UNITS})")
# A figure cell: a number, perhaps a percentage, perhaps with its own money unit (4753.66万元, as a
# flattened form prints the cell).
FIGURE = regex.compile(r"^[≥≤>＜<约]?\s*-?[\d,，]+(?:\.\d+)?\s*(?:(?P<pct>%)|(?P<unit>亿元|万元|千元|元))?$")


# A column's formula after its name: (A), （B/A）, (B/A×100%).
_FORMULA = regex.compile(r"[（(][A-Za-z/×*÷%0-9\s]*[)）]$")


@functools.cache
def config() -> dict:
    return rules.load("tables")


@functools.lru_cache(maxsize=4096)
def header_key(text: str) -> str:
    """A cell's text as header words are matched: no spaces, simplified characters."""
    return simplified(regex.sub(r"\s+", "", text))


def column_name(text: str) -> str:
    """A column's header as its figures' label: no unit note, no formula (全年预算数(A) → 全年预算数)."""
    return _FORMULA.sub("", UNIT_NOTE.sub("", text).strip()).strip("（）() ")


def is_figure(text: str) -> bool:
    return bool(FIGURE.match(text.strip()))


@functools.lru_cache(maxsize=4096)
def column_kind(name: str) -> str | None:
    """"money" or "rate" for a column header that names one, else None (scores and weights too)."""
    cfg = config()
    key = _FORMULA.sub("", header_key(name))  # 执行率(B/A) is a 执行率
    if not key or any(w in key for w in cfg["not_money_columns"]):
        return None
    if key.endswith(tuple(cfg["rate_column_endings"])):
        return "rate"
    if UNIT_NOTE.search(key) or any(w in key for w in cfg["money_column_words"]):
        return "money"
    return None


def is_whole_row(row_label: str) -> bool:
    """A budget row that stands for the whole (年度资金总额, 资金合计), not one of its parts."""
    cfg, key = config(), header_key(row_label)
    return not key or key.startswith(tuple(cfg["whole_rows"])) or key.endswith(tuple(cfg["whole_row_endings"]))


_TRAILING_POINTS = regex.compile(r"[（(]?\d+(?:\.\d+)?分?[)）]?$")


def level_key(text: str) -> str:
    """A first- or second-level indicator cell without its points (产出指标（50分） → 产出指标)."""
    return _TRAILING_POINTS.sub("", header_key(text))


@functools.cache
def indicator_levels() -> frozenset[str]:
    """The standard forms' first- and second-level indicator names (rules/tables.yaml)."""
    return frozenset(config()["indicator_levels"])


def is_level_name(text: str) -> bool:
    """A first- or second-level indicator's name (rules/tables.yaml indicator_levels, or a short name
    ending in 指标: 社会效益效益指标 as a form misprints it)."""
    key = level_key(text)
    return key in indicator_levels() or (key.endswith("指标") and 4 <= len(key) <= 10)


@functools.lru_cache(maxsize=4096)
def fields_named(cell: str) -> tuple[str, ...]:
    """The indicator fields whose header words the cell holds, in the rules' order (every row of
    every table is asked: the same cells recur)."""
    key = header_key(cell)
    return tuple(name for name, words in config()["indicator_columns"].items() if any(w in key for w in words))
