"""`jixiao compare`: one metric, departments × years, with the change from year to year.

Metrics: execution_rate (or any rate role), an amount role (budget_total, expenditure_total …, in
万元), count:X (the sum of a report's counts whose unit is X, else whose subject holds X), grade, score.
A department's year is read from one report: its department_overall report when it has one, else the
first by file name (the same report as text, PDF and Word gives the same figures). A report without a
department or a year is left out and listed in Comparison.left_out: it cannot be lined up with any
other year of the same unit, and a row under a placeholder name would mix unrelated units.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from .api import Dataset

RATE_ROLES = ("execution_rate", "funds_received_rate")
AMOUNT_ROLES = ("budget_initial", "budget_total", "funds_received", "expenditure_total",
                "source_general_public_budget", "source_government_fund", "source_state_capital",
                "source_other", "basic_expenditure", "personnel", "public_expenses", "project_expenditure",
                "carryover", "three_public")


@dataclass
class Comparison:
    metric: str
    unit: str          # what the values are in: %, 万元, the count's unit, points, or "" for grades
    change: str        # how the change is given: "pp" (points), "%" (relative) or "" (none for grades)
    long: pd.DataFrame  # department_key, department, year, value, change
    left_out: list[str]  # source paths of the reports without a department or a year

    def wide(self) -> pd.DataFrame:
        """Departments × years: a value column per year and a change column after each year but the first."""
        table = self.long.pivot(index=["department_key", "department"], columns="year", values=["value", "change"])
        years = sorted(self.long["year"].unique())
        out = pd.DataFrame(index=table.index)
        for i, year in enumerate(years):
            out[str(year)] = table[("value", year)]
            if i and self.change:
                out[f"{year} change ({self.change})"] = table[("change", year)]
        return out.reset_index()


def metric_kind(metric: str) -> str:
    if metric in RATE_ROLES:
        return "rate"
    if metric in AMOUNT_ROLES:
        return "amount"
    if metric.startswith("count:") and len(metric) > 6:
        return "count"
    if metric in ("grade", "score"):
        return metric
    raise ValueError(f"unknown metric {metric!r}: use a rate role ({', '.join(RATE_ROLES)}), an amount role "
                     f"({', '.join(AMOUNT_ROLES)}), count:UNIT or count:WORD, grade or score")


def compare(data: Dataset, metric: str) -> Comparison:
    kind = metric_kind(metric)
    placed = data.reports.department_key.notna() & data.reports.year.notna()
    reports = _one_report_per_department_year(data.reports[placed], data.departments)
    if kind == "rate":
        facts = data.rates[data.rates.role == metric]
        values = facts.groupby("report_id", sort=False).value_pct.first()
        unit, change = "%", "pp"
    elif kind == "amount":
        facts = data.amounts[data.amounts.role == metric]
        values = facts.groupby("report_id", sort=False).value_yuan.first() / 10000
        unit, change = "万元", "%"
    elif kind == "count":
        wanted = metric[len("count:"):]
        by_unit = data.counts.unit == wanted
        facts = data.counts[by_unit] if by_unit.any() else data.counts[data.counts.subject.str.contains(wanted, regex=False, na=False)]
        values = facts.groupby("report_id").value.sum()
        unit, change = (wanted if by_unit.any() else "counted"), "%"
    elif kind == "score":
        values = reports.set_index("report_id").score
        unit, change = "points", "pp"
    else:
        values = reports.set_index("report_id").grade
        unit, change = "", ""
    long = reports[["department_key", "department", "year", "report_id"]].copy()
    long["value"] = long.report_id.map(values)
    if kind == "count":
        long["value"] = long["value"].fillna(0)  # a report that counts none of them: 0
    long = long.drop(columns="report_id").sort_values(["department_key", "year"]).reset_index(drop=True)
    long["change"] = _changes(long, change)
    return Comparison(metric, unit, change, long, data.reports[~placed].source_path.tolist())


def _one_report_per_department_year(reports: pd.DataFrame, departments: pd.DataFrame) -> pd.DataFrame:
    known = reports.copy()
    known["overall_first"] = known.report_type != "department_overall"
    known = known.sort_values(["department_key", "year", "overall_first", "source_path"])
    first = known.drop_duplicates(["department_key", "year"])
    # Each department under the name it goes by (the departments table's).
    names = departments.set_index("department_key").name
    return first.assign(department=first.department_key.map(names))


def _changes(long: pd.DataFrame, change: str) -> pd.Series:
    if not change:
        return pd.Series([None] * len(long), index=long.index, dtype=object)
    values = pd.to_numeric(long["value"], errors="coerce").astype("Float64")
    previous = values.groupby(long.department_key).shift(1)
    consecutive = long.year.groupby(long.department_key).diff() == 1
    delta = values - previous if change == "pp" else (values - previous) / previous * 100
    return delta.where(consecutive).round(2)


# --- output -----------------------------------------------------------------------------------------

def format_value(value, unit: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, str):
        return value
    if unit == "%":
        return f"{value:.2f}%"
    if unit == "万元":
        return f"{value:,.2f}"
    return f"{value:,.4g}" if unit == "points" else f"{value:,.0f}"


def format_change(value, change: str) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value:+.2f}{' pp' if change == 'pp' else '%'}"


def chart_html(comparison: Comparison, title: str) -> str:
    """A self-contained page: an SVG line per department over the years, labelled in Chinese (the
    browser's fonts draw it), and the table below."""
    long = comparison.long.copy()
    long["number"] = pd.to_numeric(long["value"], errors="coerce")
    years = sorted(long.year.unique())
    numbers = long.number.dropna()
    width, height, left, right, top, bottom = 900, 420, 70, 260, 30, 40
    lines, labels = [], []
    if len(numbers):
        low, high = float(numbers.min()), float(numbers.max())
        span = (high - low) or 1.0

        def x(year):
            return left + (years.index(year) * (width - left - right) / max(1, len(years) - 1))

        def y(value):
            return top + (high - value) / span * (height - top - bottom)

        colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
        for i, (key, rows) in enumerate(long.dropna(subset=["number"]).groupby("department_key", sort=True)):
            colour = colours[i % len(colours)]
            points = " ".join(f"{x(r.year):.1f},{y(r.number):.1f}" for r in rows.itertuples())
            lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
            last = rows.iloc[-1]
            labels.append(f'<text x="{x(last.year) + 8:.1f}" y="{y(last.number) + 4:.1f}" fill="{colour}" '
                          f'font-size="13">{html.escape(str(last.department))}</text>')
        axis = [f'<text x="{x(yr):.1f}" y="{height - 12}" font-size="13" text-anchor="middle">{yr}年</text>'
                for yr in years]
        axis += [f'<text x="{left - 8}" y="{y(v) + 4:.1f}" font-size="12" text-anchor="end">'
                 f'{html.escape(format_value(v, comparison.unit))}</text>' for v in (low, high)]
    else:
        axis = [f'<text x="{left}" y="{top + 20}" font-size="14">（无数值可画）</text>']
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
           f'aria-label="{html.escape(title)}">' + "".join(axis + lines + labels) + "</svg>")
    wide = comparison.wide()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in wide.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v, c, comparison))}</td>" for c, v in row.items())
                   + "</tr>" for _, row in wide.iterrows())
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<style>body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",'
            'sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;'
            'text-align:right}td:first-child,td:nth-child(2){text-align:left}</style></head><body>'
            f'<h1>{html.escape(title)}</h1>{svg}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            '</table></body></html>')


def _cell(value, column: str, comparison: Comparison) -> str:
    if column in ("department_key", "department"):
        return str(value)
    if "change" in column:
        return format_change(value, comparison.change)
    return format_value(value, comparison.unit)
