"""`jixiao compare`: one metric, departments × years, with the change from year to year.

Metrics: execution_rate (or any rate role), an amount role (budget_total, expenditure_total …, in
万元), count:UNIT (the sum of a report's counts in that unit), count:WORD (counts whose subject holds
WORD, in one unit: count:WORD@UNIT, else the unit most of them are in), grade (compared by its level,
优 > 良 > 中 > 差, reports.grade_level), score.
A department's year is read from one report: its department_overall report when it has one, else the
first by file name (the same report as text, PDF and Word gives the same figures). A report without a
department or a year is left out and listed in Comparison.left_out: it cannot be lined up with any
other year of the same unit, and a row under a placeholder name would mix unrelated units.
A department-year whose report does not state the metric is empty (never 0), and so is every year
between the first and the last seen that no report has. The chart is drawn by extract/charts.py.
"""
from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field

import pandas as pd

from . import rules
from .api import Dataset, is_missing

RATE_ROLES = ("execution_rate", "funds_received_rate")
AMOUNT_ROLES = ("budget_initial", "budget_total", "funds_received", "expenditure_total",
                "source_general_public_budget", "source_government_fund", "source_state_capital",
                "source_other", "basic_expenditure", "personnel", "public_expenses", "project_expenditure",
                "carryover", "three_public")
METRICS = (*RATE_ROLES, *AMOUNT_ROLES, "grade", "score")
# What each metric is called in a chart's title.
NAMES = {
    "execution_rate": "预算执行率", "funds_received_rate": "资金到位率",
    "budget_initial": "年初预算数", "budget_total": "全年预算数", "funds_received": "到位资金",
    "expenditure_total": "全年支出（执行数）", "source_general_public_budget": "一般公共预算财政拨款",
    "source_government_fund": "政府性基金预算财政拨款", "source_state_capital": "国有资本经营预算财政拨款",
    "source_other": "其他资金", "basic_expenditure": "基本支出", "personnel": "人员经费",
    "public_expenses": "公用经费", "project_expenditure": "项目支出", "carryover": "上年结转资金",
    "three_public": "“三公”经费", "grade": "自评等级", "score": "自评得分",
}
# The four steps of a grade, best first (rules/grades.yaml).
GRADE_LEVELS = tuple(rules.load("grades")["levels"])


class MetricError(ValueError):
    """A metric that is not one, or that nothing in the output folder matches: one line, with the
    close matches."""


