"""Recognises a heading line by its numbering style (patterns in rules/headings.yaml)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from . import rules

_MARKDOWN_HEADING = regex.compile(r"^#{1,6}\s*")
_LAYOUT_SPACE = regex.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")


def clean_title(text: str) -> str:
    """Drop spaces that come from layout; keep one between two Latin words or numbers."""
    return _LAYOUT_SPACE.sub("", text.strip())


@dataclass(frozen=True)
class HeadingMatch:
    style: str
    number: str
    title: str
    label: str


@dataclass(frozen=True)
class _Style:
    name: str
    marker: regex.Pattern
    label: str


@functools.cache
def _config():
    cfg = rules.load("headings")
    styles = [_Style(s["name"], regex.compile(s["marker"]), s["label"]) for s in cfg["styles"]]
    # Every marker at once: most lines start with none, and one search tells so.
    any_marker = regex.compile("|".join(f"(?:{s['marker']})" for s in cfg["styles"]))
    return (styles, any_marker, cfg["max_title_chars"], cfg["sentence_marks"], cfg["continuation_marks"],
            frozenset(cfg["full_stop_styles"]), cfg["full_stop_max_chars"])


def match_marker(line: str):
    """(style name, number, end of marker) when the line starts with a numbering marker."""
    styles, any_marker, *_ = _config()
    if line.startswith("#"):
        line = _MARKDOWN_HEADING.sub("", line)
    if not any_marker.match(line):
        return None
    for style in styles:
        m = style.marker.match(line)
        if m:
            return style, m.group("num"), m.end()
    return None


@functools.lru_cache(maxsize=4096)
def match_heading(line: str) -> HeadingMatch | None:
    """A HeadingMatch when the whole line is a numbered title and nothing else. Cached: the
    normalizer asks of a paragraph when joining lines, and the section builder asks again."""
    line = line.strip()
    if line.startswith("#"):
        line = _MARKDOWN_HEADING.sub("", line)
    found = match_marker(line)
    if not found:
        return None
    style, number, end = found
    _, _, max_chars, sentence_marks, continuation_marks, full_stop_styles, full_stop_max = _config()
    title = clean_title(line[end:])
    if title.endswith(("：", ":")) or (title.endswith("。") and style.name in full_stop_styles
                                        and len(title) <= full_stop_max):
        title = title[:-1]
    if not title or len(title) > max_chars:
        return None
    if any(mark in title for mark in sentence_marks) or title[-1] in continuation_marks:
        return None
    # "标签：正文" on one line is a field or a task paragraph, not a heading.
    if "：" in title or ":" in title:
        return None
    return HeadingMatch(style.name, number, title, style.label.format(num=number, title=title))
