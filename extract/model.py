"""Typed values passed between the pipeline stages: load → normalize → sections → extractors → dataset."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


@dataclass
class OcrUse:
    """Which pages were read by OCR (1-based), the mean confidence of the characters read on each
    that had any, and the pages whose mean fell below the doubtful mark (ocr.LOW_CONFIDENCE)."""
    pages: list[int] = field(default_factory=list)
    page_confidences: list[float] = field(default_factory=list)
    doubtful_pages: list[int] = field(default_factory=list)

    def add(self, page: int, confidence: float | None, doubtful_below: float) -> None:
        self.pages.append(page)
        if confidence is not None:
            self.page_confidences.append(confidence)
            if confidence < doubtful_below:
                self.doubtful_pages.append(page)

    @property
    def confidence(self) -> float | None:
        """The mean over the pages that had characters; None without any."""
        return sum(self.page_confidences) / len(self.page_confidences) if self.page_confidences else None


class Placer(Protocol):
    """Where on its pages the texts read from a file are drawn: a PDF's pages, kept open by its loader
    for the facts found in them (loaders.pdf_boxes.OpenPages); closed by the pipeline."""

    def boxes(self, wanted: dict) -> dict[str, tuple[float, float, float, float]]: ...

    def close(self) -> None: ...


@dataclass
class LoadedFile:
    """What a loader returns: the text of each page, tables written in as tab-separated rows."""
    path: str
    file_type: str
    sha256: str
    pages: list[str]
    needs_ocr: bool = False  # pages without a text layer were left unread (--ocr off)
    ocr: OcrUse = field(default_factory=OcrUse)
    # Headings the source marks by style rather than by number, as (page index, start, level).
    styled_headings: list[tuple[int, int, int]] = field(default_factory=list)
    # Line breaks the layout made inside a paragraph, as (page index, offset of the break).
    wrapped: list[tuple[int, int]] = field(default_factory=list)
    # Character runs the source marks as bold, as (page index, start, end) in that page's text.
    bold: list[tuple[int, int, int]] = field(default_factory=list)
    # What the loader had to repair (the report is then `partial`).
    warnings: list[str] = field(default_factory=list)
    placer: Placer | None = None  # a PDF's pages, open until its facts are placed on them (boxes)

    @property
    def report_id(self) -> str:
        return self.sha256[:16]


class OffsetMap:
    """Maps offsets in the normalized text back to offsets in the source text.

    Normalization only deletes characters or swaps one for one, so the map is a list of runs
    (normalized start, source start) inside which both advance together.
    """

    def __init__(self) -> None:
        self._norm_starts: list[int] = []
        self._src_starts: list[int] = []

    def add_run(self, norm_start: int, src_start: int) -> None:
        if self._norm_starts and self._norm_starts[-1] == norm_start:
            self._src_starts[-1] = src_start
            return
        self._norm_starts.append(norm_start)
        self._src_starts.append(src_start)

    def to_normalized(self, src_offset: int) -> int:
        """The normalized offset of a source offset; one inside deleted text maps to where it was cut."""
        i = bisect.bisect_right(self._src_starts, src_offset) - 1
        if i < 0:
            return 0
        offset = self._norm_starts[i] + src_offset - self._src_starts[i]
        return min(offset, self._norm_starts[i + 1]) if i + 1 < len(self._norm_starts) else offset

    def to_source(self, norm_offset: int) -> int:
        i = bisect.bisect_right(self._norm_starts, norm_offset) - 1
        if i < 0:
            return 0
        return self._src_starts[i] + norm_offset - self._norm_starts[i]


@dataclass
class Document:
    """The normalized text of one report; every fact offset points into `text`."""
    report_id: str
    source_path: str
    file_type: str
    sha256: str
    text: str
    n_pages: int
    offset_map: OffsetMap
    source_page_starts: list[int]  # source offset where each page begins
    emphasis: list[tuple[int, int]] = field(default_factory=list)
    styled_headings: dict[int, int] = field(default_factory=dict)  # paragraph start → level
    needs_ocr: bool = False
    ocr: OcrUse = field(default_factory=OcrUse)
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        """1-based page of the character at a normalized offset."""
        src = self.offset_map.to_source(offset)
        return bisect.bisect_right(self.source_page_starts, src)

    def paragraphs(self):
        """(start, end) of each line of the normalized text; one line is one paragraph."""
        start = 0
        text = self.text
        while start < len(text):
            end = text.find("\n", start)
            if end < 0:
                end = len(text)
            if end > start:
                yield start, end
            start = end + 1


@dataclass
class Section:
    section_id: int
    parent_id: int | None
    level: int
    style: str
    number: str
    title: str
    label: str  # canonical heading as shown in paths, e.g. （三）部门整体支出情况
    path: str
    page: int
    char_start: int
    char_end: int


@dataclass
class Span:
    """Provenance shared by every extracted fact."""
    raw: str
    char_start: int
    char_end: int
    page: int
    section_path: str
    evidence: str


@dataclass
class Amount:
    label: str
    role: str
    stage: str  # budget_initial | budget_adjusted | received | executed | '' (rules/amounts.yaml stages)
    value_yuan: Decimal
    span: Span


@dataclass
class Rate:
    label: str
    role: str
    value_pct: Decimal
    span: Span


@dataclass
class Count:
    subject: str
    value: Decimal
    unit: str
    approx: bool
    span: Span


@dataclass
class Task:
    task_no: int
    name: str
    goal: str
    result: str
    section_path: str
    page: int


@dataclass
class Finding:
    kind: str  # problem | measure
    seq: int
    text: str
    section_path: str
    page: int


@dataclass
class Indicator:
    table_no: int
    row_no: int
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    weight: Decimal | None
    score: Decimal | None
    note: str
    page: int


@dataclass
class Check:
    check: str
    status: str  # pass | fail | skipped
    expected: str
    observed: str
    detail: str


@dataclass
class ReportMeta:
    title: str | None = None
    department: str | None = None
    region_province: str | None = None
    region_city: str | None = None
    region_district: str | None = None
    year: int | None = None
    report_type: str = "unknown"
    project: str = ""  # the project's name (项目名称) in a project report


@dataclass
class Grade:
    grade: str | None = None
    score: Decimal | None = None
    level: str | None = None  # 优, 良, 中 or 差: the grade on the common scale (rules/grades.yaml)
