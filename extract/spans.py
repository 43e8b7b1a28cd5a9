"""Provenance helpers shared by the extractors: spans, evidence sentences, the label before a value."""
from __future__ import annotations

import bisect
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
# Where a long sentence's evidence is cut to the fact's own phrase (not at a colon: 全年预算数：…).
PHRASE_STOPS = "，,、；;\t"


@functools.cache
def _any_of(chars: str, backwards: bool = False) -> regex.Pattern:
    """A search for the first (or, backwards, the last) of these characters: one pass over the text,
    where a find per character would each run on to the end of the text when that one is missing."""
    return regex.compile(("(?r)" if backwards else "") + "[" + regex.escape(chars) + "]")


def next_stop(text: str, pos: int, stops: str = CLAUSE_STOPS, endpos: int | None = None) -> int:
    """Where the first of the stops at or after pos (and before endpos) is; else endpos, or the end
    of the text."""
    end = len(text) if endpos is None else min(endpos, len(text))
    found = _any_of(stops).search(text, pos, end)
    return found.start() if found else end


# The most of its sentence a fact's evidence holds. A report's sentences are shorter (the longest
# in ../shared/real, a list of allocating documents, has 269 characters); a longer "sentence" is a
# form flattened to one line or a list run on for pages, whose whole text in each of its facts made
# the outputs grow with the square of the input (10 KB of 1% gave a 50 MB rates.csv).
EVIDENCE_MAX_CHARS = 300
ELLIPSIS = "…"


@functools.lru_cache(maxsize=4)
def _sentence_ends(text: str) -> list[int]:
    """Where each sentence of the text ends (past its closing mark), in order. Found once per text:
    a search back to its sentence's start for each fact is quadratic in a long sentence's facts."""
    return [m.end() for m in _any_of(SENTENCE_ENDS).finditer(text)]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the sentence around text[start:end], its closing mark included."""
    ends = _sentence_ends(text)
    before = bisect.bisect_right(ends, start)
    after = bisect.bisect_right(ends, end)
    return ends[before - 1] if before else 0, ends[after] if after < len(ends) else len(text)


def evidence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end]; when it is longer than EVIDENCE_MAX_CHARS, the fact's own
    phrase within that many characters around it (第12号项目支出3.5万元 of a run-on list of such),
    cut with an ellipsis: a long sentence's facts do not each repeat the same 300 characters."""
    left, right = sentence_around(text, start, end)
    if right - left <= EVIDENCE_MAX_CHARS:
        return text[left:right]
    cut_left, cut_right = _own_phrase(text, *_window(left, right, start, end), start, end)
    return (ELLIPSIS if cut_left > left else "") + text[cut_left:cut_right] + (ELLIPSIS if cut_right < right else "")


def _own_phrase(text: str, left: int, right: int, start: int, end: int) -> tuple[int, int]:
    """[left, right) narrowed to the phrase holding [start, end): from past the last phrase stop before
    the fact to the first after it."""
    before = _any_of(PHRASE_STOPS, backwards=True).search(text, left, start)
    after = _any_of(PHRASE_STOPS).search(text, end, right)
    return before.end() if before else left, after.start() if after else right


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) of the sentence around text[start:end] without the blanks at its ends."""
    return _trimmed(text, *sentence_bounds(text, start, end), start, end)


def _trimmed(text: str, left: int, right: int, start: int, end: int) -> tuple[int, int]:
    """[left, right) without the blanks at its ends, looking no further in than the cap (past it, a
    window is cut anyway) nor than the fact: the same steps for every fact of a sentence."""
    limit = min(start, left + EVIDENCE_MAX_CHARS)
    while left < limit and text[left].isspace():
        left += 1
    limit = max(end, right - EVIDENCE_MAX_CHARS)
    while right > limit and text[right - 1].isspace():
        right -= 1
    return left, right


def _window(left: int, right: int, start: int, end: int) -> tuple[int, int]:
    """EVIDENCE_MAX_CHARS of [left, right) that hold [start, end) (all of it, however long), two
    thirds of the room before it, where its label stands; more on one side where the other ends."""
    room = max(0, EVIDENCE_MAX_CHARS - (end - start))
    cut_left = max(left, min(start - room * 2 // 3, right - EVIDENCE_MAX_CHARS))
    return cut_left, min(right, max(cut_left + EVIDENCE_MAX_CHARS, end))


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


# How far before a value its label is looked for. The longest clause before a figure in
# ../shared/real, the corpus and realdocs has 194 characters; with no floor, each of thousands of
# figures in a run with no stop took all the text before it as its label (quadratic in time and output).
LABEL_MAX_CHARS = 300


def label_before(text: str, pos: int, connectors: list[str], floor: int = 0) -> str:
    """The phrase that names the value starting at pos: its clause, linking words trimmed.
    When the clause is empty (the value follows "年初预算数：") the phrase before the colon names it."""
    floor = max(floor, pos - LABEL_MAX_CHARS)
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
