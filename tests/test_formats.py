"""PDF and Word reports: the same facts as their text, true page numbers, tables as rows."""
import re
import sys
from decimal import Decimal

import pdfplumber
import pytest

from extract.loaders import load
from extract.normalize import normalize
from extract.pipeline import process_file
from extract.sections import build_sections
from conftest import CORPUS, assert_gives_its_gold, fact_keys, ingest, read_table

sys.path.insert(0, str(CORPUS))
import render  # noqa: E402  (corpus/render.py)
from raw_pdf import raw_pdf  # noqa: E402  (corpus/raw_pdf.py)

SEED_STEM = "000_2630a528c0b63dd5"
TABLE_STEM = "105_huichuan_water_2024"
FACT_TABLES = ("amounts", "rates", "counts")


def _facts(path) -> dict:
    result = process_file(str(path))
    assert result.error is None, result.error
    return result


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html"])
@pytest.mark.parametrize("stem", [SEED_STEM, TABLE_STEM])
def test_rendered_report_gives_the_facts_of_its_text(rendered, stem, suffix):
    text_result = _facts(CORPUS / f"{stem}.txt")
    other = _facts(rendered / f"{stem}{suffix}")
    for table in ("sections", "amounts", "rates", "counts", "tasks", "findings", "indicators", "checks"):
        assert fact_keys(other, table) == fact_keys(text_result, table), table
    report = other.tables["reports"][0]
    assert report["file_type"] == suffix[1:] and report["status"] == text_result.tables["reports"][0]["status"]
    for field in ("title", "department", "year", "report_type", "grade", "score"):
        assert report[field] == text_result.tables["reports"][0][field]


def test_every_rendered_report_matches_its_gold(rendered):
    for path in sorted(rendered.glob("*.pdf")) + sorted(rendered.glob("*.docx")) + sorted(rendered.glob("*.html")):
        assert_gives_its_gold(path)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_seed_pdf_facts_carry_their_true_page(rendered):
    """Each fact, with the words before it, stands on the page it names (or runs onto it from the
    page before). Pages are read independently with pdfplumber."""
    path = rendered / f"{SEED_STEM}.pdf"
    with pdfplumber.open(path) as pdf:
        pages = [_squeeze(p.extract_text() or "") for p in pdf.pages]
    assert len(pages) >= 4
    result = _facts(path)
    text = result.text
    checked = 0
    for table in FACT_TABLES:
        for row in result.tables[table]:
            start = max(text.rfind("\n", 0, row["char_start"]) + 1, row["char_start"] - 8)
            context = _squeeze(text[start:row["char_end"]])
            raw = _squeeze(row["raw"])
            page = pages[row["page"] - 1]
            on_page = context in page or any(
                raw in context[k:] and page.find(context[k:]) >= 0 and pages[row["page"] - 2].rfind(context[:k]) >= 0
                for k in range(1, len(context)) if row["page"] > 1)
            assert on_page, (row["raw"], row["page"], context)
            checked += 1
    assert checked > 25
    assert {row["page"] for row in result.tables["counts"]} >= {2, 3}


def test_seed_pdf_has_no_page_furniture_in_text_or_facts(rendered):
    path = rendered / f"{SEED_STEM}.pdf"
    result = _facts(path)
    title = result.tables["reports"][0]["title"]
    # The running header repeats the title on every page; only the title line itself remains.
    assert _squeeze(result.text).count(_squeeze(title)) == 1
    furniture = re.compile(r"^[-—]\s*\d+\s*[-—]$|第\s*\d+\s*页", re.M)
    assert not furniture.search(result.text)
    for table in FACT_TABLES:
        for row in result.tables[table]:
            assert title not in row["evidence"] and not furniture.search(row["evidence"])
    for row in result.tables["sections"]:
        assert title not in row["title"] and not re.search(r"\d+\s*[-—]", row["title"])
    # Lines wrapped by the layout and sentences split by page breaks are whole again: the PDF's
    # paragraphs are the text's paragraphs.
    text_paragraphs = _squeeze(_facts(CORPUS / f"{SEED_STEM}.txt").text.replace("\n", "¶")).split("¶")
    assert _squeeze(result.text.replace("\n", "¶")).split("¶") == text_paragraphs


