"""Render our text reports as PDF, Word, web page and spreadsheet, the way published reports come: `make corpus`.

Every corpus/<stem>.txt that has a <stem>.gold.json becomes <stem>.pdf, .docx, .html and .xlsx in the output
folder (corpus/generated/ by default), with the gold copied beside them: the facts are the same.

PDF (reportlab, built-in CID font STSong-Light, no font file needed): A4, a running header with the
report's title and a rule, a centred page number in the footer, justified paragraphs with a first-line
indent (so page breaks fall mid-sentence wherever the text runs), and tab-separated tables drawn as
ruled tables: identical neighbouring cells in a row merged across, identical cells down the first two
columns merged down, long cells wrapped over several lines. An attachment (附件) starts a new page.

Word (python-docx): the same paragraphs, headings in Heading styles, tables with merged cells, a hard
page break before the attachment and the running title in the page header.

HTML: the page a government site publishes (GB2312, a menu and a footer around the article, merged
cells as colspan/rowspan).

Spreadsheet (openpyxl): the form as a sheet, see render_xlsx.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from extract.headings import match_heading  # noqa: E402
from extract.loaders import load  # noqa: E402
from extract.normalize import normalize  # noqa: E402
from extract.sections import build_sections  # noqa: E402

FONT = "STSong-Light"
ATTACHMENT_MARKS = ("附件", "附表")
# Page number footers, one style per report in turn, as published reports vary.
FOOTERS = ("- {n} -", "第 {n} 页", "— {n} —")
# A cell merged down over more rows would keep a long table from breaking across pages (reportlab
# never splits a merged cell); Word splits them, and the next page shows the label again.
MAX_ROWS_MERGED_DOWN = 6


@dataclass
class Block:
    """A paragraph (text) or a table (rows of cells) of the report, in order."""
    text: str = ""
    rows: list[list[str]] | None = None
    heading_level: int | None = None


def read_blocks(path: Path) -> tuple[str, list[Block]]:
    """The report's title and its blocks, read through our own loader and normalizer."""
    doc = normalize(load(str(path)))
    levels = {s.char_start: s.level for s in build_sections(doc)}
    blocks: list[Block] = []
    for start, end in doc.paragraphs():
        line = doc.text[start:end]
        if "\t" in line:
            if not blocks or blocks[-1].rows is None:
                blocks.append(Block(rows=[]))
            blocks[-1].rows.append(line.split("\t"))
        else:
            blocks.append(Block(text=line, heading_level=levels.get(start)))
    title = next(b.text for b in blocks if b.rows is None)
    return title, blocks


def merges(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """(first col, first row, last col, last row) of each merged cell: runs of identical non-empty
    cells across a row (from a label column, or three cells or more: a target equal to its actual
    value stays two cells), then runs of identical single cells down the first two columns (at most
    MAX_ROWS_MERGED_DOWN rows each)."""
    width = max(len(r) for r in rows)
    grid = [r + [""] * (width - len(r)) for r in rows]
    spans, in_row_span = [], set()
    for r, row in enumerate(grid):
        c = 0
        while c < width:
            end = c
            while end + 1 < width and row[end + 1] == row[c] and row[c]:
                end += 1
            if end > c and (c < 2 or end - c >= 2):
                spans.append((c, r, end, r))
                in_row_span.update((r, k) for k in range(c, end + 1))
            c = end + 1
    for c in range(min(2, width)):
        r = 0
        while r < len(grid):
            end = r
            while (end + 1 < len(grid) and grid[r][c] and grid[end + 1][c] == grid[r][c] and end - r + 1 < MAX_ROWS_MERGED_DOWN
                   and (r, c) not in in_row_span and (end + 1, c) not in in_row_span):
                end += 1
            if end > r:
                spans.append((c, r, c, end))
            r = end + 1
    return spans


def _covered(spans) -> set[tuple[int, int]]:
    """(row, col) of the slots a merged cell covers, its own first slot excepted."""
    return {(r, c) for c0, r0, c1, r1 in spans for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)}


