"""Issue 24, items 2 and 4: `ingest --format parquet --partition year` writes a hive-partitioned
dataset, and `jixiao sql DIR` queries any output folder (CSV, Parquet, partitioned) with DuckDB."""
import csv
import io
import sys

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import extract
from extract.cli import main
from extract.dataset import PRIMARY_KEYS, TABLES
from extract.sql import connect
from conftest import CORPUS, ingest

TEXTS = sorted(CORPUS.glob("*.txt"))

RATE_BY_DEPARTMENT_AND_YEAR = """
    SELECT r.department, r.year, round(avg(x.value_pct), 2) AS execution_rate
    FROM rates x JOIN reports r USING (report_id)
    WHERE x.role = 'execution_rate'
    GROUP BY r.department, r.year
    ORDER BY r.department, r.year"""


@pytest.fixture(scope="module")
def outs(tmp_path_factory):
    """The corpus's text reports written flat as CSV, flat as Parquet, and partitioned by year."""
    root = tmp_path_factory.mktemp("sql")
    made = {"csv": (root / "csv", ["--format", "csv"]),
            "parquet": (root / "parquet", ["--format", "parquet"]),
            "partitioned": (root / "partitioned", ["--format", "parquet", "--partition", "year"])}
    for out, extra in made.values():
        assert ingest(TEXTS, out, *extra) == 0
    return {name: out for name, (out, _) in made.items()}


