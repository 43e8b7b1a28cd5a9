"""Spreadsheets (.xlsx, .xlsm, .xls, .ods, .et): the 自评表 as government sites publish it. Read with
python-calamine (one reader for every format, formulas by their cached values): every visible sheet a
page, every row a tab-separated line, a merged cell's text repeated over its span, as the other loaders
write tables, so that the form reader and the extractors see the rows they see from a PDF.

Numbers are written as the sheet shows them: in .xlsx, .xlsm, .xls and .et files (WPS writes an .et in
either Excel format) by the cell's number format
(read with openpyxl, or xlrd for .xls: `0.00` gives 238.93 for 238.929999, `0.00%` gives 97.38% for
0.9738); elsewhere (.ods), and for General cells, whole numbers without a decimal point and others to
ten significant digits. Dates as YYYY-MM-DD. Hidden sheets are skipped, and hidden rows and columns
where those libraries tell them (not in .ods): said in a warning.
"""
from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IngestError, one_line
from ..model import LoadedFile
from . import OLE_MAGIC, ZIP_MAGIC, loader

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
# The places after the point in a number format's first section (0.00, #,##0.0_ , 0.00%).
_DECIMALS = re.compile(r"\.(0+)")
_DATE_OR_TEXT = re.compile(r"[ymdhs@]", re.IGNORECASE)
# What a format shows besides the figure: [Red] and other bracketed codes, "quoted" text, \-escaped signs.
_QUOTED = re.compile(r'"([^"]*)"')
_LITERALS = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.')


@loader(*SHEET_SUFFIXES)
def load_spreadsheet(path: str, data: bytes, sha256: str) -> LoadedFile:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine's errors are of its own kinds: a broken or mislabelled file
        raise IngestError("load", "corrupt", f"{path}: not a readable spreadsheet ({one_line(str(exc))})") from exc
    pages, hidden, notes = [], [], []
    details = _sheet_details(data, path)
    try:
        for meta in book.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                continue
            if meta.typ != SheetTypeEnum.WorkSheet:  # a chart sheet holds no cells
                continue
            text, left_out = _sheet_text(book.get_sheet_by_name(meta.name), details.get(meta.name, _SheetDetails()))
            pages.append(text)
            if left_out:
                notes.append(f"{left_out} of sheet {meta.name}")
    except Exception as exc:
        raise IngestError("load", "corrupt", f"{path}: a sheet cannot be read ({one_line(str(exc))})") from exc
    if hidden:
        notes.insert(0, f"sheet(s) {', '.join(hidden)}")
    warnings = [f"{path}: hidden {'; '.join(notes)} not read"] if notes else []
    if not any(page.strip() for page in pages):
        raise IngestError("load", "empty", f"{path}: no visible sheet holds any text")
    return LoadedFile(path=path, file_type=Path(path).suffix.lower()[1:], sha256=sha256, pages=pages, warnings=warnings)


@dataclass
class _SheetDetails:
    """What openpyxl tells of an .xlsx sheet beyond its values: (row, column) from 0 → the value as
    its number format shows it, for numeric cells with a format of their own; hidden rows and columns."""
    shown: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)


def _sheet_details(data: bytes, path: str) -> dict[str, _SheetDetails]:
    """Each sheet's details by name: from openpyxl for an Excel 2007 workbook (.xlsx, .xlsm, and an .et
    that WPS saved so), from xlrd for an Excel 97–2003 one (.xls, .et); nothing for others (.ods), or
    where that library cannot read the file (calamine then reads it, or reports it broken)."""
    if data.startswith(ZIP_MAGIC) and not path.lower().endswith(".ods"):
        return _ooxml_details(data)
    if data.startswith(OLE_MAGIC):
        return _xls_details(data)
    return {}


def _xls_details(data: bytes) -> dict[str, _SheetDetails]:
    import xlrd
    details: dict[str, _SheetDetails] = {}
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            found = details.setdefault(sheet.name, _SheetDetails())
            found.hidden_rows = {r for r, info in sheet.rowinfo_map.items() if info.hidden}
            found.hidden_columns = {c for c, info in sheet.colinfo_map.items() if info.hidden}
            for r in range(sheet.nrows):
                for c, cell in enumerate(sheet.row(r)):
                    if cell.ctype != xlrd.XL_CELL_NUMBER:
                        continue
                    fmt = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
                    text = _formatted(cell.value, fmt) if fmt != "General" else None
                    if text is not None:
                        found.shown[r, c] = text
            book.unload_sheet(index)
    except Exception:  # xlrd's errors are of many kinds; calamine reports a broken file
        return {}
    return details


def _ooxml_details(data: bytes) -> dict[str, _SheetDetails]:
    import openpyxl
    details: dict[str, _SheetDetails] = {}
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl's errors are of many kinds; calamine reports a broken file
        return details
    try:
        for sheet in book.worksheets:
            found = details.setdefault(sheet.title, _SheetDetails())
            found.hidden_rows = {r - 1 for r, row in sheet.row_dimensions.items() if row.hidden}
            for column in sheet.column_dimensions.values():
                if column.hidden and column.min:
                    found.hidden_columns.update(range(column.min - 1, (column.max or column.min)))
            for row in sheet.iter_rows():
                for cell in row:
                    value, fmt = cell.value, cell.number_format
                    if isinstance(value, (int, float)) and not isinstance(value, bool) and fmt != "General":
                        text = _formatted(float(value), fmt)
                        if text is not None:
                            found.shown[cell.row - 1, cell.column - 1] = text
    except Exception:
        return {}
    finally:
        book.close()
    return details


def _formatted(value: float, fmt: str) -> str | None:
    """The value as a number format shows it, for the formats of figures (decimals, percent); None
    for a date, time or text format, or one this does not know."""
    first = fmt.split(";")[0]
    section = _LITERALS.sub("", first)
    if _DATE_OR_TEXT.search(section) or "0" not in section:
        return None
    places = _DECIMALS.search(section)
    decimals = len(places.group(1)) if places else 0
    # Quoted text after the figure is shown with it: 0.00"万元" is 12.50万元.
    unit = "".join(_QUOTED.findall(first[max(first.rfind("0"), first.rfind("#")):]))
    if "%" in section:
        return f"{value * 100:.{decimals}f}%{unit}"
    return f"{value:.{decimals}f}{unit}"


def _sheet_text(sheet, details: _SheetDetails) -> tuple[str, str]:
    """The sheet's rows as lines, hidden rows and columns left out; and what was left out that held
    text ("2 rows, 1 column"), or ""."""
    rows = [[details.shown.get((r, c)) or _shown(value) for c, value in enumerate(row)]
            for r, row in enumerate(sheet.to_python(skip_empty_area=False))]
    for merged in sheet.merged_cell_ranges or []:
        (top, left), (bottom, right) = merged
        if top >= len(rows) or left >= len(rows[top]):
            continue
        text = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = text
    rows_out = sum(1 for r in details.hidden_rows if r < len(rows) and any(rows[r]))
    columns_out = sum(1 for c in details.hidden_columns if any(c < len(row) and row[c] for row in rows))
    lines = []
    for r, row in enumerate(rows):
        if r in details.hidden_rows:
            continue
        cells = [cell.replace("\t", " ").replace("\n", "") for c, cell in enumerate(row) if c not in details.hidden_columns]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            lines.append("\t".join(cells))
    left_out = [f"{n} {word}{'s' if n > 1 else ''}" for n, word in ((rows_out, "row"), (columns_out, "column")) if n]
    return "\n".join(lines), ", ".join(left_out)


def _shown(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.10g}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()
