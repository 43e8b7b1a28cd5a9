"""Performance indicator tables (一级指标 / 二级指标 / 三级指标 / 年度指标值 / 实际完成值 / 分值 / 得分 /
偏差原因 …, columns in any order, named as in rules/tables.yaml) → one Indicator per row."""
from __future__ import annotations

import functools

import regex

from .. import rules
from ..model import Indicator
from ..numbers import arabic_pattern, parse_number
from . import Context, register
from .text_tables import CellSpan, TextTable, aligned_row, header_key, indicator_fields

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
    return facts


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
