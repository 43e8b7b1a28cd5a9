"""The Python API: an output folder as typed pandas DataFrames, and the pipeline in-process.

    import extract
    data = extract.load("outputs")        # every table of docs/schema.md as a DataFrame
    data.amounts.groupby("role").value_yuan.sum()
    data = extract.ingest(["reports/"])   # the same tables, without writing anything
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from .dataset import NULL_PARTITION, PARTITIONS, TABLES, Column

_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def _frame(columns: list[Column], rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Rows (dicts, or a frame read as text) with the table's columns in order and typed: nullable
    strings, integers and booleans, numbers as floats (the CSV keeps the exact decimals). A missing
    value is <NA> in every column, and so is an empty string: a CSV cannot tell the two apart, so
    CSV, Parquet and ingest() give the same frames only if empty means missing everywhere."""
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    for c in columns:
        series = frame[c.name].astype(object).map(lambda v: None if _missing(v) else v)
        if c.type == "boolean":
            series = series.map(lambda v: None if v is None else v in (True, "true", "True"))
        elif c.type in ("integer", "number"):
            series = pd.to_numeric(series, errors="raise")
        frame[c.name] = series.astype(_DTYPES[c.type])
    return frame


def _missing(value) -> bool:
    """None, NaN, <NA> or an empty string."""
    return value == "" or is_missing(value)


def is_missing(value) -> bool:
    """A value a frame of the dataset does not have: None, NaN or <NA> (a text, even empty, is one)."""
    return value is None or (not isinstance(value, str) and pd.isna(value))


@dataclass
class Dataset:
    """One DataFrame per table of the dataset contract."""
    reports: pd.DataFrame
    sections: pd.DataFrame
    amounts: pd.DataFrame
    rates: pd.DataFrame
    counts: pd.DataFrame
    tasks: pd.DataFrame
    indicators: pd.DataFrame
    findings: pd.DataFrame
    checks: pd.DataFrame
    errors: pd.DataFrame
    departments: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def table_files(out_dir: str | Path, prefer: str = "csv") -> dict[str, tuple[str, Path]]:
    """Where each table of an output folder is: (kind, path), kind "csv" or "parquet" for a file,
    "partitioned" for a folder of a partitioned output. Where a table is there as CSV and as Parquet,
    prefer says which. Tables that are not there are left out."""
    out_dir = Path(out_dir)
    found = {}
    for table in TABLES:
        files = {kind: out_dir / f"{table}.{kind}" for kind in ("csv", "parquet")}
        kinds = [kind for kind in sorted(files, key=lambda k: k != prefer) if files[kind].is_file()]
        if kinds:
            found[table] = (kinds[0], files[kinds[0]])
        elif (out_dir / table).is_dir() and partition_files(out_dir / table):
            found[table] = ("partitioned", out_dir / table)
    return found


def partition_files(folder: Path) -> list[tuple[dict, Path]]:
    """The Parquet files of a partitioned table's folder, each with its partition's values (None for
    the null partition), years in order and the null partition last."""
    files = []
    for path in folder.rglob("*.parquet"):
        if any(part.startswith((".", "_")) for part in path.relative_to(folder).parts):
            continue  # as pyarrow and DuckDB: hidden and underscore files are not data
        values = {}
        for part in path.relative_to(folder).parts[:-1]:
            key, _, value = part.partition("=")
            if key in PARTITIONS:
                values[key] = None if value == NULL_PARTITION else int(value)
        files.append((values, path))
    return sorted(files, key=lambda item: ([(v is None, v or 0) for v in item[0].values()], str(item[1])))


def _read_partitioned(folder: Path, table: str) -> pd.DataFrame:
    """A partitioned table's files as one frame, the partition's column (reports.year) put back
    from the folders' names."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    parts = []
    for values, path in partition_files(folder):
        part = pq.read_table(path)
        for name in PARTITIONS:
            if any(c.name == name for c in TABLES[table]) and name not in part.column_names:
                part = part.append_column(name, pa.array([values.get(name)] * part.num_rows, pa.int64()))
        parts.append(part)
    return pa.concat_tables(parts, promote_options="default").to_pandas()


def load(out_dir: str | Path) -> Dataset:
    """Read an output folder of `jixiao ingest` (CSV, else Parquet, else a partitioned output's
    folders) into typed DataFrames. The rows of a partitioned output come by year (reports without
    a year last), each year's in the order the run wrote them."""
    out_dir = Path(out_dir)
    found = table_files(out_dir)
    frames = {}
    for table, columns in TABLES.items():
        if table not in found:
            raise FileNotFoundError(f"{out_dir}: no {table}.csv, {table}.parquet or {table}/ "
                                    "(not an output folder of jixiao ingest?)")
        kind, path = found[table]
        if kind == "csv":
            # Every cell as the text it is: an id like 100534535835e210 stays a string, and a
            # word like NA or null is not taken for a missing value.
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif kind == "parquet":
            raw = pd.read_parquet(path)
        else:
            raw = _read_partitioned(path, table)
        frames[table] = _frame(columns, raw)
    return Dataset(**frames)


def ingest(paths: list[str | Path] | str | Path, ocr: str = "auto") -> Dataset:
    """Run the pipeline over files and folders in this process and return the tables (nothing is
    written; `jixiao ingest` writes them). `ocr` as `jixiao ingest --ocr` (auto, off or force).
    Raises FileNotFoundError for a path that does not exist, ValueError for another `ocr`."""
    from .inputs import collect
    from .departments import Roster
    from .loaders import ocr as ocr_settings
    from .pipeline import batch, process_file
    if ocr not in ocr_settings.MODES:
        raise ValueError(f"ocr must be one of {', '.join(ocr_settings.MODES)}, not {ocr!r}")
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    roster = Roster()
    inputs = collect([str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)])
    rows["errors"].extend(inputs.refused + inputs.skipped)

    def processed():
        previous, ocr_settings.MODE = ocr_settings.MODE, ocr
        try:
            yield from map(process_file, inputs.files)
        finally:
            ocr_settings.MODE = previous

    for item in batch(processed()):
        rows["errors"].extend(item.errors)
        if item.kept is None:
            continue
        for table, table_rows in item.kept.tables.items():
            rows[table].extend(table_rows)
        for report in item.kept.tables["reports"]:
            roster.add(report)
    rows["departments"] = roster.rows()
    return Dataset(**{table: _frame(TABLES[table], table_rows) for table, table_rows in rows.items()})
