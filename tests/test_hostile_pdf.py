"""Hostile PDFs (issue 20, the PDF part): pdfium is the authority for the text, so a secondary
parser's failure on a page costs that page's extras, never the report; every page the page tree
holds is read, whatever count it declares; the PDF libraries' log lines become the file's warnings,
not stderr; a page of tens of thousands of text objects is read in linear time; and every errors
row carries a word of our own vocabulary."""
import ast
import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from conftest import ROOT, ingest, read_table
from extract import loaders
from extract.errors import ERROR_TYPES
from extract.loaders import load, pdf_secondary, pdf_text_order
from extract.pipeline import error_row, process_file

sys.path.insert(0, str(ROOT / "benchmarks"))
from pathological_pdf import one_line_drawn_backwards  # noqa: E402

FONT = "STSong-Light"  # reportlab's built-in CID font: not embedded, so pdfium loses a lone glyph of it
REPORT_LINES = ["某县水务局2024年度部门整体支出绩效自评报告", "一、基本情况",
                "本局2024年度年初预算数1,280.00万元，全年预算数1,356.40万元，",
                "全年执行数1,301.22万元，预算执行率95.93%。", "全年完成河道巡查420次，整改问题36处。"]
LONE_GLYPH = "完"  # drawn as a text object of its own: pdfium leaves it out, pdfminer reads it back


@pytest.fixture(autouse=True)
def _default_page_limit(monkeypatch):
    """The page limit as a fresh process has it (an in-process `ingest --max-pages` elsewhere sets it)."""
    monkeypatch.setattr(loaders, "MAX_PAGES", 2000)