def _column_weights(rows: list[list[str]]) -> list[float]:
    width = max(len(r) for r in rows)
    longest = [max((len(r[c]) for r in rows if c < len(r) and r.count(r[c]) == 1), default=2) for c in range(width)]
    return [min(max(n, 5), 14) for n in longest]


def render_pdf(source: Path, out: Path, footer: str = FOOTERS[0]) -> None:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title, blocks = read_blocks(source)
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=19, firstLineIndent=22,
                          alignment=TA_JUSTIFY, wordWrap="CJK", spaceAfter=2)
    heading = ParagraphStyle("heading", parent=body, fontSize=12.5, leading=22, firstLineIndent=0,
                             alignment=0, spaceBefore=4)
    title_style = ParagraphStyle("title", parent=body, fontSize=16, leading=26, firstLineIndent=0,
                                 alignment=TA_CENTER, spaceAfter=14)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10.5, wordWrap="CJK")

    def furniture(canvas, doc):
        width, height = A4
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.drawCentredString(width / 2, height - 40, title)
        canvas.setLineWidth(0.6)
        canvas.line(72, height - 45, width - 72, height - 45)
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(width / 2, 40, footer.format(n=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=72, rightMargin=72, topMargin=72, bottomMargin=72,
                            title=title)
    frame_width = A4[0] - 144
    story = []
    for i, block in enumerate(blocks):
        if block.rows is not None:
            spans = merges(block.rows)
            covered = _covered(spans)
            width = max(len(r) for r in block.rows)
            data = [[Paragraph(_escape(row[c]) if c < len(row) and (r, c) not in covered else "", cell_style)
                     for c in range(width)] for r, row in enumerate(block.rows)]
            weights = _column_weights(block.rows)
            widths = [frame_width * w / sum(weights) for w in weights]
            style = [("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            style += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spans]
            story.append(Table(data, colWidths=widths, style=TableStyle(style)))
            story.append(Spacer(1, 8))
        elif i == 0:
            story.append(Paragraph(_escape(block.text), title_style))
        else:
            if block.text.startswith(ATTACHMENT_MARKS):
                story.append(PageBreak())
            style = heading if block.heading_level or block.text.startswith(ATTACHMENT_MARKS) else body
            story.append(Paragraph(_escape(block.text), style))
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


def render_docx(source: Path, out: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    title, blocks = read_blocks(source)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.sections[0].header.paragraphs[0].text = title
    for i, block in enumerate(blocks):
        if block.rows is not None:
            _docx_table(document, block.rows)
        elif i == 0:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(block.text).bold = True
        elif block.heading_level:
            document.add_heading(block.text, level=min(block.heading_level, 9))
        else:
            if block.text.startswith(ATTACHMENT_MARKS):
                document.add_page_break()
            paragraph = document.add_paragraph(block.text)
            paragraph.paragraph_format.first_line_indent = Pt(22)
    document.save(str(out))


def _docx_table(document, rows: list[list[str]]) -> None:
    spans = merges(rows)
    covered = _covered(spans)
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c in range(width):
            if (r, c) not in covered and c < len(row):
                table.cell(r, c).text = row[c]
    for c0, r0, c1, r1 in spans:
        table.cell(r0, c0).merge(table.cell(r1, c1))


def render_xlsx(source: Path, out: Path) -> None:
    """The report as a one-sheet workbook, as a 自评表 is published: each paragraph a row (its text in
    the first cell), each table's rows as cells with the PDF's merges, figures as numbers with the
    number format that shows them as the text writes them (480.00 as 480 with `0.00`, 97.38% as 0.9738
    with `0.00%`)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    _, blocks = read_blocks(source)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "自评表"
    sheet.column_dimensions["A"].width = 40
    for block in blocks:
        if block.rows is None:
            sheet.append([block.text])
            continue
        first = sheet.max_row + 1
        for row in block.rows:
            sheet.append([None] * len(row))
            for c, text in enumerate(row):
                value, number_format = _sheet_value(text)
                cell = sheet.cell(sheet.max_row, c + 1, value)
                cell.number_format = number_format
        covered = _covered(merges(block.rows))
        for c0, r0, c1, r1 in merges(block.rows):
            for r, c in covered:
                if r0 <= r <= r1 and c0 <= c <= c1:
                    sheet.cell(first + r, c + 1).value = None
            sheet.merge_cells(f"{get_column_letter(c0 + 1)}{first + r0}:{get_column_letter(c1 + 1)}{first + r1}")
    book.save(out)


_PLAIN_FIGURE = re.compile(r"-?\d+(?:\.(\d+))?")
_PERCENT = re.compile(r"(-?\d+(?:\.(\d+))?)%")


def _sheet_value(text: str) -> tuple[object, str]:
    """A cell's value and number format: a plain figure or percentage as a number shown as written."""
    if m := _PLAIN_FIGURE.fullmatch(text):
        places = len(m.group(1) or "")
        return float(text), ("0." + "0" * places) if places else "0"
    if m := _PERCENT.fullmatch(text):
        places = len(m.group(2) or "")
        return float(m.group(1)) / 100, ("0." + "0" * places if places else "0") + "%"
    return text, "General"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sources(folder: Path = HERE) -> list[Path]:
    """The text reports of the corpus that have gold facts."""
    return sorted(p for p in folder.glob("*.txt") if (folder / f"{p.stem}.gold.json").exists())


def render_html(source: Path, out: Path) -> None:
    """The report as a government site publishes it: a page in GB2312 (written as GB18030), a menu
    above and the site's footer below the article, the title as <h1>, headings as <h2>–<h4>, tables
    with merged cells as colspan/rowspan, a script and a comment the loader must leave out."""
    import html
    title, blocks = read_blocks(source)
    body = []
    for block in blocks:
        if block.rows is not None:
            body.append(_html_table(block.rows))
        elif block.text == title and not body:
            body.append(f"<h1>{html.escape(block.text)}</h1>")
        elif block.heading_level:
            level = min(block.heading_level + 1, 4)
            body.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        else:
            body.append(f"<p>{html.escape(block.text)}</p>")
    page = ('<!DOCTYPE html>\n<html><head>\n<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'
            f"<title>{html.escape(title)}</title>\n<script>var visits = 1024;</script>\n</head>\n<body>\n"
            '<div class="menu"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/yjs/">预决算公开</a></div>\n'
            '<div class="article">\n' + "\n".join(body) + "\n</div>\n<!-- 页脚 -->\n"
            '<div class="footer">网站主办：本级人民政府办公室</div>\n</body></html>\n')
    out.write_bytes(page.encode("gb18030"))


def _html_table(rows: list[list[str]]) -> str:
    import html
    spans = merges(rows)
    starts = {(r0, c0): (c1 - c0 + 1, r1 - r0 + 1) for c0, r0, c1, r1 in spans}
    covered = _covered(spans)
    width = max(len(r) for r in rows)
    lines = ['<table border="1">']
    for r, row in enumerate(rows):
        cells = []
        for c in range(width):
            if (r, c) in covered:
                continue
            across, down = starts.get((r, c), (1, 1))
            attributes = (f' colspan="{across}"' if across > 1 else "") + (f' rowspan="{down}"' if down > 1 else "")
            cells.append(f"<td{attributes}>{html.escape(row[c] if c < len(row) else '')}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(lines + ["</table>"])


def render_all(out_dir: Path, only: list[Path] | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, source in enumerate(only or sources()):
        pdf, word, page, sheet = (out_dir / f"{source.stem}{suffix}" for suffix in (".pdf", ".docx", ".html", ".xlsx"))
        render_pdf(source, pdf, FOOTERS[i % len(FOOTERS)])
        render_docx(source, word)
        render_html(source, page)
        render_xlsx(source, sheet)
        shutil.copyfile(source.parent / f"{source.stem}.gold.json", out_dir / f"{source.stem}.gold.json")
        written += [pdf, word, page, sheet]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "generated"), help="output folder (default corpus/generated)")
    args = parser.parse_args(argv)
    written = render_all(Path(args.out))
    print(f"corpus: {len(written)} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