def test_seed_pdf_pages_break_mid_sentence(rendered):
    """The rendering itself: at least one page ends inside a sentence (what the joins must undo)."""
    loaded = load(str(rendered / f"{SEED_STEM}.pdf"))
    endings = [page.rstrip()[-1] for page in loaded.pages[:-1]]
    assert any(ch not in "。；：！？" for ch in endings)


INDICATOR_ROWS = [
    ("产出指标", "数量指标", "新建集中供水工程数量", "≥6处", "6处", "10", "10", ""),
    ("产出指标", "数量指标", "改造老旧供水管网长度", "≥42公里", "43.6公里", "10", "10", ""),
    ("产出指标", "数量指标", "配备水质净化消毒设备", "18台（套）", "18台（套）", "5", "5", ""),
    ("产出指标", "质量指标", "工程竣工验收合格率", "100%", "100%", "10", "10", ""),
    ("产出指标", "质量指标", "农村集中供水水质达标率（按季度抽检）", "≥95%", "93.8%", "5", "4.5",
     "枯水期两处水源浊度偏高，已加装过滤设施并加密抽检"),
    ("产出指标", "时效指标", "工程完工时间", "2024年11月底前", "2024年11月25日", "5", "5", ""),
    ("产出指标", "成本指标", "项目总成本控制", "≤520万元", "506.35万元", "5", "5", ""),
    ("效益指标", "社会效益指标", "受益农村人口", "≥2.3万人", "2.41万人", "10", "10", ""),
    ("效益指标", "社会效益指标", "农村自来水普及率", "≥92%", "93.5%", "10", "10", ""),
    ("效益指标", "可持续影响指标", "工程设计使用年限", "≥20年", "20年", "5", "5", ""),
    ("效益指标", "生态效益指标", "水源地保护范围划定完成率", "100%", "100%", "5", "5", ""),
    ("满意度指标", "满意度指标", "受益群众满意度", "≥90%", "94.2%", "10", "9.5", "停水检修通知不够及时，将通过村务群提前发布"),
]


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".txt"])
def test_indicator_table_rows_are_exact(rendered, suffix, tmp_path):
    path = CORPUS / f"{TABLE_STEM}.txt" if suffix == ".txt" else rendered / f"{TABLE_STEM}{suffix}"
    out = tmp_path / "out"  # not in the shared folder of rendered reports, which other tests read
    assert ingest([path], out) == 0
    rows = read_table(out, "indicators")
    got = [(r["level1"], r["level2"], r["level3"], r["target"], r["actual"], r["weight"], r["score"], r["note"])
           for r in rows]
    assert got == INDICATOR_ROWS
    assert [r["row_no"] for r in rows] == [str(i) for i in range(1, 13)] and {r["table_no"] for r in rows} == {"1"}
    table_page = {".pdf": _page_holding(path, "三级指标"), ".docx": 2, ".txt": 1}[suffix]
    assert {r["page"] for r in rows} == {str(table_page)}


def _page_holding(path, words: str) -> int:
    return next(i for i, page in enumerate(load(str(path)).pages, 1) if words in page)


