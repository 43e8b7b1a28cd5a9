"""Command line: `jixiao ingest PATH ... --out DIR` (also `python -m extract`)."""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
from collections import Counter
from contextlib import closing
from pathlib import Path

from . import __version__
from .cache import Cache
from .cache import default_folder as default_cache_folder
from .dataset import FORMATS, PARTITIONS, DatasetWriter, csv_text
from .errors import shown
from .outfolder import OutputFolderError
from .departments import Roster
from . import loaders
from .loaders import ocr
from .inputs import collect
from .pipeline import ReportResult, batch
from .terminal import printable
from .workers import Limits, parse_all


def _progress(items: list[str]):
    """Yield items, drawing a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress
    from rich.console import Console
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("ingest", total=len(items))
        for item in items:
            yield item
            progress.advance(task)


# Below this many files per worker, loading the models up front (about a second) costs more than workers save.
FILES_PER_WORKER = 20


def default_workers(n_files: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_files // FILES_PER_WORKER))


def _results(files: list[str], workers: int, cache: Cache | None = None, limits: Limits = Limits(),
             render_csv: bool = False, excel: bool = False, cluster=None):
    """Each file's ReportResult, in the order of files: from the cache when it has the file's bytes
    (and the pipeline has not changed), else parsed in worker processes (on a Dask cluster, given its
    client), which also keep it in the cache and, with render_csv, render its CSV lines (see
    dataset.csv_text)."""
    cached = {path: cache.get(path) for path in files} if cache else {}

    def finish(result: ReportResult) -> None:
        if cache:
            cache.put(result)
        if render_csv:
            result.csv = {table: csv_text(table, rows, excel) for table, rows in result.tables.items()}

    to_parse = [path for path in files if cached.get(path) is None]
    if cluster is not None:
        from .cluster import parse_on_cluster
        parsed = parse_on_cluster(to_parse, cluster, limits, finish)
    else:
        parsed = parse_all(to_parse, workers, limits, finish)
    for path in _progress(files):
        result = cached.get(path)
        yield next(parsed) if result is None else result


def run_ingest(paths: list[str], out: str, formats: tuple[str, ...], excel: bool,
               workers: int | None = None, cache: Cache | None = None, limits: Limits = Limits(),
               partition: str | None = None, cluster: str | None = None) -> int:
    if cluster is not None:
        from .cluster import ClusterError, connect
        try:
            with connect(cluster) as client:
                return _ingest(paths, out, formats, excel, workers, cache, limits, partition, client)
        except ClusterError as exc:
            print(f"jixiao: error: {shown(str(exc))}; nothing written", file=sys.stderr)
            return 2
    return _ingest(paths, out, formats, excel, workers, cache, limits, partition)


def _ingest(paths: list[str], out: str, formats: tuple[str, ...], excel: bool, workers: int | None,
            cache: Cache | None, limits: Limits, partition: str | None, client=None) -> int:
    inputs = collect(paths)
    files = inputs.files
    if not files:
        passed_over = len(inputs.skipped) + len(inputs.refused)
        print(f"jixiao: error: no report files found under {', '.join(map(shown, paths))}"
              + (f" ({passed_over} other files passed over)" if passed_over else "")
              + "; nothing written", file=sys.stderr)
        return 2
    statuses: Counter = Counter()
    failed = len(inputs.refused)
    roster = Roster()
    results = _results(files, workers or default_workers(len(files)), cache, limits,
                       render_csv="csv" in formats, excel=excel, cluster=client)
    try:
        with DatasetWriter(Path(out), formats, excel, [Path(p) for p in paths], partition) as writer, \
                closing(results):
            writer.add_rows("errors", inputs.refused + inputs.skipped)
            for row in inputs.refused:
                print(_one_line(row["message"]), file=sys.stderr)
            for item in batch(results):
                # The year of the file's report: where a partitioned output files all its rows.
                year = next((row.get("year") for row in item.kept.tables.get("reports", ())), None) \
                    if item.kept is not None else None
                writer.add_rows("errors", item.errors, year=year)
                if item.failed:
                    failed += 1
                    print(_one_line(item.errors[0]["message"]), file=sys.stderr)
                if item.kept is None:
                    continue
                writer.add_text(item.kept.report_id, item.kept.text)
                rendered = item.kept.csv or {}
                for name, rows in item.kept.tables.items():
                    writer.add_rows(name, rows, rendered.get(name), year=year)
                for row in item.kept.tables["reports"]:
                    statuses[row["status"]] += 1
                    roster.add(row)
            writer.add_rows("departments", roster.rows())
    except OutputFolderError as exc:
        print(f"jixiao: error: {shown(str(exc))}; nothing written", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, say: the staging folder is gone, the previous outputs stay
        print(f"jixiao: error: {shown(out)}: writing the outputs failed ({exc.strerror or exc}); "
              "the previous outputs are kept", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stopped) as exc:
        how = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"stopped by {exc.name}"
        print(f"jixiao: {how}; the outputs in {shown(out)} are as they were", file=sys.stderr)
        return exc.status if isinstance(exc, Stopped) else 130
    _summary(writer.row_counts, statuses, len(files), failed, len(inputs.skipped), shown(out))
    if cache and cache.hits:
        print(f"  {cache.hits} unchanged files taken from the cache ({cache.folder}; --force parses them again)")
    return 1 if failed else 0


def _one_line(message: str) -> str:
    """One line each, whatever the file's name holds, and no control character for the terminal."""
    return printable(message).replace("\n", "\\n")


