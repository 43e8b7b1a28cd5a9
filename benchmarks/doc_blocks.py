"""The tables benchmarks keep in docs/benchmarks.md (and docs/scale.md), each between its two markers."""
from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def replace_block(doc: str, start: str, end: str, body: str, heading: str) -> str:
    """doc with body between the markers start and end (a new section under heading if absent)."""
    block = f"{start}\n{body}\n{end}"
    if start in doc:
        return doc[: doc.index(start)] + block + doc[doc.index(end) + len(end):]
    return doc + f"\n## {heading}\n\n{block}\n"


def write_block(start: str, end: str, body: str, heading: str, doc: Path = DOC) -> None:
    doc.write_text(replace_block(doc.read_text(encoding="utf-8"), start, end, body, heading), encoding="utf-8")