def test_indicator_pdf_has_merged_and_multi_line_cells(rendered):
    """The rendered table really has what the rows above must survive: cells pdfplumber reports as
    covered by a merged cell, and cells wrapped over several lines."""
    path = rendered / f"{TABLE_STEM}.pdf"
    page_no = _page_holding(path, "三级指标")
    with pdfplumber.open(path) as pdf:
        tables = pdf.pages[page_no - 1].extract_tables()
    cells = [cell for table in tables for row in table for cell in row]
    assert sum(cell is None for cell in cells) >= 20
    assert any(cell and "\n" in cell for cell in cells)
    assert max(len(table) for table in tables) >= 10


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])  # the web page has one page: its gold test covers it
def test_budget_block_of_the_table_gives_amounts_and_rates_with_its_page(rendered, suffix):
    path = rendered / f"{TABLE_STEM}{suffix}"
    result = _facts(path)
    page = _page_holding(path, "年初预算数\t") if suffix == ".pdf" else 2
    cells = {(a["label"], a["role"], a["value_yuan"]) for a in result.tables["amounts"] if a["page"] == page}
    assert cells == {
        ("年初预算数", "budget_initial", Decimal("4800000.00")), ("全年预算数", "budget_total", Decimal("5200000.00")),
        ("全年执行数", "expenditure_total", Decimal("5063500.00")),
        ("当年财政拨款 年初预算数", "source_general_public_budget", Decimal("4800000.00")),
        ("当年财政拨款 全年预算数", "source_general_public_budget", Decimal("5000000.00")),
        ("当年财政拨款 全年执行数", "source_general_public_budget", Decimal("4863500.00")),
        ("上年结转资金 年初预算数", "carryover", Decimal("0.00")), ("上年结转资金 全年预算数", "carryover", Decimal("200000.00")),
        ("上年结转资金 全年执行数", "carryover", Decimal("200000.00")),
        ("其他资金 年初预算数", "source_other", Decimal("0.00")), ("其他资金 全年预算数", "source_other", Decimal("0.00")),
        ("其他资金 全年执行数", "source_other", Decimal("0.00")),
        # the cost indicator's target and actual, named by their indicator
        ("项目总成本控制", "other", Decimal("5200000.00")), ("项目总成本控制", "other", Decimal("5063500.00")),
    }
    rates = [(r["label"], r["role"], r["value_pct"]) for r in result.tables["rates"] if r["page"] == page]
    assert rates[0] == ("执行率", "execution_rate", Decimal("97.38"))
    assert ("受益群众满意度", "other", Decimal("94.2")) in rates and len(rates) == 11
    # Scores (分值 10, 得分 9.7) are not money nor counts; an indicator's target and actual are counts.
    counts = [(c["subject"], c["value"], c["unit"]) for c in result.tables["counts"] if c["page"] == page]
    assert ("受益农村人口", Decimal("24100"), "人") in counts and len(counts) == 7


