"""Numbers as reports write them: 2,653.04 / 2653.04 / 二十一 / 三百 / 二百万 / 一点五 → Decimal."""
from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

import cn2an
import regex

from . import rules


@functools.cache
def number_pattern() -> str:
    """A regex source matching one number, Arabic or Chinese, in group `num`."""
    cfg = rules.load("numbers")
    return f"(?P<num>{cfg['arabic']}|{cfg['chinese']})"


@functools.cache
def _lone() -> frozenset[str]:
    return frozenset(rules.load("numbers")["lone_chinese_not_numbers"])


def parse_number(text: str) -> Decimal | None:
    """The value of a number as written, or None when it is not one (a lone 一 is an article)."""
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    if text in _lone():
        return None
    try:
        value = cn2an.cn2an(text.replace("两", "二"), "strict")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return Decimal(str(value))


def decimals_of(text: str) -> int:
    """How many digits a written number has after its point (precision as printed)."""
    text = text.replace(",", "")
    return len(text.split(".", 1)[1]) if "." in text and text[0].isdigit() else 0
