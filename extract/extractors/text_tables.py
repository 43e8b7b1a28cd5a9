"""Tables in the normalized text: runs of tab-separated lines (loaders write PDF and Word tables
that way, merged cells repeated). Finds each table's header rows (rules/tables.yaml) so that other
extractors can read figure cells (a bare 480.00 under 年初预算数 in a 万元 table is an amount) and
indicator rows, and so that prose extractors can leave table rows alone."""
from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass, field

import regex

from ..numbers import parse_number
from ..table_words import (FIGURE, UNIT_NOTE, UNITS, column_kind, column_name, config, fields_named, is_figure,
                           is_level_name, is_whole_row)
from . import Context, register

_UNIT_LINE = regex.compile(rf"单位\s*[：:]\s*(?P<unit>{UNITS})")


@dataclass
class CellSpan:
    start: int
    end: int
    text: str


@dataclass
class TextTable:
    start: int
    end: int
    rows: list[list[CellSpan]]
    unit: str | None  # money unit for the whole table (a 单位：万元 line above, or a cell saying so)
    kind: str | None = None  # "figures" or "indicators" after the first recognised header row
    headers: dict[int, str] = field(default_factory=dict)  # header row index → "figures" | "indicators"

    @functools.cached_property
    def _row_starts(self) -> list[int]:
        return [row[0].start for row in self.rows]

    @functools.cached_property
    def _governing(self) -> list[int | None]:
        """For each row, the header row in force over it (its own index for a header row)."""
        governing, current = [], None
        for r in range(len(self.rows)):
            current = r if r in self.headers else current
            governing.append(current)
        return governing

    def row_at(self, offset: int) -> int | None:
        """The index of the row holding the offset, None between rows or outside the table."""
        r = bisect_right(self._row_starts, offset) - 1
        return r if r >= 0 and offset <= self.rows[r][-1].end else None


@dataclass
class FigureCell:
    """A number in a figure table, with the column and row that name it."""
    start: int
    end: int
    text: str
    header: str  # column header, unit note removed
    row_label: str
    whole_row: bool  # the row stands for the whole (年度资金总额), not one part
    unit: str | None  # money unit in force, None when no unit is given
    percent: bool

    @property
    def label(self) -> str:
        """The column's name for a whole row; "row column" for a part (上年结转资金 全年执行数)."""
        return self.header if self.whole_row else f"{self.row_label} {self.header}"


def _cells(text: str, start: int, end: int) -> list[CellSpan]:
    cells, pos = [], start
    for piece in text[start:end].split("\t"):
        lead = len(piece) - len(piece.lstrip())
        s, e = pos + lead, pos + len(piece.rstrip())
        cells.append(CellSpan(s, max(s, e), text[s:max(s, e)]))
        pos += len(piece) + 1
    return cells


def indicator_fields(row: list[CellSpan]) -> dict[int, str]:
    """Column index → indicator field for a row of header cells (first field matching wins)."""
    fields: dict[int, str] = {}
    for col, cell in enumerate(row):
        name = next((name for name in fields_named(cell.text) if name not in fields.values()), None)
        if name:
            fields[col] = name
    return fields


def _is_indicator_header(row: list[CellSpan]) -> bool:
    found = set(indicator_fields(row).values())
    return any(found.issuperset(need) for need in config()["indicator_header_needs"])


def _is_figure_header(row: list[CellSpan]) -> bool:
    """Two columns of figures named (年初预算数, 执行数 …), or one money column that gives its unit
    (项目 / 行次 / 金额（万元）: a 决算 table's header)."""
    if any(is_figure(c.text) for c in row):
        return False
    kinds = {c.text: column_kind(c.text) for c in row}
    return (sum(kind is not None for kind in kinds.values()) >= 2
            or any(kind == "money" and UNIT_NOTE.search(text) for text, kind in kinds.items()))


