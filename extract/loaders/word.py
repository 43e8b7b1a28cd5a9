"""Word (.docx, python-docx): paragraphs and tables in body order, heading styles, bold runs, and
page breaks where Word last laid the pages out (or, in files Word never saved, the hard breaks)."""
from __future__ import annotations

import io
import zipfile

import docx
import regex
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..errors import IngestError
from ..model import LoadedFile
from . import loader
from .tables import cell_text, grid_text

_HEADING_STYLE = regex.compile(r"^(?:heading|标题)\s*(\d)$", regex.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class _Pages:
    """Collects text page by page, with bold runs and styled headings at page offsets."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]
        self.lengths = [0]
        self.bold: list[tuple[int, int, int]] = []
        self.headings: list[tuple[int, int, int]] = []

    def new_page(self) -> None:
        self.pages.append([])
        self.lengths.append(0)

    def add(self, text: str) -> int:
        """Append text to the current page; returns where it starts."""
        start = self.lengths[-1]
        self.pages[-1].append(text)
        self.lengths[-1] += len(text)
        return start

    def end_line(self) -> None:
        if self.lengths[-1]:
            self.add("\n")


@loader(".docx")
def load_docx(path: str, data: bytes, sha256: str) -> LoadedFile:
    if data.startswith(_OLE_MAGIC):
        raise IngestError("load", "encrypted", f"{path}: password-protected (or old-format) Word file, cannot be read")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError("load", "corrupt", f"{path}: not a readable Word file ({exc})") from exc
    body = document.element.body
    rendered = body.find(f".//{_W}lastRenderedPageBreak") is not None
    pages = _Pages()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            _paragraph(block, pages, rendered)
        elif isinstance(block, Table):
            pages.end_line()
            pages.add(grid_text(_grid(block)))
            pages.end_line()
    texts = ["".join(parts) for parts in pages.pages]
    return LoadedFile(path=path, file_type="docx", sha256=sha256, pages=texts,
                      bold=pages.bold, styled_headings=pages.headings)


def _paragraph(paragraph: Paragraph, pages: _Pages, rendered: bool) -> None:
    pages.end_line()
    level = _heading_level(paragraph)
    first = True
    for run in paragraph.iter_inner_content():
        runs = run.runs if hasattr(run, "runs") else [run]  # a hyperlink holds runs
        for r in runs:
            if _breaks_page(r, rendered) and pages.lengths[-1]:
                pages.new_page()
            start = pages.add(r.text)
            if first and level is not None and r.text.strip():
                lead = len(r.text) - len(r.text.lstrip())
                pages.headings.append((len(pages.pages) - 1, start + lead, level))
                first = False
            if r.bold and r.text.strip():
                pages.bold.append((len(pages.pages) - 1, start, start + len(r.text)))


def _breaks_page(run, rendered: bool) -> bool:
    """Does a page begin at this run? Word's own layout marks if it left them, else hard breaks."""
    element = run._r
    if rendered:
        return element.find(f"{_W}lastRenderedPageBreak") is not None
    return any(br.get(f"{_W}type") == "page" for br in element.iter(f"{_W}br"))


def _heading_level(paragraph: Paragraph) -> int | None:
    style = paragraph.style
    while style is not None:
        m = _HEADING_STYLE.match(style.name or "")
        if m:
            return int(m.group(1))
        style = style.base_style
    return None


def _grid(table: Table) -> list[list[str]]:
    """Every grid slot's text; python-docx hands back the merged cell for each slot it covers.
    The slots are computed once per table: table.cell(r, c) recomputes the whole grid per call."""
    n_columns, table_rows = len(table.columns), list(table.rows)
    slots = table._cells
    if len(slots) == n_columns * len(table_rows):
        grid = [slots[r * n_columns:(r + 1) * n_columns] for r in range(len(table_rows))]
    else:  # rows with fewer cells than the grid (gridBefore/gridAfter)
        grid = [list(row.cells) for row in table_rows]
    rows = [[cell_text(cell.text) for cell in cells] for cells in grid]
    return rows