def _summary(row_counts: dict[str, int], statuses: Counter, n_files: int, failed: int, skipped: int,
             out: str) -> None:
    print(f"jixiao: {n_files} files, {row_counts['reports']} reports written, {failed} failed"
          + (f", {skipped} other files skipped (listed in errors)" if skipped else "") + f" → {out}")
    print("  " + ", ".join(f"{name} {n}" for name, n in row_counts.items()))
    if statuses:
        print("  status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [v for v in chosen if v not in FORMATS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {','.join(bad) or value!r} (choose from {', '.join(FORMATS)})")
    return chosen


def _whole(low: int, high: int):
    """An option's type: a whole number from low to high."""
    def parse(value: str) -> int:
        if not value.strip().isdecimal() or not low <= int(value) <= high:
            raise argparse.ArgumentTypeError(f"{value!r}: give a whole number from {low} to {high}")
        return int(value)
    return parse


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{value!r}: give a number of seconds above 0, at most {MAX_TIMEOUT}")
    return seconds


DEFAULT_MAX_PAGES = loaders.MAX_PAGES
DEFAULT_OCR = ocr.MODE

# Bounds of the options: past them a value is a slip of the keyboard (and the system calls refuse it).
MAX_TIMEOUT = 7 * 24 * 3600
MAX_MEMORY_MB = 2 ** 24       # 16 TB
MAX_WORKERS = 1024


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jixiao", description="Extract facts from performance self-evaluation reports.")
    p.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="read reports (files or folders) and write the dataset tables")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--out", required=True, metavar="DIR", help="output folder (replaced atomically)")
    ingest.add_argument("--format", type=_formats, default=("csv",), help="csv, parquet or csv,parquet (default csv)")
    ingest.add_argument("--excel", action="store_true", help="CSV with a UTF-8 BOM, for Excel")
    ingest.add_argument("--partition", choices=PARTITIONS,
                        help="write each table as a folder of Parquet files partitioned by year, hive style "
                             "(amounts/year=2023/part-0.parquet); needs --format parquet")
    ingest.add_argument("--timeout", type=_seconds, default=Limits.seconds, metavar="SECONDS",
                        help="stop and report a file that takes longer (default %(default)s), "
                             f"plus {Limits.ocr_page_seconds:g} s for each page it has read by OCR")
    ingest.add_argument("--ocr", choices=ocr.MODES, default=DEFAULT_OCR,
                        help="auto: read pages without a text layer (scans, images) by OCR; off: report "
                             "them as needs_ocr; force: OCR every page (default %(default)s)")
    ingest.add_argument("--max-memory", type=_whole(64, MAX_MEMORY_MB), default=Limits.memory_mb, metavar="MB",
                        help="memory a worker may use for one file (default %(default)s)")
    ingest.add_argument("--max-pages", type=_whole(1, 10 ** 9), default=DEFAULT_MAX_PAGES, metavar="N",
                        help="refuse PDFs with more pages (default %(default)s)")
    ingest.add_argument("--force", action="store_true", help="parse every file again, cached or not")
    ingest.add_argument("--cache", metavar="DIR", default=str(default_cache_folder()),
                        help="where parsed results are kept by file content (default %(default)s)")
    ingest.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    ingest.add_argument("--cluster", metavar="ADDRESS",
                        help="parse on a Dask cluster: its scheduler (tcp://host:8786), or local[:N] for N "
                             "worker processes here")
    ingest.add_argument("--workers", "-j", type=_whole(1, MAX_WORKERS), metavar="N",
                        help=f"worker processes (default: one per CPU, at most one per {FILES_PER_WORKER} files)")
    evaluate = sub.add_parser("eval", help="score an output folder against gold files (docs/gold-format.md)")
    evaluate.add_argument("out", metavar="OUT_DIR")
    evaluate.add_argument("--gold", required=True, metavar="GOLD",
                          help="folder of gold .json files, or a .jsonl file of published-report gold")
    evaluate.add_argument("--min-f1", type=float, metavar="X",
                          help="exit 1 when the overall F1 or any table's or field's F1 is below X")
    evaluate.add_argument("--problems", action="store_true", help="also list every miss and extra")
    evaluate.add_argument("--floor", action="append", type=_floor, default=[], metavar="NAME=X",
                          help="exit 1 when row NAME (amounts.value, metadata.department …) has an F1 below X;"
                               " repeatable")
    comparing = sub.add_parser("compare", help="one metric for every department and year, with the change")
    comparing.add_argument("out", metavar="OUT_DIR")
    comparing.add_argument("--metric", required=True, metavar="M",
                           help="execution_rate, an amount role (budget_total …), count:UNIT, count:WORD or "
                                "count:WORD@UNIT, grade, score")
    comparing.add_argument("--by", choices=["department"], default="department")
    comparing.add_argument("--over", choices=["year"], default="year")
    comparing.add_argument("--csv", metavar="FILE", help="write the departments × years table as CSV")
    comparing.add_argument("--excel", action="store_true",
                           help="the CSV with a UTF-8 BOM and formula-like text neutralised, for Excel")
    comparing.add_argument("--chart", metavar="FILE",
                           help="write the chart: FILE.html (interactive, works offline), FILE.png or FILE.svg")
    showing = sub.add_parser("show", help="one report's summary: metadata, budget, checks, tasks, counts, findings")
    showing.add_argument("report", metavar="FILE|REPORT_ID")
    showing.add_argument("--out", default="outputs", metavar="OUT_DIR", help="where to look up a REPORT_ID")
    querying = sub.add_parser("sql", help="query an output folder with SQL (DuckDB, every table a view); "
                                          "without a query, a prompt")
    querying.add_argument("out", metavar="DIR", help="an output folder of jixiao ingest (CSV, Parquet, partitioned)")
    querying.add_argument("query", nargs="?", metavar="SQL", help="a query; none: read queries from a prompt")
    querying.add_argument("--csv", metavar="FILE", help="write the result as CSV instead of printing it")
    querying.add_argument("--excel", action="store_true",
                          help="with --csv: a UTF-8 BOM, and text cells that start like a formula made text")
    reviewing = sub.add_parser("review", help="a static site: an index of the reports and a page per report with"
                                              " every fact marked in its text and boxed on its PDF page")
    reviewing.add_argument("out", metavar="OUT_DIR")
    reviewing.add_argument("--site", metavar="DIR", help="where to write the site (default OUT_DIR/review)")
    reviewing.add_argument("--workers", "-j", type=_whole(1, MAX_WORKERS), metavar="N",
                           help="processes drawing the pages (default one per CPU)")
    reviewing.add_argument("--html", metavar="FILE", help=argparse.SUPPRESS)  # replaced by --site: an error
    return p