def _scanned_pdf(path) -> None:
    """Pages that are only pictures of text: grey bars where the lines would be."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(2):
        image = Image.new("L", (600, 840), 255)
        draw = ImageDraw.Draw(image)
        for y in range(80, 760, 28):
            draw.rectangle((60, y, 540, y + 12), fill=90)
        c.drawImage(ImageReader(image), 0, 0, *A4)
        c.showPage()
    c.save()


def _encrypted_pdf(path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("open-sesame", canModify=0))
    c.drawString(72, 720, "locked report")
    c.save()


def test_scanned_encrypted_and_corrupt_files_beside_good_ones(rendered, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for suffix in (".pdf", ".docx"):
        (folder / f"good{suffix}").write_bytes((rendered / f"{SEED_STEM}{suffix}").read_bytes())
    _scanned_pdf(folder / "scanned.pdf")
    _encrypted_pdf(folder / "encrypted.pdf")
    (folder / "truncated.pdf").write_bytes((rendered / f"{SEED_STEM}.pdf").read_bytes()[:3000])
    (folder / "not_really.docx").write_bytes(b"PK\x03\x04 this is no Word file")
    out = tmp_path / "out"
    assert ingest([folder], out) == 1

    reports = {r["source_path"].rsplit("/", 1)[-1]: r for r in read_table(out, "reports")}
    assert set(reports) == {"good.pdf", "good.docx", "scanned.pdf"}
    assert reports["scanned.pdf"]["needs_ocr"] == "true" and reports["scanned.pdf"]["status"] == "failed"
    assert reports["scanned.pdf"]["n_pages"] == "2"
    assert reports["good.pdf"]["status"] == "ok" and reports["good.pdf"]["needs_ocr"] == "false"
    errors = {r["source_path"].rsplit("/", 1)[-1]: r for r in read_table(out, "errors")}
    assert {name: e["error_type"] for name, e in errors.items()} == {
        "scanned.pdf": "needs_ocr", "encrypted.pdf": "encrypted", "truncated.pdf": "corrupt", "not_really.docx": "corrupt"}
    for name, error in errors.items():
        assert error["message"].startswith(str(folder / name)) and "\n" not in error["message"]
    good_ids = {reports["good.pdf"]["report_id"], reports["good.docx"]["report_id"]}
    assert {r["report_id"] for r in read_table(out, "amounts")} == good_ids


def _docx_with_styles(path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某某县文化馆2024年部门整体支出绩效自评报告")
    document.add_heading("单位基本情况", level=1)
    paragraph = document.add_paragraph("本单位全年预算数为 ")
    paragraph.add_run("320.50 万元").bold = True
    paragraph.add_run("，全年执行数为 310.00 万元。")
    document.add_heading("工作开展情况", level=1)
    document.add_heading("群众文化活动", level=2)
    document.add_paragraph("全年组织文艺演出 46 场。")
    document.add_page_break()
    document.add_heading("存在的问题", level=1)
    document.add_paragraph("1.活动场地偏小。")
    document.save(str(path))


def test_word_heading_styles_bold_runs_and_page_breaks(tmp_path):
    """Word numbers headings itself (list numbering is not in the text): the style makes the heading."""
    path = tmp_path / "styled.docx"
    _docx_with_styles(path)
    doc = normalize(load(str(path)))
    sections = build_sections(doc)
    assert [(s.level, s.title, s.path, s.page) for s in sections] == [
        (1, "单位基本情况", "单位基本情况", 1), (1, "工作开展情况", "工作开展情况", 1),
        (2, "群众文化活动", "工作开展情况 / 群众文化活动", 1), (1, "存在的问题", "存在的问题", 2)]
    assert [doc.text[s:e] for s, e in doc.emphasis] == ["320.50 万元"]
    result = _facts(path)
    assert [(a["role"], a["value_yuan"], a["page"]) for a in result.tables["amounts"]] == [
        ("budget_total", Decimal("3205000.00"), 1), ("expenditure_total", Decimal("3100000.00"), 1)]
    assert [(f["kind"], f["text"], f["page"], f["section_path"]) for f in result.tables["findings"]] == [
        ("problem", "活动场地偏小。", 2, "存在的问题")]


def test_pdf_bold_runs_become_emphasis(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "bold.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, "Budget execution rate")
    c.setFont("Helvetica-Bold", 12)
    c.drawString(210, 720, "KEY FIGURE")
    c.save()
    doc = normalize(load(str(path)))
    assert [doc.text[s:e] for s, e in doc.emphasis] == ["KEY FIGURE"]


def test_an_indicator_table_running_onto_the_next_page_keeps_its_columns(tmp_path):
    """The part on the next page opens with rows merged across (满意度指标 over two columns), so its
    own ruling shows fewer columns; and a cell merged down ends where a two-row cell beside it
    starts (产出指标 over six rows, 质量指标 over two)."""
    rows = ["一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施"]
    rows += [f"产出指标\t数量指标\t建成站点{i}\t≥{i}处\t{i}处\t4\t4\t" for i in range(1, 6)]
    rows += [f"产出指标\t质量指标\t验收合格率{i}\t100%\t100%\t4\t4\t" for i in range(1, 3)]
    rows += [f"满意度指标\t满意度指标\t群众满意度{i}\t≥90%\t9{i % 10}%\t4\t4\t" for i in range(1, 13)]
    expected = [("产出指标", "数量指标")] * 5 + [("产出指标", "质量指标")] * 2 + [("满意度指标", "满意度指标")] * 12
    for paragraphs in range(2, 9):  # push the table down until it breaks across two pages
        text = "某县水务局2024年度供水项目支出绩效自评报告\n一、项目概况\n" + \
               ("本项目按计划推进，各项工作有序开展，群众反映良好。" * 20 + "\n") * paragraphs + "\n".join(rows) + "\n"
        source = tmp_path / f"split{paragraphs}.txt"
        source.write_text(text, encoding="utf-8")
        render.render_pdf(source, source.with_suffix(".pdf"))
        found = process_file(str(source.with_suffix(".pdf"))).tables["indicators"]
        if len({r["page"] for r in found}) == 2 and found[-1]["level3"] == "群众满意度12":
            break
    else:
        pytest.fail("the table never broke across pages")
    assert [(r["level1"], r["level2"]) for r in found] == expected
    assert [r["level3"] for r in found][5:8] == ["验收合格率1", "验收合格率2", "群众满意度1"]
    assert all(r["weight"] == Decimal(4) and r["score"] == Decimal(4) for r in found)


def test_table_cell_lines_follow_centres_not_tops():
    """With a real CJK font installed, pdfium's boxes are the glyphs' own: a full-width comma or
    bracket is a small box low in the line, so its top is below the characters' (this put
    项目资金（万元） out of order as 项目资金（元）万 once fonts-noto-cjk was installed)."""
    from extract.loaders.layout import _Char, _text_lines
    line1 = [_Char("资", 100.0, 108.0, 10, 18), _Char("金", 100.2, 108.1, 18, 26), _Char("（", 101.5, 108.5, 26, 34),
             _Char("万", 100.1, 108.0, 34, 42), _Char("元", 100.0, 108.0, 42, 50), _Char("）", 101.5, 108.5, 50, 58),
             _Char("，", 105.5, 108.2, 58, 62)]
    line2 = [_Char("已", 110.5, 118.5, 10, 18), _Char("建", 110.4, 118.4, 18, 26)]
    assert _text_lines(list(reversed(line2 + line1))) == ["资金（万元），", "已建"]



def _lines_both_ways(path) -> list[tuple[list, list]]:
    """Each page's lines built from every character's box, and from a few boxes per line."""
    import pypdfium2 as pdfium
    from extract.loaders import pdf as pdf_loader
    pdf = pdfium.PdfDocument(str(path))
    pages = []
    for page in pdf:
        objects = pdf_loader._page_objects(page)
        textpage = page.get_textpage()
        pages.append(tuple(pdf_loader._pdfium_lines(page, textpage, objects, None, [], every_box=full)
                           for full in (True, False)))
    return pages


def _same_lines(every: list, sampled: list) -> None:
    assert [(ln.text, ln.bold, round(ln.left, 2), round(ln.right, 2), round(ln.char_width, 2)) for ln in sampled] == \
           [(ln.text, ln.bold, round(ln.left, 2), round(ln.right, 2), round(ln.char_width, 2)) for ln in every]
    assert all(abs(a.top - b.top) <= 0.5 for a, b in zip(sampled, every))


def test_lines_from_a_few_boxes_each_equal_lines_from_every_box(rendered, tmp_path):
    """Outside tables a line's place is taken from a few of its characters' boxes, and which
    characters are bold is asked only for lines a bold text object reaches. On every page of the
    seed PDF (justified lines, digits and CJK mixed), and on a page with bold words inside lines,
    the lines, their ends, typical widths and bold runs equal those built from every character's
    box; the top stays within half a point (a line mixing fonts of different ascent)."""
    for every, sampled in _lines_both_ways(rendered / f"{SEED_STEM}.pdf"):
        _same_lines(every, sampled)

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "bold_inside_lines.pdf"
    c = canvas.Canvas(str(path))
    for k, y in enumerate(range(760, 500, -16)):
        c.setFont("STSong-Light", 11)
        c.drawString(72, y, f"第{k}行 本年度预算执行率为 9{k}.5%，完成情况良好")
        if k % 3 == 0:
            c.setFont("Helvetica-Bold", 11)
            c.drawString(320, y, f"KEY {k}")
            c.setFont("Helvetica", 11)
            c.drawString(360, y, "plain after")
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 480, "BOLD HEADING")
    c.save()
    [(every, sampled)] = _lines_both_ways(path)
    _same_lines(every, sampled)
    assert sum(1 for ln in every if ln.bold) == 7
    assert [ln.text[s:e] for ln in sampled for s, e in ln.bold][:2] == ["KEY 0", "KEY 3"]


def test_a_web_page_gives_its_article_as_lines_and_tables_as_rows(tmp_path):
    page = ('<html><head><meta charset="gbk"><title>站点标题</title></head><body>'
            '<div class="nav"><a href="/">首页</a> | <a href="/zwgk">政务公开</a></div>'
            '<div class="main"><h1>某县水务局2024年度部门整体支出绩效自评报告</h1><div class="content">'
            '<p>本局2024年度年初预算数<span>1,280.00</span>万元，全年预算数1,356.40万元，\n'
            '全年执行数1,301.22万元，预算执行率95.93%。</p><script>var n = "100 万元";</script>'
            '<p>全年完成河道巡查<b>420</b>次，<br>整改问题36处。<!-- 备注 --></p><p>单位：万元</p>'
            '<table><tr><th rowspan="2">项目</th><th colspan="2">预算数</th><th rowspan="2">全年执行数</th></tr>'
            '<tr><th>年初预算数</th><th>全年预算数</th></tr>'
            '<tr><td>基本支出</td><td>720.00</td><td>736.50</td><td>730.10</td></tr></table>'
            '<p>' + "本年度水务工作有序推进。" * 30 + '</p></div></div>'
            '<div class="footer">网站主办：某县人民政府办公室</div></body></html>')
    path = tmp_path / "report.htm"
    path.write_bytes(page.encode("gbk"))
    lines = load(str(path)).pages[0].split("\n")
    assert lines[:8] == [
        "某县水务局2024年度部门整体支出绩效自评报告",
        "本局2024年度年初预算数1,280.00万元，全年预算数1,356.40万元，全年执行数1,301.22万元，预算执行率95.93%。",
        "全年完成河道巡查420次，", "整改问题36处。", "单位：万元",
        "项目\t预算数\t预算数\t全年执行数", "项目\t年初预算数\t全年预算数\t全年执行数", "基本支出\t720.00\t736.50\t730.10"]
    assert len(lines) == 9 and not any("首页" in line or "网站主办" in line or "var n" in line for line in lines)
    result = process_file(str(path))
    assert [(a["label"], a["role"]) for a in result.tables["amounts"]][:3] == [
        ("本局2024年度年初预算数", "budget_initial"), ("全年预算数", "budget_total"), ("全年执行数", "expenditure_total")]
    assert [(r["role"], r["value_pct"]) for r in result.tables["rates"]] == [("execution_rate", Decimal("95.93"))]
    assert result.tables["reports"][0]["file_type"] == "html"


def test_a_web_page_leaves_out_the_sites_menus_and_footer_wherever_they_are(tmp_path):
    """The article here holds less than the share that would single it out (a long menu of links
    beside it): the parts named as menu, breadcrumb and footer are left out by their class or id."""
    links = "".join(f'<li><a href="/n{k}">关于做好第{k}批重点工作的通知</a></li>' for k in range(40))
    page = ('<html><head><meta charset="utf-8"></head><body>'
            f'<div id="top-nav"><ul>{links}</ul></div><div class="crumb_box">首页 &gt; 政务公开</div>'
            '<div class="article"><h1>某县水务局2024年度部门整体支出绩效自评报告</h1>'
            '<h2>三、改进措施</h2><p>加强工程调度。</p></div>'
            '<div class="site-footer">网站主办：某县人民政府办公室 备案号：某ICP备12345678号</div></body></html>')
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    assert load(str(path)).pages[0].split("\n") == ["某县水务局2024年度部门整体支出绩效自评报告", "三、改进措施", "加强工程调度。"]
    findings = process_file(str(path)).tables["findings"]
    assert [(f["kind"], f["text"]) for f in findings] == [("measure", "加强工程调度。")]


def test_lost_glyphs_are_read_back_from_the_content_stream_in_either_kind_of_font(tmp_path):
    """Text pdfium leaves out is decoded from the page's content stream: codes under a Unicode CMap
    (reportlab's STSong-Light, UniGB-UCS2-H) read as UTF-16 directly, other fonts through
    pdfminer's font (Helvetica, WinAnsiEncoding). The n-th text-showing operator is the n-th object."""
    import io
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from extract.loaders.pdf_glyphs import undecoded_text
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "two_fonts.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("Helvetica", 11)
    c.drawString(72, 700, "Budget (x)")
    c.setFont("STSong-Light", 11)
    c.drawString(72, 680, "报告")
    c.drawString(72, 660, "告")
    c.save()
    page = next(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(path.read_bytes())))))
    assert undecoded_text(page, 3, [0, 1, 2]) == {0: "Budget (x)", 1: "报告", 2: "告"}
    assert undecoded_text(page, 4, [0]) is None  # the stream does not line up with the objects


