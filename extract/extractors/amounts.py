"""Amounts of money: a number and its unit (元, 千元, 万元, 亿元, traditional forms too), the label
that names it and the role the label maps to (rules/amounts.yaml)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, localcontext

import regex

from .. import rules
from ..glued import glued_runs, glued_weight, split_row
from ..model import Amount
from ..numbers import number_pattern, parse_number
from ..spans import clean_label, label_before, make_span, sentence_bounds, simplified
from ..table_words import UNIT_NOTE, column_kind, column_name, config, is_whole_row
from . import Context, register
from .text_tables import BARE_FIGURE, figure_cells, in_tables, indicator_cells, indicator_name_at, number_of

CENT = Decimal("0.01")
# Money has at most this many digits before its point, in the unit written. A government's whole
# budget is about 14 digits in yuan; a longer run is a code, an account number or cells run together,
# not money, and no fact.
MAX_MONEY_DIGITS = 20


@functools.cache
def _config():
    cfg = rules.load("amounts")
    units = "|".join(sorted(map(regex.escape, cfg["units"]), key=len, reverse=True))
    # A number may have a space after its point as a PDF's text gives it (35. 3万元).
    pattern = regex.compile(rf"(?:(?P<spaced>(?<![\d,])\d[\d,]*\. \d+)|{number_pattern()})[ \t]*(?P<unit>{units})")
    return cfg, pattern, regex.compile(cfg["label_counts"])


@functools.cache
def _role_rules():
    cfg = rules.load("amounts")
    # A role's label words as one search: one call in place of an `in` for each word.
    compiled = [(r["role"], regex.compile("|".join(map(regex.escape, r["patterns"]))) if r.get("patterns") else None,
                 regex.compile(r["total"]) if "total" in r else None)
                for r in cfg["roles"]]
    qualifiers = regex.compile(cfg["total_qualifiers"])
    whole_endings = tuple(rules.load("metadata")["org_suffixes"]) + tuple(cfg["total_qualifier_endings"])
    split = regex.compile(rf"^(?:{'|'.join(map(regex.escape, cfg['split_openings']))})(?!.*(?:{'|'.join(cfg['sum_words'])}))"
                          rf"|{cfg['document_number']}")
    return compiled, qualifiers, (whole_endings, tuple(cfg["budget_qualifier_endings"])), split


def classify(label: str) -> tuple[str, bool]:
    """(role, is a component's figure). A total's words after a component's name (田间工程建设预算)
    give `other`, flagged as a component so that figures paired with it stay `other` too."""
    compiled, qualifiers, (whole_endings, budget_endings), split = _role_rules()
    label = simplified(label)
    if split.search(label):
        return "other", False  # one level of government's share, or one allocating document's
    # A change (比上年增加) is never a total; otherwise the role word nearest the figure names it
    # (一般公共预算财政拨款基本支出 is basic expenditure).
    found = [(m.end(), role) for role, words, total in compiled if words and (m := _last(words, label))]
    if found:
        return ("other" if any(role == "other" for _, role in found) else max(found)[1]), False
    for role, words, total in compiled:
        m = total.search(label) if total else None
        if m:
            qualifier = label[:m.start()]
            if (qualifiers.match(qualifier) or qualifier.endswith(whole_endings)
                    or role in ("budget_total", "budget_initial") and qualifier.endswith(budget_endings)):
                return role, False
            return "other", True
    return "other", False


@functools.cache
def _stage_rules():
    cfg = rules.load("amounts")
    words = [(w, stage) for stage, ws in cfg["stages"].items() for w in ws]
    pattern = regex.compile("|".join(f"(?P<s{i}>{regex.escape(w)})" for i, (w, _) in enumerate(words)))
    return pattern, [stage for _, stage in words], cfg["stage_of_role"]


@functools.cache
def _row_roles():
    return [(r["role"], regex.compile("|".join(map(regex.escape, r["patterns"]))))
            for r in rules.load("amounts")["row_roles"]]


def stage_of(words: str, role: str = "") -> str:
    """The budget stage a figure's total role implies (an 执行数 is spent money: its role comes from
    the words nearest the figure, so a stage word inside a name, 兑现低收入农户…资金, does not
    override it); else that of the last stage word in the words; else ''."""
    pattern, stages, of_role = _stage_rules()
    if role in of_role:
        return of_role[role]
    last = _last(pattern, simplified(words))
    return stages[int(last.lastgroup[1:])] if last is not None else ""


def row_role(row_label: str) -> str:
    """The role of a form's budget-block row (其中：当年财政拨款 → source_general_public_budget)."""
    for role, words in _row_roles():
        if words.search(simplified(row_label)):
            return role
    return "other"


