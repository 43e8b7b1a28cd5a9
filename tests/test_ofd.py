"""OFD files (GB/T 33190): our corpus reports written as OFD (corpus/ofd.py) give the facts of their
text and PDF; small hand-made files for what a reader must get right (DeltaX shorthand, CTM, ruling,
templates, no namespace); a scanned OFD read by OCR; broken files as `errors` rows beside good ones."""
import subprocess
import sys
import zipfile

import pytest

from extract.cli import main
from extract.errors import IngestError
from extract.loaders import load, ocr
from extract.loaders.ofd_package import deltas, straight_segments
from extract.pipeline import process_file
from conftest import CORPUS, assert_gives_its_gold, fact_keys, read_table

sys.path.insert(0, str(CORPUS))
import render  # noqa: E402  (corpus/render.py)
from ofd import write_image_ofd, write_ofd  # noqa: E402  (corpus/ofd.py)
from scan import cjk_font_file  # noqa: E402  (corpus/scan.py)

SEED_STEM = "000_2630a528c0b63dd5"
TABLE_STEM = "105_huichuan_water_2024"
FACT_TABLES = ("amounts", "rates", "counts")
NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


@pytest.fixture(scope="session")
def ofd_rendered(rendered, tmp_path_factory):
    """Every corpus report with gold rendered afresh as PDF, each PDF written as OFD, with its gold."""
    out = tmp_path_factory.mktemp("ofd")
    for pdf in sorted(rendered.glob("*.pdf")):
        for kept in (pdf, rendered / f"{pdf.stem}.gold.json"):
            (out / kept.name).write_bytes(kept.read_bytes())
        write_ofd(pdf, out / f"{pdf.stem}.ofd")
    return out


def _facts(path):
    result = process_file(str(path))
    assert result.error is None, result.error
    return result


def test_every_ofd_report_matches_its_gold(ofd_rendered):
    paths = sorted(ofd_rendered.glob("*.ofd"))
    assert len(paths) == len(list(CORPUS.glob("*.gold.json")))
    for path in paths:
        assert_gives_its_gold(path)


@pytest.mark.parametrize("stem", [SEED_STEM, TABLE_STEM])
def test_ofd_report_gives_the_facts_of_its_text_on_the_pages_of_its_pdf(ofd_rendered, stem):
    text_result = _facts(CORPUS / f"{stem}.txt")
    other = _facts(ofd_rendered / f"{stem}.ofd")
    for table in ("sections", "amounts", "rates", "counts", "tasks", "findings", "indicators", "checks"):
        assert fact_keys(other, table) == fact_keys(text_result, table), table
    report = other.tables["reports"][0]
    assert report["file_type"] == "ofd" and report["status"] == text_result.tables["reports"][0]["status"]
    for field in ("title", "department", "year", "report_type", "grade", "score"):
        assert report[field] == text_result.tables["reports"][0][field]
    # The OFD is the PDF's pages: each fact is on the page it is on in the PDF.
    pdf_result = _facts(ofd_rendered / f"{stem}.pdf")
    assert report["n_pages"] == pdf_result.tables["reports"][0]["n_pages"]
    for table in FACT_TABLES:
        assert [(r["raw"], r["page"]) for r in other.tables[table]] == \
            [(r["raw"], r["page"]) for r in pdf_result.tables[table]], table


def test_a_table_running_onto_the_next_page_keeps_its_columns_as_in_the_pdf(tmp_path):
    """The part on the next page opens with rows merged across (满意度指标 over two columns): it is
    laid on the columns of the part before, as the PDF's is (see test_formats)."""
    rows = ["一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施"]
    rows += [f"产出指标\t数量指标\t建成站点{i}\t≥{i}处\t{i}处\t4\t4\t" for i in range(1, 8)]
    rows += [f"满意度指标\t满意度指标\t群众满意度{i}\t≥90%\t9{i % 10}%\t4\t4\t" for i in range(1, 13)]
    broken = 0
    for paragraphs in range(2, 9):  # the table pushed down, page by page
        source = tmp_path / f"split{paragraphs}.txt"
        source.write_text("某县水务局2024年度供水项目支出绩效自评报告\n一、项目概况\n"
                          + ("本项目按计划推进，各项工作有序开展，群众反映良好。" * 20 + "\n") * paragraphs
                          + "\n".join(rows) + "\n", encoding="utf-8")
        render.render_pdf(source, source.with_suffix(".pdf"))
        write_ofd(source.with_suffix(".pdf"), source.with_suffix(".ofd"))
        pdf_pages = load(str(source.with_suffix(".pdf"))).pages
        assert load(str(source.with_suffix(".ofd"))).pages == pdf_pages
        broken += any(page.startswith("满意度指标\t满意度指标") for page in pdf_pages)
    assert broken  # the table broke before a row merged across, at least once


