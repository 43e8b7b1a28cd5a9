"""Tables flattened to one cell per line, as a web page or a table copied out of a PDF often gives
them: the budget block of a 自评表 written as 年度预算数（万元） / 年初预算 / 调整后预算数 / … / 总额 /
312.40 / 318.75 / … each on a line of its own. The normalizer puts such cells back into tab-separated
rows, the form in which every table reaches the extractors.

A flattened table is found by its header: a run of short lines that name the columns of a figure
table (rules/tables.yaml: money, rate and score columns). Its rows follow: each a label line and the
figure lines after it, in column order from the left.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import regex

from .flat_indicators import indicator_rows
from .headings import match_marker
from .table_words import UNIT_NOTE, column_kind, config, header_key, is_figure

_SENTENCE = regex.compile(r"[。；;，,！？]")
_UNIT_LINE = regex.compile(r"单位\s*[：:]")  # the table's unit, above it: not a column
_CELL_NOTE = regex.compile(r"[（(][^（()）]{1,12}[)）]")  # (20分), (20分*执行率), (万元)


def _config() -> dict:
    return config()["flattened"]


@dataclass
class FlatRow:
    """Lines (by index) that are one row's cells, left to right. blank_first: the row's first cell is
    empty (a header over the figure columns only, its row labels' column unnamed). continues: lines
    that go on the cell of the line before them (a name the layout broke: 年度 / 指标值)."""
    lines: list[int]
    blank_first: bool = False
    continues: frozenset[int] = frozenset()

    @classmethod
    def of_cells(cls, cells: list[list[int]]) -> "FlatRow":
        return cls([k for cell in cells for k in cell], continues=frozenset(k for cell in cells for k in cell[1:]))


def flat_rows(texts: list[str]) -> list[FlatRow]:
    """The rows of every flattened table among the lines, in order."""
    rows: list[FlatRow] = []
    is_header = [_is_header_cell(text) for text in texts]
    # A header cell's note the layout put on the next line ((20分), (20分*执行率)) goes on that cell,
    # which its unit may make a column's name (一般项目 / (万元)).
    notes = {k for k in range(1, len(texts)) if _CELL_NOTE.fullmatch(texts[k])
             and (is_header[k - 1] or _is_header_cell(texts[k - 1] + texts[k]))}
    for k in sorted(notes):
        is_header[k] = is_header[k - 1] = True
    # A column's name the layout broke after its first word (年初 / 预算数, 全年 / 执行数).
    openings = frozenset(_config()["column_name_openings"])
    for k in range(len(texts) - 1):
        if texts[k] in openings and is_header[k + 1]:
            is_header[k] = True
            notes.add(k + 1)
    # After a column of row numbers (序号), whatever short cell names the row labels' column (县区).
    for k in range(len(texts) - 2):
        if is_header[k] and _names_row_numbers(texts[k]) and is_header[k + 2] \
                and _is_cell(texts[k + 1]) and not _is_value(texts[k + 1]):
            is_header[k + 1] = True
    i = 0
    while i < len(texts):
        indicators = None if is_header[i] else indicator_rows(texts, i)
        if indicators:
            table, i = indicators
            rows += [FlatRow.of_cells(cells) for cells in table]
            continue
        header_end = _header_run(texts, is_header, i) if is_header[i] else None
        if header_end is None:
            i += 1
            continue
        # A cell with the unit names the row labels' column and opens the header: any cell before
        # it is a title over the table (预算执行情况（10分）).
        with_unit = [k for k in range(i, header_end) if UNIT_NOTE.search(texts[k])]
        if len(with_unit) == 1:  # one cell gives the unit: the row labels' column (not when all do)
            i = with_unit[0]
        while i in notes:
            i -= 1  # the unit was the note of the cell it goes on (项目资金 / (万元))
        if header_end - i - len(notes.intersection(range(i, header_end))) < _config()["min_columns"]:
            i = header_end
            continue
        table, end = _table(texts, i, header_end, notes)
        if table:
            rows += table
            i = end
        else:
            i = header_end
    return rows


def _is_cell(text: str) -> bool:
    """Short and without sentence punctuation."""
    return len(text) <= _config()["max_cell_chars"] and not _SENTENCE.search(text)


def _is_header_cell(text: str) -> bool:
    # The length first: most lines are prose, and the column words are the next cheapest test.
    return (_is_cell(text) and (column_kind(text) is not None
                                or header_key(text).startswith(tuple(_config()["other_columns"])))
            and not is_figure(text) and match_marker(text) is None and not _UNIT_LINE.match(text))


def _header_run(texts: list[str], is_header: list[bool], start: int) -> int | None:
    """End of a run of header cells starting at start (at least min_columns of them), else None."""
    end = start
    while end < len(texts) and is_header[end]:
        end += 1
    if end < len(texts) and _is_value(texts[end]):
        end -= 1  # the last one labels the first row (年度资金总额 before its figures)
    return end if end - start >= _config()["min_columns"] else None


def _names_row_numbers(text: str) -> bool:
    """Does a header cell name a column of row numbers (序号)?"""
    return header_key(text).startswith(tuple(_config()["row_number_columns"]))


def _is_value(text: str) -> bool:
    return is_figure(text) or text in _config()["empty_cells"]


def _table(texts: list[str], start: int, header_end: int, notes: set[int]) -> tuple[list[FlatRow], int]:
    """The header row and the data rows after it; no rows when no data row has two figures. notes:
    lines that go on the header cell before them."""
    # The first header cell names the row labels' column when it carries the unit (年度预算数（万元））.
    first_cell = [start] + list(itertools.takewhile(notes.__contains__, range(start + 1, header_end)))
    labelled = any(UNIT_NOTE.search(texts[k]) for k in first_cell)
    if not labelled and start == 0:
        # Its empty first cell would stand for the line break before it: the first line is a title
        # naming the table (…资金下达情况), the header starts after it.
        if header_end - 1 - len(notes.intersection(range(1, header_end))) < _config()["min_columns"]:
            return [], header_end
        return _table(texts, 1, header_end, notes)
    header = range(start, header_end)
    continues = frozenset(notes.intersection(header))
    # A first column of row numbers (序号), then the row labels' column: both named, neither a figure.
    numbered = _names_row_numbers(texts[start])
    n_values = len(header) - len(continues) - (2 if numbered else 1 if labelled else 0)
    rows = [FlatRow(list(header), blank_first=not (labelled or numbered), continues=continues)]
    i = header_end
    next_number = 1

    def numbers_a_row(k: int) -> bool:
        """The next row's number, before its label (or with nothing after it: the text cut off)."""
        return numbered and texts[k].strip() == str(next_number) and (
            k + 1 == len(texts) or _is_cell(texts[k + 1]) and not _is_value(texts[k + 1]))

    while i < len(texts):
        number = i if numbers_a_row(i) else None
        if number is not None:
            next_number += 1
        label = i + (number is not None)
        if label >= len(texts) or not _is_cell(texts[label]) or _is_value(texts[label]):
            break
        values = label + 1
        while values < len(texts) and _is_value(texts[values]) and not numbers_a_row(values):
            values += 1
        if values - label - 1 > n_values:
            return [], header_end  # more figures than the header has columns: they cannot be placed
        if values == label + 1:
            break  # a label without figures: the table has ended
        # A row without its number (合计 over the numbered rows) leaves the number's cell empty.
        rows.append(FlatRow(list(range(i, values)), blank_first=numbered and number is None))
        i = values
    if not any(sum(is_figure(texts[k]) for k in row.lines) >= 2 for row in rows[1:]):
        return [], header_end
    return rows, i
