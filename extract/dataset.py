"""The tables of the dataset contract (docs/schema.md) and the writer for CSV, Parquet,
datapackage.json and the normalized texts. The output folder is replaced atomically.

pyarrow is imported only when Parquet is asked for: it is 50 MB of every worker's memory otherwise."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

from . import outfolder

S, I, N, B = "string", "integer", "number", "boolean"


# Digits of a number column in Parquet (decimal128's most). A value is kept to its column's scale:
# more decimals are rounded, and a value too large for the column is left empty; fit_numbers says so
# in `errors`, so that no figure a report can print crashes a writer.
PRECISION = 38


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless type
    scale: int = 2  # decimal places of a number

    def arrow(self):
        import pyarrow as pa
        if self.type == N:
            return pa.decimal128(PRECISION, self.scale)
        return {S: pa.string(), I: pa.int64(), B: pa.bool_()}[self.type]


def _col(name: str, kind: str, scale: int = 2) -> Column:
    return Column(name, kind, scale)


# x0, top, x1, bottom: the box of raw on its page, for facts read from a PDF (see boxes).
_PROVENANCE = [_col("raw", S), _col("section_path", S), _col("page", I), _col("char_start", I),
               _col("char_end", I), _col("evidence", S), _col("x0", N), _col("top", N), _col("x1", N),
               _col("bottom", N)]

TABLES: dict[str, list[Column]] = {
    "reports": [
        _col("report_id", S), _col("source_path", S), _col("source_sha256", S), _col("file_type", S),
        _col("n_pages", I), _col("n_chars", I), _col("title", S), _col("department", S),
        _col("region_province", S), _col("region_city", S), _col("region_district", S), _col("year", I),
        _col("report_type", S), _col("grade", S), _col("score", N, 4), _col("status", S), _col("needs_ocr", B),
        _col("project", S), _col("department_key", S), _col("ocr_pages", I), _col("ocr_confidence", N, 4),
        _col("grade_level", S),
    ],
    "sections": [
        _col("report_id", S), _col("section_id", I), _col("parent_id", I), _col("level", I),
        _col("number", S), _col("title", S), _col("path", S), _col("page", I), _col("char_start", I),
        _col("char_end", I),
    ],
    "amounts": [_col("report_id", S), _col("fact_id", S), _col("label", S), _col("role", S),
                _col("stage", S), _col("value_yuan", N)] + _PROVENANCE,
    "rates": [_col("report_id", S), _col("fact_id", S), _col("label", S), _col("role", S),
              _col("value_pct", N, 6)] + _PROVENANCE,
    "counts": [_col("report_id", S), _col("fact_id", S), _col("subject", S), _col("value", N, 6),
               _col("unit", S), _col("approx", B)] + _PROVENANCE,
    "tasks": [_col("report_id", S), _col("task_no", I), _col("name", S), _col("goal", S), _col("result", S),
              _col("section_path", S), _col("page", I)],
    "indicators": [
        _col("report_id", S), _col("table_no", I), _col("row_no", I), _col("level1", S), _col("level2", S),
        _col("level3", S), _col("target", S), _col("actual", S), _col("weight", N, 4), _col("score", N, 4),
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

# A partitioned output (`ingest --format parquet --partition year`, docs/schema.md): every table a
# folder of Parquet files, hive style, by the year of the row's report: amounts/year=2023/part-0.parquet.
# Rows whose report has no year (and errors of files that gave no report) go to the partition that
# pyarrow, DuckDB, Spark and Hive read back as a null year. departments, which spans years, is one
# file in its folder, unpartitioned.
PARTITIONS = ("year",)
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
UNPARTITIONED = ("departments",)
PART_FILE = "part-0.parquet"


def partition_folder(year) -> str:
    return f"year={NULL_PARTITION if year is None else int(year)}"


def partition_file_columns(table: str) -> list[Column]:
    """A table's columns as the Parquet files of a partitioned output hold them: the partition's
    column (reports.year) is in the folder's name, not in the files (the hive convention)."""
    return [c for c in TABLES[table] if c.name not in PARTITIONS]


def csv_cell(value) -> str:
    """A value as our CSV files write it: empty for None, true/false, decimals in full."""
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
        # only booleans and Decimals need their own form (see csv_cell).
        names = [c.name for c in columns]
        cells = ([csv_cell(value) if type(value) in _OWN_FORM else value for value in map(row.get, names)]
                 for row in rows)
    csv.writer(out).writerows(cells)
    return out.getvalue()


def _excel_cell(column: Column, value) -> str:
    return excel_safe(csv_cell(value), column.type == S)


