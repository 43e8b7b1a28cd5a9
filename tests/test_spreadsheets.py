"""Spreadsheets (issue 22, first part): a 自评表 published as .xlsx read as the rows a PDF's table gives.
The workbooks are written by the tests (openpyxl) from a form of our own."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from extract.cli import main


def _form(path: Path, hidden_sheet: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "自评表"
    sheet.append(["青禾县2024年度高标准农田建设项目支出绩效自评表"])
    sheet.merge_cells("A1:F1")
    sheet.append(["单位：万元"])
    sheet.append(["项目名称", "高标准农田建设项目"])
    sheet.merge_cells("B3:F3")
    sheet.append(["年度资金总额", "年初预算数", "全年预算数", "全年执行数", "执行率", "得分"])
    sheet.append(["年度资金总额", 480, 520, 506.35, "97.38%", 9.7])
    sheet.append(["其中：当年财政拨款", 480, 500, 486.349999, 0.97269998, None])
    # As the sheet shows them: 486.35 and 97.27% (the cells hold what a formula left).
    sheet["D6"].number_format, sheet["E6"].number_format = "#,##0.00", "0.00%"
    if hidden_sheet:
        # A working row the author hid, and a hidden column of notes: neither is what the form shows.
        sheet.append(["其中：其他资金", 999, 999, 999])
        sheet.row_dimensions[7].hidden = True
        sheet["G5"] = "草稿备注 888"
        sheet.column_dimensions["G"].hidden = True
        other = book.create_sheet("草稿")
        other.append(["年度资金总额", 999, 999, 999])
        other.sheet_state = "hidden"
    book.save(path)
    return path


def _rows(out: Path, table: str) -> list[dict]:
    with open(out / f"{table}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_self_evaluation_form_in_xlsx_gives_its_budget_figures(tmp_path):
    path = _form(tmp_path / "form.xlsx", hidden_sheet=True)
    out = tmp_path / "out"
    assert main(["ingest", str(path), "--out", str(out), "--no-cache"]) == 0
    amounts = {(row["role"], row["stage"], round(float(row["value_yuan"]))) for row in _rows(out, "amounts")}
    assert {("budget_initial", "budget_initial", 4_800_000), ("budget_total", "budget_adjusted", 5_200_000),
            ("expenditure_total", "executed", 5_063_500),
            ("source_general_public_budget", "executed", 4_863_500)} <= amounts
    assert not any(value == 9_990_000 for _, _, value in amounts)  # the hidden sheet and row are not read
    assert {"97.38", "97.27"} <= {row["value_pct"] for row in _rows(out, "rates")}
    report = _rows(out, "reports")[0]
    assert report["file_type"] == "xlsx" and report["status"] == "partial"
    [error] = _rows(out, "errors")
    assert error["error_type"] == "repaired"
    assert error["message"].endswith("hidden sheet(s) 草稿; 1 row, 1 column of sheet 自评表 not read")
    text = (out / "text" / f"{report['report_id']}.txt").read_text(encoding="utf-8")
    assert "其他资金" not in text and "888" not in text and "486.35" in text


def test_a_corrupt_spreadsheet_is_an_errors_row(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _form(folder / "good.xlsx")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04" + bytes(300))
    (folder / "broken.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600))
    out = tmp_path / "out"
    assert main(["ingest", str(folder), "--out", str(out), "--no-cache"]) == 1
    errors = {Path(row["source_path"]).name: row["error_type"] for row in _rows(out, "errors")}
    assert errors == {"broken.xlsx": "corrupt", "broken.xls": "corrupt"}
    assert len(_rows(out, "reports")) == 1


def test_numbers_are_written_as_their_format_shows_them():
    from extract.loaders.spreadsheet import _formatted
    assert _formatted(238.929999, "0.00") == "238.93"
    assert _formatted(0.9738, "0.00%") == "97.38%"
    assert _formatted(12.5, '0.00"万元"') == "12.50万元"
    assert _formatted(3.14159, "[Magenta]0.0;-0.0") == "3.1"
    assert _formatted(45_000, "yyyy-mm-dd") is None  # a date: calamine's reading stands
