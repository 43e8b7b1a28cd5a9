"""Section tree: numbered headings → Sections with levels, parents, paths and char spans.

Levels follow the order in which numbering styles open: a style already open closes everything
below it (a sibling), a new style opens one level deeper. A report may use styles in any order.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from .headings import HeadingMatch, clean_title, match_heading
from .model import Document, Section

PATH_SEPARATOR = " / "
# A styled paragraph longer than this is body text someone formatted as a heading.
MAX_STYLED_TITLE_CHARS = 60


def build_sections(doc: Document) -> list[Section]:
    sections: list[Section] = []
    open_styles: list[str] = []
    open_sections: list[Section] = []
    for start, end in doc.paragraphs():
        heading = match_heading(doc.text[start:end]) or _styled_heading(doc, start, end)
        if heading is None:
            continue
        if heading.style in open_styles:
            depth = open_styles.index(heading.style)
            del open_styles[depth:]
            del open_sections[depth:]
        parent = open_sections[-1] if open_sections else None
        section = Section(
            section_id=len(sections) + 1,
            parent_id=parent.section_id if parent else None,
            level=len(open_styles) + 1,
            style=heading.style,
            number=heading.number,
            title=heading.title,
            label=heading.label,
            path=(parent.path + PATH_SEPARATOR if parent else "") + heading.label,
            page=doc.page_at(start),
            char_start=start,
            char_end=len(doc.text),
        )
        open_styles.append(heading.style)
        open_sections.append(section)
        sections.append(section)
    _close_spans(sections)
    return sections


def _styled_heading(doc: Document, start: int, end: int) -> HeadingMatch | None:
    """A paragraph the source styles as a heading (Word's 标题 1 …) though it carries no number."""
    level = doc.styled_headings.get(start)
    if level is None:
        return None
    title = clean_title(doc.text[start:end])
    if not title or len(title) > MAX_STYLED_TITLE_CHARS:
        return None
    return HeadingMatch(f"styled-{level}", "", title, title)


def _close_spans(sections: list[Section]) -> None:
    """A section ends where the next heading of the same or a higher level begins."""
    for i, section in enumerate(sections):
        for later in sections[i + 1:]:
            if later.level <= section.level:
                section.char_end = later.char_start
                break


@dataclass
class SectionIndex:
    """Finds the innermost section around an offset."""
    sections: list[Section]

    def __post_init__(self) -> None:
        self._starts = [s.char_start for s in self.sections]

    def at(self, offset: int) -> Section | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            section = self.sections[i]
            if section.char_start <= offset < section.char_end:
                return section
            i -= 1
        return None

    def path_at(self, offset: int) -> str:
        section = self.at(offset)
        return section.path if section else ""

    def find(self, *keywords: str) -> list[Section]:
        """Sections whose title contains any keyword, in document order."""
        return [s for s in self.sections if any(k in s.title for k in keywords)]
