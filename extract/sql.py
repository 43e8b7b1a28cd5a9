"""`jixiao sql DIR [QUERY]`: SQL over an output folder with DuckDB, in process.

Every table of DIR is a view of an in-memory database: its Parquet file (preferred), its CSV file
(read with the column types of docs/schema.md, so report_id stays text and figures keep their
decimals), or the folder of a partitioned output (`ingest --partition year`, read hive style). The
views have the same columns and types whatever the layout. Nothing is written into DIR: the
database lives in memory and holds views only.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from .api import table_files
from .dataset import N, PARTITIONS, S, TABLES, UNPARTITIONED, B, I, Column, csv_cell, excel_safe
from .outfolder import our_names
from .terminal import printable

# Rows printed as a table at most; --csv writes them all.
MAX_SHOWN = 1000
# Rows fetched from DuckDB at a time, for --csv.
FETCH_ROWS = 10_000
PROMPT, MORE = "jixiao> ", "   ...> "


class SqlError(Exception):
    """A folder that cannot be queried, or DuckDB's message for a query: one line."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duck_type(column: Column) -> str:
    if column.type == N:
        return f"DECIMAL(38, {column.scale})"
    return {S: "VARCHAR", I: "BIGINT", B: "BOOLEAN"}[column.type]


def view_query(table: str, kind: str, path: Path) -> str:
    """The SELECT a table's view stands for."""
    columns = TABLES[table]
    if kind == "csv":
        types = ", ".join(f"{_literal(c.name)}: {_literal(_duck_type(c))}" for c in columns)
        # A BOM (--excel) is skipped by DuckDB; an empty cell is NULL, as extract.load reads it.
        return (f"SELECT * FROM read_csv({_literal(str(path))}, header = true, auto_detect = false, "
                f"delim = ',', quote = '\"', escape = '\"', columns = {{{types}}})")
    if kind == "parquet":
        return f"SELECT * FROM read_parquet({_literal(str(path))})"
    if table in UNPARTITIONED:
        return f"SELECT * FROM read_parquet({_literal(str(path / '*.parquet'))}, hive_partitioning = false)"
    # The partition's folders are key=value; the null partition reads as NULL. Columns listed, so that
    # the view is the table of docs/schema.md: reports.year back in its place, no year elsewhere.
    hive_types = ", ".join(f"{_literal(name)}: BIGINT" for name in PARTITIONS)
    listed = ", ".join(_ident(c.name) for c in columns)
    depth = "/".join(["*"] * (len(PARTITIONS) + 1)) + ".parquet"
    return (f"SELECT {listed} FROM read_parquet({_literal(str(path) + '/' + depth)}, hive_partitioning = true, "
            f"hive_types = {{{hive_types}}}, union_by_name = true)")


def connect(out_dir: Path):
    """An in-memory DuckDB with a view for each table of out_dir, and the views' names."""
    import duckdb
    if not out_dir.is_dir():
        raise SqlError(f"{out_dir}: no such folder")
    found = table_files(out_dir, prefer="parquet")
    if not found:
        raise SqlError(f"{out_dir}: no tables here (reports.csv, reports.parquet or reports/ …); "
                       "give an output folder of jixiao ingest")
    con = duckdb.connect(":memory:")
    try:
        for table, (kind, path) in found.items():
            con.execute(f"CREATE VIEW {_ident(table)} AS {view_query(table, kind, path.resolve())}")
    except duckdb.Error as exc:
        con.close()
        raise SqlError(f"{out_dir}: cannot read the tables: {duckdb_message(exc)}") from None
    return con, list(found)


