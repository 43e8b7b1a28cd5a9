"""Word (.docx, python-docx): paragraphs and tables in body order, heading styles, bold runs, and
page breaks where Word last laid the pages out (or, in files Word never saved, the hard breaks).

Tables are read from their XML rows and cells, not through python-docx's grid, which expands every
cell span however wide it claims to be: a span is held to the table's grid. A table nested in a cell
gives its rows after the row holding it. A chain of base styles that loops back ends the walk."""
from __future__ import annotations

import io
import zipfile

import docx
import regex
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.table import CT_Row, CT_Tbl
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ..errors import IngestError
from ..model import LoadedFile
from . import OLE_MAGIC, loader
from .tables import cell_text, grid_text

_HEADING_STYLE = regex.compile(r"^(?:heading|标题)\s*(\d)$", regex.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_COLUMNS = 63  # Word's own limit on a table's columns


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
    if data.startswith(OLE_MAGIC):
        raise IngestError("load", "encrypted", f"{path}: password-protected (or old-format) Word file, cannot be read")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        # XMLSyntaxError: broken XML, or XML nested past the parser's limit (256 levels), refused whole
        raise IngestError("load", "corrupt", f"{path}: not a readable Word file ({exc})") from exc
    body = document.element.body
    rendered = body.find(f".//{_W}lastRenderedPageBreak") is not None
    pages = _Pages()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            _paragraph(block, pages, rendered)
        elif isinstance(block, Table):
            pages.end_line()
            pages.add(grid_text(_table_rows(block._tbl)))
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
    style, seen = paragraph.style, set()
    while style is not None and style.style_id not in seen:  # a base-style chain may loop back
        seen.add(style.style_id)
        m = _HEADING_STYLE.match(style.name or "")
        if m:
            return int(m.group(1))
        style = style.base_style
    return None


def _table_rows(tbl: CT_Tbl) -> list[list[str]]:
    """Every row's cell texts, a merged cell's text in each grid slot it covers; the rows of tables
    nested in a row's cells follow that row. (The XML parser refuses elements nested over 256 deep,
    so the recursion stays shallow.)"""
    rows: list[list[str]] = []
    width, above = _grid_width(tbl), {}
    for tr in tbl.tr_lst:
        row, above = _row_slots(tr, above, width)
        rows.append(row)
        for tc in tr.tc_lst:
            for nested in tc.tbl_lst:
                rows.extend(_table_rows(nested))
    return rows


def _grid_width(tbl: CT_Tbl) -> int:
    """Columns a span may reach: the table's grid, at most Word's own limit (also when the grid is missing)."""
    grid = tbl.find(f"{_W}tblGrid")
    columns = 0 if grid is None else len(grid.findall(f"{_W}gridCol"))
    return min(columns, _MAX_COLUMNS) if columns else _MAX_COLUMNS


def _row_slots(tr: CT_Row, above: dict[int, str], width: int) -> tuple[list[str], dict[int, str]]:
    """The texts of a row's cells, one per grid slot, and the same texts by grid column for the row
    below. Slots before the row's first cell (w:gridBefore) hold no cell and are left out."""
    texts: list[str] = []
    by_column: dict[int, str] = {}
    column = tr.grid_before
    for tc in tr.tc_lst:
        own = None if tc.vMerge == "continue" else cell_text("\n".join(p.text for p in tc.p_lst))
        for _ in range(max(1, min(tc.grid_span, width - column))):  # a real cell always keeps a slot
            text = above.get(column, "") if own is None else own  # a vertical merge goes on from above
            texts.append(text)
            by_column[column] = text
            column += 1
    return texts, by_column