def _report_pdf(path: Path, n_pages: int = 1) -> bytes:
    """A short report in a CID font, each page ending with a lone glyph that pdfium loses."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    drawing = canvas.Canvas(str(path))
    for page in range(n_pages):
        drawing.setFont(FONT, 11)
        for k, line in enumerate(REPORT_LINES if page == 0 else [_later_page_line(page + 1)]):
            drawing.drawString(72, 700 - 20 * k, line)
        drawing.drawString(72, 600, LONE_GLYPH)
        drawing.showPage()
    drawing.save()
    return path.read_bytes()


def _later_page_line(number: int) -> str:
    """A line of its own on each page after the first (a line repeated at one place is a running header)."""
    return f"第{number}页说明：" + "甲乙丙丁戊己庚辛"[number - 2] * number


def _updated(data: bytes, objects: dict[int, bytes]) -> bytes:
    """The file with an incremental update appended that gives these objects (number → body) a new
    version, as an editor saving a change would."""
    trailer = data[data.rindex(b"trailer"):]
    root = re.search(rb"/Root (\d+ \d+ R)", trailer)[1]
    size = int(re.search(rb"/Size (\d+)", trailer)[1])
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    out, entries = bytearray(data), []
    for number, body in sorted(objects.items()):
        entries.append(b"%d 1\n%010d 00000 n \n" % (number, len(out)))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n" + b"".join(entries)
    out += b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        max(size, max(objects) + 1), root, previous, xref)
    return bytes(out)


def _first_page(data: bytes) -> tuple[int, bytes]:
    """The number and body of the first page object reportlab wrote."""
    page = re.search(rb"\n(\d+) 0 obj\n(<<\n/Contents \d+ 0 R.*?)\nendobj", data, re.S)
    return int(page[1]), page[2]


def _next_free_number(data: bytes) -> int:
    return int(re.search(rb"/Size (\d+)", data[data.rindex(b"trailer"):])[1])


def _with_a_broken_ascii85_stream(data: bytes) -> bytes:
    """The first page given a second content stream, ASCII85-encoded with a digit that is none
    ('v'): pdfium decodes what it can (nothing that draws), pdfminer raises 'Non-Ascii85 digit found'."""
    number, body = _first_page(data)
    broken = base64.a85encode(b"q 1 0 0 1 0 0 cm Q\n") + b"v~>"
    stream = _next_free_number(data)
    contents = re.search(rb"/Contents (\d+ 0 R)", body)
    return _updated(data, {
        number: body.replace(contents[0], b"/Contents [%s %d 0 R]" % (contents[1], stream)),
        stream: b"<< /Length %d /Filter /ASCII85Decode >>\nstream\n%s\nendstream" % (len(broken), broken)})


def test_a_page_pdfminer_fails_on_keeps_pdfiums_text_and_figures_and_says_which_page(tmp_path):
    sound = _report_pdf(tmp_path / "sound.pdf")
    path = tmp_path / "mutated.pdf"
    path.write_bytes(_with_a_broken_ascii85_stream(sound))
    assert load(str(tmp_path / "sound.pdf")).pages[0].endswith(LONE_GLYPH)  # put back where pdfminer can read

    loaded = load(str(path))
    assert loaded.pages[0].split("\n") == REPORT_LINES  # pdfium's text, without the glyph it lost
    (warning,) = loaded.warnings
    assert warning.startswith(f"{path}: page 1 ") and "pdfminer" in warning and "Non-Ascii85 digit found" in warning
    result = process_file(str(path))
    assert result.error is None
    report = result.tables["reports"][0]
    assert report["status"] == "partial" and report["n_pages"] == 1  # read, with a warning (project rule)
    assert [str(a["value_yuan"]) for a in result.tables["amounts"]][:3] == ["12800000.00", "13564000.00", "13012200.00"]
    assert [(e["stage"], e["error_type"]) for e in result.tables["errors"]] == [("load", "repaired")]
    assert "page 1" in result.tables["errors"][0]["message"]


def test_a_secondary_parser_crash_on_one_page_costs_that_page_alone(tmp_path, monkeypatch):
    """A bare StopIteration (what pdfminer raised when it found fewer pages than pdfium) on the
    second page: the first and third still get their lost glyph back."""
    path = tmp_path / "three.pdf"
    _report_pdf(path, n_pages=3)
    reading = pdf_secondary.undecoded_text
    calls = []

    def failing_on_the_second_page(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise StopIteration
        return reading(*args, **kwargs)
    monkeypatch.setattr(pdf_secondary, "undecoded_text", failing_on_the_second_page)
    loaded = load(str(path))
    assert [page.endswith(LONE_GLYPH) for page in loaded.pages] == [True, False, True]
    assert loaded.pages[1] == _later_page_line(2)
    assert loaded.warnings == [f"{path}: page 2 read by pdfium alone, without the text it could not decode: "
                               "pdfminer failed on the page (StopIteration)"]


def test_every_page_the_page_tree_holds_is_read_whatever_count_it_declares(tmp_path):
    path = tmp_path / "six.pdf"
    sound = _report_pdf(path, n_pages=6)
    assert sound.count(b"/Count 6") == 1
    path.write_bytes(sound.replace(b"/Count 6", b"/Count 1"))  # same length: the offsets still hold
    loaded = load(str(path))
    assert len(loaded.pages) == 6 and all(page.endswith(LONE_GLYPH) for page in loaded.pages)
    assert [page.split("\n")[0] for page in loaded.pages[1:]] == [_later_page_line(n) for n in range(2, 7)]
    assert loaded.warnings == [f"{path}: its page tree declares 1 pages (/Count) but holds 6: all 6 read"]
    assert process_file(str(path)).tables["reports"][0]["n_pages"] == 6

    # A count above the pages held: the missing ones are said, and read as empty pages.
    path.write_bytes(sound.replace(b"/Count 6", b"/Count 8"))
    loaded = load(str(path))
    assert [bool(page) for page in loaded.pages] == [True] * 6 + [False] * 2
    assert loaded.warnings == [f"{path}: page(s) 7, 8 could not be loaded, read as empty"]


def test_pdf_library_log_lines_are_the_files_warnings_not_stderr(tmp_path):
    """A page label style pdfminer does not know makes it log a warning, with no word of the file,
    as it lists the pages (here to read back the lost glyph); in a real run, from a worker."""
    sound = _report_pdf(tmp_path / "sound.pdf")
    catalog = int(re.search(rb"/Root (\d+) 0 R", sound[sound.rindex(b"trailer"):])[1])
    body = re.search(rb"\n%d 0 obj\n(<<.*?>>)\nendobj" % catalog, sound, re.S)[1]
    path = tmp_path / "labelled.pdf"
    path.write_bytes(_updated(sound, {catalog: body[:-2] + b" /PageLabels << /Nums [0 << /S /Q >>] >> >>"}))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "extract", "ingest", str(path), "--out", str(out), "--no-cache"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "page label" not in run.stderr.lower() and "pdfminer" not in run.stderr
    (row,) = read_table(out, "errors")
    assert (row["stage"], row["error_type"]) == ("load", "repaired")
    assert row["message"].startswith(f"{path}: page 1: pdfminer said: Unknown page label style")
    assert read_table(out, "reports")[0]["status"] == "partial"


def test_a_page_of_twenty_thousand_text_objects_is_read_whole():
    """One glyph each, drawn right to left along a line: pdfium's line building was quadratic in
    them (benchmarks/pathological_pdf.py); every character is read."""
    data = one_line_drawn_backwards(20_000)
    loaded = loaders.pdf.load_pdf("backwards.pdf", data, "0" * 64)
    assert sum(len(page) for page in loaded.pages) == 20_000 and loaded.warnings == []


def test_text_objects_handed_over_in_line_order_read_as_pdfium_reads_them_as_they_come(monkeypatch):
    data = one_line_drawn_backwards(3_000)
    reordered = loaders.pdf.load_pdf("backwards.pdf", data, "0" * 64).pages
    monkeypatch.setattr(pdf_text_order, "WALK_BUDGET", float("inf"))  # pdfium given the stream's order
    assert loaders.pdf.load_pdf("backwards.pdf", data, "0" * 64).pages == reordered
    assert reordered[0].startswith("baba")


def _error_types_written_in(source: str) -> set[str]:
    """The error_type of every errors row the source builds from a literal: IngestError(stage, type,
    message), error_row(path, stage, type, message), and inputs' _row(path, type, message)."""
    position = {"IngestError": 1, "error_row": 2, "_row": 1}
    types = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in position:
            argument = node.args[position[node.func.id]] if len(node.args) > position[node.func.id] else None
            if isinstance(argument, ast.Constant):
                types.add(argument.value)
    return types