def _last(pattern: regex.Pattern, text: str, pos: int = 0, endpos: int | None = None):
    """The last match of pattern in text[pos:endpos], or None."""
    last = None
    for last in pattern.finditer(text, pos, len(text) if endpos is None else endpos):
        pass
    return last


TOTAL_ROLES = ("budget_initial", "budget_total", "expenditure_total", "funds_received")


def _dated(role: str, stage: str) -> str:
    """A budget its words date to the year's start (2022年初…资金预算安排) is the initial budget."""
    return "budget_initial" if role == "budget_total" and stage == "budget_initial" else role


def find_amounts(text: str):
    """(start, end, value in yuan) for every amount of money in text."""
    cfg, pattern, _ = _config()
    bare, money_words = _bare_wan()
    lookback = cfg["bare_wan"]["lookback"]
    found = [(m, m.group("unit")) for m in pattern.finditer(text)]
    found += [(m, "万元") for m in bare.finditer(text) if money_words.search(text, max(0, m.start() - lookback), m.start())]
    for m, unit in sorted(found, key=lambda f: f[0].start()):
        spaced = m.groupdict().get("spaced")
        start, digits = m.start(), spaced.replace(" ", "") if spaced else m.group("num")
        if m.re is pattern and not spaced and (width := glued_weight(text, m, pattern)):
            start, digits = m.start("num") + width, digits[width:]  # 办公所需成本415万元15万元: 4 | 15万元
        number = parse_number(digits)
        value = in_yuan(number, unit) if number is not None else None
        if value is not None:
            yield start, m.end(), value


@functools.cache
def _bare_wan():
    """A number and a bare 万 that no word follows; the money words one of which must stand before it."""
    cfg = rules.load("amounts")["bare_wan"]
    units = "|".join(map(regex.escape, cfg["units"]))
    bare = regex.compile(rf"{number_pattern()}[ \t]*(?:{units})(?![\p{{Han}}A-Za-z0-9])")
    return bare, regex.compile("|".join(map(regex.escape, cfg["money_words"])))


def in_yuan(number: Decimal, unit: str) -> Decimal | None:
    """A number in a money unit as yuan, to the cent; None when it is too long to be money."""
    if number.adjusted() >= MAX_MONEY_DIGITS:
        return None
    # Exact whatever its decimals: the number's digits, nine more for the unit (亿元 is 100000000)
    # and two for the cents. The default context keeps 28 digits and raises on a quantize past them.
    with localcontext(prec=len(number.as_tuple().digits) + 11):
        return (number * Decimal(_config()[0]["units"][unit])).quantize(CENT)


@register("amounts", requires=("text_tables",), table="amounts")
def extract_amounts(ctx: Context) -> list[Amount]:
    cfg, _, label_counts = _config()
    text = ctx.doc.text
    facts: list[Amount] = []
    component_sentence = None  # the sentence (its bounds) in which a component's figure was last seen
    total_stage = (None, "")  # the sentence and stage of the last total with a stage
    previous_end = 0
    tables = ctx.results["text_tables"]
    for start, end, value in find_amounts(text):
        if in_tables(tables, start):
            continue  # read cell by cell below
        label = clean_label(label_before(text, start, cfg["connectors"], floor=previous_end), cfg["label_prefixes"])
        label = label_counts.sub("", _after_split(label, cfg["label_splits"])) or label
        if not label and (sum_word := _SUM_BEFORE.search(text, max(0, start - 4), start)):
            label = sum_word.group(1)  # …16万元，共计84.47万元: the sum of the figures before it
        indicator = indicator_name_at(tables, start)  # an indicator row's target or actual: its indicator
        label = indicator or label
        span = make_span(ctx, start, end)
        sentence = sentence_bounds(text, start, end)
        role, component = ("other", False) if indicator else classify(label)
        if component:
            component_sentence = sentence
        elif role in TOTAL_ROLES and sentence == component_sentence and _bare(label):
            role = "other"  # 实际支出 right after 田间工程建设预算 is that component's spending
        stage = "" if indicator else stage_of(label, role)
        role = _dated(role, stage)
        if not stage and not indicator and total_stage[0] == sentence and label.endswith(tuple(cfg["fund_words"])):
            # 支出2310.4万元，其中中央资金1352.2万元: the funds that spending came from; the items it
            # went to (其中村级组织运转 43.9万元) are not said to be at a stage
            stage = total_stage[1]
        if role in TOTAL_ROLES and stage:
            total_stage = (sentence, stage)
        facts.append(Amount(label=label, role=role, stage=stage, value_yuan=value, span=span))
        previous_end = end
    facts.extend(_table_amounts(ctx))
    facts.extend(_bare_indicator_amounts(ctx))
    facts.extend(_unit_block_amounts(ctx, {(a.span.char_start, a.span.char_end) for a in facts}))
    facts.extend(_glued_row_amounts(ctx))
    facts.sort(key=lambda a: a.span.char_start)
    return facts


