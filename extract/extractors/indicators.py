"""Performance indicator tables (一级指标 / 二级指标 / 三级指标 / 年度指标值 / 实际完成值 / 分值 / 得分 /
偏差原因 …, columns in any order, named as in rules/tables.yaml) → one Indicator per row."""
from __future__ import annotations

import dataclasses
import functools

import regex

from .. import rules
from ..model import Indicator
from ..numbers import arabic_pattern, parse_number
from ..table_words import fields_named, header_key
from . import Context, register
from .text_tables import CellSpan, TextTable, aligned_row, indicator_fields

# Upper levels a text table leaves empty under a merged cell continue from the row above.
CARRIED = ("level1", "level2")


@register("indicators", requires=("text_tables",), table="indicators")
def extract_indicators(ctx: Context) -> list[Indicator]:
    facts: list[Indicator] = []
    table_no = 0
    for table in ctx.results["text_tables"]:
        for header_row in (r for r, kind in table.headers.items() if kind == "indicators"):
            if _repeats_previous_header(table, header_row):
                continue  # the header printed again where the table runs onto a new page
            table_no += 1
            facts.extend(_rows(ctx, table, header_row, table_no))
    for rows in _glued_tables(ctx):
        table_no += 1
        facts.extend(dataclasses.replace(row, table_no=table_no) for row in rows)
    return facts


# --- indicator tables whose cells the page ran together (二级指标三级指标指标值全年实际完成值数量指标…) ---

# Where a glued table stops: its notes (说明, 注:) or this many characters on.
GLUED_TABLE_CHARS = 2000
_GLUED_STOP = regex.compile(r"(?:\n|(?<=[\d%…]))(?:说明|注\s*[:：]|备注)")  # after a line or a row's values
_PLACEHOLDER = regex.compile(r"[…]+|——+")
# A row's values at the end of its text: figures with a percent sign or an operator (≥95%, 20).
_VALUES = regex.compile(r"(?:[≥≤=＝<>]*\d+(?:\.\d+)?%?)+$")


@functools.cache
def _glued_patterns():
    cfg = rules.load("tables")
    words = sorted({w for ws in cfg["indicator_columns"].values() for w in ws}, key=len, reverse=True)
    # A column's name may open with a word or two of its own (全年实际完成值, 未完成原因和改进措施).
    header = regex.compile(rf"(?:\p{{Han}}{{0,2}}(?:{'|'.join(map(regex.escape, words))})(?:[（(][^()（）]{{0,8}}[)）])?)"
                           rf"{{{MIN_GLUED_COLUMNS},}}")
    levels = sorted(cfg["indicator_levels"], key=len, reverse=True)
    return header, regex.compile(rf"({'|'.join(map(regex.escape, levels))})(?:[（(]\d+分?[)）])?")


# Fewest column names run together that make a glued table's header.
MIN_GLUED_COLUMNS = 3


def _glued_tables(ctx: Context) -> list[list[Indicator]]:
    """Rows of indicator tables printed without cell borders: the header's column names run together,
    then each row's level names (from rules/tables.yaml) and its name, its target and actual at its
    end. Only tables whose header names a target and an actual and no weight or score are read: their
    two figures can be told apart (20 and 20 run together are 2020, halves of one length)."""
    header_re, level_re = _glued_patterns()
    text, tables = ctx.doc.text, []
    for m in header_re.finditer(text):
        if "\t" in m.group():
            continue
        fields = set(fields_named(m.group()))
        if not {"level3", "target", "actual"} <= fields or fields & {"weight", "score"}:
            continue
        stop = _GLUED_STOP.search(text, m.end(), m.end() + GLUED_TABLE_CHARS)
        body = text[m.end():stop.start() if stop else m.end() + GLUED_TABLE_CHARS].replace("\n", "")
        rows = _glued_rows(ctx, m.start(), level_re.split(_PLACEHOLDER.sub("\n", body)))
        if rows:
            tables.append(rows)
    return tables