def test_every_error_type_the_code_can_write_is_in_the_vocabulary_and_documented():
    written = set()
    for path in sorted((ROOT / "extract").rglob("*.py")):
        written |= _error_types_written_in(path.read_text(encoding="utf-8"))
    assert written == ERROR_TYPES, (written - ERROR_TYPES, ERROR_TYPES - written)  # nor a word no code writes
    table = (ROOT / "docs" / "error-types.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", table, re.M))
    assert documented == ERROR_TYPES
    # A word left out of the vocabulary is never written as it is.
    assert error_row("x.pdf", "load", "PSSyntaxError", "x.pdf: …")["error_type"] == "internal_error"


def test_an_unexpected_exception_in_a_loader_is_an_internal_error_on_one_line_naming_the_file(tmp_path, monkeypatch):
    def crashing(path, data, sha256):
        raise ValueError("a library's\nmessage over two lines")
    monkeypatch.setitem(loaders.LOADERS, ".txt", crashing)  # the workers are forked: they have it too
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "report.txt"
    path.write_text("某局2023年度部门整体支出绩效自评报告\n全年预算数 50 万元。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([path], out, "--no-cache") == 1
    (row,) = read_table(out, "errors")
    assert (row["stage"], row["error_type"]) == ("load", "internal_error")
    assert row["message"] == f"{path}: internal error in load: ValueError: a library's message over two lines"
