"""Spreadsheets (.xlsx, .xlsm, .xls, .ods, .et): the 自评表 as government sites publish it. Read with
python-calamine (one reader for every format, formulas by their cached values): every visible sheet a
page, every row a tab-separated line, a merged cell's text repeated over its span, as the other loaders
write tables, so that the form reader and the extractors see the rows they see from a PDF.

Numbers are written as a person reads them: whole numbers without a decimal point, others to ten
significant digits (238.93, not the 238.92999999999998 of the binary float), dates as YYYY-MM-DD.
Hidden sheets are skipped and said in a warning.
"""
from __future__ import annotations

import datetime
import io

from ..errors import IngestError, one_line
from ..model import LoadedFile
from . import loader

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")


@loader(*SHEET_SUFFIXES)
def load_spreadsheet(path: str, data: bytes, sha256: str) -> LoadedFile:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine's errors are of its own kinds: a broken or mislabelled file
        raise IngestError("load", "corrupt", f"{path}: not a readable spreadsheet ({one_line(str(exc))})") from exc
    pages, hidden = [], []
    try:
        for meta in book.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                continue
            if meta.typ != SheetTypeEnum.WorkSheet:  # a chart sheet holds no cells
                continue
            sheet = book.get_sheet_by_name(meta.name)
            pages.append(_sheet_text(sheet))
    except Exception as exc:
        raise IngestError("load", "corrupt", f"{path}: a sheet cannot be read ({one_line(str(exc))})") from exc
    warnings = [f"{path}: hidden sheet(s) {', '.join(hidden)} not read"] if hidden else []
    if not any(page.strip() for page in pages):
        raise IngestError("load", "empty", f"{path}: no visible sheet holds any text")
    return LoadedFile(path=path, file_type="spreadsheet", sha256=sha256, pages=pages, warnings=warnings)


def _sheet_text(sheet) -> str:
    rows = [[_shown(value) for value in row] for row in sheet.to_python(skip_empty_area=False)]
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