# Small hand-made files.

def _package(path, files: dict[str, str | bytes], namespaced: bool = True):
    """A zip of the files; without namespace, ofd: prefixes and the declaration are left out."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            if isinstance(content, str) and not namespaced:
                content = content.replace(f" {NS}", "").replace("ofd:", "")
            z.writestr(name, content)
    return path


def _hand_made(path, pages: list[str], template: str | None = None, namespaced: bool = True):
    """An OFD of pages (each the objects of its one layer, in mm on an A4 page); with a template page
    (its objects), drawn under every page."""
    files = {
        "OFD.xml": f'<ofd:OFD {NS} Version="1.0" DocType="OFD"><ofd:DocBody>'
                   '<ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
        "Doc_0/PublicRes.xml": f'<ofd:Res {NS} BaseLoc="Res"><ofd:Fonts>'
                               '<ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
    }
    listed = "".join(f'<ofd:Page ID="{10 + k}" BaseLoc="Pages/Page_{k}/Content.xml"/>' for k in range(len(pages)))
    uses = '<ofd:Template TemplateID="5" ZOrder="Background"/>' if template else ""
    templates = '<ofd:TemplatePage ID="5" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if template else ""
    files["Doc_0/Document.xml"] = (
        f'<ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID><ofd:PageArea>'
        f'<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>'
        f'{templates}</ofd:CommonData><ofd:Pages>{listed}</ofd:Pages></ofd:Document>')
    for k, objects in enumerate(pages):
        files[f"Doc_0/Pages/Page_{k}/Content.xml"] = (
            f'<ofd:Page {NS}>{uses}<ofd:Content><ofd:Layer ID="2">{objects}</ofd:Layer></ofd:Content></ofd:Page>')
    if template:
        files["Doc_0/Tpls/Tpl_0/Content.xml"] = (
            f'<ofd:Page {NS}><ofd:Content><ofd:Layer ID="3">{template}</ofd:Layer></ofd:Content></ofd:Page>')
    return _package(path, files, namespaced)


def _text(boundary: str, text: str, size: float, x: float = 0, y: float | None = None, delta: str = "",
          ctm: str = "") -> str:
    attrs = f' CTM="{ctm}"' if ctm else ""
    code = f' DeltaX="{delta}"' if delta else ""
    return (f'<ofd:TextObject ID="7" Boundary="{boundary}"{attrs} Font="1" Size="{size}">'
            f'<ofd:TextCode X="{x}" Y="{size if y is None else y}"{code}>{text}</ofd:TextCode></ofd:TextObject>')


def _path(boundary: str, data: str, extra: str = "") -> str:
    return (f'<ofd:PathObject ID="8" Boundary="{boundary}" LineWidth="0.25"{extra}>'
            f'<ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>')


def test_deltax_shorthand_and_path_commands():
    assert deltas("g 3 2.5 1 g 2 4", 10) == [2.5, 2.5, 2.5, 1.0, 4.0, 4.0]
    assert deltas("g 1000000000 1", 3) == [1.0, 1.0, 1.0]  # no more advances than characters
    assert deltas("2 x 3", 5) == [2.0]  # what cannot be read ends the list
    assert straight_segments("S 0 0 L 10 0 Q 12 0 12 2 L 12 8 C M 20 20 B 1 1 2 2 3 3 A 1 1 0 0 1 5 5 L 5 9") == [
        ((0.0, 0.0), (10.0, 0.0)), ((12.0, 2.0), (12.0, 8.0)), ((12.0, 8.0), (0.0, 0.0)), ((5.0, 5.0), (5.0, 9.0))]


@pytest.mark.parametrize("namespaced", [True, False])
def test_characters_are_placed_by_deltax_and_ctm(tmp_path, namespaced):
    objects = (
        # Five characters 5 mm apart ("g 4 5"), baseline at 45 mm, from 20 mm to 45 mm.
        _text("20 40 30 8", "全年预算数", 5, delta="g 4 5")
        # Drawn at half scale by its CTM: from 45 mm on the same baseline, size 5 mm, figures 2.5 mm.
        + _text("45 40 60 8", "1,250.60万元", 10, y=10, delta="g 8 5 10", ctm="0.5 0 0 0.5 0 0")
        # Far to the right on the same line: a space before it.
        + _text("100 40 30 8", "97.38%", 5, delta="2.5")
        # The later characters keep the last advance (6): 预算执行率 reaches 50 mm, where 95% starts.
        + _text("20 60 40 8", "预算执行率", 5, delta="6") + _text("50 60 20 8", "95%", 5, delta="2.5")
        # Moved by its CTM onto the line below, though its boundary is at the top of the page.
        + _text("20 0 60 8", "全年执行数1,198.35万元", 5, y=0, delta="g 5 5 g 8 2.5 5", ctm="1 0 0 1 0 85"))
    loaded = load(str(_hand_made(tmp_path / "placed.ofd", [objects], namespaced=namespaced)))
    assert loaded.file_type == "ofd"
    assert loaded.pages == ["全年预算数1,250.60万元 97.38%\n预算执行率95%\n全年执行数1,198.35万元"]


def test_ruling_paths_make_a_table_of_tab_separated_rows(tmp_path):
    objects = (
        _path("20 100 140 20", "M 0 0 L 140 0 L 140 20 L 0 20 C")  # the frame: a closed rectangle
        + _path("20 110 140 1", "S 0 0 L 140 0")  # the line between the rows
        + _path("80 100 1 20", "M 0 0 L 0 20")
        # A thin filled rectangle as a rule, drawn through a CTM at ten times its size.
        + _path("119.9 100 0.2 20", "M 0 0 L 2 0 L 2 200 L 0 200 C", ' Stroke="false" Fill="true" CTM="0.1 0 0 0.1 0 0"')
        + _text("22 103 50 5", "指标", 4) + _text("82 103 30 5", "目标值", 4) + _text("122 103 30 5", "实际值", 4)
        + _text("22 113 50 5", "预算执行率", 4) + _text("82 113 30 5", "100%", 4, delta="2")
        + _text("122 113 30 5", "97.38%", 4, delta="2")
        + _text("20 130 100 6", "表格以下的正文。", 5))
    loaded = load(str(_hand_made(tmp_path / "table.ofd", [objects])))
    assert loaded.pages == ["指标\t目标值\t实际值\n预算执行率\t100%\t97.38%\n表格以下的正文。"]


def test_places_and_sizes_beyond_any_page_are_not_drawn(tmp_path):
    good = "本单位全年预算数1,250.60万元。"
    objects = (_text("20 40 30 8", "字号大得溢出", "1e308") + _text("20 50 30 8", "变换大得溢出", 5, ctm="1e300 0 0 1e300 0 0")
               + _text("20 60 30 8", "步进不是数", 5, delta="nan") + _text("20 70 30 8", "步进无穷", 5, delta="g 2 inf")
               + _text("nan 80 30 8", "边界不是数", 5) + _path("20 100 140 20", "M 0 0 L 1e308 0 L 1e308 1e308 C")
               + _text("20 120 180 8", good, 5))
    assert load(str(_hand_made(tmp_path / "hostile.ofd", [objects]))).pages[0].endswith(good)


def test_a_template_is_drawn_under_its_pages_and_its_running_lines_are_dropped(tmp_path):
    body = "本单位全年预算数1,250.60万元，全年执行数1,198.35万元。"
    footer = _text("95 280 30 6", "第 1 页", 4, delta="4 2 2 4")
    template = _text("20 150 100 6", "模板上的正文", 5) + footer
    loaded = load(str(_hand_made(tmp_path / "template.ofd", [_text("20 60 180 6", body, 5)], template)))
    assert loaded.pages == [f"{body}\n模板上的正文\n第 1 页"]
    # On every page of three, the template's footer is a running line: dropped.
    pages = [_text("20 60 180 6", body, 5)] * 3
    loaded = load(str(_hand_made(tmp_path / "three.ofd", pages, footer)))
    assert loaded.pages == [body] * 3


def test_page_blocks_and_composite_graphics_are_read_and_a_composite_drawing_itself_ends(tmp_path):
    # The unit draws its text and itself ten times: drawn at most MAX_COMPOSITES times, not 10^16.
    selves = '<ofd:CompositeObject ID="9" Boundary="0 0 10 10" ResourceID="50"/>' * 10
    unit = (f'<ofd:CompositeGraphicUnit ID="50" Width="100" Height="10"><ofd:Content>'
            f'{_text("0 0 100 6", "单位公章所在的复合图元", 2.5)}{selves}</ofd:Content></ofd:CompositeGraphicUnit>')
    block = (f'<ofd:PageBlock ID="4"><ofd:PageBlock ID="5">{_text("20 40 180 6", "分块里的正文一共十二个汉字", 5)}'
             '</ofd:PageBlock><ofd:CompositeObject ID="6" Boundary="20 60 100 20" CTM="2 0 0 2 0 0" ResourceID="50"/>'
             '</ofd:PageBlock>')
    path = _package(tmp_path / "blocks.ofd", {
        "OFD.xml": f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'<ofd:Document {NS}><ofd:CommonData><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>'
                              '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                              '</ofd:Pages></ofd:Document>',
        "Doc_0/DocumentRes.xml": f"<ofd:Res {NS}><ofd:CompositeGraphicUnits>{unit}</ofd:CompositeGraphicUnits></ofd:Res>",
        "Doc_0/Pages/Page_0/Content.xml": f'<ofd:Page {NS}><ofd:Content><ofd:Layer ID="2">{block}</ofd:Layer>'
                                          '</ofd:Content></ofd:Page>'})
    assert load(str(path)).pages == ["分块里的正文一共十二个汉字\n单位公章所在的复合图元"]


def _page_image(pdf, png, page: int = 0, dpi: int = 200) -> None:
    """One page of a PDF rendered as a scan, in a process of its own: the loader tells pdfium this
    process has no fonts (loaders/pdf.py), and our PDFs' font is not embedded."""
    code = ("import pypdfium2 as p, sys; d = p.PdfDocument(sys.argv[1]); "
            f"d[{page}].render(scale={dpi}/72).to_pil().convert('RGB').save(sys.argv[2], dpi=({dpi}, {dpi}))")
    subprocess.run([sys.executable, "-c", code, str(pdf), str(png)], check=True)