@register("text_tables")
def extract_text_tables(ctx: Context) -> list[TextTable]:
    text = ctx.doc.text
    lines = list(ctx.doc.paragraphs())
    tables: list[TextTable] = []
    i = 0
    while i < len(lines):
        if "\t" not in text[slice(*lines[i])]:
            i += 1
            continue
        first = i
        while i < len(lines) and "\t" in text[slice(*lines[i])]:
            i += 1
        table = TextTable(lines[first][0], lines[i - 1][1], [_cells(text, s, e) for s, e in lines[first:i]],
                          _unit_above(text, lines[max(0, first - config()["unit_lookback_lines"]):first]))
        for r, row in enumerate(table.rows):
            if _is_indicator_header(row):
                table.headers[r] = "indicators"
            elif _is_figure_header(row):
                table.headers[r] = "figures"
            if table.unit is None:
                table.unit = next((m.group("unit") for c in row if (m := _UNIT_LINE.search(c.text))), None)
        table.kind = next(iter(table.headers.values()), None)
        tables.append(table)
    return tables


def _unit_above(text: str, lines: list[tuple[int, int]]) -> str | None:
    """The money unit of a 单位：万元 line above the table, or of the block's name standing just above
    it (项目资金 (万元), a merged cell a flattened form put on a line of its own)."""
    for start, end in reversed(lines):
        m = _UNIT_LINE.search(text, start, end)
        if m:
            return m.group("unit")
    if lines:
        start, end = lines[-1]
        m = UNIT_NOTE.search(text, start, end)
        if m and end - start <= BLOCK_NAME_CHARS:
            return m.group("unit")
    return None


# The longest line above a table read as the name of its money block (资金情况（万元）).
BLOCK_NAME_CHARS = 20


def in_tables(tables: list[TextTable], offset: int) -> bool:
    """Is the offset in a header row, or in a row under a figures header (its figures are read cell
    by cell)? An indicator row's targets and actuals (≥15组, 85.60%) are read as the text states them."""
    table, r = _row_at(tables, offset)
    if table is None:
        return False
    header = table._governing[r]
    return r == header or header is not None and table.headers[header] == "figures"


def indicator_name_at(tables: list[TextTable], offset: int) -> str | None:
    """The third-level indicator's name of the indicator row holding the offset (a target or an
    actual there: ≥6处 counts 新建供水工程数量), or None outside indicator rows."""
    table, r = _row_at(tables, offset)
    header = _indicator_header(table, r) if table is not None else None
    if header is None:
        return None
    fields = indicator_fields(table.rows[header])
    name_column = next((col for col, name in fields.items() if name == "level3"), None)
    row = aligned_row(table.rows[r], fields)
    return row[name_column].text or None if name_column is not None and name_column < len(row) else None


def _indicator_header(table: TextTable, r: int) -> int | None:
    """The indicator header over row r (not a header itself), or None."""
    header = table._governing[r]
    return header if header is not None and header != r and table.headers[header] == "indicators" else None


def aligned_row(row: list[CellSpan], fields: dict[int, str]) -> list[CellSpan]:
    """A row flattened without its merged cells (a web page's table, `| ` rows) holds only its own
    cells, left-packed: `1、肥料利用率 | ≧5组 | 5组 | 5.0` under 一级 二级 三级 目标 实际 得分. Its cells
    belong to the header's last columns: its indicator's name goes under the name's column, the level
    names before it under the columns before that. Without a name column, the row is put back so that
    its last cell stands under the score column when it is a number, else under the last column.
    Rows with a blank cell kept in place (a PDF's merged cell) are positional already."""
    filled = len(row)
    while filled and not row[filled - 1].text:
        filled -= 1
    if not filled or any(not cell.text for cell in row[:filled]):
        return row
    columns = {name: col for col, name in fields.items()}
    if "level3" in columns:
        # The name stands after the row's level names (none under merged cells): a cut-off row
        # keeps its place too.
        levels = next((k for k, cell in enumerate(row[:filled]) if not is_level_name(cell.text)), filled)
        start = columns["level3"] - levels
    else:
        last = max(fields)
        if _SCORE_CELL.fullmatch(row[filled - 1].text):
            last = columns.get("score", columns.get("weight", last))
        start = last - filled + 1
    if start <= 0 or start < min(fields) or start + filled > max(fields) + 1:
        return row  # in place already, or a row the header's columns could not hold shifted
    blank = CellSpan(row[0].start, row[0].start, "")
    return [blank] * start + row[:filled]


# A weight or score cell: a number and perhaps 分 (15.0, 5分).
_SCORE_CELL = regex.compile(r"\d+(?:\.\d+)?\s*分?")