def excel_safe(cell: str, is_text: bool) -> str:
    """Excel runs a cell that starts like a formula (=HYPERLINK(…), +, -, @, or a tab or CR before
    one): a text cell so starting gets a leading apostrophe, which Excel shows as plain text. Numbers
    (-3.5) are left as they are."""
    return "'" + cell if is_text and cell.startswith(FORMULA_STARTS) else cell


def arrow_schema(columns: list[Column]):
    import pyarrow as pa
    return pa.schema([pa.field(c.name, c.arrow()) for c in columns])


def write_parquet_batch(writer, columns: list[Column], rows: list[dict]) -> None:
    import pyarrow as pa
    data = {c.name: [row.get(c.name) for row in rows] for c in columns}
    try:
        table = pa.Table.from_pydict(data, schema=writer.schema)
    except UnicodeEncodeError:  # a file name in bytes that are not UTF-8: escaped, as in the CSV
        data = {name: [_escaped(v) if isinstance(v, str) else v for v in values] for name, values in data.items()}
        table = pa.Table.from_pydict(data, schema=writer.schema)
    writer.write_table(table)


def _escaped(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def fit_numbers(tables: dict[str, list[dict]]) -> list[str]:
    """Keep every number to its column's scale and precision (see PRECISION), in place, so that CSV
    and Parquet hold the same value; say what was changed."""
    notes = []
    for table, rows in tables.items():
        numbers = [c for c in TABLES.get(table, ()) if c.type == N]
        for row in rows:
            for column in numbers:
                value = row.get(column.name)
                if not isinstance(value, Decimal):
                    continue
                fitted = _fit(value, column.scale)
                if fitted != value or fitted is None:
                    row[column.name] = fitted
                    kept = "left empty" if fitted is None else f"rounded to {fitted}"
                    notes.append(f"{table}.{column.name} {value} {kept} (at most {PRECISION - column.scale} "
                                 f"digits before the point and {column.scale} after)")
    return notes


def _fit(value: Decimal, scale: int) -> Decimal | None:
    if not value.is_finite() or value.adjusted() >= PRECISION - scale:
        return None
    if value.as_tuple().exponent < -scale:
        with localcontext(prec=PRECISION + 1):
            value = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_EVEN)
    return value if value.adjusted() < PRECISION - scale else None  # 9.99… may round up a digit


def datapackage(formats: tuple[str, ...], parts: dict[str, list[str]] | None = None) -> dict:
    """parts: each table's files in a partitioned output (a multi-part resource)."""
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
        kind = "csv" if "csv" in formats else "parquet"
        path = parts[table] if parts is not None else f"{table}.{kind}"
        resources.append({"name": table, "path": path, "format": kind,
                          "encoding": "utf-8", "schema": schema})
    return {"name": "jixiao", "title": "Performance self-evaluation reports, extracted",
            "profile": "tabular-data-package", "resources": resources}