def test_a_scanned_ofd_is_read_by_ocr(ofd_rendered, tmp_path, monkeypatch):
    if cjk_font_file() is None:
        pytest.skip("no Chinese font installed (fonts-wqy-zenhei, which `make test` installs as root)")
    png = tmp_path / "page1.png"
    _page_image(ofd_rendered / f"{TABLE_STEM}.pdf", png)
    scanned = tmp_path / "scanned.ofd"
    write_image_ofd([png], scanned)
    result = _facts(scanned)
    report = result.tables["reports"][0]
    assert report["file_type"] == "ofd" and report["needs_ocr"] is True
    budget = [row for row in result.tables["amounts"] if row["role"] == "budget_total"]
    assert [row["value_yuan"] for row in budget][:1] == [5_200_000]
    assert all(row["page"] == 1 for row in result.tables["amounts"])
    monkeypatch.setattr(ocr, "MODE", "off")
    loaded = load(str(scanned))
    assert loaded.needs_ocr and loaded.pages == [""]


def _zip_bomb(path) -> None:
    """A part of 201 MB of zeros: a few hundred KB in the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                              '</ofd:DocBody></ofd:OFD>')
        with z.open("Doc_0/Res/huge.bin", "w", force_zip64=True) as part:
            chunk = bytes(2 ** 20)
            for _ in range(201):
                part.write(chunk)


def test_broken_ofd_files_are_errors_rows_beside_a_good_one(ofd_rendered, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = (ofd_rendered / f"{SEED_STEM}.ofd").read_bytes()
    (folder / "good.ofd").write_bytes(good)
    (folder / "truncated.ofd").write_bytes(good[:3000])
    _package(folder / "no_ofd_xml.ofd", {"Doc_0/Document.xml": f"<ofd:Document {NS}/>"})
    _package(folder / "broken_xml.ofd", {"OFD.xml": f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Doc"})
    _package(folder / "missing_page.ofd", {
        "OFD.xml": f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'<ofd:Document {NS}><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                              '</ofd:Pages></ofd:Document>'})
    _package(folder / "encrypted.ofd", {
        "OFD.xml": f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
                   "<ofd:Encryptions>Encryptions.xml</ofd:Encryptions></ofd:DocBody></ofd:OFD>"})
    _zip_bomb(folder / "bomb.ofd")
    out = tmp_path / "out"
    assert main(["ingest", str(folder), "--out", str(out), "--no-cache"]) == 1
    errors = {row["source_path"].rsplit("/", 1)[-1]: row for row in read_table(out, "errors")}
    assert {name: row["error_type"] for name, row in errors.items()} == {
        "truncated.ofd": "corrupt", "no_ofd_xml.ofd": "corrupt", "broken_xml.ofd": "corrupt",
        "missing_page.ofd": "corrupt", "encrypted.ofd": "encrypted", "bomb.ofd": "corrupt"}
    for name, row in errors.items():
        assert row["message"].startswith(str(folder / name)) and "\n" not in row["message"]
    assert "missing part Doc_0/Pages/Page_0/Content.xml" in errors["missing_page.ofd"]["message"]
    assert "larger than 200 MB" in errors["bomb.ofd"]["message"]
    reports = {row["source_path"].rsplit("/", 1)[-1]: row for row in read_table(out, "reports")}
    assert set(reports) == {"good.ofd"} and reports["good.ofd"]["status"] == "ok"
    assert reports["good.ofd"]["file_type"] == "ofd"


def test_more_pages_than_the_limit_are_refused(tmp_path, monkeypatch):
    import extract.loaders
    path = _hand_made(tmp_path / "long.ofd", [_text("20 60 100 6", "第一页", 5)] * 3)
    monkeypatch.setattr(extract.loaders, "MAX_PAGES", 2)
    with pytest.raises(IngestError) as raised:
        load(str(path))
    assert raised.value.error_type == "too_many_pages"