# A target or an actual that is a bare number (≥ 20, 8): its unit or measure word stands elsewhere in
# the row.
BARE_FIGURE = regex.compile(r"[≥≤><=＝≧≦]*\s*(?P<num>\d+(?:\.\d+)?)")


def indicator_cells(table: TextTable):
    """{field: cell} for every row under an indicator header of the table, its merged cells put back."""
    for r, row in enumerate(table.rows):
        header = _indicator_header(table, r)
        if header is None:
            continue
        fields = indicator_fields(table.rows[header])
        row = aligned_row(row, fields)
        yield {name: row[col] for col, name in fields.items() if col < len(row)}


def _row_at(tables: list[TextTable], offset: int) -> tuple[TextTable | None, int | None]:
    """The table with a recognised header and its row that hold the offset, or (None, None)."""
    for table in tables:
        if table.kind and table.start <= offset < table.end:
            r = table.row_at(offset)
            if r is not None:
                return table, r
    return None, None


def figure_cells(table: TextTable):
    """FigureCells of a figure table: numbers under a money or rate column of the header above."""
    cfg = config()
    header: list[CellSpan] | None = None
    header_unit = None  # a unit note anywhere in the header row (项目资金（万元） over the labels)
    for r, row in enumerate(table.rows):
        if r in table.headers:
            header = row if table.headers[r] == "figures" else None
            header_unit = next((m.group("unit") for c in row if (m := UNIT_NOTE.search(c.text))), None)
            continue
        if header is None:
            continue
        columns = _with_label_cell(header, row)
        figures = [col for col, c in enumerate(row) if is_figure(c.text) and col < len(columns)]
        if not figures:
            continue
        label_cells = [c for c in row[:figures[0]] if c.text and not is_figure(c.text)]
        row_label = _row_label(label_cells[-1].text if label_cells else "", cfg["row_label_prefixes"])
        row_unit = next((m.group("unit") for c in label_cells if (m := UNIT_NOTE.search(c.text))), None)
        whole = is_whole_row(row_label)
        for col in figures:
            name_cell = columns[col]
            kind = column_kind(name_cell.text)
            if kind is None:
                continue
            column_unit = UNIT_NOTE.search(name_cell.text)
            cell = row[col]
            percent = bool(FIGURE.match(cell.text.strip()).group("pct")) or kind == "rate" and _bare_percent(
                cell.text, name_cell.text)
            if kind == "money" and percent or kind == "rate" and not percent:
                continue
            own_unit = FIGURE.match(cell.text.strip()).group("unit")
            unit = own_unit or (column_unit.group("unit") if column_unit else (row_unit or header_unit or table.unit))
            yield FigureCell(cell.start, cell.end, cell.text, column_name(name_cell.text),
                             row_label, whole, unit, percent)


def _bare_percent(cell_text: str, header: str) -> bool:
    """A bare number in a rate column is a percentage when the header says % (执行进度(%)) or when it
    can only be one (执行率(B/A) 20: above 1, at most 100; 0.98 could be a ratio)."""
    number = number_of(cell_text)
    return number is not None and ("%" in header or 1 < number <= 100)


def _with_label_cell(header: list[CellSpan], row: list[CellSpan]) -> list[CellSpan]:
    """A header that opens with a column's name over rows that open with a label and then a figure
    has lost its label cell (项目资金（万元） stood on a line of its own, merged down the rows): the
    header with an empty first cell put back."""
    if (len(row) > 1 and column_kind(header[0].text) and row[0].text and not is_figure(row[0].text)
            and is_figure(row[1].text) and _filled(header) < _filled(row)):
        return [CellSpan(header[0].start, header[0].start, ""), *header]
    return header


def _filled(row: list[CellSpan]) -> int:
    return sum(bool(cell.text) for cell in row)


def _row_label(label: str, prefixes: list[str]) -> str:
    label = UNIT_NOTE.sub("", label).strip("（）() ：:")
    for prefix in prefixes:
        if label.startswith(prefix):
            return label[len(prefix):].strip()
    return label


_CELL_NUMBER = regex.compile(r"-?[\d,，]+(?:\.\d+)?")


def number_of(cell_text: str):
    """The number in a figure cell (≥ and 约 dropped); None when the cell holds no one figure (cells
    the PDF's text layer ran together, 1,2341,234)."""
    m = _CELL_NUMBER.search(cell_text)
    return parse_number(m.group()) if m else None
