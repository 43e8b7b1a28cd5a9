"""Tables written as text: consecutive lines of tab-separated cells, the first line the header, the
money unit from a 单位：万元 line above (or from a header such as 金额（万元）). Other extractors
read the cells: a bare number under 年初预算数 in a 万元 table is an amount."""
from __future__ import annotations

from dataclasses import dataclass

import regex

from . import Context, register

_UNIT_LINE = regex.compile(r"单位\s*[：:]\s*(?P<unit>亿元|億元|万元|萬元|千元|元)")
_HEADER_UNIT = regex.compile(r"[（(]\s*(?P<unit>亿元|億元|万元|萬元|千元|元)\s*[)）]")
# How many lines above a table its unit line may stand.
UNIT_LOOKBACK = 3


@dataclass
class Cell:
    start: int
    end: int
    text: str
    header: str  # the column's header, unit note removed
    row_label: str  # the row's first cell
    unit: str | None  # money unit in force for this cell


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each tab-separated cell of a line, surrounding spaces trimmed."""
    cells, pos = [], start
    for piece in text[start:end].split("\t"):
        lead = len(piece) - len(piece.lstrip())
        cells.append((pos + lead, pos + len(piece.rstrip())))
        pos += len(piece) + 1
    return cells


@register("text_tables")
def extract_text_tables(ctx: Context) -> list[Cell]:
    text = ctx.doc.text
    lines = list(ctx.doc.paragraphs())
    cells: list[Cell] = []
    i = 0
    while i < len(lines):
        if "\t" not in text[slice(*lines[i])]:
            i += 1
            continue
        block_start = i
        while i < len(lines) and "\t" in text[slice(*lines[i])]:
            i += 1
        table_unit = None
        for start, end in reversed(lines[max(0, block_start - UNIT_LOOKBACK):block_start + 1]):
            m = _UNIT_LINE.search(text, start, end)
            if m:
                table_unit = m.group("unit")
                break
        header = [text[s:e] for s, e in _split(text, *lines[block_start])]
        column_units = [(_HEADER_UNIT.search(h) or None) for h in header]
        names = [_HEADER_UNIT.sub("", h).strip() for h in header]
        for start, end in lines[block_start + 1:i]:
            row = _split(text, start, end)
            row_label = text[slice(*row[0])] if row else ""
            for col, (s, e) in enumerate(row[1:], start=1):
                if col >= len(names) or s >= e:
                    continue
                unit = column_units[col].group("unit") if column_units[col] else table_unit
                cells.append(Cell(s, e, text[s:e], names[col], row_label, unit))
    return cells
