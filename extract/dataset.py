"""The tables of the dataset contract (docs/schema.md) and the writer for CSV, Parquet,
datapackage.json and the normalized texts. The output folder is replaced atomically.

pyarrow is imported only when Parquet is asked for: it is 50 MB of every worker's memory otherwise."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

S, I, N, B = "string", "integer", "number", "boolean"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless type
    scale: int = 2  # decimal places of a number

    def arrow(self):
        import pyarrow as pa
        if self.type == N:
            return pa.decimal128(24, self.scale)
        return {S: pa.string(), I: pa.int64(), B: pa.bool_()}[self.type]


def _col(name: str, kind: str, scale: int = 2) -> Column:
    return Column(name, kind, scale)


_PROVENANCE = [_col("raw", S), _col("section_path", S), _col("page", I), _col("char_start", I),
               _col("char_end", I), _col("evidence", S)]

TABLES: dict[str, list[Column]] = {
    "reports": [
        _col("report_id", S), _col("source_path", S), _col("source_sha256", S), _col("file_type", S),
        _col("n_pages", I), _col("n_chars", I), _col("title", S), _col("department", S),
        _col("region_province", S), _col("region_city", S), _col("region_district", S), _col("year", I),
        _col("report_type", S), _col("grade", S), _col("score", N), _col("status", S), _col("needs_ocr", B),
        _col("department_key", S),
    ],
    "sections": [
        _col("report_id", S), _col("section_id", I), _col("parent_id", I), _col("level", I),
        _col("number", S), _col("title", S), _col("path", S), _col("page", I), _col("char_start", I),
        _col("char_end", I),
    ],
    "amounts": [_col("report_id", S), _col("fact_id", S), _col("label", S), _col("role", S),
                _col("value_yuan", N)] + _PROVENANCE,
    "rates": [_col("report_id", S), _col("fact_id", S), _col("label", S), _col("role", S),
              _col("value_pct", N, 4)] + _PROVENANCE,
    "counts": [_col("report_id", S), _col("fact_id", S), _col("subject", S), _col("value", N, 4),
               _col("unit", S), _col("approx", B)] + _PROVENANCE,
    "tasks": [_col("report_id", S), _col("task_no", I), _col("name", S), _col("goal", S), _col("result", S),
              _col("section_path", S), _col("page", I)],
    "indicators": [
        _col("report_id", S), _col("table_no", I), _col("row_no", I), _col("level1", S), _col("level2", S),
        _col("level3", S), _col("target", S), _col("actual", S), _col("weight", N), _col("score", N),
        _col("note", S), _col("page", I),
    ],
    "findings": [_col("report_id", S), _col("kind", S), _col("seq", I), _col("text", S),
                 _col("section_path", S), _col("page", I)],
    "checks": [_col("report_id", S), _col("check", S), _col("status", S), _col("expected", S),
               _col("observed", S), _col("detail", S)],
    "errors": [_col("source_path", S), _col("stage", S), _col("error_type", S), _col("message", S)],
    # One row per unit across the run's reports (extract/departments.py): its names resolve to one key.
    "departments": [_col("department_key", S), _col("name", S), _col("region_province", S),
                    _col("region_city", S), _col("region_district", S), _col("aliases", S),
                    _col("n_reports", I), _col("years", S)],
}

PRIMARY_KEYS = {
    "reports": ["report_id"], "sections": ["report_id", "section_id"], "amounts": ["report_id", "fact_id"],
    "rates": ["report_id", "fact_id"], "counts": ["report_id", "fact_id"], "tasks": ["report_id", "task_no"],
    "indicators": ["report_id", "table_no", "row_no"], "findings": ["report_id", "kind", "seq"],
    "checks": ["report_id", "check"], "departments": ["department_key"],
}

FORMATS = ("csv", "parquet")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


_OWN_FORM = (bool, Decimal)
# What makes Excel read a CSV cell as a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows a Parquet file takes at a time: memory stays flat however many reports a run reads.
PARQUET_BATCH_ROWS = 5000


def csv_text(table: str, rows: list[dict], excel: bool = False) -> str:
    """A table's rows as the lines of its CSV file. Workers render them (see cli._results): the
    parent, which every file passes through, then only writes them."""
    out = io.StringIO()
    columns = TABLES[table]
    if excel:
        cells = ([_excel_cell(c, row.get(c.name)) for c in columns] for row in rows)
    else:
        # The csv module writes None as an empty cell and str() of a text or an integer itself:
        # only booleans and Decimals need their own form (see _csv_cell).
        names = [c.name for c in columns]
        cells = ([_csv_cell(value) if type(value) in _OWN_FORM else value for value in map(row.get, names)]
                 for row in rows)
    csv.writer(out).writerows(cells)
    return out.getvalue()


def _excel_cell(column: Column, value) -> str:
    cell = _csv_cell(value)
    # Excel runs a cell that starts like a formula (=HYPERLINK(…), +, -, @, or a tab or CR before
    # one): text cells get a leading apostrophe, which Excel shows as plain text. Numbers untouched.
    if column.type == S and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def write_parquet_batch(writer, columns: list[Column], rows: list[dict]) -> None:
    import pyarrow as pa
    data = {c.name: [row.get(c.name) for row in rows] for c in columns}
    writer.write_table(pa.Table.from_pydict(data, schema=writer.schema))


def datapackage(formats: tuple[str, ...]) -> dict:
    resources = []
    for table, columns in TABLES.items():
        schema: dict = {"fields": [{"name": c.name, "type": c.type} for c in columns]}
        if table in PRIMARY_KEYS:
            schema["primaryKey"] = PRIMARY_KEYS[table]
        if table == "reports":
            schema["foreignKeys"] = [{"fields": "department_key",
                                      "reference": {"resource": "departments", "fields": "department_key"}}]
        elif table not in ("errors", "departments"):
            schema["foreignKeys"] = [{"fields": "report_id",
                                      "reference": {"resource": "reports", "fields": "report_id"}}]
        path = f"{table}.csv" if "csv" in formats else f"{table}.parquet"
        resources.append({"name": table, "path": path, "format": path.rsplit(".", 1)[1],
                          "encoding": "utf-8", "schema": schema})
    return {"name": "jixiao", "title": "Performance self-evaluation reports, extracted",
            "profile": "tabular-data-package", "resources": resources}


class DatasetWriter:
    """Writes the tables row by row, as reports arrive, into a fresh folder beside out_dir, and swaps
    it in when closed without error.

    Nothing is held for the end but Parquet's current batch, so memory does not grow with the run.
    A crash before the swap leaves the previous out_dir as it was (the staging folder is removed).
    A README.md kept in out_dir (outputs/ carries one in git) is carried over.
    """

    def __init__(self, out_dir: Path, formats: tuple[str, ...] = ("csv",), excel: bool = False):
        self.out_dir, self.formats, self.excel = Path(out_dir).resolve(), formats, excel
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        _tidy_after_a_killed_run(self.out_dir)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-", dir=self.out_dir.parent))
        self.row_counts = {table: 0 for table in TABLES}
        self._files, self._csv, self._parquet = [], {}, {}
        self._batches: dict[str, list[dict]] = {table: [] for table in TABLES}
        try:
            (self.staging / "text").mkdir()
            for table, columns in TABLES.items():
                if "csv" in formats:
                    # Excel reads UTF-8 only with a BOM; everything else prefers the file without one.
                    f = open(self.staging / f"{table}.csv", "w", encoding="utf-8-sig" if excel else "utf-8", newline="")
                    self._files.append(f)
                    self._csv[table] = f
                    csv.writer(f).writerow([c.name for c in columns])
                if "parquet" in formats:
                    import pyarrow as pa
                    import pyarrow.parquet as pq
                    schema = pa.schema([pa.field(c.name, c.arrow()) for c in columns])
                    self._parquet[table] = pq.ParquetWriter(self.staging / f"{table}.parquet", schema)
        except BaseException:
            self._discard()
            raise

    def add_rows(self, table: str, rows: list[dict], rendered: str | None = None) -> None:
        """Rows of a table; rendered, when given, is their CSV lines as csv_text made them."""
        columns = TABLES[table]
        self.row_counts[table] += len(rows)
        if table in self._csv:
            self._csv[table].write(rendered if rendered is not None else csv_text(table, rows, self.excel))
        if table in self._parquet:
            batch = self._batches[table]
            batch.extend(rows)
            if len(batch) >= PARQUET_BATCH_ROWS:
                write_parquet_batch(self._parquet[table], columns, batch)
                batch.clear()

    def add_text(self, report_id: str, text: str) -> None:
        (self.staging / "text" / f"{report_id}.txt").write_text(text, encoding="utf-8")

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is not None:
            self._discard()
            return
        try:
            for table, writer in self._parquet.items():
                if self._batches[table]:
                    write_parquet_batch(writer, TABLES[table], self._batches[table])
                writer.close()
            for f in self._files:
                f.close()
            with open(self.staging / "datapackage.json", "w", encoding="utf-8") as f:
                json.dump(datapackage(self.formats), f, ensure_ascii=False, indent=2)
            if (self.out_dir / "README.md").is_file():
                shutil.copy2(self.out_dir / "README.md", self.staging / "README.md")
            _swap_in(self.staging, self.out_dir)
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        for f in self._files:
            f.close()
        for writer in self._parquet.values():
            try:
                writer.close()
            except Exception:  # a writer that failed mid-batch may not close; the folder goes anyway
                pass
        shutil.rmtree(self.staging, ignore_errors=True)


def _tidy_after_a_killed_run(out_dir: Path) -> None:
    """A run killed while writing leaves its staging folder (.NAME.new-*), and one killed in the
    instant between the two renames of the swap leaves the previous outputs as .NAME.old-*: the
    staging folders go, and the previous outputs come back if nothing took their place. (One run per
    output folder at a time.)"""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for retired in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*"), key=lambda p: p.stat().st_mtime):
        if out_dir.exists():
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(retired, out_dir)


def _swap_in(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(retired)
    os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)
