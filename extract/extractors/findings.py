"""Findings: the problems (存在的问题) and measures (改进措施, 下一步工作计划) a report lists, one row
per item, split on 一是/二是, （1）, 1. and the like, or on sub-headings."""
from __future__ import annotations

import functools

import regex

from .. import rules
from ..model import Finding, Section
from . import Context, register


@functools.cache
def _config():
    cfg = rules.load("findings")
    markers = "|".join(f"(?:{m})" for m in cfg["item_markers"])
    item = regex.compile(rf"(?:(?<=^|[。；;：:\n])[ \t]*)(?:{markers})[ \t]*")
    return cfg, item


def _kind(title: str, cfg) -> str | None:
    if any(w in title for w in cfg["measure_titles"]):
        return "measure"
    if any(w in title for w in cfg["problem_titles"]):
        return "problem"
    return None


def _items(body: str) -> list[tuple[int, int]]:
    """(start, end) of each item in body: between item markers, or each paragraph when none."""
    _, item = _config()
    marks = list(item.finditer(body))
    if not marks:
        spans, pos = [], 0
        for line in body.split("\n"):
            if line.strip():
                spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return spans
    return [(m.end(), marks[i + 1].start() if i + 1 < len(marks) else len(body)) for i, m in enumerate(marks)]


@register("findings", table="findings")
def extract_findings(ctx: Context) -> list[Finding]:
    cfg, _ = _config()
    text = ctx.doc.text
    by_id = {s.section_id: s for s in ctx.sections}
    findings: list[Finding] = []
    seq = {"problem": 0, "measure": 0}

    def add(kind: str, start: int, end: int, prefix: str = "") -> None:
        item = _without_signature(prefix + text[start:end]).strip().strip("；;")
        if item and item not in cfg["none_words"]:
            seq[kind] += 1
            findings.append(Finding(kind, seq[kind], item, ctx.index.path_at(start), ctx.doc.page_at(start)))

    for section in ctx.sections:
        kind = _kind(section.title, cfg)
        if kind is None or _has_matching_ancestor(section, by_id, cfg):
            continue
        children = [s for s in ctx.sections if s.parent_id == section.section_id]
        body_start = text.find("\n", section.char_start, section.char_end)
        body_end = children[0].char_start if children else section.char_end
        if children:
            for child in children:
                child_kind = _kind(child.title, cfg) or kind
                child_body = text.find("\n", child.char_start, child.char_end)
                add(child_kind, child_body + 1 if child_body >= 0 else child.char_end, child.char_end,
                    prefix=child.title + "：" if child_body >= 0 and child_body + 1 < child.char_end else child.title)
            continue
        if body_start < 0:
            continue
        body = text[body_start + 1:body_end]
        for start, end in _items(body):
            add(kind, body_start + 1 + start, body_start + 1 + end)
    return findings


_DATE_LINE = regex.compile(r"\s*(?:(?:19|20)\d{2}|二[〇零○][一二三四五六七八九〇零○]{2})\s*年[^。，；]{1,8}日\s*")


def _without_signature(item: str) -> str:
    """An item without the signature block a report ends with (the unit's name and a date on lines of
    their own, after the last measure)."""
    suffixes = tuple(rules.load("metadata")["org_suffixes"])
    lines = item.split("\n")
    for k in range(1, len(lines)):
        line = lines[k].strip()
        if _DATE_LINE.fullmatch(line) or (len(line) <= 40 and line.endswith(suffixes)
                                          and not regex.search(r"[。，；：]", line)):
            return "\n".join(lines[:k])
    return item


def _has_matching_ancestor(section: Section, by_id: dict[int, Section], cfg) -> bool:
    parent = by_id.get(section.parent_id)
    while parent:
        if _kind(parent.title, cfg):
            return True
        parent = by_id.get(parent.parent_id)
    return False
