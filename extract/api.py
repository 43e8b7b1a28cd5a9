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

from .dataset import TABLES, Column

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
    return value is None or value == "" or (not isinstance(value, str) and pd.isna(value))


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


def load(out_dir: str | Path) -> Dataset:
    """Read an output folder of `jixiao ingest` (CSV, else Parquet) into typed DataFrames."""
    out_dir = Path(out_dir)
    frames = {}
    for table, columns in TABLES.items():
        csv_path, parquet_path = out_dir / f"{table}.csv", out_dir / f"{table}.parquet"
        if csv_path.is_file():
            # Every cell as the text it is: an id like 100534535835e210 stays a string, and a
            # word like NA or null is not taken for a missing value.
            raw = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif parquet_path.is_file():
            raw = pd.read_parquet(parquet_path)
        else:
            raise FileNotFoundError(f"{out_dir}: no {table}.csv or {table}.parquet (not an output folder of jixiao ingest?)")
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
