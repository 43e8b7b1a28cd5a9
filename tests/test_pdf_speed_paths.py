"""The PDF loader's fast paths (issue 18): work on a document's fonts done once for the document,
ruled tables made from pdfium's paths without pdfplumber (in Form XObjects and on turned pages
too), lost spaces put back without reading the page again, and pdfplumber's table finder rewritten
to give the same cells. No timings here: speed is for the benchmarks.

Some tests read published reports from ../shared/realdocs (not part of the project); they are
skipped when that folder is absent."""
from __future__ import annotations

import random
import re
from bisect import bisect_left
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pytest
from pdfminer import pdffont
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from extract import loaders
from extract.loaders import load
from extract.loaders import layout, pdf as pdf_loader
from extract.loaders import pdf_tables

REALDOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs"
DEFAULT_MAX_PAGES = loaders.MAX_PAGES
# A small ruled table: its rows as the loader writes them, tab-separated.
ROWS = [("Item", "Amount"), ("Income", "1,234.00"), ("Spending", "1,200.00")]
TABLE_TEXT = ["\t".join(row) for row in ROWS]


def _realdoc(prefix: str) -> Path:
    found = sorted(REALDOCS.glob(f"{prefix}_*.pdf"))
    if not found:
        pytest.skip(f"{REALDOCS} holds no {prefix}_*.pdf (published reports are not part of the project)")
    return found[0]


@pytest.fixture(autouse=True)
def _default_page_limit(monkeypatch):
    """The page limit as a fresh process has it (an in-process `ingest --max-pages` elsewhere sets it)."""
    monkeypatch.setattr(loaders, "MAX_PAGES", DEFAULT_MAX_PAGES)


@pytest.fixture
def no_pdfplumber(monkeypatch):
    """pdfplumber may not open the document: whatever it would be asked for, pdfium must give."""
    def refuse(*args, **kwargs):
        pytest.fail("pdfplumber was opened")  # not an Exception: the loader's guard on pdfplumber lets it through
    monkeypatch.setattr(pdfplumber, "open", refuse)


def _count_constructions(monkeypatch, font_class) -> list:
    """A list that grows by one each time pdfminer builds a font of this class."""
    built = []
    original = font_class.__init__

    def counting(self, *args, **kwargs):
        built.append(font_class.__name__)
        original(self, *args, **kwargs)
    monkeypatch.setattr(font_class, "__init__", counting)
    return built


def _table(c, left=100, top=500, widths=(200, 150), height=24, ruling=True, words=True) -> None:
    """ROWS as a ruled table with its top left corner at (left, top), a heading above it."""
    xs = [left, left + widths[0], left + widths[0] + widths[1]]
    if words:
        c.setFont("Helvetica", 11)
        c.drawString(left, top + 30, "Budget 2024")
        for k, row in enumerate(ROWS):
            for x, cell in zip(xs, row):
                c.drawString(x + 6, top - (k + 1) * height + 8, cell)
    if ruling:
        for k in range(len(ROWS) + 1):
            c.line(xs[0], top - k * height, xs[-1], top - k * height)
        for x in xs:
            c.line(x, top, x, top - len(ROWS) * height)


def test_a_font_is_built_once_for_the_document_not_on_every_page(tmp_path, monkeypatch):
    """pdfium leaves out a text object holding a lone space; it is read back from the content
    stream through pdfminer's font. Four pages in the same font: the font is built once."""
    path = tmp_path / "lone_spaces.pdf"
    c = canvas.Canvas(str(path))
    for _ in range(4):
        c.setFont("Helvetica", 11)
        c.drawString(72, 720, "Budget execution report")
        for x, word in ((72, "x"), (80, " "), (86, "y")):
            c.drawString(x, 700, word)
        c.showPage()
    c.save()
    built = _count_constructions(monkeypatch, pdffont.PDFType1Font)
    pages = load(str(path)).pages
    assert built == ["PDFType1Font"]
    # pdfium's space between the two words, and the lost one put back
    assert pages == ["Budget execution report\nx  y"] * 4


def test_a_published_reports_lost_spaces_cost_no_font(monkeypatch):
    """05: 27 of its 35 pages hold lone spaces pdfium leaves out, in two embedded fonts whose
    ToUnicode maps each take pdfminer tens of milliseconds to read: they were built 1,092 times,
    then once each; a blank object in an embedded font is now known for a space without them."""
    path = _realdoc("05")
    built = _count_constructions(monkeypatch, pdffont.PDFCIDFont)
    pages = load(str(path)).pages
    assert built == []
    assert len(pages) == 35
    assert "单位：元" in pages[10] and "627,600" in pages[10]


