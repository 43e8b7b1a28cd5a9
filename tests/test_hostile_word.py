"""Hostile Word files (issue 20): tables nested in cells are read, a style chain that loops back on
itself ends, and a cell claiming two billion columns is held to its table's grid. Each file is built
here with python-docx (its XML edited where python-docx has no call) and run through the pipeline."""
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from conftest import ingest, read_table

TITLE = "某某县文化馆2024年部门整体支出绩效自评报告"


def _report(tmp_path, document) -> tuple[dict, dict, str]:
    """Ingest the document alone: its report row, its amounts by value, and its text."""
    path = tmp_path / "report.docx"
    document.save(str(path))
    out = tmp_path / "out"
    assert ingest([path], out) == 0
    [report] = read_table(out, "reports")
    amounts = {row["value_yuan"]: row for row in read_table(out, "amounts")}
    text = (out / "text" / f"{report['report_id']}.txt").read_text(encoding="utf-8")
    return report, amounts, text


def _document_with_a_heading() -> docx.Document:
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_heading("单位基本情况", level=1)
    return document


def _label_and_value(table, label: str, value: str) -> None:
    table.cell(0, 0).text, table.cell(0, 1).text = label, value


def test_a_figure_in_a_table_nested_in_a_cell_is_read_with_its_place(tmp_path):
    document = _document_with_a_heading()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "资金使用情况"
    holder = outer.cell(0, 1)
    holder.text = "资金全部用于场馆运行"  # the holding cell's own words are read too
    inner = holder.add_table(rows=1, cols=2)
    _label_and_value(inner, "全年执行数", "86.40 万元")
    deeper = inner.cell(0, 1).add_table(rows=1, cols=2)  # a table two levels down
    _label_and_value(deeper, "全年预算数", "90.00 万元")
    document.add_paragraph("以上资金均按计划使用。")

    report, amounts, text = _report(tmp_path, document)
    assert report["status"] == "ok"
    spent = amounts["864000.00"]
    assert spent["page"] == "1" and "全年执行数" in spent["label"]
    assert text[int(spent["char_start"]):int(spent["char_end"])] == spent["raw"] == "86.40 万元"
    assert "900000.00" in amounts
    assert "资金使用情况\t资金全部用于场馆运行" in text and "以上资金均按计划使用。" in text
    # the nested rows stand after the row that holds them, in the order of the document
    assert text.index("资金全部用于场馆运行") < text.index("全年执行数") < text.index("全年预算数") < text.index("以上资金")


def test_every_one_of_many_nested_tables_gives_its_figure(tmp_path):
    n = 2000
    document = _document_with_a_heading()
    outer = document.add_table(rows=n // 2, cols=2)
    cells = [cell for row in outer.rows for cell in row.cells]  # outer.cell() walks the whole table each time
    for i, cell in enumerate(cells, 1):
        _label_and_value(cell.add_table(rows=1, cols=2), f"第{i}项工程支出", f"{i}.25 万元")

    report, amounts, _ = _report(tmp_path, document)
    assert report["status"] == "ok"
    assert set(amounts) == {f"{i * 10000 + 2500}.00" for i in range(1, n + 1)}


def test_a_style_chain_that_loops_back_ends_and_the_text_is_read(tmp_path):
    document = _document_with_a_heading()
    styles = document.styles  # python-docx writes each w:basedOn as given, a loop included
    styles["Heading 1"].base_style, styles["Heading 2"].base_style = styles["Heading 2"], styles["Heading 1"]
    body_a = styles.add_style("报告正文甲", WD_STYLE_TYPE.PARAGRAPH)
    body_b = styles.add_style("报告正文乙", WD_STYLE_TYPE.PARAGRAPH)
    body_a.base_style, body_b.base_style = body_b, body_a
    document.add_paragraph("本单位全年执行数为 86.40 万元。", style=body_a)
    document.add_heading("存在的问题", level=2)
    document.add_paragraph("1.活动场地偏小。", style=body_b)

    report, amounts, text = _report(tmp_path, document)
    assert report["status"] == "ok"
    assert amounts["864000.00"]["page"] == "1" and "活动场地偏小" in text
    sections = read_table(tmp_path / "out", "sections")
    assert [(s["level"], s["title"]) for s in sections] == [("1", "单位基本情况"), ("2", "存在的问题")]


def test_a_cell_spanning_two_billion_columns_is_held_to_the_grid(tmp_path):
    document = _document_with_a_heading()
    table = document.add_table(rows=2, cols=2)
    _label_and_value(table, "全年预算数", "120.00 万元")
    wide = table.cell(1, 0)
    wide.text = "资金已全部拨付到位"
    wide._tc.get_or_add_tcPr().get_or_add_gridSpan().set(qn("w:val"), "2000000000")
    table.rows[1]._tr.remove(table.rows[1]._tr.tc_lst[1])  # the spanning cell is the row's only one
    document.add_paragraph("全年执行数为 86.40 万元。")

    report, amounts, text = _report(tmp_path, document)
    assert report["status"] == "ok"
    assert {"1200000.00", "864000.00"} <= set(amounts)
    assert "资金已全部拨付到位\t资金已全部拨付到位\n" in text  # the merged cell fills the grid's two columns


def test_a_document_nested_past_the_xml_parsers_limit_is_an_error_row(tmp_path):
    """Tables nested 300 deep are past what the XML parser reads: the file is refused as `corrupt`
    with a one-line message naming it, and the rest of the batch is written."""
    plain = docx.Document()
    plain.add_paragraph("东湖区文化馆2023年度部门整体支出绩效自评报告")
    plain.add_paragraph("全年执行数 12.00 万元。")
    buffer = io.BytesIO()
    plain.save(buffer)
    with zipfile.ZipFile(buffer) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    deep = "<w:tbl><w:tr><w:tc>" * 300 + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * 300
    parts["word/document.xml"] = body.replace("<w:sectPr", deep + "<w:sectPr", 1).encode("utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "deep.docx", "w") as nested:
        for name, data in parts.items():
            nested.writestr(name, data)
    plain.save(folder / "fine.docx")
    out = tmp_path / "out"
    ingest([folder], out)
    errors = read_table(out, "errors")
    assert [(Path(e["source_path"]).name, e["error_type"]) for e in errors] == [("deep.docx", "corrupt")]
    assert "deep.docx" in errors[0]["message"] and "\n" not in errors[0]["message"]
    assert [a["value_yuan"] for a in read_table(out, "amounts")] == ["120000.00"]
