"""Issue 23 item 2: `jixiao review` writes a small static site: an index of every report (failed
checks first, a filter, sortable columns), a page per report with its facts marked in the text and,
for a PDF still where it was read, its pages as images with a box around each fact."""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest
from PIL import Image

import extract
import extract.review as review
from conftest import CORPUS, ROOT, ingest
from extract.cli import main

PDF_SOURCE = CORPUS / "105_huichuan_water_2024.txt"
HOSTILE = '<script>alert("x")</script>审计局'


@pytest.fixture(scope="module")
def site_inputs(tmp_path_factory):
    """The corpus's text reports and one of them rendered as a PDF (kept in a folder of its own, so
    that a test can move or change it), ingested into an output folder."""
    sys.path.insert(0, str(CORPUS))
    import render
    folder = tmp_path_factory.mktemp("review")
    (folder / "pdf").mkdir()
    pdf = folder / "pdf" / "huichuan.pdf"
    render.render_pdf(PDF_SOURCE, pdf)
    assert ingest([*sorted(CORPUS.glob("*.txt")), pdf], folder / "out") == 0
    return folder / "out", pdf


@pytest.fixture
def site_out(site_inputs, tmp_path):
    """A copy of the output folder, the PDF where it was read from."""
    out, pdf = site_inputs
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "out", pdf


def _rows(index: str) -> list[str]:
    return re.findall(r'<tr data-report-id="([^"]+)"', index)


def _pdf_id(out: Path) -> str:
    reports = extract.load(out).reports
    return reports[reports.file_type == "pdf"].report_id.iloc[0]


def test_the_index_lists_every_report_with_failed_checks_first_and_a_page_for_each(site_out):
    out, _ = site_out
    assert main(["review", str(out)]) == 0
    site = out / "review"
    index = (site / "index.html").read_text(encoding="utf-8")
    data = extract.load(out)
    rows = _rows(index)
    assert sorted(rows) == sorted(data.reports.report_id)
    failed = set(data.checks[data.checks.status == "fail"].report_id)
    assert failed, "the corpus has a report with a failed check (104_qinhuai_audit_2023)"
    assert set(rows[:len(failed)]) == failed
    for rid in failed:
        assert re.search(rf'<tr data-report-id="{rid}" class="fail"><td class="n">[1-9]', index)
    # the filter box, the sortable table and their script; nothing loaded from elsewhere
    assert '<input id="filter"' in index and '<table id="reports">' in index and "addEventListener('input'" in index
    assert not re.search(r'(src|href)="(https?:)?//', index)
    for rid in data.reports.report_id:
        assert f'href="r/{rid}.html"' in index
        page = (site / "r" / f"{rid}.html").read_text(encoding="utf-8")
        assert f'data-report-id="{rid}"' in page and 'href="../index.html"' in page
        assert page.count("<mark ") >= 1 and not re.search(r'(src|href)="(https?:)?//', page)
    qinhuai = (site / "r" / f"{next(iter(failed))}.html").read_text(encoding="utf-8")
    assert 'class="failed" data-check="basic_plus_project_equals_expenditure"' in qinhuai
    assert "2846.37 万元" in qinhuai and "2801.93 万元" in qinhuai  # expected and observed
    assert len(index.encode()) < 100_000
    manifest = json.loads((site / review.MANIFEST).read_text(encoding="utf-8"))
    assert "index.html" in manifest and len([m for m in manifest if m.startswith("r/")]) == len(rows)