# After a figure, a money unit or a measure word: the figure is no bare cell of a form.
UNIT_AFTER = r"\s*(?:万|千|亿|元|个|人|年|月|日|次|项|户)"
_SUM_BEFORE = regex.compile(r"(共计|合计|总计)[为是：:]?\s*$")
_ROW_NUMBERS = regex.compile(r"行次|栏次|列次")
_ROW_NUMBER = regex.compile(r"\d{1,2}")
_NEXT_FIGURE = regex.compile(r"[ \t]+(?P<num>\d+(?:\.\d+)?)(?![\d.%％])")
# The rest of a numbered row's cells, which may wrap onto the next line: more figures and rates.
_ROW_CELL = regex.compile(rf"\s+(?P<num>\d+(?:\.\d+)?)(?P<pct>[%％])?(?![\d.]|{UNIT_AFTER})")
# How far above a block its 行次 header may stand.
ROW_NUMBER_LOOKBACK = 3
_OPEN_ASIDE = regex.compile(r"[（(][^（()）]*$")
# A unit declared for the figures that follow: 金额单位：万元, or a label's (万元) note.
_DECLARED_UNIT = regex.compile(r"(?:金额单位|单位)\s*[：:]\s*(?P<unit>万元|千元|亿元|元)|[（(](?P<note>万元|千元|亿元|元)[)）]")
# A label and its bare figure: words, perhaps a colon or a closing bracket, then a number that no unit,
# percent sign or further digit follows.
_LABELLED_FIGURE = regex.compile(
    rf"(?P<label>\p{{Han}}[^\d\s%％:：，。；]{{0,30}}?)[\s:：)）]*(?P<num>(?<![\d.])\d+(?:\.\d+)?)(?![\d.%％]|{UNIT_AFTER}|\s*%)")


