"""Provenance helpers shared by the extractors: spans, evidence sentences, the label before a value."""
from __future__ import annotations

import functools

import regex

from . import rules
from .model import Span

_BRACKETED = regex.compile(r"（[^（）]*）|\([^()]*\)")
# A leading year, but not the year's 年 of 年初/年末/年底/年中 (2022年初预算安排 is the initial budget).
_LEADING_YEAR = regex.compile(r"^(?:19|20)\d{2}\s*(?:年度|年(?![初末底中]))\s*")

SENTENCE_ENDS = "。！？!?；;\n"
# Where the phrase naming a value begins: after the last of these before the value.
CLAUSE_STOPS = "。！？!?；;\n\t，,、：:"


@functools.cache
def _any_of(chars: str, backwards: bool = False) -> regex.Pattern:
    """A search for the first (or, backwards, the last) of these characters: one pass over the text,
    where a find per character would each run on to the end of the text when that one is missing."""
    return regex.compile(("(?r)" if backwards else "") + "[" + regex.escape(chars) + "]")


def next_stop(text: str, pos: int, stops: str = CLAUSE_STOPS) -> int:
    """Where the first of the stops at or after pos is; the end of the text when there is none."""
    found = _any_of(stops).search(text, pos)
    return found.start() if found else len(text)


def evidence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end]."""
    left = _any_of(SENTENCE_ENDS, backwards=True).search(text, 0, start)
    right = _any_of(SENTENCE_ENDS).search(text, end)
    return text[left.end() if left else 0:right.end() if right else len(text)].strip()


def make_span(ctx, start: int, end: int) -> Span:
    text = ctx.doc.text
    return Span(raw=text[start:end], char_start=start, char_end=end, page=ctx.doc.page_at(start),
                section_path=ctx.index.path_at(start), evidence=evidence(text, start, end))


def clause_start(text: str, pos: int, stops: str = CLAUSE_STOPS, floor: int = 0) -> int:
    """Start of the clause that ends at pos (not before floor)."""
    found = _any_of(stops, backwards=True).search(text, floor, pos)
    return found.end() if found else floor


def strip_connectors(label: str, connectors: list[str]) -> str:
    """Trim linking words and spaces off the end of a label ("执行数为 " → "执行数")."""
    label = label.strip()
    changed = True
    while changed and label:
        changed = False
        for word in connectors:
            if label.endswith(word):
                label = label[: -len(word)].rstrip()
                changed = True
    return label


def label_before(text: str, pos: int, connectors: list[str], floor: int = 0) -> str:
    """The phrase that names the value starting at pos: its clause, linking words trimmed.
    When the clause is empty (the value follows "年初预算数：") the phrase before the colon names it."""
    start = clause_start(text, pos, floor=floor)
    label = strip_connectors(text[start:pos], connectors)
    if not label and start > floor and text[start - 1] in "：:":
        label = strip_connectors(text[clause_start(text, start - 1, floor=floor):start - 1], connectors)
    return label


def after_unclosed(text: str) -> str:
    """What follows the last closing bracket that opened before text began ("下同）年初预算数")."""
    depth, cut = 0, 0
    for i, char in enumerate(text):
        if char in "（(":
            depth += 1
        elif char in "）)":
            if depth:
                depth -= 1
            else:
                cut = i + 1
    return text[cut:]


# Spaces between words of Chinese are a border between a flattened form's cells (实际完成情况 本项目…),
# and so are those after a row of leader dots (实际完成情况 …… 本项目…).
_CELL_BORDER = regex.compile(r"(?<=[\p{Han}）)：:.…·])\s+(?=\p{Han})")
# Punctuation a label cannot open with: the end of what stood before it (.上年度结余的资金).
_LEADING_PUNCTUATION = regex.compile(r"^[.…·．、，,。;；]+")


def clean_label(label: str, prefixes: list[str]) -> str:
    """Drop asides in brackets, a leading year (2023年度) and sentence words (其中) from a label."""
    label = _BRACKETED.sub("", after_unclosed(label)).strip()
    label = _LEADING_PUNCTUATION.sub("", _CELL_BORDER.split(label)[-1])  # a flattened form's cells before the label's own
    if label[:1] in "（(":
        label = label[1:]  # an aside that opened before the label and closes after the value: （含…40万元）
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if label.startswith(prefix):
                label = label[len(prefix):].lstrip("：: ")
                changed = True
        stripped = _LEADING_YEAR.sub("", label)
        if stripped != label:
            label, changed = stripped, True
    return label


@functools.cache
def _variants() -> dict:
    cfg = rules.load("variants")
    return str.maketrans(cfg["traditional"], cfg["simplified"])


def simplified(label: str) -> str:
    """A label with traditional forms read as simplified (全年預算數 → 全年预算数), for role matching."""
    return label.translate(_variants())


def role_for(label: str, role_rules: list[dict]) -> str:
    """The first role whose patterns occur in the label; `other` when none does."""
    label = simplified(label)
    for rule in role_rules:
        if any(p in label for p in rule["patterns"]):
            return rule["role"]
    return "other"