def test_lost_spaces_in_a_latin_font_left_out_of_the_file_cost_no_font(monkeypatch):
    """38: its lost objects include lone spaces in a Times New Roman the file does not embed
    (pdfium stands its own serif in): that font cannot show a CJK character, so a blank object in
    it is a space, and no font is built for any of its 26 pages."""
    path = _realdoc("38")
    built = _count_constructions(monkeypatch, pdffont.PDFSimpleFont)
    built += _count_constructions(monkeypatch, pdffont.PDFCIDFont)
    pages = load(str(path)).pages
    assert built == []
    assert len(pages) == 26
    assert "二是以更大力度加强民生司法保障" in pages[5]


def test_ruled_tables_are_made_from_pdfiums_paths(tmp_path, no_pdfplumber):
    path = tmp_path / "table.pdf"
    c = canvas.Canvas(str(path))
    _table(c)
    c.save()
    assert load(str(path)).pages == ["\n".join(["Budget 2024", *TABLE_TEXT])]


def test_a_table_ruled_inside_a_form_xobject(tmp_path, monkeypatch):
    """The ruling is drawn by a Form XObject: its paths are read through the form's matrix, and
    the cells are those pdfplumber's table finder makes from its own reading of the page."""
    path = tmp_path / "form.pdf"
    c = canvas.Canvas(str(path))
    c.beginForm("ruling")
    _table(c, words=False)
    c.endForm()
    c.saveState()
    c.translate(20, -40)  # the form is drawn moved: its matrix matters
    c.doForm("ruling")
    c.restoreState()
    _table(c, left=120, top=460, ruling=False)
    c.save()
    with pdfplumber.open(str(path)) as pdf:
        theirs = [(t.bbox, [row.cells for row in t.rows]) for t in pdf.pages[0].find_tables()]
    monkeypatch.setattr(pdfplumber, "open", lambda *a, **k: pytest.fail("pdfplumber was opened"))
    import pypdfium2 as pdfium
    page = pdfium.PdfDocument(str(path))[0]
    objects = pdf_loader._page_objects(page)
    ours = pdf_tables.page_tables(objects.paths, objects.height)
    assert [_rounded(t.bbox) for t in ours] == [_rounded(bbox) for bbox, _ in theirs]
    assert [[_rounded(b) for b in row] for row in ours[0].slots] == [[_rounded(b) for b in row] for row in theirs[0][1]]
    assert load(str(path)).pages == ["\n".join(["Budget 2024", *TABLE_TEXT])]


def _rounded(box):
    return tuple(round(v, 2) for v in box)


def test_a_turned_page_reads_as_displayed(tmp_path):
    """A page turned by /Rotate 90 with its table drawn turned back: on screen it reads across.
    Its characters and ruling are both taken onto the page as displayed (the characters had
    stayed in the page's own coordinates, so the table's cells missed them)."""
    path = tmp_path / "turned.pdf"
    c = canvas.Canvas(str(path), pagesize=landscape(A4))
    c.setPageRotation(90)
    c.translate(A4[0], 0)  # the page as displayed: x along its width, y up its height
    c.rotate(90)
    _table(c)
    c.save()
    assert load(str(path)).pages == ["\n".join(["Budget 2024", *TABLE_TEXT])]


def test_a_published_turned_page_reads_across():
    """20: every page is turned (/Rotate 90); its income table read as garble before."""
    pages = load(str(_realdoc("20"))).pages
    assert any(line.startswith("收入合计\t18,330.37") for line in pages[0].split("\n"))


def test_runs_of_lost_spaces_do_not_send_the_page_to_pdfplumber(no_pdfplumber):
    """36: pdfium leaves out text objects holding runs of spaces (and spaces in turned text);
    those pages were read again by pdfplumber."""
    pages = load(str(_realdoc("36"))).pages
    assert "1,029.15" in pages[13]


