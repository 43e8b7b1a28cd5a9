"""Boxes of PDF facts (x0, top, x1, bottom): the characters pdfplumber finds inside a fact's box spell
its raw text, on upright and on turned pages and on the pages of a repaired page tree; facts of other
files have none."""
from __future__ import annotations

import functools
from decimal import Decimal

import pdfplumber
import pytest

from conftest import SHARED
from extract.loaders.pdf_boxes import fold, occurrences
from extract.pipeline import process_file

FACT_TABLES = ("amounts", "rates", "counts")
STEM = "105_huichuan_water_2024"
TURNED = SHARED / "realdocs" / "20_js_rd_2019_yusuan_tables.pdf"


def _facts(result) -> list[dict]:
    return [row for table in FACT_TABLES for row in result.tables[table]]


@functools.cache
def _chars(pdf_path, page: int) -> list[tuple[str, float, float]]:
    """A page's characters as pdfplumber reads them: (text, centre x, centre y from the top)."""
    with pdfplumber.open(pdf_path) as pdf:
        return [(c["text"], (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2) for c in pdf.pages[page - 1].chars]


def _inside(pdf_path, row) -> str:
    """The characters whose centres lie in the fact's box."""
    x0, top, x1, bottom = (float(row[k]) for k in ("x0", "top", "x1", "bottom"))
    return "".join(text for text, x, y in _chars(pdf_path, row["page"])
                   if x0 <= x <= x1 and top <= y <= bottom and not text.isspace())


def _spells_raw(pdf_path, row) -> bool:
    """The box holds the raw text; or, for a raw broken over a line, the larger part of it."""
    inside, raw = _inside(pdf_path, row), "".join(row["raw"].split())
    return inside == raw or (len(inside) * 2 >= len(raw) and inside in raw)


def test_every_fact_of_a_pdf_has_the_box_of_its_text(rendered):
    path = rendered / f"{STEM}.pdf"
    facts = _facts(process_file(str(path)))
    assert len(facts) == 49 and all(row["x0"] is not None for row in facts)
    assert all(_spells_raw(path, row) for row in facts), [r["raw"] for r in facts if not _spells_raw(path, r)]
    # 全年预算数 in the text of page 1, and in the self-evaluation form's budget row on page 3.
    first = next(r for r in facts if r["raw"] == "480.00 万元")
    assert (first["page"], _inside(path, first)) == (1, "480.00万元")
    assert first["x0"] < first["x1"] and first["top"] < first["bottom"] and isinstance(first["x0"], Decimal)
    in_form = [r for r in facts if r["raw"] == "520.00" and r["page"] == 3]
    assert in_form and _inside(path, in_form[0]) == "520.00"


@pytest.mark.parametrize("raw,page,times", [("100%", 3, 4), ("67 件", 1, 2), ("18台", 3, 2)])
def test_a_figure_repeated_on_a_page_gets_the_box_of_its_own_occurrence(rendered, raw, page, times):
    path = rendered / f"{STEM}.pdf"
    repeated = [r for r in _facts(process_file(str(path))) if r["raw"] == raw and r["page"] == page]
    assert len({(r["x0"], r["top"]) for r in repeated}) == len(repeated) == times  # each at its own place


@pytest.mark.skipif(not TURNED.exists(), reason="../shared/realdocs is not beside the project")
def test_boxes_on_turned_pages_are_where_the_pages_show_the_text():
    """A published budget whose every page is turned (/Rotate 90) with its tables drawn turned back."""
    facts = _facts(process_file(str(TURNED)))
    assert len(facts) == 242 and all(row["x0"] is not None for row in facts)
    with pdfplumber.open(TURNED) as pdf:
        width, height = float(pdf.pages[0].width), float(pdf.pages[0].height)
    assert width > height and max(float(r["x1"]) for r in facts) > height  # boxes on the page as displayed
    assert all(_inside(TURNED, row) == "".join(row["raw"].split()) for row in facts)


def test_facts_of_other_files_have_no_box(rendered):
    for suffix in (".docx", ".html"):
        facts = _facts(process_file(str(rendered / f"{STEM}{suffix}")))
        assert facts and all(row.get("x0") is None for row in facts)


def test_the_pages_of_a_repaired_page_tree_get_their_boxes(rendered, tmp_path):
    """A page tree declaring fewer pages than it holds is read whole (pdf_page_tree): the facts of
    the pages pdfium did not list are placed on the pages the loader read, not looked for in vain."""
    sound = (rendered / f"{STEM}.pdf").read_bytes()
    assert sound.count(b"/Count 3") == 1
    path = tmp_path / "declares_one_page.pdf"
    path.write_bytes(sound.replace(b"/Count 3", b"/Count 1"))  # same length: the offsets still hold
    facts = _facts(process_file(str(path)))
    assert len(facts) == 49 and {row["page"] for row in facts} == {1, 3}  # page 2 holds none
    assert all(row["x0"] is not None and _spells_raw(path, row) for row in facts)


@pytest.mark.parametrize("text,key,expected", [
    ("甲4598.42万元 598.42万元 598.425", "598.42万元", 1),
    ("合计1,598.42", "598.42", 0),
    ("执行598.42，结余", "598.42", 1),
    ("16497.86 1421.25", "1421.25", 1),  # table cells side by side, a blank between
    ("16497.861421.25", "1421.25", 0),
])
def test_a_figure_is_found_only_where_it_is_whole(text, key, expected):
    folded, where = fold(text)
    assert len(occurrences(folded, fold(key)[0], where)) == expected