def _glued_rows(ctx: Context, at: int, pieces: list[str]) -> list[Indicator]:
    """pieces: the text split on level names (every odd piece a level name)."""
    rows, level1, level2, levels_in_a_row = [], "", "", 0
    page = ctx.doc.page_at(at)
    for k, piece in enumerate(pieces):
        if k % 2:  # a level name: two in a row are first and second level
            levels_in_a_row += 1
            level1, level2 = (level2, piece) if levels_in_a_row == 2 else (level1, piece)
            continue
        for chunk in filter(None, (c.strip() for c in piece.split("\n"))):
            values = _VALUES.search(chunk)
            name = chunk[:values.start()] if values else chunk
            if len(name) < 2 or not regex.search(r"\p{Han}", name):
                continue
            target, actual = _two_values(values.group()) if values else ("", "")
            rows.append(Indicator(table_no=0, row_no=len(rows) + 1, level1=level1, level2=level2, level3=name,
                                  target=target, actual=actual, weight=None, score=None, note="", page=page))
        if piece.strip():
            levels_in_a_row = 0
    return rows


def _two_values(run: str) -> tuple[str, str]:
    """A target and an actual run together: split after a percent sign, or into two equal halves
    (2020 → 20, 20); otherwise the run is the target as written."""
    parts = [p for p in regex.split(r"(?<=%)", run) if p]
    if len(parts) == 2:
        return parts[0], parts[1]
    half = len(run) // 2
    if len(run) % 2 == 0 and run[:half] == run[half:]:
        return run[:half], run[half:]
    return run, ""


def _repeats_previous_header(table: TextTable, r: int) -> bool:
    earlier = [h for h, kind in table.headers.items() if h < r]
    if not earlier or table.headers[earlier[-1]] != "indicators":
        return False
    return [c.text for c in table.rows[earlier[-1]]] == [c.text for c in table.rows[r]]


def _rows(ctx: Context, table: TextTable, header_row: int, table_no: int) -> list[Indicator]:
    total_rows = tuple(rules.load("tables")["indicator_total_rows"])
    fields = indicator_fields(table.rows[header_row])
    header_texts = [c.text for c in table.rows[header_row]]
    rows: list[Indicator] = []
    carried = {name: "" for name in CARRIED}
    for r in range(header_row + 1, len(table.rows)):
        row = table.rows[r]
        if r in table.headers:
            if [c.text for c in row] == header_texts:
                continue
            break  # another table's header
        row = aligned_row(row, fields)
        values = {name: _cell(row, col) for col, name in fields.items()}
        if header_key(row[0].text).startswith(total_rows):
            break
        for name in CARRIED:
            if values.get(name):
                carried[name] = values[name]
            elif name in values:
                values[name] = carried[name]
        if not any(values.get(k) for k in ("level3", "target", "actual")):
            continue
        rows.append(Indicator(
            table_no=table_no, row_no=len(rows) + 1,
            level1=values.get("level1", ""), level2=values.get("level2", ""), level3=values.get("level3", ""),
            target=_target(values), actual=values.get("actual", ""),
            weight=_number(values.get("weight", "")), score=_number(values.get("score", "")),
            note=values.get("note", ""), page=ctx.doc.page_at(row[0].start)))
    return rows


def _target(values: dict[str, str]) -> str:
    """The target as the form states it; one given in 指标性质 / 指标值 / 度量单位 cells written whole
    (≥ 1 次 → ≥1次)."""
    target = values.get("target", "")
    if not target:
        return target
    if _first_number().fullmatch(target):
        target += values.get("unit", "")
    return target if target[0] in _OPERATORS else values.get("operator", "") + target


_OPERATORS = "≥≤><=＝≧≦═"


def _cell(row: list[CellSpan], col: int) -> str:
    return row[col].text.strip() if col < len(row) else ""


@functools.cache
def _first_number():
    # Digits a letter follows are a code or an exponent (1E5), not a weight or a score.
    return regex.compile(rf"{arabic_pattern()}(?![A-Za-z])")


def _number(text: str):
    """The first number in a weight or score cell (10分, 9.5)."""
    m = _first_number().search(text)
    return parse_number(m.group()) if m else None