@pytest.mark.parametrize("seed", range(60))
def test_the_table_finder_makes_pdfplumbers_cells(seed):
    """Random ruling (grids with lines left out, nudged off their line and broken into pieces):
    the tables, their boxes and rows of cells are pdfplumber's TableFinder's, float for float."""
    rng = random.Random(seed)
    xs = sorted(rng.sample(range(40, 560, 4), rng.randint(2, 9)))
    ys = sorted(rng.sample(range(40, 800, 4), rng.randint(2, 14)))
    vertical, horizontal = [], []

    def add(edges, across, start, end, orientation):
        across += rng.choice([0, 0, 0, rng.uniform(-2.5, 2.5)])
        pieces = [start, end]
        if rng.random() < 0.2 and end - start > 10:  # broken in two, the gap within joining reach
            cut = rng.uniform(start + 3, end - 3)
            pieces = [start, cut, cut + rng.uniform(0, 4), end]
        for a, b in zip(pieces[::2], pieces[1::2]):
            edges.append((across, a, b, orientation))

    for x in xs:
        for top, bottom in zip(ys, ys[1:]):
            if rng.random() < 0.85:
                add(vertical, x, top, bottom, "v")
    for y in ys:
        for left, right in zip(xs, xs[1:]):
            if rng.random() < 0.85:
                add(horizontal, y, left, right, "h")
    ours_v = [pdf_tables.Edge(x, a, x, b, 0, b - a) for x, a, b, _ in vertical]
    ours_h = [pdf_tables.Edge(a, y, b, y, b - a, 0) for y, a, b, _ in horizontal]
    theirs_v = [{"x0": x, "x1": x, "top": a, "bottom": b, "width": 0, "height": b - a, "orientation": "v",
                 "object_type": "line_edge"} for x, a, b, _ in vertical]
    theirs_h = [{"x0": a, "x1": b, "top": y, "bottom": y, "width": b - a, "height": 0, "orientation": "h",
                 "object_type": "line_edge"} for y, a, b, _ in horizontal]
    if len(theirs_v) < 2 or len(theirs_h) < 2:
        return
    from pdfplumber.table import TableFinder
    finder = TableFinder(None, {"vertical_strategy": "explicit", "explicit_vertical_lines": theirs_v,
                                "horizontal_strategy": "explicit", "explicit_horizontal_lines": theirs_h})
    theirs = [(t.bbox, [row.cells for row in t.rows]) for t in finder.tables]
    assert pdf_tables._find_tables(ours_v, ours_h) == theirs


def test_bold_bands_joined_answer_as_the_bands_do():
    """Which lines a bold text object reaches is asked of the bands joined where they overlap."""
    rng = random.Random(7)
    for _ in range(300):
        bands = [(b, b + rng.choice([0, 1, 5, 12])) for b in (rng.uniform(0, 100) for _ in range(rng.randint(1, 8)))]
        bottoms, tops = pdf_loader._joined_bands(bands)
        for _ in range(20):
            line_bottom = rng.uniform(-5, 110)
            line_top = line_bottom + rng.choice([0, 3, 10])
            k = bisect_left(bottoms, line_top) - 1
            assert (k >= 0 and line_bottom < tops[k]) == any(b < line_top and line_bottom < t for b, t in bands)


def test_a_space_pdfium_made_up_goes_with_the_character_before_it():
    """pdfium adds a space between two text objects with a zero-width box at a place of its own,
    here inside the next cell's figure: it goes after the character before it (ending the first
    cell's text, where it is dropped), not into the middle of the figure."""
    # Two cells on one line: "12.50" (x 100-130) and "3,456" (x 200-230); the made-up space
    # after "12.50" sits at x 212, between "3,4" and "56".
    glyphs = [(ch, 100 + 6 * k) for k, ch in enumerate("12.50")]
    glyphs += [(" ", 212)]
    glyphs += [(ch, 200 + 6 * k) for k, ch in enumerate("3,456")]
    text = "".join(ch for ch, _ in glyphs)
    boxes = [(x, x) if ch == " " else (x, x + 6) for ch, x in glyphs]
    chars = layout.PageChars(list(text), [left for left, _ in boxes], [500.0] * len(text),
                                  [right for _, right in boxes], [510.0] * len(text), None)
    tables = [SimpleNamespace(bbox=(90, 490, 160, 520)), SimpleNamespace(bbox=(160, 490, 240, 520))]
    in_tables: list[list] = [[], []]
    assert layout._runs_outside_tables(chars, 0, len(text), tables, in_tables) == []
    assert [layout._text_lines(inside) for inside in in_tables] == [["12.50 "], ["3,456"]]
    # Two figures in one cell keep the made-up space between them.
    chars.left[5] = chars.right[5] = 150
    tables = [SimpleNamespace(bbox=(90, 490, 240, 520))]
    in_tables = [[]]
    layout._runs_outside_tables(chars, 0, len(text), tables, in_tables)
    assert layout._text_lines(in_tables[0]) == ["12.50 3,456"]


def test_no_figure_in_a_published_table_is_split_by_a_made_up_space(tmp_path):
    """09: pdfium's made-up spaces landed inside figures of the next cells ("82,09 6,797.42")."""
    from conftest import ingest, read_table
    out = tmp_path / "out"
    assert ingest([_realdoc("09")], out, "--no-cache") == 0
    amounts = read_table(out, "amounts")
    assert len(amounts) > 100
    assert not [row["raw"] for row in amounts if re.search(r"[\d,.] +[\d,.]", row["raw"])]
    # Page 8's 一般公共服务支出: its glyphs run unbroken on the page.
    assert ("82,096,797.42", "82096797.42") in {(row["raw"], row["value_yuan"]) for row in amounts}
    text = "\n".join(path.read_text(encoding="utf-8") for path in (out / "text").glob("*.txt"))
    assert not re.search(r"\d,\d{0,2} \d", text)
