"""Grade and score: 自评等级为优秀 / 自评情况良好 / 自评得分 95.5 分."""
from __future__ import annotations

import functools

import regex

from .. import rules
from ..model import Grade
from ..numbers import parse_number
from . import Context, register


@functools.cache
def _config():
    cfg = rules.load("grades")
    grades = "|".join(sorted(cfg["grades"], key=len, reverse=True))
    patterns = [regex.compile(p.replace("GRADE", grades).replace("END", cfg["end"])) for p in cfg["patterns"]]
    scores = [regex.compile(p) for p in cfg["score_patterns"]]
    return patterns, scores


@register("grade")
def extract_grade(ctx: Context) -> Grade:
    patterns, scores = _config()
    text = ctx.doc.text
    grade = _first(text, patterns, "grade")
    score = _first(text, scores, "score")
    value = parse_number(score) if score is not None else None
    return Grade(grade=grade, score=value if value is not None and value <= 100 else None, level=rules.grade_levels().get(grade))


def _first(text: str, patterns, group: str) -> str | None:
    """The earliest match of any pattern."""
    found = [m for p in patterns if (m := p.search(text))]
    return min(found, key=lambda m: m.start()).group(group) if found else None
