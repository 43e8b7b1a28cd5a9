"""Indicator tables flattened to a sequence of cells (one per line, or a form's cells separated by
spaces on one line): the 绩效指标 part of a self-evaluation form, as web pages and Word files give it.

The header is a run of cells naming the columns (一级指标 二级指标 三级指标 年度指标值 实际完成值 分值
得分 偏差原因, rules/tables.yaml `indicator_columns`), a name the layout broke over lines joined back
(年度 / 指标值). The rows are read by the form's grammar, not by counting cells, because the cells
of merged 一级/二级 columns appear only on the first row they cover: a row is any first- or
second-level names (产出指标, 数量指标, rules/tables.yaml `indicator_levels`), then the indicator's
name, then its values in the header's order; a weight or score is a number, so a row whose score
is missing ends where the next name begins. A note column is not read (its cell could not be told
from the next row's name).
"""
from __future__ import annotations

import regex

from .table_words import config, fields_named, header_key, indicator_levels, level_key

# A header cell the layout split over at most this many lines (偏差原因 / 分析及 / 改进措施).
MAX_CELL_PARTS = 3
# Fewest header cells that make an indicator table's header.
MIN_HEADER_CELLS = 4
_POINTS = regex.compile(r"[（(]?\d+(?:\.\d+)?分?[)）]?")  # a level's points, a cell of its own: (50) 30分)
_MARKED = regex.compile(r"[()（）分]")  # points written as such, not a bare weight
_NUMBER = regex.compile(r"\d+(?:\.\d+)?分?")
_PLACEHOLDERS = ("……", "…", "/", "-", "—", "——", "－", "无")


def _field(text: str) -> str | None:
    """The indicator field a short header cell names (the first in the rules' order)."""
    if len(header_key(text)) > 16:
        return None
    return next(iter(fields_named(text)), None)


def indicator_rows(texts: list[str], start: int) -> tuple[list[list[list[int]]], int] | None:
    """An indicator table whose header starts at texts[start]: its rows, each a list of cells, each a
    list of the indices of the texts that make it; and the index past the table. None when no
    indicator header starts there."""
    header, end = _header(texts, start)
    if header is None:
        return None
    fields = [field for field, _ in header]
    after_name = fields[fields.index("level3") + 1:]
    values = [f for f in after_name if f != "note"]
    rows = [[cell for _, cell in header]]
    levels: list[list[int]] = []
    complete = False  # the last row has every value the header names
    i = end
    while i < len(texts):
        level = _level_at(texts, i)
        if level:
            levels.append(level)
            i = level[-1] + 1
            continue
        text = texts[i].strip()
        if text in _PLACEHOLDERS:
            rows[-1].append([i])  # an empty note: the row's last cell, so that the table runs on
            complete = False
            i += 1
            continue
        if not _is_name(text):
            break
        row, i = [*levels, [i]], i + 1
        for field in values:
            if i >= len(texts) or not _fits(field, texts[i]) or _level_at(texts, i):
                break
            row.append([i])
            i += 1
        if len(row) == len(levels) + 1 and not levels and complete and values:
            rows[-1].append(row[0])  # words with no values after a whole row: that row's note
            complete = False
            continue
        complete = len(row) == len(levels) + 1 + len(values)
        levels = []
        rows.append(row)
    return (rows, i) if len(rows) > 1 else None


def _header(texts: list[str], start: int) -> tuple[list[tuple[str, list[int]]] | None, int]:
    """The header's cells as (field, indices of their texts) and the index past it."""
    if _field(texts[start]) not in ("level1", "level2", "level3"):
        return None, start
    cells: list[tuple[str, list[int]]] = []
    i = start
    while i < len(texts):
        for parts in range(1, MAX_CELL_PARTS + 1):
            field = _field("".join(texts[i:i + parts]))
            if field:
                break
        else:
            break
        indices = list(range(i, i + parts))
        if cells and field == cells[-1][0] == "note":
            cells[-1][1].extend(indices)  # the rest of a note column's long name (分析及改进措施)
        elif any(field == f for f, _ in cells):
            break  # a second header, or the first row's cells
        else:
            cells.append((field, indices))
        i += parts
    found = {field for field, _ in cells}
    needs = config()["indicator_header_needs"]
    if len(cells) < MIN_HEADER_CELLS or not any(found.issuperset(need) for need in needs) or "level3" not in found:
        return None, start
    return cells, i


def _level_at(texts: list[str], i: int) -> list[int] | None:
    """The indices of a first- or second-level name at i (数量 / 指标 joined; its points, 产出指标 /
    (50), taken with it), else None."""
    for parts in range(1, MAX_CELL_PARTS + 1):
        if i + parts > len(texts):
            return None
        if level_key("".join(texts[i:i + parts])) in indicator_levels():
            end = i + parts
            if end < len(texts) and _POINTS.fullmatch(header_key(texts[end])) and _MARKED.search(texts[end]):
                end += 1
            return list(range(i, end))
    return None


def _is_name(text: str) -> bool:
    """An indicator's name: words, not a figure, not the table's closing rows or notes."""
    return (bool(text) and not _NUMBER.fullmatch(text) and len(text) <= 60
            and not header_key(text).startswith(tuple(config()["indicator_total_rows"]) + ("说明", "注", "填报")))


def _fits(field: str, text: str) -> bool:
    """Whether a cell can hold the field: a weight or a score is a number."""
    text = text.strip()
    if field in ("weight", "score"):
        return bool(_NUMBER.fullmatch(text))
    return bool(text) and len(text) <= 60
