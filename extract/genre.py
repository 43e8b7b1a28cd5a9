"""Whether a text is of the genre at all: a budget or performance document of a public unit, or
something else (a novel, a recipe, a news item, a shopping list, code). The signs are in
rules/genre.yaml; the text is read with traditional forms folded to simplified (績效 → 绩效)."""
from __future__ import annotations

import functools

from . import rules
from .spans import simplified


@functools.cache
def _config() -> dict:
    return rules.load("genre")


def of_genre(text: str) -> bool:
    """True when the text names a kind of document of the field (自评报告, 部门决算 …) or uses at least
    `min_words` different words of the field's vocabulary (预算, 绩效, 执行率 …)."""
    cfg = _config()
    text = simplified(text)
    if any(kind in text for kind in cfg["kinds"]):
        return True
    return sum(word in text for word in cfg["words"]) >= cfg["min_words"]