def _pdf_with_rare_characters(path, n_lines: int) -> None:
    """A hand-made PDF of n_lines lines 16 pt apart, in Helvetica, whose ToUnicode map reads code A as
    U+2000B (𠀋, CJK Extension B: outside the BMP, as some characters of names are)."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Rare def /CMapType 2 def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <D840DC0B> endbfchar\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end")
    content = b"BT /F1 11 Tf 72 760 Td " + b" ".join(b"(Line %d AAA name AA end) Tj 0 -16 Td" % k
                                                    for k in range(n_lines)) + b" ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap)]
    path.write_bytes(raw_pdf(objects))


def test_characters_outside_the_bmp_keep_every_line_in_its_place(tmp_path):
    """pdfium counts a character outside the BMP as two (its UTF-16 halves) where Python counts one:
    read naively, every box after it belonged to the character before, and 40 lines with five such
    characters each ended seven lines too high. Each line stays 16 pt below the last, whole."""
    import pypdfium2 as pdfium
    from extract.loaders import pdf as pdf_loader
    from extract.loaders import layout
    path = tmp_path / "rare.pdf"
    _pdf_with_rare_characters(path, 40)
    pdf = pdfium.PdfDocument(str(path))
    page = pdf[0]
    objects, textpage = pdf_loader._page_objects(page), page.get_textpage()
    for every_box in (False, True):
        lines = pdf_loader._pdfium_lines(page, textpage, objects, None, [], every_box=every_box)
        assert [ln.text for ln in lines] == [f"Line {k} 𠀋𠀋𠀋 name 𠀋𠀋 end" for k in range(40)]
        assert all(abs(b.top - a.top - 16) < 0.5 for a, b in zip(lines, lines[1:]))
        assert len({round(ln.right) for ln in lines[10:]}) == 1  # same text, same width
    pdf.close()
    assert load(str(path)).pages[0].splitlines()[-1] == "Line 39 𠀋𠀋𠀋 name 𠀋𠀋 end"
    # Runs (bold) in a line move with the halves joined before them.
    assert layout.whole_characters("a\ud840\udc0bb\ud840\udc0b", [(0, 4), (4, 6)]) == ("a𠀋b𠀋", [(0, 3), (3, 4)])
