"""Rates: percentages with the label before them and a role (execution_rate, funds_received_rate)."""
from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import rules
from ..model import Rate
from ..numbers import parse_number
from ..spans import clean_label, label_before, make_span, role_for
from . import Context, register
from .amounts import classify

_PERCENT = regex.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)[ \t]*%|百分之(?P<cn>[零〇一二两三四五六七八九十百点]+)")


@functools.cache
def _config():
    return rules.load("rates")


@register("rates", requires=("amounts", "text_tables"), table="rates")
def extract_rates(ctx: Context) -> list[Rate]:
    cfg = _config()
    text = ctx.doc.text
    headers = {(c.start, c.end): c.header for c in ctx.results["text_tables"]}
    # A rate stated beside one component's figures (田间工程建设预算 …, 完成预算的 97.13%) is that
    # component's, not the report's.
    component_sentences = {a.span.evidence for a in ctx.results["amounts"] if classify(a.label)[1]}
    facts = []
    previous_end = 0
    for m in _PERCENT.finditer(text):
        value = Decimal(m.group("num")) if m.group("num") else parse_number(m.group("cn"))
        if value is None:
            continue
        header = next((h for (s, e), h in headers.items() if s <= m.start() and m.end() <= e), None)
        label = header if header is not None else clean_label(
            label_before(text, m.start(), cfg["connectors"], floor=previous_end), cfg["label_prefixes"])
        span = make_span(ctx, m.start(), m.end())
        role = "other" if span.evidence in component_sentences else role_for(label, cfg["roles"])
        facts.append(Rate(label=label, role=role, value_pct=value, span=span))
        previous_end = m.end()
    return facts