@dataclass
class Comparison:
    metric: str        # as compared: execution_rate, count:人次, count:调研@次 …
    unit: str          # what the values are in: %, 万元, 分, the count's unit, or "" for grades
    change: str        # how the change is given: "pp" (points), "%" (relative) or "" (none for grades)
    long: pd.DataFrame  # department_key, department, year, value, change, written (a grade as written)
    left_out: list[str]  # source paths of the reports without a department or a year
    years: list[int] = field(default_factory=list)  # every year from the first to the last seen
    notes: list[str] = field(default_factory=list)  # what the user should know (other units of a count)

    @property
    def kind(self) -> str:
        return metric_kind(self.metric)

    @property
    def name(self) -> str:
        """The metric in Chinese, for titles: 预算执行率, “调研”计数, 计数合计."""
        if self.kind == "count":
            word = self.metric[len("count:"):].split("@")[0]
            return f"“{word}”计数" if word != self.unit else "计数合计"
        return NAMES.get(self.metric, self.metric)

    @property
    def title(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    def header(self, year) -> str:
        """A value column's name in the CSV: the year, the metric and its unit (2023 budget_total (万元))."""
        if self.kind == "grade":
            return f"{year} grade_level"
        return f"{year} {self.metric}" + (f" ({self.unit})" if self.unit else "")

    def wide(self) -> pd.DataFrame:
        """Departments × years: a value column for every year from the first to the last seen (empty
        where no report says), then after each year but the first the change from the year before;
        for grades, the level and after it the grade as written."""
        rows = self.long.set_index(["department_key", "year"])
        departments = self.long.drop_duplicates("department_key")[["department_key", "department"]]
        out = departments.reset_index(drop=True)
        for i, year in enumerate(self.years):
            index = pd.MultiIndex.from_arrays([out.department_key, [year] * len(out)])
            out[self.header(year)] = rows.value.reindex(index).to_numpy()
            if self.kind == "grade":
                out[f"{year} grade (as written)"] = rows.written.reindex(index).to_numpy()
            elif i and self.change:
                out[f"{year} change ({self.change})"] = rows.change.reindex(index).to_numpy()
        return out

    def csv_text(self, excel: bool = False) -> str:
        """The wide table as CSV: numbers as plain decimals (a count as a whole number, never 5.0), an
        empty cell for what no report says; with excel, a UTF-8 BOM and the text cells that Excel would
        run as formulas neutralised, as `ingest --excel` does (dataset._excel_cell)."""
        from .dataset import S, _col, _excel_cell
        wide = self.wide()
        text_columns = {"department_key", "department"} | {c for c in wide.columns if "grade" in str(c)}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(wide.columns)
        for row in wide.itertuples(index=False):
            cells = []
            for column, value in zip(wide.columns, row):
                cell = _csv_number(value) if column not in text_columns else ("" if is_missing(value) else str(value))
                if excel and column in text_columns:
                    cell = _excel_cell(_col(column, S), cell)
                cells.append(cell)
            writer.writerow(cells)
        return ("\ufeff" if excel else "") + out.getvalue()


def metric_kind(metric: str) -> str:
    if metric in RATE_ROLES:
        return "rate"
    if metric in AMOUNT_ROLES:
        return "amount"
    if metric.startswith("count:") and len(metric.strip("@")) > 6:
        return "count"
    if metric in ("grade", "score"):
        return metric
    close = difflib.get_close_matches(metric, METRICS, n=3, cutoff=0.5)
    raise MetricError(f"{metric}: not a metric" + (f" (did you mean {', '.join(close)}?)" if close else "")
                      + f": use a rate role ({', '.join(RATE_ROLES)}), an amount role ({', '.join(AMOUNT_ROLES)}), "
                        "count:UNIT, count:WORD or count:WORD@UNIT, grade or score")


def compare(data: Dataset, metric: str) -> Comparison:
    """Raises MetricError for a metric that is not one or that no report states."""
    kind = metric_kind(metric)
    placed = data.reports.department_key.notna() & data.reports.year.notna()
    reports = _one_report_per_department_year(data.reports[placed], data.departments)
    notes: list[str] = []
    written = None
    if kind == "rate":
        facts = _stated(data.rates, metric, data)
        values = facts.groupby("report_id", sort=False).value_pct.first()
        unit, change = "%", "pp"
    elif kind == "amount":
        facts = _stated(data.amounts, metric, data)
        values = facts.groupby("report_id", sort=False).value_yuan.first() / 10000
        unit, change = "万元", "%"
    elif kind == "count":
        facts, metric, unit, notes = _counts(data.counts, metric[len("count:"):])
        values = facts.groupby("report_id").value.sum()
        change = "%"
    elif kind == "score":
        values = reports.set_index("report_id").score
        if not data.reports.score.notna().any():
            raise MetricError(f"score: no report states a score{_roles_stated(data)}")
        unit, change = "分", "pp"
    else:
        levels = _grade_levels(data.reports)
        if not levels.notna().any():
            raise MetricError(f"grade: no report states a grade{_roles_stated(data)}")
        values = pd.Series(levels.to_numpy(), index=data.reports.report_id)
        written = data.reports.set_index("report_id").grade
        unit, change = "", ""
    long = reports[["department_key", "department", "year", "report_id"]].copy()
    long["value"] = long.report_id.map(values)
    long["written"] = long.report_id.map(written) if written is not None else None
    long = long.drop(columns="report_id").sort_values(["department_key", "year"]).reset_index(drop=True)
    long["year"] = long.year.astype(int)
    if kind != "grade":
        long["value"] = pd.to_numeric(long["value"], errors="coerce").astype("Float64")
    long["change"] = _changes(long, change)
    years = list(range(long.year.min(), long.year.max() + 1)) if len(long) else []
    return Comparison(metric, unit, change, long, data.reports[~placed].source_path.tolist(), years, notes)


def _stated(facts: pd.DataFrame, role: str, data: Dataset) -> pd.DataFrame:
    chosen = facts[facts.role == role]
    if chosen.empty:
        raise MetricError(f"{role}: no report states one{_roles_stated(data)}")
    return chosen


def _roles_stated(data: Dataset) -> str:
    """What the folder does have, for the error line."""
    have = [r for r in RATE_ROLES if (data.rates.role == r).any()]
    have += [r for r in AMOUNT_ROLES if (data.amounts.role == r).any()]
    have += [m for m, column in (("grade", "grade"), ("score", "score")) if data.reports[column].notna().any()]
    return f" (these are stated: {', '.join(have)})" if have else " (no report states any metric)"


def _counts(counts: pd.DataFrame, wanted: str) -> tuple[pd.DataFrame, str, str, list[str]]:
    """The counts a count:… metric means, the metric as compared, its unit and notes. count:UNIT
    sums a unit's counts; count:WORD counts whose subject holds WORD in one unit, count:WORD@UNIT in
    that one, else in the unit most reports count them in (the others named in a note: 批次, 次 and 篇
    of 调研 do not add up)."""
    word, _, unit = wanted.partition("@")
    word, unit = word.strip(), unit.strip()
    units = counts.unit.fillna("")
    if not word:  # count:@UNIT is count:UNIT
        word, unit = unit, ""
    about = counts.subject.fillna("").str.contains(word, regex=False)
    if not unit and word and (units == word).any():
        facts = counts[units == word]
        return facts, f"count:{word}", word, []
    facts = counts[about & (units == unit)] if unit else counts[about]
    if facts.empty:
        raise MetricError(_no_count(counts, word, unit))
    notes = []
    if not unit:
        seen = (facts.assign(unit=facts.unit.fillna("")).groupby("unit", sort=False)
                .agg(reports=("report_id", "nunique"), facts=("report_id", "size")))
        seen = seen.sort_values(["reports", "facts"], ascending=False, kind="stable")
        unit = seen.index[0]
        facts = facts[facts.unit.fillna("") == unit]
        if len(seen) > 1:
            others = ", ".join(f"{u or '(no unit)'} ({n} report{'s' if n > 1 else ''})"
                               for u, n in seen.reports.iloc[1:].items())
            notes.append(f"count:{word} is compared in {unit or '(no unit)'} (count:{word}@{unit}), the unit most "
                         f"reports count it in; also counted in {others}: compare one with count:{word}@UNIT")
    return facts, f"count:{word}@{unit}", unit, notes


def _no_count(counts: pd.DataFrame, word: str, unit: str) -> str:
    """The error line for a count:… that matches nothing, with the close matches among the units and
    the words of the subjects seen."""
    units = counts.unit.dropna().value_counts()
    what = f"count:{word}" + (f"@{unit}" if unit else "")
    if unit:
        of_word = counts[counts.subject.fillna("").str.contains(word, regex=False)].unit.dropna().value_counts()
        if len(of_word):
            close = difflib.get_close_matches(unit, of_word.index.tolist(), n=3, cutoff=0.3)
            listed = [*close, *(u for u in of_word.index if u not in close)][:6]
            return f"{what}: no count of {word} is in {unit}; close matches: " + ", ".join(
                f"count:{word}@{u}" for u in listed)
    candidates = [f"count:{u}" for u in difflib.get_close_matches(word, units.index.tolist(), n=3, cutoff=0.5)]
    candidates += [f"count:{w}" for w in _close_words(word, counts.subject.dropna().unique())]
    if not candidates:
        return (f"{what}: no count's unit is {word!r} and no count's subject holds it (no close match); "
                f"counted units: {', '.join(f'count:{u}' for u in units.index[:8])}")
    return f"{what}: no count matches it; close matches: {', '.join(dict.fromkeys(candidates))}"


def _close_words(word: str, subjects, n: int = 5) -> list[str]:
    """Stretches of the subjects, of the word's length or one more, closest to the word (调妍 → 调研,
    from 开展调研活动): by difflib's ratio, then by characters in the same place, then by how many
    subjects hold them."""
    found: dict[str, list] = {}
    matcher = difflib.SequenceMatcher(b=word, autojunk=False)
    for subject in subjects:
        for size in (len(word), len(word) + 1):
            for start in range(len(subject) - size + 1):
                piece = subject[start:start + size]
                if piece in found:
                    found[piece][2] += 1
                    continue
                matcher.set_seq1(piece)
                ratio = matcher.ratio() if matcher.quick_ratio() >= 0.5 else 0.0
                found[piece] = [ratio, sum(a == b for a, b in zip(piece, word)), 1]
    best = sorted(((-r, -same, -times, p) for p, (r, same, times) in found.items()
                   if r >= 0.5 and p != word and len(p.strip()) > 1))
    return [p for *_, p in best[:n]]


def _grade_levels(reports: pd.DataFrame) -> pd.Series:
    """Each report's grade_level; from its grade as written where the column is empty (an output
    folder written before grade_level existed)."""
    levels = rules.grade_levels()
    from_grade = reports.grade.map(lambda g: levels.get(g) if isinstance(g, str) else None)
    return reports.grade_level.astype(object).where(reports.grade_level.notna(), from_grade)


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
    values = long["value"]  # numbers (Float64) for every kind with a change; a grade has none
    previous = values.groupby(long.department_key).shift(1)
    consecutive = long.year.groupby(long.department_key).diff() == 1
    if change == "pp":
        delta = values - previous
    else:  # relative: none from a year of 0
        delta = (values - previous) / previous.where(previous != 0) * 100
    return delta.where(consecutive).round(2)


def grade_change(previous, current) -> str:
    """A grade's change between two years, in words: 升一级, 降两级, 持平."""
    if previous not in GRADE_LEVELS or current not in GRADE_LEVELS:
        return ""
    steps = GRADE_LEVELS.index(previous) - GRADE_LEVELS.index(current)
    return "持平" if not steps else f"{'升' if steps > 0 else '降'}{'一二三'[abs(steps) - 1]}级"


# --- output -----------------------------------------------------------------------------------------

def _csv_number(value) -> str:
    if is_missing(value):
        return ""
    value = round(float(value), 6)
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_value(value, unit: str) -> str:
    if is_missing(value):
        return "—"
    if isinstance(value, str):
        return value
    if unit == "%":
        return f"{value:.2f}%"
    if unit == "万元":
        return f"{value:,.2f}"
    if unit == "分":
        return f"{value:,.4g}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def format_change(value, change: str) -> str:
    if is_missing(value) or not change:
        return ""
    return f"{value:+.2f}{' pp' if change == 'pp' else '%'}"