def test_the_pdf_report_shows_the_pages_holding_facts_as_images(site_out):
    out, _ = site_out
    assert main(["review", str(out), "--site", str(out / "site")]) == 0
    rid = _pdf_id(out)
    page = (out / "site" / "r" / f"{rid}.html").read_text(encoding="utf-8")
    data = extract.load(out)
    pages_with_facts = sorted({int(p) for t in ("amounts", "rates", "counts")
                               for p in _own(getattr(data, t), rid).page})
    shown = [int(p) for p in re.findall(r'<img class="page" data-page="(\d+)"', page)]
    assert shown == pages_with_facts and shown
    for number in shown:
        image_path = out / "site" / "img" / f"{rid}-p{number}.jpg"
        assert f'src="../img/{image_path.name}"' in page
        assert 10_000 < image_path.stat().st_size < 600_000
        with Image.open(image_path) as image:
            assert image.format == "JPEG" and image.width == 1000 and 1300 < image.height < 1500  # A4
    # Text reports get no images; the run's images are all the PDF's.
    assert sorted(p.name for p in (out / "site" / "img").iterdir()) == sorted(f"{rid}-p{n}.jpg" for n in shown)
    # A second run keeps the images (same file, same page) and draws none.
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "site" / "img").iterdir()}
    assert main(["review", str(out), "--site", str(out / "site")]) == 0
    assert {p: p.stat().st_mtime_ns for p in (out / "site" / "img").iterdir()} == mtimes


def _own(frame, rid: str):
    return frame[frame.report_id == rid]


def _box_styles(page: str) -> dict[str, tuple[float, float, float, float]]:
    found = re.findall(r'<div class="fact-box \w+" data-fact-id="([^"]+)" title="[^"]*" '
                       r'style="left:([\d.]+)%;top:([\d.]+)%;width:([\d.]+)%;height:([\d.]+)%"', page)
    return {fid: tuple(map(float, rest)) for fid, *rest in found}


def _assert_boxes_placed(page: str, pdf: Path, facts) -> None:
    """Each fact with a box has a div at x0/width, top/height … of its page, in %; no other has."""
    document = pdfium.PdfDocument(str(pdf))
    styles = _box_styles(page)
    expected = {}
    for fact in facts.itertuples():
        if all(pd.notna(f) for f in (fact.x0, fact.top, fact.x1, fact.bottom)):
            width, height = document.get_page_size(int(fact.page) - 1)
            expected[fact.fact_id] = (100 * fact.x0 / width, 100 * fact.top / height,
                                      100 * (fact.x1 - fact.x0) / width, 100 * (fact.bottom - fact.top) / height)
    assert styles.keys() == expected.keys()
    for fid, style in styles.items():
        assert style == pytest.approx(expected[fid], abs=0.001), fid


def test_a_box_is_drawn_in_percent_of_its_page_for_each_fact_that_has_one(site_out, tmp_path, monkeypatch):
    """Boxes given to the facts (as extract/boxes.py writes them): a div per box, where the box is."""
    out, pdf = site_out
    data = extract.load(out)
    rid = _pdf_id(out)
    for number, table in enumerate(("amounts", "rates", "counts")):
        frame = getattr(data, table)
        mine = (frame.report_id == rid).to_numpy()
        n = int(mine.sum())
        frame["x0"] = [50.0 + 10 * i + number if m else float("nan") for i, m in enumerate(mine)]
        frame["top"] = [100.0 + 20 * i if m else float("nan") for i, m in enumerate(mine)]
        frame["x1"], frame["bottom"] = frame.x0 + 40, frame.top + 11
        if n > 2:  # a fact without a box (NaN) has no div
            frame.loc[frame.index[mine][0], ["x0", "top", "x1", "bottom"]] = float("nan")
    monkeypatch.setattr(review, "load", lambda _: data)
    review.write_site(out, tmp_path / "site")
    page = (tmp_path / "site" / "r" / f"{rid}.html").read_text(encoding="utf-8")
    facts = [_own(getattr(data, t), rid) for t in ("amounts", "rates", "counts")]
    _assert_boxes_placed(page, pdf, pd.concat(facts))
    assert re.search(r'<div class="fact-box amounts" data-fact-id="[^"]+" title="[^"]+ · [a-z_]+ · [\d,.]+ 元"', page)
    assert "without boxes" not in page
    # every listed fact links to a mark in the text, and the script shows both on a click
    for fid in re.findall(r'<a class="\w+" href="#[^"]+" data-fact-id="([^"]+)"', page):
        assert f'data-fact-id="{fid}"' in page
    assert "function show(id)" in page and "scrollIntoView" in page


