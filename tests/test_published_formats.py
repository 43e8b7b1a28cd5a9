"""Formats reports are published in besides PDF, Word and web pages (issue 22): our corpus reports as
.xlsx forms (corpus/render.py), and as .xls, .doc, .odt and .rtf made from those by LibreOffice, each give
the facts of their gold; a broken file of each kind is an `errors` row; without LibreOffice a .doc is
a clear `converter_missing` row and everything else is read."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from conftest import assert_gives_its_gold, ingest, read_table
from extract.loaders import office
from extract.pipeline import process_file

needs_libreoffice = pytest.mark.skipif(office.soffice() is None,
                                       reason="LibreOffice not installed (make test installs libreoffice-writer-nogui)")


def _convert(files: list[Path], target: str, out: Path, profile: Path) -> None:
    """Files converted by LibreOffice (one start for them all) into out."""
    command = [office.soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", target, "--outdir", str(out), *map(str, files)]
    if subprocess.run(command, capture_output=True).returncode == office.RESTART_AFTER_PROFILE:
        subprocess.run(command, capture_output=True, check=True)


@pytest.fixture(scope="session")
def converted(rendered, tmp_path_factory) -> Path:
    """The rendered reports as .xls (from .xlsx), .doc, .odt and .rtf (from .docx), with their gold, and
    as .wps: the binary Word format WPS Writer saves its documents in."""
    out = tmp_path_factory.mktemp("converted")
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    _convert(sorted(rendered.glob("*.xlsx")), "xls", out, profile)
    for target in ("doc", "odt", "rtf"):
        _convert(sorted(rendered.glob("*.docx")), target, out, profile)
    for doc in out.glob("*.doc"):
        doc.with_suffix(".wps").write_bytes(doc.read_bytes())
    for gold in rendered.glob("*.gold.json"):
        (out / gold.name).write_bytes(gold.read_bytes())
    return out


def _assert_matches_gold(paths: list[Path]) -> None:
    assert paths
    for path in paths:
        result = process_file(str(path))
        assert result.error is None, result.error
        assert result.tables["reports"][0]["file_type"] == path.suffix[1:]
        assert_gives_its_gold(path, result)


def test_corpus_reports_as_xlsx_forms_give_their_gold_facts(rendered):
    _assert_matches_gold(sorted(rendered.glob("*.xlsx")))


@needs_libreoffice
@pytest.mark.parametrize("suffix", [".xls", ".doc", ".odt", ".rtf", ".wps"])
def test_corpus_reports_converted_by_libreoffice_give_their_gold_facts(converted, suffix):
    _assert_matches_gold(sorted(converted.glob(f"*{suffix}")))


@needs_libreoffice
def test_a_wps_spreadsheet_in_either_excel_format_gives_the_same_facts(converted, rendered, tmp_path):
    for source in (converted / "105_huichuan_water_2024.xls", rendered / "105_huichuan_water_2024.xlsx"):
        et = tmp_path / f"{source.suffix[1:]}.et"
        et.write_bytes(source.read_bytes())
        result, reference = process_file(str(et)), process_file(str(source))
        assert result.tables["reports"][0]["file_type"] == "et"
        for table in ("amounts", "rates", "indicators"):
            keys = [tuple(row.get(k) for k in ("label", "role", "value_yuan", "value_pct", "actual")) for row in result.tables[table]]
            assert keys == [tuple(row.get(k) for k in ("label", "role", "value_yuan", "value_pct", "actual"))
                            for row in reference.tables[table]]
        assert "97.38" in {str(row["value_pct"]) for row in result.tables["rates"]}


def test_the_xlsx_form_keeps_merged_indicator_cells_and_formatted_figures(rendered):
    import openpyxl
    sheet = openpyxl.load_workbook(rendered / "105_huichuan_water_2024.xlsx").active
    assert any(r.max_row > r.min_row for r in sheet.merged_cells.ranges)  # 一级/二级 merged down
    percent = [c for row in sheet.iter_rows() for c in row if c.number_format == "0.00%"]
    assert percent and percent[0].value == pytest.approx(0.9738)
    rows = read_rows(rendered / "105_huichuan_water_2024.xlsx")
    assert "项目资金（万元）\t年度资金总额\t480.00\t520.00\t506.35\t10\t97.38%\t9.7" in rows


def read_rows(path: Path) -> list[str]:
    from extract.loaders import load
    return "\n".join(load(str(path)).pages).splitlines()


@needs_libreoffice
def test_broken_files_of_each_kind_are_errors_rows_and_the_rest_is_read(converted, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = converted / "105_huichuan_water_2024.doc"
    (folder / good.name).write_bytes(good.read_bytes())
    for suffix in (".doc", ".odt", ".xls"):
        whole = (converted / f"105_huichuan_water_2024{suffix}").read_bytes()
        (folder / f"truncated{suffix}").write_bytes(whole[:len(whole) // 3])
    (folder / "not_word.doc").write_text("一份被改了扩展名的文本，不是 Word 文档。", encoding="utf-8")
    (folder / "truncated.rtf").write_bytes(b"{\\rtf1\\ansi{\\fonttbl")
    out = tmp_path / "out"
    assert ingest([folder], out, "--no-cache") == 1
    errors = {Path(row["source_path"]).name: row["error_type"] for row in read_table(out, "errors")}
    assert errors == {"truncated.doc": "corrupt", "truncated.odt": "corrupt", "truncated.xls": "corrupt",
                      "not_word.doc": "corrupt", "truncated.rtf": "corrupt"}
    [report] = read_table(out, "reports")
    assert report["file_type"] == "doc" and report["status"] == "ok"
    assert _libreoffice_left() == ([], [])


def test_without_libreoffice_a_doc_is_a_clear_row_and_the_rest_is_read(rendered, tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(2000))
    for suffix in (".xlsx", ".docx", ".pdf"):
        source = rendered / f"105_huichuan_water_2024{suffix}"
        (folder / f"report{suffix}").write_bytes(source.read_bytes())
    out = tmp_path / "out"
    assert ingest([folder], out, "--no-cache", "--workers", "1") == 1
    [error] = read_table(out, "errors")
    assert error["error_type"] == "converter_missing"
    assert error["message"].endswith("old.doc: .doc files are read through LibreOffice, which is not installed: "
                                     "install LibreOffice (Debian: apt install libreoffice-writer-nogui), "
                                     "or save the file as .docx or PDF")
    # Only the first bytes are the same (a .docx's zip) — each report read whole by its own loader.
    assert sorted(row["file_type"] for row in read_table(out, "reports")) == ["docx", "pdf", "xlsx"]


def test_a_docx_or_a_web_page_saved_under_an_old_name_is_read_without_libreoffice(rendered, tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    (tmp_path / "a.doc").write_bytes((rendered / "105_huichuan_water_2024.docx").read_bytes())
    (tmp_path / "b.doc").write_bytes((rendered / "105_huichuan_water_2024.html").read_bytes())
    for name in ("a.doc", "b.doc"):
        result = process_file(str(tmp_path / name))
        assert result.error is None, result.error
        assert {"4800000.00", "5063500.00"} <= {f"{row['value_yuan']:.2f}" for row in result.tables["amounts"]}


@needs_libreoffice
def test_a_conversion_stopped_by_the_time_limit_leaves_no_libreoffice_behind(converted, tmp_path):
    out = tmp_path / "out"
    started = time.monotonic()
    ingest([converted / "101_jinjiang_education_2022.odt"], out, "--no-cache", "--timeout", "0.3")
    assert time.monotonic() - started < 10
    [error] = read_table(out, "errors")
    assert error["error_type"] == "timeout"
    deadline = time.monotonic() + 5
    while _libreoffice_left()[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _libreoffice_left()[0] == []


def _libreoffice_left() -> tuple[list[int], list[str]]:
    """LibreOffice processes of ours still running, and profile folders of ours whose process is gone."""
    running = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"soffice" in command and office.PROFILE_PREFIX.encode() in command:
                running.append(int(entry.name))
    import tempfile
    stale = [p.name for p in Path(tempfile.gettempdir()).glob(f"{office.PROFILE_PREFIX}*")
             if not office._alive(p.name[len(office.PROFILE_PREFIX):].split("-")[0])]
    return running, stale