def _unit_block_amounts(ctx: Context, found: set[tuple[int, int]]) -> list[Amount]:
    """Bare figures after their labels on the lines that follow a declared money unit (a form flattened
    to label–value lines), outside tables and sentences; a figure already read is not read again."""
    cfg = _config()[0]
    text, tables = ctx.doc.text, ctx.results["text_tables"]
    lines = list(ctx.doc.paragraphs())
    facts: list[Amount] = []
    for k, (start, end) in enumerate(lines):
        declared = _DECLARED_UNIT.search(text, start, end)
        if declared is None:
            continue
        unit = declared.group("unit") or declared.group("note")
        block = lines[k:k + cfg["unit_block_lines"]]
        # A form that numbers its rows (行次 1, 2 …) puts the row's number before its first figure.
        numbered = _ROW_NUMBERS.search(text, lines[max(0, k - ROW_NUMBER_LOOKBACK)][0], block[-1][1])
        columns: list[str] = []  # the money columns a header line of the block names
        for line_start, line_end in block:
            # a label's own note (年度资金总额(万元): 52.8) is read with its label; 单位：万元 is not a label
            scan_from = declared.end() if line_start == start and declared.group("unit") else line_start
            if "\t" in text[line_start:line_end]:
                break  # a table: the block has ended
            sentence = text.find("。", scan_from, line_end)  # so has it where a sentence ends
            pairs = list(_LABELLED_FIGURE.finditer(text, scan_from, line_end if sentence < 0 else sentence))
            if not pairs:
                columns = _pair_columns(text[scan_from:line_end])
            # label–value pairs under column headers, a row at a time (预算数 6.84 到位数 6.84 执行数 6.84
            # under 预算安排情况(调整后) 资金到位情况 资金执行情况): the k-th pair of a row is the k-th column's
            by_column = len(columns) > 1 and len(pairs) % len(columns) == 0
            for j, m in enumerate(pairs):
                span = (m.start("num"), m.end("num"))
                if numbered and _ROW_NUMBER.fullmatch(m.group("num")):
                    after = _NEXT_FIGURE.match(text, span[1], line_end)
                    if after is None:
                        continue  # a row's number and no figure
                    span = after.span("num")
                if span in found or in_tables(tables, span[0]):
                    continue
                # an aside the separator closed (本级资金(包括结转结余) 73.25) is not part of the label
                label = clean_label(_OPEN_ASIDE.sub("", m.group("label")), cfg["label_prefixes"])
                tail = label[-cfg["unit_block_label_tail"]:]
                if (not any(word in tail for word in cfg["unit_block_label_words"])
                        or len(text[slice(*span)].split(".")[0]) > cfg["unit_block_digits"]):
                    continue  # no money label, or digits run together
                if numbered:
                    cells = _numbered_row(text, m.start(), label, span)
                elif by_column:
                    role, stage = classify(label)[0], stage_of(columns[j % len(columns)])
                    role = _dated(role, stage) if role in TOTAL_ROLES else row_role(label)
                    cells = [(span, label, role, stage)]
                else:
                    role = classify(label)[0]
                    cells = [(span, label, role, stage_of(label, role))]
                for cell, cell_label, role, stage in cells:
                    number = parse_number(text[slice(*cell)])
                    if cell in found or number is None or (value := in_yuan(number, unit)) is None:
                        continue
                    found.add(cell)
                    facts.append(Amount(label=cell_label, role=role, stage=stage, value_yuan=value,
                                        span=make_span(ctx, *cell)))
            if sentence >= 0:
                break
    return facts


# The header cell over a form's row numbers, and how far above a row its header may begin.
_ROW_NUMBER_HEADER = regex.compile(r"行次|栏次")
HEADER_LOOKBACK = 600
_COLUMN_FORMULA = regex.compile(r"[（(][^（()）]*[)）]")
# The total role of a whole row's cell under a column of this stage.
_TOTAL_ROLE_OF_STAGE = {"budget_initial": "budget_initial", "budget_adjusted": "budget_total",
                        "received": "funds_received", "executed": "expenditure_total"}


def _form_cell_role(row_label: str, stage: str) -> str:
    """A form cell's role: a part's row names it (其中：当年财政拨款); the whole row's cell is the total
    of its column's stage (年度资金总额 under 全年执行数 is expenditure_total)."""
    if not is_whole_row(row_label):
        return row_role(row_label)
    return _TOTAL_ROLE_OF_STAGE.get(stage) or classify(row_label)[0]


def _numbered_row(text: str, row_start: int, label: str, first: tuple[int, int]) -> list[tuple[tuple[int, int], str, str, str]]:
    """The money cells of a numbered form row, from its first figure on, up to the row's next words
    (it may wrap onto the next line), each as (span, label, role, stage). The columns come from the
    header after 行次: where the figures between two rates are as many as the money columns there,
    each is its column's; otherwise only the first is known to be its group's first column (a form
    leaves cells empty, and which is not said). Rates are passed over: they are the rates extractor's."""
    row_label = _from_whole_row_name(label)
    cells, end = [(first, False)], first[1]
    while (cell := _ROW_CELL.match(text, end)) is not None:
        cells.append((cell.span("num"), bool(cell.group("pct"))))
        end = cell.end()
    header = _last(_ROW_NUMBER_HEADER, text, max(0, row_start - HEADER_LOOKBACK), row_start)
    columns = _between_rates(_header_columns(text[header.end():row_start]) if header else [], lambda c: c[1] == "rate")
    row = []
    for i, group in enumerate(_between_rates(cells, lambda c: c[1])):
        names = columns[i] if i < len(columns) else []
        known = names if len(group) == len(names) else names[:1]
        for k, (span, _) in enumerate(group):
            if k >= len(known):
                role = classify(row_label)[0]
                row.append((span, row_label, role, stage_of(row_label, role)))
                continue
            column = column_name(known[k][0])
            stage = stage_of(column)
            row.append((span, f"{row_label} {column}", _form_cell_role(row_label, stage), stage))
    return row


