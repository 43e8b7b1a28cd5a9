"""Consistency checks between the extracted figures. A failed check marks the report `partial`; it
never drops a fact. Sums are compared within the rounding of the figures as printed (half a unit of
the last digit of each term), the stated execution rate within 0.05 percentage points or its own
rounding, whichever is larger."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from decimal import MAX_EMAX, MIN_EMIN, Decimal, localcontext

from .. import rules
from ..model import Amount, Check, Rate
from ..numbers import decimals_of, parse_number
from . import Context, register
from .amounts import MAX_MONEY_DIGITS
from .text_tables import TextTable

SOURCES = ("source_general_public_budget", "source_government_fund", "source_state_capital", "source_other")
RATE_TOLERANCE = Decimal("0.05")
# Money in yuan has at most MAX_MONEY_DIGITS + 8 digits (亿元) and its cents; ten more keep sums of
# them exact, which the default context (28 digits) would round.
PRECISION = MAX_MONEY_DIGITS + 8 + 2 + 10


def _printed(amount: Amount) -> tuple[str, tuple[str, Decimal]]:
    """The number as printed and its unit (name, yuan per unit). A table cell prints a bare number
    whose unit stood in the table's header, so the unit is read off value / number, not off raw."""
    units = rules.load("amounts")["units"]
    number = amount.span.raw
    for name in sorted(units, key=len, reverse=True):
        if number.endswith(name):
            number = number[: -len(name)].strip().replace(". ", ".")  # 35. 3万元 as a PDF spaced it
            break
    value = parse_number(number)
    factor = amount.value_yuan / value if value else Decimal(1)
    name = next((n for n, f in units.items() if Decimal(f) == factor), "元")
    return number, (name, Decimal(units.get(name, 1)))


def _unit(amount: Amount) -> tuple[str, Decimal]:
    return _printed(amount)[1]


def _half_unit(amount: Amount) -> Decimal:
    """How far the true figure may be from the printed one; an exact zero is exact."""
    if amount.value_yuan == 0:
        return Decimal(0)
    number, (_, factor) = _printed(amount)
    return factor * Decimal(1).scaleb(-decimals_of(number)) / 2


def _show(value: Decimal, unit: tuple[str, Decimal]) -> str:
    return f"{(value / unit[1]).normalize():f} {unit[0]}"


def _sum_check(name: str, parts: list[Amount], total: Amount | None, missing: str) -> Check:
    if total is None or not parts:
        return Check(name, "skipped", "", "", f"no {missing} stated")
    unit = _unit(total)
    observed = sum((p.value_yuan for p in parts), Decimal(0))
    tolerance = sum((_half_unit(a) for a in parts + [total]), Decimal(0))
    status = "pass" if abs(observed - total.value_yuan) <= tolerance else "fail"
    terms = " + ".join(_show(p.value_yuan, unit).rsplit(" ", 1)[0] for p in parts)
    return Check(name, status, _show(total.value_yuan, unit), _show(observed, unit),
                 f"{terms} = {_show(observed, unit)}; stated {total.label} {_show(total.value_yuan, unit)}")


def _rate_check(rate: Rate | None, spent: Amount | None, budget: Amount | None) -> Check:
    name = "execution_rate_matches"
    if rate is None or spent is None or budget is None or budget.value_yuan == 0:
        return Check(name, "skipped", "", "", "needs a stated execution rate, expenditure and budget")
    computed = spent.value_yuan / budget.value_yuan * 100
    tolerance = max(RATE_TOLERANCE, Decimal(1).scaleb(-decimals_of(rate.span.raw.rstrip("% "))) / 2)
    status = "pass" if abs(computed - rate.value_pct) <= tolerance else "fail"
    unit = _unit(budget)
    return Check(name, status, f"{rate.value_pct}%", f"{computed:.2f}%",
                 f"{_show(spent.value_yuan, unit).rsplit(' ', 1)[0]} / {_show(budget.value_yuan, unit)} = "
                 f"{computed:.2f}% ~ {rate.value_pct}%")


@register("checks", requires=("amounts", "rates", "text_tables", "metadata"), table="checks")
def extract_checks(ctx: Context) -> list[Check]:
    # A stated rate may be as long as the text makes it: exponents as wide as Decimal has, so that
    # comparing it overflows nothing.
    with localcontext(prec=PRECISION, Emax=MAX_EMAX, Emin=MIN_EMIN):
        return _checks(ctx)


def _checks(ctx: Context) -> list[Check]:
    """Each check compares figures stated together: a table's total with the parts in that table, a
    total in prose with the parts stated in its part of the report, a rate with the expenditure and
    budget of its part (see _context_of). Figures from different tables or parts (a 决算's eight
    tables, a budget on page 2 and a rate on page 9) are not one statement and are not compared."""
    amounts = ctx.results["amounts"]
    # A 决算 or 预算 explains one table per section; a self-evaluation splits one statement of the
    # year's money over sibling sections.
    meta = ctx.results.get("metadata")
    where = _context_of(amounts, ctx.results["text_tables"], by_parent=not meta or meta.report_type != "other")
    rate = next((r for r in ctx.results["rates"] if r.role == "execution_rate"), None)
    spent, budget = _rate_figures(amounts, rate, where)
    return [
        _parts_check("basic_plus_project_equals_expenditure", amounts, where, "expenditure_total",
                     ("basic_expenditure", "project_expenditure"), "basic and project expenditure with a total"),
        _sources_check(amounts, where),
        _parts_check("personnel_plus_public_equals_basic", amounts, where, "basic_expenditure",
                     ("personnel", "public_expenses"), "personnel and public expenses with basic expenditure"),
        _rate_check(rate, spent, budget),
    ]


