"""Scanned reports read by OCR (issue 21): pages without a text layer, image files, --ocr off/force,
the time a file is given per OCR page, and the engine's models from the installed package.

The page images are drawn by the tests from a report we write here, with a Chinese font found by
fontconfig (the Makefile installs fonts-wqy-zenhei); without one the tests that draw are skipped."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from extract.cli import main
from extract.loaders import ocr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpus"))
from scan import cjk_font_file  # noqa: E402  (corpus/scan.py)

DPI = 200
# A short report of our own: its figures are what the tests look for.
REPORT = [
    "青禾县农业农村局2023年度部门整体支出绩效自评报告",
    "一、预算执行情况",
    "2023年全年预算数1,250.60万元，全年执行数1,198.35万元，预算执行率95.82%。",
    "二、绩效目标完成情况",
    "全年培训高素质农民3,200人次，建成村级服务站1,045个。",
]
SECOND_PAGE = [
    "三、存在的问题",
    "部分项目资金拨付进度偏慢，年底结转资金52.25万元。",
]


def _font_file() -> str:
    font_file = cjk_font_file()
    if font_file is None:
        pytest.skip("no Chinese font installed (fonts-wqy-zenhei, which `make test` installs as root)")
    return font_file


def page_image(lines: list[str], angle: float = 0.0, seal: bool = False) -> Image.Image:
    """A white page as wide as A4 at DPI, just tall enough for the lines, text at 14 pt."""
    width = int(8.27 * DPI)
    size = int(14 / 72 * DPI)
    page = Image.new("RGB", (width, size * 2 * (len(lines) + 2)), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(_font_file(), size)
    for k, line in enumerate(lines):
        draw.text((int(width * 0.1), size * (2 + 2 * k)), line, font=font, fill=(20, 20, 20))
    if seal:  # a red seal's ring and star over the figures of the budget line, inked over the print
        layer = Image.new("RGB", page.size, "white")
        x, y, r = int(width * 0.45), size * 6, size * 3
        ImageDraw.Draw(layer).ellipse((x - r, y - r, x + r, y + r), outline=(220, 30, 40), width=8)
        ImageDraw.Draw(layer).regular_polygon((x, y, r // 3), 5, fill=(220, 30, 40))
        page = ImageChops.multiply(page, layer)
    if angle:
        page = page.rotate(angle, resample=Image.BICUBIC, fillcolor="white")
    return page


def scanned_pdf(path: Path, pages: list[Image.Image]) -> Path:
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return path


def tables(out: Path, name: str) -> list[dict]:
    with open(out / f"{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def amounts(out: Path) -> set[int]:
    return {round(float(row["value_yuan"])) for row in tables(out, "amounts")}


def test_the_models_are_those_inside_the_installed_package():
    import rapidocr_onnxruntime
    package = Path(rapidocr_onnxruntime.__file__).parent
    files = ocr.model_files()
    assert {f.name for f in files} >= {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"}
    assert all(f.is_relative_to(package) and f.stat().st_size > 100_000 for f in files)
    # The sessions the engine runs were made from those files (onnxruntime keeps each one's path).
    engine = ocr.engine()
    loaded = {Path(engine.text_det.infer.session._model_path), Path(engine.text_rec.session.session._model_path)}
    assert loaded <= set(files)


def test_a_scanned_one_page_report_gives_its_amounts(tmp_path):
    pdf = scanned_pdf(tmp_path / "scan.pdf", [page_image(REPORT)])
    assert main(["ingest", str(pdf), "--out", str(tmp_path / "out"), "--no-cache"]) == 0
    out = tmp_path / "out"
    assert {12_506_000, 11_983_500} <= amounts(out)
    assert {row["value_pct"] for row in tables(out, "rates")} >= {"95.82"}
    assert {(row["value"], row["unit"]) for row in tables(out, "counts")} >= {("3200", "人次"), ("1045", "个")}
    report = tables(out, "reports")[0]
    assert report["year"] == "2023" and report["report_type"] == "department_overall"
    assert report["needs_ocr"] == "true" and report["ocr_pages"] == "1"
    assert 0.85 <= float(report["ocr_confidence"]) <= 1.0


def test_a_page_a_degree_askew_under_a_red_seal_reads_the_same(tmp_path):
    pdf = scanned_pdf(tmp_path / "askew.pdf", [page_image(REPORT, angle=1.0, seal=True)])
    assert main(["ingest", str(pdf), "--out", str(tmp_path / "out"), "--no-cache"]) == 0
    assert {12_506_000, 11_983_500} <= amounts(tmp_path / "out")


def test_a_mixed_pdf_ocrs_only_its_scanned_page(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    image = tmp_path / "page2.png"
    page_image(SECOND_PAGE).save(image, dpi=(DPI, DPI))
    pdf = tmp_path / "mixed.pdf"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(pdf))
    c.setFont("STSong-Light", 12)
    for k, line in enumerate(REPORT):
        c.drawString(60, 780 - 24 * k, line)
    c.showPage()
    width, height = Image.open(image).size
    c.drawImage(str(image), 0, 842 - height * 72 / DPI, width * 72 / DPI, height * 72 / DPI)
    c.showPage()
    c.save()
    out = tmp_path / "out"
    assert main(["ingest", str(pdf), "--out", str(out), "--no-cache"]) == 0
    report = tables(out, "reports")[0]
    assert report["n_pages"] == "2" and report["ocr_pages"] == "1"
    found = amounts(out)
    assert {12_506_000, 11_983_500} <= found  # page 1, its text layer
    assert 522_500 in found  # page 2, read by OCR
    assert {row["page"] for row in tables(out, "amounts") if row["value_yuan"].startswith("522500")} == {"2"}
    # Facts of the text layer carry their box; those of the page read by OCR have none (see boxes).
    assert {(row["page"], bool(row["x0"])) for row in tables(out, "amounts")} == {("1", True), ("2", False)}


def test_ocr_off_keeps_the_needs_ocr_failure(tmp_path, capsys):
    pdf = scanned_pdf(tmp_path / "scan.pdf", [page_image(REPORT)])
    out = tmp_path / "out"
    assert main(["ingest", str(pdf), "--out", str(out), "--no-cache", "--ocr", "off"]) == 1
    report = tables(out, "reports")[0]
    assert report["status"] == "failed" and report["needs_ocr"] == "true" and report["ocr_pages"] == "0"
    [error] = tables(out, "errors")
    assert error["error_type"] == "needs_ocr" and "--ocr auto" in error["message"]


def test_image_files_are_read_and_a_corrupt_one_is_an_errors_row(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    page_image(REPORT).save(folder / "report.png", dpi=(DPI, DPI))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG" + bytes(200))
    out = tmp_path / "out"
    assert main(["ingest", str(folder), "--out", str(out), "--no-cache"]) == 1
    assert {12_506_000, 11_983_500} <= amounts(out)
    [error] = tables(out, "errors")
    assert error["error_type"] == "corrupt" and error["source_path"].endswith("broken.jpg")


def test_each_ocr_page_gives_its_file_more_time(tmp_path):
    """A second is too short to OCR a page; the time given per OCR page lets the file finish."""
    pdf = scanned_pdf(tmp_path / "scan.pdf", [page_image(REPORT)])
    out = tmp_path / "out"
    assert main(["ingest", str(pdf), "--out", str(out), "--no-cache", "--timeout", "1"]) == 0
    assert {12_506_000, 11_983_500} <= amounts(out)


def test_a_seal_in_red_ink_fades_and_black_print_stays():
    page = numpy.full((4, 4, 3), 255, dtype=numpy.uint8)
    page[0, 0] = (220, 30, 40)  # seal red
    page[1, 1] = (20, 20, 20)  # print
    grey = ocr._without_red(page)
    assert grey[0, 0] > ocr.INK_BELOW > grey[1, 1]


def test_thousands_separators_read_as_chinese_commas_are_put_back():
    def fixed(text):
        placed = [(ch, (0, 0, 0, 0), 1.0) for ch in text]
        return "".join(ch for ch, _, _ in ocr._grouped_digits(placed))
    assert fixed("学生86，452人") == "学生86,452人"
    assert fixed("基本支出868,215，470.36元") == "基本支出868,215,470.36元"
    assert fixed("2021，2022年") == "2021，2022年"  # two years, not a figure
    assert fixed("分别为3，5，7所") == "分别为3，5，7所"


def test_the_api_takes_the_ocr_setting(tmp_path):
    import extract
    image = tmp_path / "report.png"
    page_image(REPORT).save(image, dpi=(DPI, DPI))
    data = extract.ingest([image], ocr="off")
    assert data.reports.status.tolist() == ["failed"] and data.reports.needs_ocr.tolist() == [True]
    assert data.errors.error_type.tolist() == ["needs_ocr"]
    assert ocr.MODE == "auto"  # the setting was the call's alone
    with pytest.raises(ValueError, match="auto, off, force"):
        extract.ingest([image], ocr="on")


def test_a_page_read_with_low_confidence_makes_the_report_partial(tmp_path, monkeypatch):
    """Where a page's mean confidence is below the mark (here set above any page's), the report says so."""
    monkeypatch.setattr(ocr, "LOW_CONFIDENCE", 1.01)  # the workers are forked with it
    pdf = scanned_pdf(tmp_path / "scan.pdf", [page_image(REPORT)])
    out = tmp_path / "out"
    assert main(["ingest", str(pdf), "--out", str(out), "--no-cache"]) == 0
    assert tables(out, "reports")[0]["status"] == "partial"
    [error] = tables(out, "errors")
    assert error["error_type"] == "ocr_doubtful" and "page(s) 1 read by OCR" in error["message"]
    assert {12_506_000, 11_983_500} <= amounts(out)  # the facts are kept


def test_a_folders_logos_and_icons_are_listed_not_read(tmp_path):
    """A saved web page brings its images along: those too small to be a page are skipped, not OCR'd."""
    from extract.inputs import collect
    folder = tmp_path / "page_files"
    folder.mkdir()
    Image.new("RGB", (180, 60), "red").save(folder / "logo.png")
    page_image(REPORT).save(folder / "scan.jpg")
    inputs = collect([str(tmp_path)])
    assert [Path(p).name for p in inputs.files] == ["scan.jpg"]
    [row] = inputs.skipped
    assert row["error_type"] == "skipped" and "180×60 pixels, too small" in row["message"]