def duckdb_message(exc: BaseException) -> str:
    """DuckDB's message on one line, without the caret drawing under the query."""
    lines = [line.strip() for line in str(exc).splitlines()]
    kept = [line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"}]
    return printable(" ".join(kept))


_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def print_result(cursor, console=None) -> int:
    """The rows of an executed query as a table (at most MAX_SHOWN); how many were shown."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    console = console or Console()
    if cursor.description is None:  # a statement without rows (SET, a view of the user's)
        console.print(Text("ok"))
        return 0
    table = Table(show_lines=False)
    for name, type_code, *_ in cursor.description:
        numeric = str(type_code).upper().startswith(_NUMERIC)
        # Names and cells as Text: rich shows them as written, never reading [bold] in them as markup.
        table.add_column(Text(printable(str(name))), justify="right" if numeric else "left", overflow="fold")
    rows = cursor.fetchmany(MAX_SHOWN + 1)
    for row in rows[:MAX_SHOWN]:
        table.add_row(*(Text(printable(csv_cell(v))) for v in row))
    console.print(table)
    shown = min(len(rows), MAX_SHOWN)
    if len(rows) > MAX_SHOWN:
        print(f"jixiao: note: the first {MAX_SHOWN} rows shown; --csv FILE writes them all", file=sys.stderr)
    else:
        print(f"{shown} row{'s' if shown != 1 else ''}", file=sys.stderr)
    return shown


def write_csv(cursor, name: str, excel: bool = False) -> int:
    """The rows of an executed query into a CSV file, as many as there are; how many."""
    n = 0
    with open(name, "w", encoding="utf-8-sig" if excel else "utf-8", errors="backslashreplace", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([d[0] for d in cursor.description or ()])
        while rows := cursor.fetchmany(FETCH_ROWS):
            for row in rows:
                cells = [csv_cell(v) for v in row]
                if excel:  # as ingest --excel: a text that starts like a formula is shown, not run
                    cells = [excel_safe(cell, isinstance(value, str)) for cell, value in zip(cells, row)]
                writer.writerow(cells)
            n += len(rows)
    return n


def _error(message: str) -> int:
    print(f"jixiao: error: {message}", file=sys.stderr)
    return 2


def _refused_target(out_dir: Path, csv_path: str) -> bool:
    """--csv naming one of the output folder's own files (reports.csv …) would overwrite a table."""
    target = Path(csv_path).resolve()
    return target.parent == out_dir.resolve() and target.name in our_names(TABLES)


def run_sql(out_dir: Path, query: str | None, csv_path: str | None = None, excel: bool = False) -> int:
    import duckdb
    if csv_path and out_dir.is_dir() and _refused_target(out_dir, csv_path):
        return _error(f"{csv_path}: is a table of {out_dir}; write the result elsewhere")
    try:
        con, names = connect(out_dir)
    except SqlError as exc:
        return _error(printable(str(exc)))
    with con:
        if query is None:
            return prompt(con, names)
        try:
            cursor = con.execute(query)
            if csv_path:
                Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
                n = write_csv(cursor, csv_path, excel)
                print(f"written {printable(csv_path)}: {n} rows")
            else:
                print_result(cursor)
        except duckdb.Error as exc:
            return _error(duckdb_message(exc))
        except OSError as exc:
            return _error(f"cannot write {printable(csv_path)}: {exc.strerror or exc}")
    return 0


def prompt(con, names: list[str], stdin=None) -> int:
    """Read statements (a line or several, ending in `;`) and print each one's rows. `.tables` lists
    the views, `.quit` or end of input (Ctrl-D) leaves, Ctrl-C drops the statement being typed."""
    import duckdb
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    if interactive:
        print(f"jixiao sql: tables {', '.join(names)}. End a statement with ;  .tables  .quit (or Ctrl-D)")
    buffer: list[str] = []
    while True:
        try:
            if interactive:
                line = input(MORE if buffer else PROMPT)
            else:
                line = stdin.readline()
                if not line:
                    break
        except EOFError:
            break
        except KeyboardInterrupt:
            print()
            buffer.clear()
            continue
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            command = stripped.rstrip(";").strip()
            if command in (".quit", ".exit", ".q"):
                break
            if command == ".tables":
                print("\n".join(names))
            else:
                print(f"jixiao: error: {printable(command)}: unknown (.tables, .quit)", file=sys.stderr)
            continue
        if not stripped and not buffer:
            continue
        buffer.append(line.rstrip("\n"))
        if not stripped.endswith(";"):
            continue
        statement = "\n".join(buffer)
        buffer.clear()
        try:
            print_result(con.execute(statement))
        except duckdb.Error as exc:
            print(f"jixiao: error: {duckdb_message(exc)}", file=sys.stderr)
        except KeyboardInterrupt:
            print("jixiao: interrupted", file=sys.stderr)
    if interactive:
        print()
    return 0