class Stopped(BaseException):
    """SIGTERM or SIGHUP (`timeout`, `docker stop`, a closed terminal): the run ends as at Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.name = signal.Signals(signum).name
        self.status = 128 + signum


def _stop(signum, frame) -> None:
    raise Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Signal handlers can only be set from the main thread (main() may be called from another).
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGHUP)
                if in_main_thread}
    try:
        return _command(args)
    except KeyboardInterrupt:
        print("jixiao: interrupted", file=sys.stderr)
        return 130
    except Stopped as exc:
        print(f"jixiao: stopped by {exc.name}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:  # `jixiao … | head`: the reader has gone, and so do we, quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _command(args) -> int:
    if args.command == "ingest":
        missing = [p for p in args.paths if not os.path.exists(p)]
        if missing:
            print(f"jixiao: error: no such path: {', '.join(map(shown, missing))}", file=sys.stderr)
            return 2
        # The workers are forked after these are set (and the cache keeps each OCR setting apart).
        if args.partition and args.format != ("parquet",):
            print(f"jixiao: error: --partition {args.partition} writes Parquet only: give --format parquet",
                  file=sys.stderr)
            return 2
        loaders.MAX_PAGES, ocr.MODE = args.max_pages, args.ocr
        try:
            cache = None if args.no_cache else Cache(Path(args.cache), force=args.force)
            return run_ingest(args.paths, args.out, args.format, args.excel, args.workers, cache,
                              Limits(args.timeout, args.max_memory), args.partition, args.cluster)
        finally:  # main() may run again in this process (the API, tests)
            loaders.MAX_PAGES, ocr.MODE = DEFAULT_MAX_PAGES, DEFAULT_OCR
    if args.command == "eval":
        return run_eval(Path(args.out), Path(args.gold), args.min_f1, args.problems, args.floor)
    if args.command == "compare":
        return run_compare(Path(args.out), args.metric, args.csv, args.chart, args.excel)
    if args.command == "show":
        from .show import show
        return show(args.report, Path(args.out))
    if args.command == "sql":
        from .sql import run_sql
        return run_sql(Path(args.out), args.query, args.csv, args.excel)
    if args.command == "review":
        return run_review(Path(args.out), args.site, args.html, args.workers)
    return 2


def run_review(out: Path, site: str | None, html: str | None = None, workers: int | None = None) -> int:
    from .review import SiteError, write_site
    if html is not None:
        # One page per run grew past 10 MB; the site is a folder of pages and images, which one
        # file name cannot hold without scattering r/ and img/ beside it.
        print(f"jixiao: error: review writes a site now (index.html, a page per report, page images): "
              f"use --site DIR instead of --html (default {shown(str(out / 'review'))})", file=sys.stderr)
        return 2
    site_dir = Path(site) if site else out / "review"
    try:
        summary = write_site(out, site_dir, workers)
    except (FileNotFoundError, SiteError) as exc:
        print(f"jixiao: error: {shown(str(exc))}", file=sys.stderr)
        return 2
    for note in summary.notes:
        print(f"jixiao: warning: {shown(note)}", file=sys.stderr)
    print(f"written {shown(str(site_dir / 'index.html'))}: {summary.reports} reports, {summary.images} page images "
          f"({summary.rendered} drawn now, {summary.image_bytes / 1e6:.1f} MB), in {summary.seconds:.1f} s")
    return 0


def _write_file(name: str, content: str | bytes) -> bool:
    """Write a page, table or image the user asked for; one line on stderr and False when it cannot be."""
    path = Path(name)
    try:
        # Folders that do not exist yet are made, as ingest makes its --out folder.
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        print(f"jixiao: error: cannot write {name}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def run_compare(out: Path, metric: str, csv_path: str | None, chart_path: str | None, excel: bool = False) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from . import charts
    from .api import load
    from .compare import compare, format_change, format_value, is_missing, metric_kind
    chart_kind = Path(chart_path).suffix.lower().lstrip(".") if chart_path else ""
    if chart_path and chart_kind not in ("html", "htm", *charts.STATIC_FORMATS):
        print(f"jixiao: error: {chart_path}: a chart is written as .html (interactive), .png or .svg", file=sys.stderr)
        return 2
    try:
        metric_kind(metric)
        data = load(out)
        comparison = compare(data, metric)
    except (ValueError, FileNotFoundError) as exc:  # MetricError is a ValueError
        print(printable(f"jixiao: error: {exc}").replace("\n", " "), file=sys.stderr)
        return 2
    unit = f" ({comparison.unit})" if comparison.unit else ""
    # Names, grades and a count's word come from the reports (or the user): as Text, rich shows them
    # as written instead of reading [bold] or [/] in them as markup.
    table = Table(title=Text(printable(f"{comparison.title} · {comparison.metric}{unit} by department and year"
                                       + (" (grade_level: 优 > 良 > 中 > 差)" if comparison.kind == "grade" else ""))))
    table.add_column("department", overflow="fold")
    for year in comparison.years:
        table.add_column(str(year), justify="right")
    for key, rows in comparison.long.groupby("department_key", sort=True):
        by_year = {r.year: r for r in rows.itertuples()}
        cells = []
        for year in comparison.years:
            r = by_year.get(year)
            cells.append("" if r is None or is_missing(r.value) else
                         f"{format_value(r.value, comparison.unit)} {format_change(r.change, comparison.change)}".strip())
        table.add_row(*map(Text, map(printable, [str(rows.department.iloc[0]), *cells])))
    Console().print(table)
    for note in comparison.notes:
        print(printable(f"jixiao: note: {note}"), file=sys.stderr)
    left_out = comparison.left_out
    if left_out:
        listed = ", ".join(left_out[:5]) + (f" and {len(left_out) - 5} more" if len(left_out) > 5 else "")
        print(printable(f"jixiao: note: left out {len(left_out)} report(s) without a department or a year: {listed}"),
              file=sys.stderr)
    files: list[tuple[str, str | bytes]] = []
    if csv_path:
        files.append((csv_path, comparison.csv_text(excel)))
    if chart_path:
        try:
            files.append((chart_path, charts.page(comparison) if chart_kind in ("html", "htm")
                          else charts.image(comparison, chart_kind)))
        except charts.ChartError as exc:
            print(printable(f"jixiao: error: {chart_path}: {exc}"), file=sys.stderr)
            return 2
    for name, content in files:
        if not _write_file(name, content):
            return 2
        print(f"written {name}")
    return 0


def _floor(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=X (e.g. amounts.value=0.95)") from None


def run_eval(out: Path, gold_dir: Path, min_f1: float | None, show_problems: bool,
             floors: list[tuple[str, float]] = ()) -> int:
    from .evaluate import evaluate
    if not (out / "reports.csv").is_file():
        print(f"jixiao: error: {out}: no reports.csv (not an output folder of jixiao ingest)", file=sys.stderr)
        return 2
    if not gold_dir.is_file() and not (gold_dir.is_dir() and any(gold_dir.glob("*.json"))):
        print(f"jixiao: error: {gold_dir}: no gold .json files", file=sys.stderr)
        return 2
    try:
        result = evaluate(out, gold_dir)
    except (ValueError, KeyError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
        print(f"jixiao: error: {gold_dir}: not a gold file of either format ({exc})", file=sys.stderr)
        return 2
    try:
        with open(out / "eval.json", "w", encoding="utf-8") as f:
            json.dump(result, f, ensure_ascii=False, indent=1)
    except OSError as exc:
        print(f"jixiao: error: cannot write {out / 'eval.json'}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    _print_eval(result, show_problems)
    print(f"written {out / 'eval.json'}")
    rows = {"overall": result["overall"], **result["tables"]}
    below = [name for name, figures in rows.items() if min_f1 is not None and figures["f1"] < min_f1]
    if below:
        print(f"jixiao: F1 below {min_f1} for {', '.join(below)}", file=sys.stderr)
    under = [f"{name} {rows[name]['f1'] if name in rows else 'not scored'} < {floor}"
             for name, floor in floors if name not in rows or rows[name]["f1"] < floor]
    if under:
        print(f"jixiao: below the floor: {'; '.join(under)}", file=sys.stderr)
    return 1 if below or under else 0


def _print_eval(result: dict, show_problems: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    console = Console()
    # Texts, as rich shows them as written: a file or folder name or a report's words may hold
    # [ and ], which rich would read as markup.
    if show_problems:
        for source, report in result["reports"].items():
            for problem in report["problems"]:
                console.print(Text(printable(f"{source}: {problem}")))
    table = Table(title=Text(f"{result['n_scored']} reports scored against {result['gold_dir']}"
                             f" ({result['n_reports']} in {result['out_dir']}, "
                             f"{result['n_gold_without_report']} gold files without a report)"))
    for column in ("table / field", "TP", "FP", "FN", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "table / field" else "right")
    for name, f in [*result["tables"].items(), ("overall", result["overall"])]:
        table.add_row(name, str(f["tp"]), str(f["fp"]), str(f["fn"]), f"{f['precision']:.4f}",
                      f"{f['recall']:.4f}", f"{f['f1']:.4f}", end_section=name == list(result["tables"])[-1])
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