def test_boxes_written_by_ingest_are_drawn_where_the_table_says(site_out):
    """Once ingest writes x0, top, x1, bottom (docs/schema.md), the same check on its own output."""
    out, pdf = site_out
    data = extract.load(out)
    rid = _pdf_id(out)
    facts = pd.concat([_own(getattr(data, t), rid) for t in ("amounts", "rates", "counts")])
    if "x0" not in facts or facts.x0.isna().all():
        pytest.skip("ingest writes no boxes yet (extract/boxes.py)")
    assert main(["review", str(out)]) == 0
    _assert_boxes_placed((out / "review" / "r" / f"{rid}.html").read_text(encoding="utf-8"), pdf, facts)


def test_a_pdf_moved_or_changed_since_ingest_gets_the_text_view_with_a_note(site_out, tmp_path, capsys):
    out, pdf = site_out
    moved = tmp_path / "kept.pdf"
    shutil.copy(pdf, moved)
    rid = _pdf_id(out)
    try:
        assert main(["review", str(out)]) == 0
        assert list((out / "review" / "img").iterdir())
        with open(pdf, "ab") as f:
            f.write(b"\n% changed\n")
        assert main(["review", str(out)]) == 0
        page = (out / "review" / "r" / f"{rid}.html").read_text(encoding="utf-8")
        assert "has changed since it was read" in page and "<img" not in page and "<mark " in page
        pdf.unlink()
        assert main(["review", str(out)]) == 0
        page = (out / "review" / "r" / f"{rid}.html").read_text(encoding="utf-8")
        assert "is no longer where it was read from" in page and "<img" not in page and "<mark " in page
        # the first run's images went with the page that showed them
        assert not list((out / "review" / "img").iterdir())
    finally:
        shutil.copy(moved, pdf)


def test_a_rotated_page_is_drawn_as_displayed(site_inputs, tmp_path):
    _, pdf = site_inputs
    document = pdfium.PdfDocument(str(pdf))
    document[0].set_rotation(90)
    rotated = tmp_path / "rotated.pdf"
    document.save(str(rotated))
    assert ingest([rotated], tmp_path / "out") == 0
    assert main(["review", str(tmp_path / "out")]) == 0
    rid = _pdf_id(tmp_path / "out")
    page = (tmp_path / "out" / "review" / "r" / f"{rid}.html").read_text(encoding="utf-8")
    first = re.search(r'<img class="page" data-page="1" [^>]*width="(\d+)" height="(\d+)"', page)
    assert first and int(first.group(1)) > int(first.group(2))  # landscape
    with Image.open(tmp_path / "out" / "review" / "img" / f"{rid}-p1.jpg") as image:
        assert image.width > image.height and abs(image.width / image.height - 842 / 595) < 0.01
    data = extract.load(tmp_path / "out")
    facts = pd.concat([getattr(data, t) for t in ("amounts", "rates", "counts")])
    if facts.x0.notna().any():  # boxes on the page as displayed, placed over the landscape image
        assert facts[facts.page == 1].x0.notna().any()
        _assert_boxes_placed(page, rotated, facts)


