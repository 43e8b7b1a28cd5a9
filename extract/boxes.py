"""Boxes: where on its PDF page each amount, rate and count was read (x0, top, x1, bottom in points
from the page's top-left corner as displayed), found after extraction by loaders.pdf_boxes on the
pages the loader read, kept open for it (LoadedFile.placer). Facts of other file types, and of PDF
pages read by OCR, have none."""
from __future__ import annotations

import bisect
from decimal import Decimal

from .loaders import pdf_boxes
from .model import Document, Placer

FACT_TABLES = ("amounts", "rates", "counts")
BOX_FIELDS = ("x0", "top", "x1", "bottom")


def add_boxes(placer: Placer | None, doc: Document, tables: dict[str, list[dict]]) -> None:
    """Give the facts their boxes on the placer's pages, in place; every other fact an empty box."""
    for table in FACT_TABLES:
        for row in tables.get(table, []):
            row.update(dict.fromkeys(BOX_FIELDS))
    if placer is None:
        return
    wanted = _wanted(doc, tables)
    if not wanted:
        return
    placed = placer.boxes(wanted)
    for table in FACT_TABLES:
        for row in tables.get(table, []):
            box = placed.get(row["fact_id"])
            if box is not None:
                row.update(zip(BOX_FIELDS, (Decimal(f"{value:.2f}") for value in box)))


def _wanted(doc: Document, tables: dict[str, list[dict]]) -> dict[int, dict[str, pdf_boxes.Wanted]]:
    """Each page's facts to place, with their rank among the occurrences of their text in the
    report's text of that page (see pdf_boxes)."""
    pages: dict[int, tuple[str, list[int], int]] = {}  # page → folded text, where, its start
    found: dict[tuple[int, str], list[int]] = {}  # (page, key) → its occurrences: figures repeat
    wanted: dict[int, dict[str, pdf_boxes.Wanted]] = {}
    for table in FACT_TABLES:
        for row in tables.get(table, []):
            page = row.get("page")
            if not page or page in doc.ocr.pages or not row.get("raw"):
                continue
            if page not in pages:
                pages[page] = _page_text(doc, page)
            text, where, start = pages[page]
            key = pdf_boxes.fold(row["raw"])[0]
            if (page, key) not in found:
                found[page, key] = pdf_boxes.occurrences(text, key, where)
            starts = found[page, key]
            at = bisect.bisect_left(where, row["char_start"] - start)
            rank = bisect.bisect_left(starts, at)
            if key and rank < len(starts):
                wanted.setdefault(page, {})[row["fact_id"]] = pdf_boxes.Wanted(key, rank, len(starts),
                                                                               at / max(1, len(text)))
    return wanted


def _page_text(doc: Document, page: int) -> tuple[str, list[int], int]:
    """The report's normalized text of a page, folded (see pdf_boxes.fold), and where it starts."""
    start = doc.offset_map.to_normalized(doc.source_page_starts[page - 1])
    end = (doc.offset_map.to_normalized(doc.source_page_starts[page]) if page < len(doc.source_page_starts)
           else len(doc.text))
    text, where = pdf_boxes.fold(doc.text[start:end])
    return text, where, start