def _context_of(amounts: list[Amount], tables: list[TextTable], by_parent: bool) -> Callable[[Amount | Rate], list[Amount]]:
    """The amounts stated together with a figure, in text order: those in its part of the report
    (by_parent: a section's parent, so that sibling sections 一、预算安排情况 / 二、支出执行情况 /
    三、资金来源 are one statement of the year's money; else the section itself), and not in another
    table than its own. Built once per place: a 决算 has thousands of figures in a few places."""
    starts = [t.start for t in tables]

    def place(fact: Amount | Rate) -> tuple[str, int | None]:
        offset = fact.span.char_start
        i = bisect_right(starts, offset) - 1
        path = fact.span.section_path.split(" / ")
        part = " / ".join(path[:-1] if by_parent and len(path) > 1 else path)
        return part, (i if i >= 0 and offset < tables[i].end else None)

    places = [place(a) for a in amounts]
    together: dict[tuple[str, int | None], list[Amount]] = {}

    def where(fact: Amount | Rate) -> list[Amount]:
        key = place(fact)
        if key not in together:
            part, table = key
            together[key] = [a for a, (p, t) in zip(amounts, places)
                             if p == part and (table is None or t is None or t == table)]
        return together[key]
    return where


def _first(amounts: list[Amount], role: str) -> Amount | None:
    return next((a for a in amounts if a.role == role), None)


def _parts_check(name: str, amounts: list[Amount], where, total_role: str, part_roles: tuple[str, ...],
                 missing: str) -> Check:
    """The first total stated with every part, against those parts; against the budget stated with
    them where the parts were given for the budget (按支出性质分 under 年度预算 in a form)."""
    searched = set()  # places (where() keeps one list per place, so its id names it) looked at already
    for total in (a for a in amounts if a.role == total_role):
        here = where(total)
        if id(here) in searched:
            continue
        searched.add(id(here))
        parts = [_first(here, role) for role in part_roles]
        if all(parts):
            budget = _first(here, "budget_total") or _first(here, "budget_initial")
            if total_role == "expenditure_total" and budget and not _close(parts, total) and _close(parts, budget):
                total = budget
            return _sum_check(name, parts, total, missing)
    return _sum_check(name, [], None, missing)


def _sources_check(amounts: list[Amount], where) -> Check:
    """The funding sources against the expenditure they are stated with, or against the budget where
    the sources were given for the budget."""
    name, missing = "sources_sum_to_expenditure", "funding sources with a total"
    tried = set()  # (place, stage) pairs that stated no sources: the same for every total there
    for spent in (a for a in amounts if a.role == "expenditure_total"):
        here = where(spent)
        if (id(here), spent.stage) in tried:
            continue
        tried.add((id(here), spent.stage))
        first = {}
        for amount in here:
            first.setdefault(amount.role, amount)
        sources = _sources_of(here, first, spent)
        if not sources:
            continue
        budget = first.get("budget_total") or first.get("budget_initial")
        if budget and not _close(sources, spent):
            budget_sources = _sources_of(here, first, budget)
            if budget_sources and _close(budget_sources, budget):
                return _sum_check(name, budget_sources, budget, missing)
        return _sum_check(name, sources, spent, missing)
    return _sum_check(name, [], None, missing)


def _rate_figures(amounts: list[Amount], rate: Rate | None, where) -> tuple[Amount | None, Amount | None]:
    """The expenditure and the budget stated with the rate."""
    if rate is None:
        return None, None
    here = where(rate)
    return _first(here, "expenditure_total"), _first(here, "budget_total") or _first(here, "budget_initial")


def _sources_of(amounts: list[Amount], first: dict[str, Amount], total: Amount | None) -> list[Amount]:
    """The funding sources of a total: the sources' figures of the total's stage (a form states every
    source for each column), else each source's first figure. A form's 上年结转资金 row funds the year too, so
    carryover is a source where it is stated for the total's stage."""
    stage = total.stage if total else ""

    def of_stage(role):
        return next((a for a in amounts if a.role == role and stage and a.stage == stage), None)
    staged = [source for r in SOURCES if (source := of_stage(r))]
    # Sources of the total's stage, else sources of no stated stage: a 决算's 收入 (received) are not
    # the sources of its 支出 (executed).
    sources = staged or [first[r] for r in SOURCES if r in first and first[r].stage in ("", stage)]
    carryover = of_stage("carryover")
    return sources + [carryover] if sources and carryover else sources


def _close(parts: list[Amount], total: Amount) -> bool:
    return _sum_check("", parts, total, "").status == "pass"
