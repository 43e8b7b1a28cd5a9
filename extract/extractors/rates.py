"""Rates: percentages with the label before them and a role (execution_rate, funds_received_rate)."""
from __future__ import annotations

import bisect
import functools
import math

import regex

from .. import rules
from ..glued import glued_weight
from ..model import Rate
from ..numbers import arabic_pattern, parse_number
from ..spans import clean_label, label_before, make_span, role_for, sentence_bounds
from . import Context, register
from .amounts import UNIT_AFTER, classify, glued_rate_label, glued_rows
from .text_tables import figure_cells, in_tables, indicator_name_at, number_of

@functools.cache
def _config():
    return rules.load("rates")


@functools.cache
def _percent():
    return regex.compile(rf"(?P<num>{arabic_pattern()})[ \t]*%|百分之(?P<cn>[零〇一二两三四五六七八九十百点]+)")


@register("rates", requires=("amounts", "text_tables"), table="rates")
def extract_rates(ctx: Context) -> list[Rate]:
    cfg = _config()
    text = ctx.doc.text
    tables = ctx.results["text_tables"]
    # A rate stated beside one component's figures (田间工程建设预算 …, 完成预算的 97.13%) is that
    # component's, not the report's.
    component_sentences = {sentence_bounds(text, a.span.char_start, a.span.char_end)
                           for a in ctx.results["amounts"] if classify(a.label)[1]}
    facts = []
    previous_end = 0
    glued = _glued_rates(ctx)
    glued_spans = [(r.span.char_start - offset, r.span.char_end) for r, offset in glued]  # in text order
    percent = _percent()
    for m in percent.finditer(text):
        start, digits = m.start(), m.group("num") or m.group("cn")
        if m.group("num") and (width := glued_weight(text, m, percent)):
            start, digits = start + width, digits[width:]  # 农药使用量较上年减少82%2%8: 8 | 2%
        if _in_spans(glued_spans, start):
            continue  # read as a glued row's rate below
        value = parse_number(digits)
        if value is None:
            continue
        if in_tables(tables, start):
            continue  # read cell by cell below
        if text[max(0, start - 3):start].rstrip().endswith(tuple(cfg["formula_marks"])):
            continue  # ×100%: how a rate is computed, not a rate
        label = clean_label(label_before(text, start, cfg["connectors"], floor=previous_end), cfg["label_prefixes"])
        label = indicator_name_at(tables, start) or label  # an indicator row's target or actual: its indicator
        span = make_span(ctx, start, m.end())
        in_component_sentence = sentence_bounds(text, start, m.end()) in component_sentences
        role = "other" if in_component_sentence else role_for(label, cfg["roles"])
        facts.append(Rate(label=label, role=role, value_pct=value, span=span))
        previous_end = m.end()
    facts.extend(rate for rate, _ in glued)
    facts.extend(_table_rates(ctx))
    facts.extend(_percent_column_rates(ctx, facts))
    facts.sort(key=lambda r: r.span.char_start)
    return facts


def _in_spans(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether offset is in one of the spans (in text order, none overlapping): a bisection, where a
    look at each span for each percentage was quadratic in a run of glued rows."""
    i = bisect.bisect_right(spans, (offset, math.inf)) - 1
    return i >= 0 and offset < spans[i][1]


_PERCENT_SIGN = regex.compile(r"\s*[%％]")


def _glued_rates(ctx: Context) -> list[tuple[Rate, int]]:
    """The rate closing each budget row whose cells ran together (28.5036.5036.0098.63%), with how
    far before the rate its run of glued cells starts."""
    text, rates = ctx.doc.text, []
    for row in glued_rows(text):
        start, run_end = row.start + row.pieces[-1][0], row.start + len(row.run)
        end = _PERCENT_SIGN.match(text, run_end).end()
        label, role = glued_rate_label(row.label)
        rates.append((Rate(label=label, role=role, value_pct=parse_number(text[start:run_end]),
                           span=make_span(ctx, start, end)), start - row.start))
    return rates


# A header cell naming a rate column by its unit note: 预算执行进度(%), 总体完成率（%）.
_PERCENT_COLUMN = regex.compile(r"(?P<name>\p{Han}+(?:率|进度|比例|比重))\s*[（(]\s*[%％]\s*[)）]")
# A bare figure: no unit, percent sign or further digit after it.
_BARE_FIGURE = regex.compile(rf"(?<![\d.])\d{{1,3}}(?:\.\d+)?(?![\d.%％]|{UNIT_AFTER})")

# What stands before a figure that no label claims: another figure, or the end of a sentence.
_NO_LABEL = regex.compile(r"[\d。；;！!]$")


def _percent_column_rates(ctx: Context, found: list[Rate]) -> list[Rate]:
    """A form flattened to lines whose header names a rate column by its (%) note and whose next line
    holds the row: the first figure there that no label claims, after another figure or a sentence, is
    that column's rate (预算数 6.84 到位数 6.84 执行数 6.84 100.00 under …资金执行情况 预算执行进度(%))."""
    text, tables = ctx.doc.text, ctx.results["text_tables"]
    taken = [(f.span.char_start, f.span.char_end) for f in [*ctx.results["amounts"], *found]]
    lines = list(ctx.doc.paragraphs())
    facts = []
    for (start, end), (next_start, next_end) in zip(lines, lines[1:]):
        columns = list(_PERCENT_COLUMN.finditer(text, start, end))
        if len(columns) != 1 or "\t" in text[next_start:next_end] or in_tables(tables, next_start):
            continue
        for m in _BARE_FIGURE.finditer(text, next_start, next_end):
            before = text[next_start:m.start()].rstrip()
            if any(a <= m.start() < b for a, b in taken) or not before or not _NO_LABEL.search(before):
                continue  # read already, or a label's figure
            label = columns[0].group("name")
            facts.append(Rate(label=label, role=role_for(label, _config()["roles"]), value_pct=parse_number(m.group()),
                              span=make_span(ctx, m.start(), m.end())))
            break
    return facts


def _table_rates(ctx: Context) -> list[Rate]:
    """Percentages under a rate column of a figure table (执行率 beside 年初预算数 …)."""
    facts = []
    for table in ctx.results["text_tables"]:
        for cell in figure_cells(table):
            if not cell.percent:
                continue
            value = number_of(cell.text)
            if value is None:
                continue  # not one figure (cells run together, a figure too long)
            role = role_for(cell.header, _config()["roles"]) if cell.whole_row else "other"
            facts.append(Rate(label=cell.label, role=role, value_pct=value, span=make_span(ctx, cell.start, cell.end)))
    return facts
