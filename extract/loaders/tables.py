"""Tables as text: every loader writes a table into its page text as one line per row and a tab
between cells, merged cells repeated in every row and column they cover. The extractors then read
tables the same way whether they came from a PDF, a Word file or a tab-separated text file."""
from __future__ import annotations

import regex

# A space between two CJK characters (or CJK punctuation) is layout, not text.
_CJK = r"[\p{Han}\u3000-\u303f\uff00-\uffef]"
_SPURIOUS_SPACE = regex.compile(rf"(?<={_CJK})[ \u3000]+(?={_CJK})")
_ASCII_WORD_END = regex.compile(r"[A-Za-z]$")
_ASCII_WORD_START = regex.compile(r"^[A-Za-z]")


def despace_cjk(text: str) -> str:
    if " " not in text and "\u3000" not in text:
        return text  # most lines of CJK text: no space to look at
    return _SPURIOUS_SPACE.sub("", text)


def cell_text(raw: str | None) -> str:
    """A cell's lines joined into one: nothing between them, but a space between two Latin words."""
    if not raw:
        return ""
    out = ""
    for line in raw.replace("\t", " ").splitlines():
        line = line.strip()
        if not line:
            continue
        if out and _ASCII_WORD_END.search(out) and _ASCII_WORD_START.search(line):
            out += " "
        out += line
    return despace_cjk(out)


def grid_text(rows: list[list[str]]) -> str:
    """Rows of cell texts → tab-separated lines; rows with no text are left out."""
    return "\n".join("\t".join(row) for row in rows if any(row))
