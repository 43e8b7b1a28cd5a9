"""A sentence repeated word for word (a web page that states its summary again under the heading
that follows, a paragraph pasted twice) states its facts once: the facts read in a later copy of an
earlier sentence, close after it, are dropped. Sentences of table rows (tab-separated cells) are not
compared: the same figure in two cells is two facts, as a target met is both the target and the
actual. Nor are copies far apart: a long budget book may say the same thing of two of its parts."""
from __future__ import annotations

from .spans import sentence_around

# A sentence shorter than this (characters, blanks ignored) is no statement to be repeated: a label
# and its figure (合计 12万元) may well stand twice.
MIN_SENTENCE_CHARS = 16
# A copy starting further than this after the sentence's first place is stated again, not repeated.
REPEAT_WITHIN_CHARS = 1000


def without_repeats(text: str, facts: list) -> list:
    """The facts (each with a span), in text order, without those of a sentence repeated."""
    seen: set[tuple[str, int, int]] = set()  # (sentence, the fact's start and end within it)
    first_seen: dict[str, int] = {}  # sentence → where it first stands
    kept = []
    for fact in facts:
        start, end = fact.span.char_start, fact.span.char_end
        left, right = sentence_around(text, start, end)
        sentence = text[left:right]
        if "\t" in sentence or len("".join(sentence.split())) < MIN_SENTENCE_CHARS:
            kept.append(fact)
            continue
        key = (sentence, start - left, end - left)
        first = first_seen.setdefault(sentence, left)
        if key in seen and first != left and left - first <= REPEAT_WITHIN_CHARS:
            continue
        seen.add(key)
        kept.append(fact)
    return kept
