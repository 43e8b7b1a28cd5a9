"""pdfminer and pdfplumber, the secondary parsers of a PDF. pdfium is the authority for the text; these
only give a page its extras: the glyphs pdfium lost, read back from the content stream (see
pdf_glyphs), and where those cannot be put back in pdfium's text, the page's characters as pdfplumber
reads them. Each is parsed on first use: most documents need neither.

A file pdfium reads well can still make them raise anything (a ValueError for an ASCII85 stream with a
bad digit, a bare StopIteration when pdfminer finds fewer pages than pdfium, a PSSyntaxError).
Such a failure costs the page its extras, never the report: the page is read by pdfium alone, and a
warning names the file and the pages.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar

import pdfplumber
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from ..errors import one_line
from .pdf_glyphs import document_fonts, undecoded_text

T = TypeVar("T")


class DocumentFailure(Exception):
    """The document itself, not one page, could not be parsed (opened, or its pages listed)."""


class SecondaryParsers:
    """The document as pdfplumber and as pdfminer parse it. Fonts that pdfminer builds are kept for
    the document (see pdf_glyphs)."""

    def __init__(self, path: str, data: bytes):
        self._path = path
        self._data = data
        self._plumber = None
        self._miner_pages: list = []
        self._more_miner_pages = None
        self._fonts = document_fonts()
        self._document_failure: str | None = None
        self._failed_pages: dict[int, str] = {}  # page index → which parser failed on it, and how

    def lost_text(self, index: int, object_count: int, wanted: list[int]) -> dict[int, str] | None:
        """The text of page index's text objects that pdfium lost (see pdf_glyphs.undecoded_text);
        None when it cannot be read, or pdfminer fails on the page."""
        return self._guarded(index, "pdfminer", lambda: undecoded_text(
            self._content_page(index), object_count, wanted, self._fonts))

    def plumber_read(self, index: int, read: Callable[..., T]) -> T | None:
        """read(pdfplumber's page index); None when pdfplumber fails on the page (or failed on it
        before: pdfminer's failure on a page is pdfplumber's too)."""
        def reading() -> T:
            page = self._plumber_page(index)
            try:
                return read(page)
            finally:
                page.close()  # drops the objects it parsed
        return self._guarded(index, "pdfplumber", reading)

    def warnings(self) -> list[str]:
        """A warning for each way the parsers failed, naming its pages."""
        pages_by_failure: dict[str, list[int]] = {}
        for index, failure in self._failed_pages.items():
            pages_by_failure.setdefault(failure, []).append(index + 1)
        return [f"{self._path}: {_pages(pages)} read by pdfium alone, without the text it could not decode: "
                f"{failure}" for failure, pages in pages_by_failure.items()]

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()

    def _guarded(self, index: int, parser: str, read: Callable[[], T]) -> T | None:
        if index in self._failed_pages:
            return None
        if self._document_failure:
            self._failed_pages[index] = self._document_failure
            return None
        try:
            return read()
        except MemoryError:  # the worker's memory cap: the file fails, as it would anywhere
            raise
        except DocumentFailure as exc:
            self._document_failure = self._failed_pages[index] = f"{parser} could not parse the file ({exc})"
        except Exception as exc:  # whatever a damaged file makes a parser raise
            self._failed_pages[index] = f"{parser} failed on the page ({_described(exc)})"
        return None

    def _plumber_page(self, index: int):
        if self._plumber is None:
            self._plumber = _document_step(lambda: pdfplumber.open(io.BytesIO(self._data)))
        return _document_step(lambda: self._plumber.pages[index])

    def _content_page(self, index: int):
        """pdfminer's page: its content streams and resources, nothing interpreted."""
        if self._plumber is not None:
            return self._plumber_page(index).page_obj
        if self._more_miner_pages is None:
            self._more_miner_pages = _document_step(
                lambda: PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(self._data)))))
        # Pages are parsed as far as the one asked for: most documents need one or two.
        while len(self._miner_pages) <= index:
            page = _document_step(lambda: next(self._more_miner_pages, None))
            if page is None:
                raise DocumentFailure(f"it finds {len(self._miner_pages)} pages only")
            self._miner_pages.append(page)
        return self._miner_pages[index]


def _document_step(step: Callable[[], T]) -> T:
    """step(), a step the whole document depends on: opening it, listing its pages. An exception in
    it is the document's failure (see DocumentFailure): no later page tries again."""
    try:
        return step()
    except (MemoryError, DocumentFailure):
        raise
    except Exception as exc:
        raise DocumentFailure(_described(exc)) from exc


def _described(exc: BaseException) -> str:
    detail = one_line(str(exc), 200)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _pages(numbers: list[int]) -> str:
    return f"page {numbers[0]}" if len(numbers) == 1 else "pages " + ", ".join(map(str, numbers))
