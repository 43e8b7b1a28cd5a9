"""Spreadsheets (.xlsx, .xlsm, .xls, .ods, .et): the 自评表 as government sites publish it. Read with
python-calamine (one reader for every format, formulas by their cached values): every visible sheet a
page, every row a tab-separated line, a merged cell's text repeated over its span, as the other loaders
write tables, so that the form reader and the extractors see the rows they see from a PDF.

Numbers are written as the sheet shows them: in an .xlsx or .xlsm file by the cell's number format
(read with openpyxl: `0.00` gives 238.93 for 238.929999, `0.00%` gives 97.38% for 0.9738); elsewhere,
and for General cells, whole numbers without a decimal point and others to ten significant digits.
Dates as YYYY-MM-DD. Hidden sheets are skipped and said in a warning.
"""
from __future__ import annotations

import datetime
import io
import re

from ..errors import IngestError, one_line
from ..model import LoadedFile
from . import loader

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
# The formats openpyxl reads the cells' number formats of.
OOXML_SUFFIXES = (".xlsx", ".xlsm")
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
    pages, hidden = [], []
    formats = _number_formats(data) if path.lower().endswith(OOXML_SUFFIXES) else {}
    try:
        for meta in book.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                continue
            if meta.typ != SheetTypeEnum.WorkSheet:  # a chart sheet holds no cells
                continue
            sheet = book.get_sheet_by_name(meta.name)
            pages.append(_sheet_text(sheet, formats.get(meta.name, {})))
    except Exception as exc:
        raise IngestError("load", "corrupt", f"{path}: a sheet cannot be read ({one_line(str(exc))})") from exc
    warnings = [f"{path}: hidden sheet(s) {', '.join(hidden)} not read"] if hidden else []
    if not any(page.strip() for page in pages):
        raise IngestError("load", "empty", f"{path}: no visible sheet holds any text")
    return LoadedFile(path=path, file_type="spreadsheet", sha256=sha256, pages=pages, warnings=warnings)


def _number_formats(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Each sheet's numeric cells that have a number format of their own: (row, column) from 0 → the
    value as that format shows it. Nothing where openpyxl cannot read the file (calamine then does)."""
    import openpyxl
    shown: dict[str, dict[tuple[int, int], str]] = {}
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl's errors are of many kinds; calamine reports a broken file
        return shown
    try:
        for sheet in book.worksheets:
            cells = shown.setdefault(sheet.title, {})
            for row in sheet.iter_rows():
                for cell in row:
                    value, fmt = getattr(cell, "value", None), getattr(cell, "number_format", "General")
                    if isinstance(value, (int, float)) and not isinstance(value, bool) and fmt != "General":
                        text = _formatted(float(value), fmt)
                        if text is not None:
                            cells[cell.row - 1, cell.column - 1] = text
    except Exception:
        return {}
    finally:
        book.close()
    return shown


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


def _sheet_text(sheet, formatted: dict[tuple[int, int], str]) -> str:
    rows = [[formatted.get((r, c)) or _shown(value) for c, value in enumerate(row)]
            for r, row in enumerate(sheet.to_python(skip_empty_area=False))]
    for merged in sheet.merged_cell_ranges or []:
        (top, left), (bottom, right) = merged
        if top >= len(rows) or left >= len(rows[top]):
            continue
        text = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = text
    lines = []
    for row in rows:
        cells = [cell.replace("\t", " ").replace("\n", "") for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


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
