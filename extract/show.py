"""`jixiao show FILE|REPORT_ID`: one report's summary in the terminal."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .api import Dataset, ingest, load, table_files
from .terminal import printable

TOP_COUNTS = 10
OTHER_RATES = 20
# Rates about the budget, shown with its figures; other percentages (满意度, 完成率 …) have a table of their own.
BUDGET_RATES = ("execution_rate", "funds_received_rate")
# A number in a check's detail: a figure of the report (3877.43 万元, 39445600 元), not a digit of a label.
_FIGURE = re.compile(r"(?<![\w.,])(\d{4,})(\.\d+)?(?=\s*(?:[+=/;~]|[千万亿]?元|$))")


def _find(report: str, out_dir: Path) -> tuple[Dataset, str] | pd.DataFrame | None:
    """The dataset holding the report and its id: a file is read now, an id (or its start) is looked
    up in out_dir. An id's start that more than one report has: those reports."""
    if Path(report).is_file():
        data = ingest([report])
        return (data, data.reports.report_id.iloc[0]) if len(data.reports) else None
    if "reports" not in table_files(out_dir):  # reports.csv, reports.parquet or a partitioned reports/
        return None
    data = load(out_dir)
    matches = data.reports[data.reports.report_id.str.startswith(report)] if report else data.reports.iloc[:0]
    if len(matches) > 1:
        return matches
    return (data, matches.report_id.iloc[0]) if len(matches) == 1 else None


def show(report: str, out_dir: Path) -> int:
    found = _find(report, out_dir)
    if isinstance(found, pd.DataFrame):
        print(printable(f"jixiao: error: {report}: {len(found)} reports in {out_dir} have an id starting so; "
                        "give more of the id:"), file=sys.stderr)
        for r in found.sort_values("report_id").itertuples():
            print(printable(f"  {r.report_id}  {_or_dash(r.department)} · {_or_dash(r.year)} · {r.report_type} · "
                            f"{r.source_path}").replace("\n", " "), file=sys.stderr)
        return 2
    if found is None:
        print(printable(f"jixiao: error: {report}: not a readable report file, nor one report id in {out_dir}"),
              file=sys.stderr)
        return 2
    data, report_id = found
    console = Console()
    r = data.reports[data.reports.report_id == report_id].iloc[0]
    # Everything below comes from the report: as Text, rich shows it as written, never as markup, and
    # printable, the terminal shows its control characters rather than obeys them.
    console.print(_text(r.title, style="bold"))
    place = " ".join(str(v) for v in (r.region_province, r.region_city, r.region_district) if isinstance(v, str))
    console.print(_text(f"{_or_dash(r.department)} · {place or '—'} · {_or_dash(r.year)} · {r.report_type} · "
                        f"grade {_or_dash(r.grade)} · score {_or_dash(r.score)} · status {r.status} · "
                        f"{r.report_id} · {r.source_path} ({r.n_pages} pages)"))

    def table(title: str, columns: list[str], rows) -> None:
        out = Table(title=title, title_justify="left")
        for column in columns:
            out.add_column(column, overflow="fold")
        for row in rows:
            out.add_row(*[_text(v) for v in row])
        if out.row_count:
            console.print(out)

    amounts = data.amounts[(data.amounts.report_id == report_id) & (data.amounts.role != "other")]
    rates = data.rates[data.rates.report_id == report_id]
    budget_rates = rates[rates.role.isin(BUDGET_RATES)]
    table("Budget", ["label", "role", "value", "page"],
          [(a.label, a.role, f"{a.value_yuan / 10000:,.2f} 万元", a.page) for a in amounts.itertuples()]
          + [(t.label, t.role, f"{t.value_pct}%", t.page) for t in budget_rates.itertuples()])
    other_rates = rates[~rates.role.isin(BUDGET_RATES)]
    more = f" (first {OTHER_RATES} of {len(other_rates)})" if len(other_rates) > OTHER_RATES else ""
    table(f"Other percentages{more}", ["label", "value", "page"],
          [(t.label, f"{t.value_pct}%", t.page) for t in other_rates.head(OTHER_RATES).itertuples()])
    checks = data.checks[data.checks.report_id == report_id]
    table("Checks", ["check", "status", "detail"],
          [(c.check, c.status, separated(c.detail)) for c in checks.itertuples()])
    tasks = data.tasks[data.tasks.report_id == report_id]
    table("Tasks", ["no", "name", "goal", "result"],
          [(t.task_no, t.name, _short(t.goal), _short(t.result)) for t in tasks.itertuples()])
    counts = data.counts[data.counts.report_id == report_id].sort_values("value", ascending=False).head(TOP_COUNTS)
    table(f"Top {TOP_COUNTS} counts", ["value", "unit", "subject", "page"],
          [(f"{c.value:g}{'+' if c.approx else ''}", c.unit, c.subject, c.page) for c in counts.itertuples()])
    findings = data.findings[data.findings.report_id == report_id]
    table("Findings", ["kind", "seq", "text"], [(f.kind, f.seq, _short(f.text, 80)) for f in findings.itertuples()])
    return 0


def separated(detail) -> str:
    """A check's detail with thousands separators in its figures, each in the unit the check states
    it in, which is the unit the report speaks (3877.43 万元 → 3,877.43 万元; 39445600 元 → 39,445,600 元)."""
    if not isinstance(detail, str):
        return detail
    return _FIGURE.sub(lambda m: f"{int(m.group(1)):,}{m.group(2) or ''}", detail)


def _text(value, style: str = "") -> Text:
    return Text(printable(_or_dash(value)), style=style)


def _or_dash(value) -> str:
    return "—" if value is None or pd.isna(value) else str(value)


def _short(text, limit: int = 50) -> str:
    text = str(text) if isinstance(text, str) else ""
    return text if len(text) <= limit else text[:limit] + "…"
