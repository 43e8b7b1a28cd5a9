"""Issue 17: a missing value is <NA> whichever way the tables are read, report ids stay strings, and
compare, show and review neither crash on a report without a department or on [ ] in a name, nor
give a traceback for an output file they cannot write."""
import csv
import json
import os
import shutil

import pandas as pd
import pytest

import extract
from conftest import CORPUS, SEED, SEED_GOLD, ingest
from extract.cli import main

# A report that names no department (nor a region, grade or score).
NO_DEPARTMENT = "2023年度部门整体支出绩效自评报告\n一、基本情况\n全年预算数 50 万元，执行数 45 万元，预算执行率 90%。\n"
ODD_ID = "100534535835e210"  # all digits and one e: a float to anything that guesses types


@pytest.fixture(scope="module")
def three_reports(tmp_path_factory):
    """Two real reports and one without a department, as paths and as an output folder in CSV and Parquet."""
    folder = tmp_path_factory.mktemp("missing")
    no_department = folder / "no_department.txt"
    no_department.write_text(NO_DEPARTMENT, encoding="utf-8")
    paths = [str(SEED), str(CORPUS / "101_jinjiang_education_2022.txt"), str(no_department)]
    assert ingest(paths, folder / "both", "--format", "csv,parquet") == 0
    assert ingest(paths, folder / "parquet", "--format", "parquet") == 0
    return paths, folder


def test_csv_parquet_and_ingest_give_the_same_frames_with_na_for_what_is_missing(three_reports):
    paths, folder = three_reports
    assert not list((folder / "parquet").glob("*.csv"))
    from_csv, from_parquet, in_process = (extract.load(folder / "both"), extract.load(folder / "parquet"),
                                          extract.ingest(paths))
    for table, frame in from_csv.tables().items():
        pd.testing.assert_frame_equal(from_parquet.tables()[table], frame, obj=f"{table} (Parquet)")
        pd.testing.assert_frame_equal(in_process.tables()[table], frame, obj=f"{table} (ingest)")
        for column in frame.select_dtypes("string"):
            assert not (frame[column] == "").any(), f"{table}.{column} holds an empty string"
    reports = from_csv.reports.set_index("source_path")
    assert reports.department[paths[2]] is pd.NA and reports.department_key[paths[2]] is pd.NA
    assert reports.department[paths[0]] == SEED_GOLD["report"]["department"]


def test_compare_leaves_out_a_report_without_a_department_and_says_which(three_reports, tmp_path, capsys):
    paths, folder = three_reports
    for out in ("both", "parquet"):
        assert main(["compare", str(folder / out), "--metric", "execution_rate", "--csv", str(tmp_path / "x.csv")]) == 0
        printed = capsys.readouterr()
        assert "left out 1 report(s) without a department or a year: " + paths[2] in printed.err
        with open(tmp_path / "x.csv", encoding="utf-8") as f:
            assert len(list(csv.DictReader(f))) == 2
    for metric in ("grade", "score", "count:调研"):
        assert main(["compare", str(folder / "both"), "--metric", metric]) == 0


def _rewrite(out, table: str, change) -> None:
    """Apply change(row) to every row of out/table.csv."""
    path = out / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        change(row)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def seed_copy(seed_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_out, out)
    return out


def test_a_report_id_that_looks_like_a_number_stays_the_same_string(seed_copy, tmp_path, capsys):
    old_id = extract.load(seed_copy).reports.report_id.iloc[0]
    for path in seed_copy.glob("*.csv"):
        if path.stem != "departments":
            _rewrite(seed_copy, path.stem, lambda row: row.update(report_id=ODD_ID))
    (seed_copy / "text" / f"{old_id}.txt").rename(seed_copy / "text" / f"{ODD_ID}.txt")
    package = json.loads((seed_copy / "datapackage.json").read_text(encoding="utf-8"))
    assert {field["type"] for resource in package["resources"] for field in resource["schema"]["fields"]
            if field["name"] == "report_id"} == {"string"}

    data = extract.load(seed_copy)
    for table in ("reports", "amounts", "rates", "counts", "checks", "findings"):
        assert data.tables()[table].report_id.unique().tolist() == [ODD_ID], table
    assert main(["compare", str(seed_copy), "--metric", "execution_rate", "--csv", str(tmp_path / "x.csv")]) == 0
    with open(tmp_path / "x.csv", encoding="utf-8") as f:
        assert float(next(csv.DictReader(f))["2023 execution_rate (%)"]) == 99.2  # the rate found through the id
    assert main(["show", ODD_ID, "--out", str(seed_copy)]) == 0
    assert ODD_ID in capsys.readouterr().out
    assert main(["review", str(seed_copy), "--site", str(tmp_path / "site")]) == 0
    page = (tmp_path / "site" / "r" / f"{ODD_ID}.html").read_text(encoding="utf-8")
    assert f'data-report-id="{ODD_ID}"' in page and '<mark class="amounts"' in page


def test_names_that_look_like_rich_markup_are_shown_as_written(seed_copy, tmp_path, capsys):
    _rewrite(seed_copy, "departments", lambda row: row.update(name="某区[/]局"))
    _rewrite(seed_copy, "reports", lambda row: row.update(department="[bold]某局", title="[red]报告[/red]"))
    _rewrite(seed_copy, "amounts", lambda row: row.update(label="[/]"))
    assert main(["compare", str(seed_copy), "--metric", "grade"]) == 0
    assert "某区[/]局" in capsys.readouterr().out
    report_id = extract.load(seed_copy).reports.report_id.iloc[0]
    assert main(["show", report_id, "--out", str(seed_copy)]) == 0
    printed = capsys.readouterr().out
    assert "[red]报告[/red]" in printed and "[bold]某局" in printed and "[/]" in printed


def test_output_files_in_folders_not_made_yet_are_written_there(seed_out, tmp_path, capsys):
    page, table, chart = tmp_path / "a" / "site" / "index.html", tmp_path / "b" / "c" / "x.csv", tmp_path / "d" / "x.html"
    assert main(["review", str(seed_out), "--site", str(page.parent)]) == 0
    assert main(["compare", str(seed_out), "--metric", "execution_rate", "--csv", str(table),
                 "--chart", str(chart)]) == 0
    assert page.is_file() and table.is_file() and chart.is_file()


def _unwritable(kind: str, tmp_path):
    """A file path that cannot be written."""
    if kind == "a folder":
        (tmp_path / "taken.html").mkdir()
        return tmp_path / "taken.html"
    if kind == "inside a file":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        return tmp_path / "file" / "sub" / "x.html"
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    return read_only / "x.html"


@pytest.mark.parametrize("kind", ["a folder", "inside a file", "a read-only folder"])
def test_an_output_file_that_cannot_be_written_is_one_line_and_exit_2(kind, seed_out, tmp_path, capsys):
    if kind == "a read-only folder" and os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    path = str(_unwritable(kind, tmp_path))
    # A folder is where the review site goes: it cannot be written in a file or a read-only folder.
    site = [["review", str(seed_out), "--site", path]] if kind != "a folder" else []
    for command in (*site,
                    ["compare", str(seed_out), "--metric", "execution_rate", "--chart", path],
                    ["compare", str(seed_out), "--metric", "execution_rate", "--csv", path]):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert err.startswith(f"jixiao: error: cannot write {path}: ") and err.count("\n") == 1, err