def _header_columns(header: str) -> list[tuple[str, str]]:
    """The money and rate columns a numbered form's header names, as (name, kind), in order: a
    formula written under its name ((A), (D/C×100%)) is part of it; the header ends at the first
    figure or at the row of column numbers (列次 0 1 2 …)."""
    columns: list[list[str]] = []
    for token in header.split():
        if _ROW_NUMBERS.match(token) or token[0].isdigit():
            break
        if _COLUMN_FORMULA.fullmatch(token) and columns:
            columns[-1][0] += token
        else:
            columns.append([token])
    named = [(name, "rate" if "%" in name else column_kind(name)) for name, in columns]
    return [(name, kind) for name, kind in named if kind is not None]


# A section's number opening a header line (二、预算执行情况): not a column.
_SECTION_NUMBER = regex.compile(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]")


def _pair_columns(line: str) -> list[str]:
    """The money columns a figure-less line names, when it names at least two (a header over
    label–value pairs), else none."""
    names = [token for token in line.split() if not _SECTION_NUMBER.match(token)]
    money = [name for name in names if column_kind(name) == "money"]
    return money if len(money) > 1 else []


def _between_rates(items: list, is_rate) -> list[list]:
    """items cut into the runs that come before, between and after the rate items (rates dropped)."""
    runs: list[list] = [[]]
    for item in items:
        if is_rate(item):
            runs.append([])
        else:
            runs[-1].append(item)
    return runs


def _from_whole_row_name(label: str) -> str:
    """A row label from the whole row's name within it: the header cell a layout glued before it
    (上传端口年度资金总额 → 年度资金总额) is not the row's."""
    starts = [label.find(word) for word in config()["whole_rows"] if word in label]
    return label[min(starts):] if starts else label


# The columns of a budget row before its rate, by how many figures it has: (column, stage).
_GLUED_COLUMNS = {
    2: (("全年预算数", "budget_adjusted"), ("全年执行数", "executed")),
    3: (("年初预算数", "budget_initial"), ("全年预算数", "budget_adjusted"), ("全年执行数", "executed")),
}
# How far before a glued row its block's unit note (项目资金(万元)) may stand.
GLUED_UNIT_LOOKBACK = 400


def _row_label_before(text: str, start: int) -> str:
    """The row's label, without the block's column names run together before it (…全年执行数(B)
    预算执行率(B/A)年度资金总额)."""
    cfg = _config()[0]
    label = clean_label(label_before(text, start, cfg["connectors"]), cfg["label_prefixes"]).rstrip("：: ")
    cut = max((m.end() for m in _GLUED_COLUMN_NAME.finditer(label)), default=0)
    return label[cut:] or label


# The last words of a budget block's column names (执行率, 全年执行数, (B/A)).
_GLUED_COLUMN_NAME = regex.compile(r"执行率|执行数|预算数|得分|分值|[(（][A-Z/×*%]+[)）]")


def glued_unit(text: str, start: int) -> str | None:
    """The money unit of the budget block a glued row at start stands in: the last (万元) note within
    GLUED_UNIT_LOOKBACK characters before it, else None (then it is no block's row)."""
    note = _last(UNIT_NOTE, text, max(0, start - GLUED_UNIT_LOOKBACK), start)
    return note.group("unit") if note else None


# Before a glued row: the block's unit note or its rate column's name; never a sentence's verb.
_BUDGET_BLOCK = regex.compile(r"执行率|执行数|预算数")
_SENTENCE_VERB = regex.compile(r"[为是达约到的]\s*$")


def _in_budget_block(text: str, start: int) -> bool:
    """Whether a run of digits at start is a budget block's row (其中:中央补助40004000100%), not a
    sentence's figure (执行率为1111100.00%)."""
    before = text[max(0, start - GLUED_UNIT_LOOKBACK):start]
    return ((glued_unit(text, start) is not None or _BUDGET_BLOCK.search(before) is not None)
            and not _SENTENCE_VERB.search(before))