def _query_csv(out, query, tmp_path, name="result.csv", *extra):
    target = tmp_path / name
    assert main(["sql", str(out), query, "--csv", str(target), *extra]) == 0
    with open(target, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_a_group_by_answers_with_the_corpus_values_on_every_layout(outs, tmp_path):
    results = {name: _query_csv(out, RATE_BY_DEPARTMENT_AND_YEAR, tmp_path, f"{name}.csv")
               for name, out in outs.items()}
    header, *rows = results["partitioned"]
    assert header == ["department", "year", "execution_rate"]
    assert ["遵义市汇川区水务局", "2024", "97.38"] in rows
    assert ["湖南省株洲市卫生健康委员会", "2021", "97.43"] in rows
    assert results["csv"] == results["parquet"] == results["partitioned"]
    # Every table is a view with the columns of docs/schema.md, whatever the layout.
    for name, out in outs.items():
        con, views = connect(out)
        with con:
            assert views == list(TABLES)
            for table, columns in TABLES.items():
                assert [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description] == \
                       [c.name for c in columns], (name, table)


def test_the_result_is_printed_as_a_table_as_written(outs, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["sql", str(outs["partitioned"]), RATE_BY_DEPARTMENT_AND_YEAR]) == 0
    out = capsys.readouterr().out
    assert "遵义市汇川区水务局" in out and "97.38" in out
    # A cell's [bold] is text, not rich markup.
    assert main(["sql", str(outs["csv"]), "SELECT '[bold]x[/bold]' AS t"]) == 0
    assert "[bold]x[/bold]" in capsys.readouterr().out


def test_budget_against_executed_by_stage(outs, tmp_path):
    query = """SELECT role, stage, sum(value_yuan) AS yuan FROM amounts
               WHERE role IN ('budget_total', 'expenditure_total') GROUP BY role, stage ORDER BY role, stage"""
    flat = _query_csv(outs["csv"], query, tmp_path, "a.csv")
    assert flat == _query_csv(outs["partitioned"], query, tmp_path, "b.csv")
    assert ["budget_total", "budget_adjusted"] == flat[1][:2] and flat[1][2].endswith(".27")


def test_excel_csv_has_a_bom(outs, tmp_path):
    target = tmp_path / "x.csv"
    assert main(["sql", str(outs["parquet"]), "SELECT '=1+1' AS f, 2 AS n", "--csv", str(target), "--excel"]) == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert target.read_text(encoding="utf-8-sig").splitlines() == ["f,n", "'=1+1,2"]


def test_a_sql_error_is_one_line_and_exit_2(outs, capsys):
    assert main(["sql", str(outs["partitioned"]), "SELEC department FROM reports"]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith("jixiao: error: Parser Error") and "SELEC" in line
    assert main(["sql", str(outs["csv"]), "SELECT nope FROM reports"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("jixiao: error: Binder Error") and "nope" in line


def test_a_missing_folder_or_one_without_tables_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["sql", str(tmp_path / "nope"), "SELECT 1"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"jixiao: error: {tmp_path / 'nope'}: no such folder"
    (tmp_path / "empty").mkdir()
    assert main(["sql", str(tmp_path / "empty"), "SELECT 1"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"jixiao: error: {tmp_path / 'empty'}: no tables here")


def test_nothing_is_written_into_the_folder(outs, tmp_path):
    out = outs["parquet"]
    before = sorted((p, p.stat().st_mtime_ns) for p in out.rglob("*"))
    _query_csv(out, "SELECT count(*) FROM amounts", tmp_path)
    assert sorted((p, p.stat().st_mtime_ns) for p in out.rglob("*")) == before
    # --csv naming a table of the folder is refused.
    assert main(["sql", str(out), "SELECT 1", "--csv", str(out / "reports.csv")]) == 2
    assert not (out / "reports.csv").exists()


def test_the_prompt_answers_statements_read_from_stdin(outs, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    statements = ("SELECT department\n  FROM reports\n  WHERE year = 2024 AND department LIKE '遵义%';\n"
                  ".tables\n"
                  "SELEC 1;\n"
                  "SELECT 41 + 1 AS answer;\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO(statements))
    assert main(["sql", str(outs["partitioned"])]) == 0
    captured = capsys.readouterr()
    assert "遵义市汇川区水务局" in captured.out
    assert "departments" in captured.out.splitlines() and "amounts" in captured.out.splitlines()
    assert "42" in captured.out
    assert [line for line in captured.err.splitlines() if "error" in line][0].startswith("jixiao: error: Parser Error")
    monkeypatch.setattr(sys, "stdin", io.StringIO(".quit\nSELECT 1/0;\n"))
    assert main(["sql", str(outs["csv"])]) == 0


def test_the_partitioned_layout_is_hive_style(outs):
    out = outs["partitioned"]
    years = sorted(p.name for p in (out / "reports").iterdir() if p.is_dir())
    assert years == ["year=2021", "year=2022", "year=2023", "year=2024"]
    assert (out / "amounts" / "year=2024" / "part-0.parquet").is_file()
    assert (out / "departments" / "part-0.parquet").is_file()
    # A table without rows still has a file, in the null partition, so readers find its columns.
    assert (out / "errors" / "year=__HIVE_DEFAULT_PARTITION__" / "part-0.parquet").is_file()
    assert not any(out.glob("*.csv")) and not any(out.glob("*.parquet"))


def test_load_reads_a_partitioned_output_as_the_flat_one(outs):
    flat, parted, as_csv = (extract.load(outs[name]) for name in ("parquet", "partitioned", "csv"))
    for table in TABLES:
        key = PRIMARY_KEYS.get(table, [c.name for c in TABLES[table]])
        expected = flat.tables()[table].sort_values(key).reset_index(drop=True)
        got = parted.tables()[table].sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)
        assert list(got.dtypes) == list(as_csv.tables()[table].dtypes)
    # Each year's rows in the order the run wrote them, years in order.
    assert list(parted.reports.year) == sorted(flat.reports.year)


def test_pyarrow_duckdb_and_pandas_read_the_partitioned_folder(outs):
    out = outs["partitioned"]
    reports = ds.dataset(out / "reports", format="parquet", partitioning="hive").to_table()
    assert sorted(set(reports.column("year").to_pylist())) == [2021, 2022, 2023, 2024]
    amounts = ds.dataset(out / "amounts", format="parquet", partitioning="hive").to_table()
    assert amounts.num_rows == len(extract.load(outs["parquet"]).amounts)
    rows = duckdb.sql(f"""SELECT year, count(*) FROM read_parquet('{out}/rates/*/*.parquet', hive_partitioning = true)
                          GROUP BY year ORDER BY year""").fetchall()
    assert [year for year, _ in rows] == [2021, 2022, 2023, 2024]
    frame = pd.read_parquet(out / "reports", partitioning=ds.partitioning(pa.schema([("year", pa.int64())]),
                                                                           flavor="hive"))
    assert "遵义市汇川区水务局" in set(frame.department) and sorted(set(frame.year)) == [2021, 2022, 2023, 2024]
    # The null partition (an empty table's file) reads back as a null year.
    assert duckdb.sql(f"SELECT year FROM read_parquet('{out}/errors/*/*.parquet', hive_partitioning = true)"
                      ).description[0][0] == "year"


def test_a_reingest_replaces_the_partitions_and_keeps_the_users_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert ingest(TEXTS, out, "--format", "parquet", "--partition", "year") == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "mine").mkdir()
    (out / "mine" / "query.sql").write_text("SELECT 1;", encoding="utf-8")
    one = TEXTS[:1]
    assert ingest(one, out, "--format", "parquet", "--partition", "year") == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "mine" / "query.sql").read_text(encoding="utf-8") == "SELECT 1;"
    assert len(extract.load(out).reports) == 1
    assert len([p for p in (out / "reports").iterdir() if p.is_dir()]) == 1
    # Back to a flat output: the table folders go, the user's files stay.
    assert ingest(one, out, "--format", "csv") == 0
    assert not (out / "reports").exists() and (out / "reports.csv").is_file()
    assert (out / "notes.txt").is_file() and (out / "mine" / "query.sql").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_users_folder_named_like_a_table_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "out"
    assert ingest(TEXTS[:1], out) == 0
    (out / "amounts").mkdir()
    (out / "amounts" / "mine.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert ingest(TEXTS[:1], out, "--format", "parquet", "--partition", "year") == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "amounts/, which jixiao did not write" in line
    assert (out / "amounts" / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "reports.csv").is_file()
    # A flat run keeps it, as any file of the user's.
    assert ingest(TEXTS[:1], out) == 0
    assert (out / "amounts" / "mine.txt").read_text(encoding="utf-8") == "mine"


def test_partition_needs_parquet_only(tmp_path, capsys):
    assert ingest(TEXTS[:1], tmp_path / "out", "--format", "csv,parquet", "--partition", "year") == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--format parquet" in line
    assert not (tmp_path / "out").exists()