def _rewrite(out: Path, table: str, change) -> None:
    path = out / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        change(row)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_hostile_titles_labels_and_checks_are_escaped(site_out):
    out, _ = site_out
    _rewrite(out, "reports", lambda row: row.update(title=HOSTILE, department=HOSTILE, source_path=HOSTILE))
    _rewrite(out, "amounts", lambda row: row.update(label='"><img src=x onerror=alert(1)>'))
    _rewrite(out, "checks", lambda row: row.update(detail="</div><script>alert(2)</script>"))
    assert main(["review", str(out)]) == 0
    for path in (out / "review").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, path
        assert text.count("<script>") == 1  # our own
    index = (out / "review" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;审计局" in index


def test_nothing_but_our_own_files_is_touched_in_an_existing_folder(site_out, tmp_path):
    out, _ = site_out
    site = tmp_path / "site"
    (site / "r").mkdir(parents=True)
    (site / "img").mkdir()
    theirs = {"notes.md": "mine", "r/mine.html": "mine", "img/photo.jpg": "mine", "index.html.bak": "mine",
              ".hidden": "mine", "r/.mine.html.7.tmp.keep": "mine"}
    for name, content in theirs.items():
        (site / name).write_text(content, encoding="utf-8")
    (site / "r" / ".0123456789abcdef.html.4242.tmp").write_text("half written", encoding="utf-8")  # a killed run's
    assert main(["review", str(out), "--site", str(site)]) == 0
    for name, content in theirs.items():
        assert (site / name).read_text(encoding="utf-8") == content, name
    assert not (site / "r" / ".0123456789abcdef.html.4242.tmp").exists()
    assert not [p for p in site.rglob("*.tmp")]
    first = set(json.loads((site / review.MANIFEST).read_text(encoding="utf-8")))
    # A run over fewer reports removes the pages the earlier run wrote, and only those.
    fewer = tmp_path / "fewer"
    assert ingest([CORPUS / "101_jinjiang_education_2022.txt"], fewer) == 0
    assert main(["review", str(fewer), "--site", str(site)]) == 0
    second = set(json.loads((site / review.MANIFEST).read_text(encoding="utf-8")))
    assert len(second) == 2 and second < first
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()) == sorted(
        {*theirs, *second, review.MANIFEST})


def test_a_failed_write_keeps_the_earlier_page_whole(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("earlier", encoding="utf-8")

    def broken(f):
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        review._write(page, broken)
    assert page.read_text(encoding="utf-8") == "earlier" and os.listdir(tmp_path) == ["index.html"]


def test_html_is_replaced_by_site_and_a_site_that_cannot_be_written_is_one_line(seed_out, tmp_path, capsys):
    assert main(["review", str(seed_out), "--html", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "use --site DIR" in err and err.count("\n") == 1 and not (tmp_path / "r.html").exists()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for site in (tmp_path / "file", tmp_path / "file" / "sub"):
        assert main(["review", str(seed_out), "--site", str(site)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"jixiao: error: cannot write {site}: ") and err.count("\n") == 1, err
    assert main(["review", str(tmp_path / "nope")]) == 2
    assert "no reports.csv" in capsys.readouterr().err


def test_the_site_is_written_by_parallel_workers_as_by_one(site_out, tmp_path):
    out, _ = site_out
    review.write_site(out, tmp_path / "one", workers=1)
    review.write_site(out, tmp_path / "two", workers=2)
    for path in (tmp_path / "one").rglob("*.html"):
        assert path.read_bytes() == (tmp_path / "two" / path.relative_to(tmp_path / "one")).read_bytes(), path


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_FILTER_PROBE = """<script>
const f = document.getElementById('filter');
f.value = 'qinhuai_audit'; f.dispatchEvent(new Event('input'));
const visible = [...document.querySelectorAll('#reports tbody tr')].filter(r => !r.hidden).length;
document.querySelector('#reports th:nth-child(3)').click();
const years = [...document.querySelectorAll('#reports tbody tr')].map(r => r.cells[2].textContent);
document.body.setAttribute('data-probe', JSON.stringify({visible, shown: document.getElementById('shown').textContent, years}));
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test` (Makefile set-up)")
def test_the_index_filters_and_sorts_in_headless_chromium(site_out):
    out, _ = site_out
    _rewrite(out, "reports", lambda row: row.update(title=row["title"] + " " + Path(row["source_path"]).stem))
    assert main(["review", str(out)]) == 0
    probed = out / "review" / "probed.html"
    probed.write_text((out / "review" / "index.html").read_text(encoding="utf-8").replace("</body>", _FILTER_PROBE + "</body>"),
                      encoding="utf-8")
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True, cwd=ROOT).stdout
    import html
    probe = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', dom).group(1)))
    assert probe["visible"] == 1 and probe["shown"] == "1"
    assert probe["years"] == sorted(probe["years"])