class DatasetWriter:
    """Writes the tables row by row, as reports arrive, into a fresh folder beside out_dir, and swaps
    it in when closed without error (extract/outfolder.py says which folders may be replaced).

    Nothing is held for the end but Parquet's current batch, so memory does not grow with the run.
    A crash before the swap leaves the previous out_dir as it was (the staging folder is removed).
    Raises OutputFolderError, before anything is written, for a folder that is not ours to replace,
    one another run is writing, or one that cannot be written.
    """

    def __init__(self, out_dir: Path, formats: tuple[str, ...] = ("csv",), excel: bool = False,
                 inputs: list[Path] = (), partition: str | None = None):
        if partition is not None and (partition not in PARTITIONS or tuple(formats) != ("parquet",)):
            raise ValueError(f"a partitioned output is Parquet only, by {' or '.join(PARTITIONS)}")
        self.out_dir, self.formats, self.excel = Path(out_dir).resolve(), formats, excel
        self.partition = partition
        outfolder.check_target(self.out_dir, list(inputs), TABLES, table_folders=partition is not None)
        try:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            self._lock = outfolder.Lock(self.out_dir).__enter__()
        except OSError as exc:
            raise outfolder.OutputFolderError(f"{out_dir}: cannot write there ({exc.strerror})") from None
        self.staging: Path | None = None
        self.row_counts = {table: 0 for table in TABLES}
        self._files, self._csv, self._parquet = [], {}, {}
        self._batches: dict[str, list[dict]] = {table: [] for table in TABLES}
        # A partitioned output: a writer and a batch for each table and year, made as rows come.
        self._part_writers: dict[tuple[str, int | None], object] = {}
        self._part_batches: dict[tuple[str, int | None], list[dict]] = {}
        try:
            outfolder.tidy_after_a_killed_run(self.out_dir, TABLES)
            self.staging = outfolder.make_staging(self.out_dir)
            (self.staging / "text").mkdir()
            for table, columns in TABLES.items():
                if "csv" in formats:
                    # Excel reads UTF-8 only with a BOM; everything else prefers the file without one. A
                    # name or message that is not valid Unicode (a file name in GBK bytes) is escaped.
                    f = open(self.staging / f"{table}.csv", "w", encoding="utf-8-sig" if excel else "utf-8",
                             errors="backslashreplace", newline="")
                    self._files.append(f)
                    self._csv[table] = f
                    csv.writer(f).writerow([c.name for c in columns])
                if partition is not None:
                    (self.staging / table).mkdir()
                    outfolder.mark(self.staging / table)  # ours: a later run may replace it
                elif "parquet" in formats:
                    import pyarrow.parquet as pq
                    self._parquet[table] = pq.ParquetWriter(self.staging / f"{table}.parquet", arrow_schema(columns))
        except OSError as exc:
            self._discard()
            raise outfolder.OutputFolderError(f"{out_dir}: cannot write there ({exc.strerror})") from None
        except BaseException:
            self._discard()
            raise

    def add_rows(self, table: str, rows: list[dict], rendered: str | None = None, year: int | None = None) -> None:
        """Rows of a table; rendered, when given, is their CSV lines as csv_text made them; year, the
        year of the report they come from (a partitioned output files them under it; rows that hold
        a year, reports', go by their own)."""
        columns = TABLES[table]
        self.row_counts[table] += len(rows)
        if self.partition is not None:
            self._add_partitioned(table, rows, year)
            return
        if table in self._csv:
            self._csv[table].write(rendered if rendered is not None else csv_text(table, rows, self.excel))
        if table in self._parquet:
            batch = self._batches[table]
            batch.extend(rows)
            if len(batch) >= PARQUET_BATCH_ROWS:
                write_parquet_batch(self._parquet[table], columns, batch)
                batch.clear()

    def _add_partitioned(self, table: str, rows: list[dict], year: int | None) -> None:
        own_year = any(c.name == "year" for c in TABLES[table])
        for row in rows:
            key = None if table in UNPARTITIONED else row.get("year") if own_year else year
            batch = self._part_batches.setdefault((table, key), [])
            batch.append(row)
            if len(batch) >= PARQUET_BATCH_ROWS:
                self._flush_part(table, key)

    def _flush_part(self, table: str, key: int | None) -> None:
        columns = partition_file_columns(table)
        writer = self._part_writers.get((table, key))
        if writer is None:
            import pyarrow.parquet as pq
            folder = self.staging / table
            if table not in UNPARTITIONED:
                folder = folder / partition_folder(key)
                folder.mkdir(exist_ok=True)
            writer = self._part_writers[(table, key)] = pq.ParquetWriter(folder / PART_FILE, arrow_schema(columns))
        batch = self._part_batches.setdefault((table, key), [])
        if batch:
            write_parquet_batch(writer, columns, batch)
            batch.clear()

    def _close_partitions(self) -> dict[str, list[str]]:
        """Write what the batches hold and close every file; a table without rows gets one empty
        file (in the null partition), so that readers find its columns. Each table's files, sorted."""
        for table, key in list(self._part_batches):
            self._flush_part(table, key)
        for table in TABLES:
            if not any(t == table for t, _ in self._part_writers):
                self._flush_part(table, None)
        parts: dict[str, list[str]] = {table: [] for table in TABLES}
        for (table, key), writer in sorted(self._part_writers.items(),
                                           key=lambda item: (item[0][0], item[0][1] is None, item[0][1] or 0)):
            writer.close()
            parts[table].append(f"{table}/{PART_FILE}" if table in UNPARTITIONED
                                else f"{table}/{partition_folder(key)}/{PART_FILE}")
        return parts

    def add_text(self, report_id: str, text: str) -> None:
        # A lone surrogate (a broken character of a PDF's text) becomes one "?": offsets stay right.
        (self.staging / "text" / f"{report_id}.txt").write_text(text, encoding="utf-8", errors="replace")

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
            parts = self._close_partitions() if self.partition is not None else None
            for f in self._files:
                f.close()
            with open(self.staging / "datapackage.json", "w", encoding="utf-8") as f:
                json.dump(datapackage(self.formats, parts), f, ensure_ascii=False, indent=2)
            outfolder.swap_in(self.staging, self.out_dir, TABLES)
        except BaseException:
            self._discard()
            raise
        self._lock.__exit__()

    def _discard(self) -> None:
        for f in self._files:
            f.close()
        for writer in [*self._parquet.values(), *self._part_writers.values()]:
            try:
                writer.close()
            except Exception:  # a writer that failed mid-batch may not close; the folder goes anyway
                pass
        if self.staging is not None:
            outfolder.discard(self.staging)
        self._lock.__exit__()
