"""Consistency checks between the extracted figures. A failed check marks the report `partial`; it
never drops a fact. Sums are compared within the rounding of the figures as printed (half a unit of
the last digit of each term), the stated execution rate within 0.05 percentage points or its own
rounding, whichever is larger."""
from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, Decimal, localcontext

from .. import rules
from ..model import Amount, Check, Rate
from ..numbers import decimals_of, parse_number
from . import Context, register
from .amounts import MAX_MONEY_DIGITS

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
            number = number[: -len(name)].strip()
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


@register("checks", requires=("amounts", "rates"), table="checks")
def extract_checks(ctx: Context) -> list[Check]:
    # A stated rate may be as long as the text makes it: exponents as wide as Decimal has, so that
    # comparing it overflows nothing.
    with localcontext(prec=PRECISION, Emax=MAX_EMAX, Emin=MIN_EMIN):
        return _checks(ctx)


def _checks(ctx: Context) -> list[Check]:
    first: dict[str, Amount] = {}
    for amount in ctx.results["amounts"]:
        first.setdefault(amount.role, amount)
    spent = first.get("expenditure_total")
    budget = first.get("budget_total") or first.get("budget_initial")
    parts = [first[r] for r in ("basic_expenditure", "project_expenditure") if r in first]
    personnel = [first[r] for r in ("personnel", "public_expenses") if r in first]
    sources, source_total = _sources_of(ctx.results["amounts"], first, spent), spent
    if spent and budget and sources and not _close(sources, spent):
        budget_sources = _sources_of(ctx.results["amounts"], first, budget)
        if budget_sources and _close(budget_sources, budget):
            # the sources were given for the budget, not for the spending
            sources, source_total = budget_sources, budget
    rate = next((r for r in ctx.results["rates"] if r.role == "execution_rate"), None)
    return [
        _sum_check("basic_plus_project_equals_expenditure", parts if len(parts) == 2 else [], spent,
                   "basic and project expenditure with a total"),
        _sum_check("sources_sum_to_expenditure", sources, source_total, "funding sources with a total"),
        _sum_check("personnel_plus_public_equals_basic", personnel if len(personnel) == 2 else [],
                   first.get("basic_expenditure"), "personnel and public expenses with basic expenditure"),
        _rate_check(rate, spent, budget),
    ]


def _sources_of(amounts: list[Amount], first: dict[str, Amount], total: Amount | None) -> list[Amount]:
    """The funding sources of a total: each source's figure of the total's stage (a form states every
    source for each column), else its first figure. A form's 上年结转资金 row funds the year too, so
    carryover is a source where it is stated for the total's stage."""
    stage = total.stage if total else ""
    def of_stage(role):
        return next((a for a in amounts if a.role == role and stage and a.stage == stage), None)
    sources = [of_stage(r) or first[r] for r in SOURCES if r in first]
    carryover = of_stage("carryover")
    return sources + [carryover] if sources and carryover else sources


def _close(parts: list[Amount], total: Amount) -> bool:
    return _sum_check("", parts, total, "").status == "pass"