def glued_rate_label(row_label: str) -> tuple[str, str]:
    """A glued budget row's rate: the whole row's is the execution rate, a part's is other."""
    return (f"{row_label} 执行率".strip(), "execution_rate" if is_whole_row(row_label) else "other")


@dataclass(frozen=True)
class GluedRow:
    """A budget block's row whose cells ran together before its rate (其中:中央补助40004000100%)."""
    start: int  # where its run of digits starts
    run: str
    pieces: list[tuple[int, int]]  # each figure's (start, end) in run, the rate last
    label: str
    unit: str | None  # the block's (万元) note above it


@functools.lru_cache(maxsize=4)
def glued_rows(text: str) -> list[GluedRow]:
    """The text's glued budget rows, found once for the amounts and the rates they hold."""
    rows = []
    for m in glued_runs(text):
        pieces = split_row(m.group("run"))
        if pieces and _in_budget_block(text, m.start()):
            rows.append(GluedRow(m.start(), m.group("run"), pieces, _row_label_before(text, m.start()),
                                 glued_unit(text, m.start())))
    return rows


def _glued_row_amounts(ctx: Context) -> list[Amount]:
    """The figures of a budget row whose cells ran together before its rate (其中:中央补助40004000100%),
    in the unit of the block's (万元) note above it, with the row's role and the columns' stages."""
    facts = []
    for row in glued_rows(ctx.doc.text):
        if row.unit is None:
            continue
        for (a, b), (column, stage) in zip(row.pieces, _GLUED_COLUMNS[len(row.pieces) - 1]):
            number = parse_number(row.run[a:b])
            value = in_yuan(number, row.unit) if number is not None else None
            if value is not None:
                facts.append(Amount(label=f"{row.label} {column}".strip(), role=_form_cell_role(row.label, stage),
                                    stage=stage, value_yuan=value, span=make_span(ctx, row.start + a, row.start + b)))
    return facts


def _bare_indicator_amounts(ctx: Context) -> list[Amount]:
    """An indicator row's bare actual (132.9) beside a target in money (≤202.6万元) is money in the
    target's unit; its label is the indicator's name."""
    _, pattern, _ = _config()
    facts = []
    for table in ctx.results["text_tables"]:
        for cells in indicator_cells(table):
            target, actual, name = cells.get("target"), cells.get("actual"), cells.get("level3")
            money = pattern.search(target.text) if target is not None else None
            bare = BARE_FIGURE.fullmatch(actual.text.strip()) if actual is not None and actual.text else None
            if money is None or bare is None or (number := parse_number(bare.group("num"))) is None:
                continue
            value = in_yuan(number, money.group("unit"))
            if value is not None:
                start = actual.start + actual.text.index(bare.group("num"))
                facts.append(Amount(label=name.text if name is not None else "", role="other", stage="",
                                    value_yuan=value, span=make_span(ctx, start, start + len(bare.group("num")))))
    return facts


def _after_split(label: str, splits: list[str]) -> str:
    cut = max((label.rfind(w) + len(w) for w in splits if w in label), default=0)
    return label[cut:].lstrip("：: ") or label


def _bare(label: str) -> bool:
    """A label that is only a total's core words, with no qualifier of its own."""
    compiled, *_ = _role_rules()
    return any(total and (m := total.search(label)) and m.start() == 0 for _, _, total in compiled)


def _table_amounts(ctx: Context) -> list[Amount]:
    """Numbers under a money column of a figure table whose unit is given (单位：万元, 金额（万元）)."""
    facts = []
    for table in ctx.results["text_tables"]:
        for cell in figure_cells(table):
            number = number_of(cell.text)
            if cell.percent or cell.unit is None or number is None:
                continue
            value = in_yuan(number, cell.unit)
            if value is None:
                continue
            role = classify(cell.header)[0] if cell.whole_row else row_role(cell.row_label)
            facts.append(Amount(label=cell.label, role=role, stage=stage_of(cell.header, role), value_yuan=value,
                                span=make_span(ctx, cell.start, cell.end)))
    return facts
