"""Issue 3: amounts, rates, counts, tasks, findings, grade and checks, each with provenance."""
from decimal import Decimal

import pytest

from extract.evaluate import score_report, subject_covers
from extract.model import LoadedFile
from extract.normalize import normalize
from extract.pipeline import process_file
from conftest import SEED, SEED_GOLD, corpus_reports, read_table


def run(tmp_path, text: str, name: str = "doc.txt") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = process_file(str(path))
    # A one-sentence snippet is too little to be a report of the genre; its facts are still read.
    assert result.error is None or result.error["error_type"] == "not_a_report", result.error
    for table in ("amounts", "rates", "counts"):
        for row in result.tables.get(table, []):
            assert result.text[row["char_start"]:row["char_end"]] == row["raw"]
    return result.tables


def amounts(tables):
    return [(r["label"], r["role"], r["value_yuan"]) for r in tables["amounts"]]


def counts(tables):
    return [(r["value"], r["unit"], r["approx"]) for r in tables["counts"]]


def checks(tables):
    return {r["check"]: r["status"] for r in tables["checks"]}


# --- the seed against its gold -------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed():
    result = process_file(str(SEED))
    assert result.error is None
    return result


def test_seed_amounts_are_the_gold_nine(seed):
    got = [(r["label"], r["role"], r["value_yuan"], r["raw"]) for r in seed.tables["amounts"]]
    want = [(g["label"], g["role"], Decimal(str(g["value_yuan"])).quantize(Decimal("0.01")), g["raw"])
            for g in SEED_GOLD["amounts"]]
    assert got == want


def test_seed_rate(seed):
    (rate,) = seed.tables["rates"]
    assert (rate["label"], rate["role"], rate["value_pct"], rate["raw"]) == ("完成预算", "execution_rate", Decimal("99.2"), "99.2%")
    assert rate["section_path"] == "一、基本情况 / （三）部门整体支出情况"
    assert rate["evidence"] == "全年预算数 2673.45 万元，执行数 2653.04 万元，完成预算的 99.2%。"


def test_seed_counts_match_gold_with_their_subjects(seed):
    rows = list(seed.tables["counts"])
    for gold in SEED_GOLD["counts"]:
        row = next((r for r in rows if r["value"] == gold["value"] and r["unit"] == gold["unit"]
                    and subject_covers(r["subject"], gold["what"], r["evidence"], share=1.0)), None)
        assert row is not None, gold
        rows.remove(row)
    optional = {(Decimal(g["value"]), u) for g in SEED_GOLD["counts_optional"] for u in ("个", "件")}
    assert all((r["value"], r["unit"]) in optional for r in rows), rows


def test_seed_must_not_spans_are_not_counts(seed):
    for span in SEED_GOLD["must_not"]:
        assert not [r for r in seed.tables["counts"] if span in r["evidence"] and r["raw"] in span], span


def test_seed_tasks(seed):
    tasks = seed.tables["tasks"]
    assert [t["task_no"] for t in tasks] == [1, 2, 3]
    for task, gold in zip(tasks, SEED_GOLD["tasks"]):
        assert task["goal"].startswith(gold["goal_startswith"])
        assert gold.get("goal_contains", "") in task["goal"]
        assert task["result"].startswith(gold["result_startswith"])
        assert task["result"].endswith(gold["result_endswith"])
        assert "完成情况" not in task["goal"]


def test_seed_findings_grade_and_checks(seed):
    findings = [(f["kind"], f["seq"], f["text"]) for f in seed.tables["findings"]]
    assert [(k, s) for k, s, _ in findings] == [("problem", 1), ("problem", 2), ("problem", 3), ("measure", 1)]
    for (_, _, text), gold in zip(findings, SEED_GOLD["findings"]):
        assert text.startswith(gold["startswith"])
    (report,) = seed.tables["reports"]
    assert report["grade"] == "良好" and report["score"] is None and report["status"] == "ok"
    assert {k: v for k, v in checks(seed.tables).items() if v != "skipped"} == {
        "basic_plus_project_equals_expenditure": "pass", "sources_sum_to_expenditure": "pass",
        "execution_rate_matches": "pass"}


# --- every fact row of a full run points at its characters ---------------------------------------

def test_every_fact_row_maps_back_to_its_text(corpus_out):
    texts = {r["report_id"]: (corpus_out / "text" / f"{r['report_id']}.txt").read_text(encoding="utf-8")
             for r in read_table(corpus_out, "reports")}
    n = 0
    for table in ("amounts", "rates", "counts"):
        for row in read_table(corpus_out, table):
            text = texts[row["report_id"]]
            assert text[int(row["char_start"]):int(row["char_end"])] == row["raw"], row
            assert row["raw"] in row["evidence"] and row["evidence"] in text
            n += 1
    assert n > 200


# --- the corpus reports against their gold --------------------------------------------------------

@pytest.mark.parametrize("report,gold", corpus_reports(), ids=lambda v: getattr(v, "name", ""))
def test_corpus_report_matches_gold(report, gold):
    result = process_file(str(report))
    assert result.error is None
    score = score_report(result.tables, gold)
    exact = {name: t for name, t in score.tallies.items() if name != "counts.subject"}
    assert all(t.fp == 0 and t.fn == 0 for t in exact.values()), \
        [p for p in score.problems if not p.startswith("counts.subject")]
    subjects = score.tallies["counts.subject"]
    assert subjects.recall >= 0.8, [p for p in score.problems if p.startswith("counts.subject")]


# --- short documents, one phenomenon each ---------------------------------------------------------

def test_yuan_with_thousands_separators(tmp_path):
    t = run(tmp_path, "全年预算数 1,283,905,614.27 元，全年执行数 1,256,430,218.50 元，预算执行率为 97.86%。\n")
    assert amounts(t) == [("全年预算数", "budget_total", Decimal("1283905614.27")),
                          ("全年执行数", "expenditure_total", Decimal("1256430218.50"))]
    assert checks(t)["execution_rate_matches"] == "pass"


def test_yi_yuan_qian_yuan_and_traditional_forms(tmp_path):
    t = run(tmp_path, "本项目年初预算数 1.38 亿元，调整后全年预算数 1.52 億元。公用经费 350 千元。全年預算數 100.5 萬元。\n")
    assert amounts(t) == [("本项目年初预算数", "budget_initial", Decimal("138000000.00")),
                          ("调整后全年预算数", "budget_total", Decimal("152000000.00")),
                          ("公用经费", "public_expenses", Decimal("350000.00")),
                          ("全年預算數", "budget_total", Decimal("1005000.00"))]


def test_chinese_numerals(tmp_path):
    t = run(tmp_path, "年中追加政府投资审计经费二百万元。局党组全年召开安全专题会议二十一次，组织骨干教师参加专题研修三百余人次。\n")
    assert amounts(t) == [("年中追加政府投资审计经费", "other", Decimal("2000000.00"))]
    assert counts(t) == [(Decimal(21), "次", False), (Decimal(300), "人次", True)]
    assert "专题会议" in t["counts"][0]["subject"] and "专题研修" in t["counts"][1]["subject"]


def test_breakdown_after_qizhong(tmp_path):
    t = run(tmp_path, "按支出性质分，基本支出 868.22 万元，其中：人员经费 803.46 万元、公用经费 64.76 万元；项目支出 388.21 万元。"
                      "全年执行数 1256.43 万元。\n")
    assert [(a[0], a[1]) for a in amounts(t)] == [("基本支出", "basic_expenditure"), ("人员经费", "personnel"),
                                                 ("公用经费", "public_expenses"), ("项目支出", "project_expenditure"),
                                                 ("全年执行数", "expenditure_total")]
    assert checks(t)["personnel_plus_public_equals_basic"] == "pass"
    assert checks(t)["basic_plus_project_equals_expenditure"] == "pass"


def test_funding_source_enumeration(tmp_path):
    t = run(tmp_path, "全年预算数 820 万元。按资金来源分，一般公共预算财政拨款 800 万元，政府性基金预算 0 万元，"
                      "国有资本经营预算 0 万元，其他资金 20 万元。全年执行数 790 万元。\n")
    assert [a[1] for a in amounts(t)] == ["budget_total", "source_general_public_budget", "source_government_fund",
                                         "source_state_capital", "source_other", "expenditure_total"]
    sources = next(r for r in t["checks"] if r["check"] == "sources_sum_to_expenditure")
    assert sources["status"] == "pass" and "预算" in sources["detail"]  # they add up to the budget


@pytest.mark.parametrize("sentence,label,role,value", [
    ("全年执行数 98.5 万元，预算执行率为 98.5%。", "预算执行率", "execution_rate", "98.5"),
    ("执行数 99.2 万元，完成预算的 99.2%。", "完成预算", "execution_rate", "99.2"),
    ("截至年底项目执行率达到 96.3%。", "截至年底项目执行率", "execution_rate", "96.3"),
    ("资金到位率 100%。", "资金到位率", "funds_received_rate", "100"),
    ("群众满意度为 95.6%，较上年提高 3 个百分点。", "群众满意度", "other", "95.6"),
])
def test_rates_phrased_several_ways(tmp_path, sentence, label, role, value):
    (rate,) = run(tmp_path, sentence + "\n")["rates"]
    assert (rate["label"], rate["role"], rate["value_pct"]) == (label, role, Decimal(value))


def test_approximate_counts(tmp_path):
    t = run(tmp_path, "开展校外培训机构联合检查 40余次，组织送教听评课近300人次，超过20所学校开展课堂教学，"
                      "项目区年节约灌溉用水约 260 万方，吸纳群众务工 1,300余人，举办讲座 320 多场。\n")
    assert counts(t) == [(Decimal(40), "次", True), (Decimal(300), "人次", True), (Decimal(20), "所", True),
                         (Decimal(260), "万方", True), (Decimal(1300), "人", True), (Decimal(320), "场", True)]
    assert [r["raw"] for r in t["counts"]] == ["40余次", "近300人次", "超过20所", "约 260 万方", "1,300余人", "320 多场"]


def test_disagreeing_numbers_fail_a_check_and_keep_every_fact(tmp_path):
    t = run(tmp_path, "全年预算数 2935.60 万元，全年执行数 2846.37 万元，预算执行率 90.5%。"
                      "基本支出 2103.52 万元，项目支出 698.41 万元。\n")
    assert checks(t) == {"basic_plus_project_equals_expenditure": "fail", "sources_sum_to_expenditure": "skipped",
                         "personnel_plus_public_equals_basic": "skipped", "execution_rate_matches": "fail"}
    failed = next(r for r in t["checks"] if r["check"] == "basic_plus_project_equals_expenditure")
    assert (failed["expected"], failed["observed"]) == ("2846.37 万元", "2801.93 万元")
    assert len(t["amounts"]) == 4 and t["reports"][0]["status"] == "partial"


def test_distractors_yield_nothing(tmp_path):
    t = run(tmp_path, "根据《关于开展绩效自评的通知》（荔财绩〔2023〕12号）要求，于2024年3月15日完成自评，联系电话 020-81234567。"
                      "在十六届四次会议和第三次会议期间，增强“四个意识”、坚定“四个自信”、做到“两个维护”，"
                      "建立“1+N”机制，走访中烟 1906 科技园，落实“第一议题”制度，满意度较上年提高 3 个百分点，"
                      "破解二次供水难题，一年来组织一批骨干，项目编号 2023-15，工作计划为期 12 个月。\n")
    assert t["counts"] == [] and t["amounts"] == [] and t["rates"] == []


def test_fullwidth_and_spaced_numbers(tmp_path):
    t = run(tmp_path, "执行数 ２６５３．０４ 万元，完成预算的 ９９．２％，组织培训 ４２ 场次。\n")
    assert t["amounts"][0]["raw"] == "2653.04 万元" and t["amounts"][0]["value_yuan"] == Decimal("26530400.00")
    assert t["rates"][0]["raw"] == "99.2%" and counts(t) == [(Decimal(42), "场次", False)]


def test_table_unit_applies_to_bare_numbers(tmp_path):
    t = run(tmp_path, "单位：万元\n项目\t年初预算数\t全年预算数\t全年执行数\t预算执行率\n"
                      "部门整体支出\t11,856.30\t13,472.85\t13,126.41\t97.43%\n")
    assert amounts(t) == [("年初预算数", "budget_initial", Decimal("118563000.00")),
                          ("全年预算数", "budget_total", Decimal("134728500.00")),
                          ("全年执行数", "expenditure_total", Decimal("131264100.00"))]
    assert [(r["label"], r["role"]) for r in t["rates"]] == [("预算执行率", "execution_rate")]


def test_component_figures_are_not_totals(tmp_path):
    t = run(tmp_path, "全年预算数 1.52 亿元。分用途看，田间工程建设预算 13,250.00 万元，实际支出 12,870.42 万元，"
                      "完成预算的 97.13%；耕地质量提升预算 800.00 万元，实际支出 780.80 万元。全年执行数 1.46 亿元。\n")
    assert [a[1] for a in amounts(t)] == ["budget_total", "other", "other", "other", "other", "expenditure_total"]
    assert [r["role"] for r in t["rates"]] == ["other"]


@pytest.mark.parametrize("sentence,grade,score,level", [
    ("经综合评价，自评得分 95.5 分，自评等级为优秀。", "优秀", "95.5", "优"),
    ("本项目自评得分 88 分，等级为良好。", "良好", "88", "良"),
    ("部门整体支出绩效自评结论为“良”。", "良", None, "良"),
    ("项目绩效自评等级为合格。", "合格", None, "中"),
    ("经评价，本项目评定为“较差”等级。", "较差", None, "差"),
    ("在自评中发现部分指标设置不够细化。", None, None, None),
])
def test_grade_and_score(tmp_path, sentence, grade, score, level):
    (report,) = run(tmp_path, sentence + "\n")["reports"]
    assert report["grade"] == grade and report["grade_level"] == level
    assert report["score"] == (Decimal(score) if score else None)


def test_tasks_with_labels_and_a_result_on_its_own_line(tmp_path):
    t = run(tmp_path, "（二）工作任务完成情况\n任务一：会议保障。预期目标：保障全会顺利召开。完成情况：全会如期召开。\n"
                      "任务二：委员培训\n预期目标：组织委员培训 4 期。\n完成情况：\n全年举办委员培训 5 期。\n三、存在的问题\n"
                      "经分析，存在以下问题：（1）预算编制不够精细；（2）绩效目标设置不够量化。\n四、下一步工作计划\n"
                      "一是加强预算编制。二是完善绩效目标。\n")
    assert [(r["task_no"], r["name"], r["goal"], r["result"]) for r in t["tasks"]] == [
        (1, "会议保障", "保障全会顺利召开。", "全会如期召开。"),
        (2, "委员培训", "组织委员培训 4 期。", "全年举办委员培训 5 期。")]
    assert [(r["kind"], r["seq"], r["text"]) for r in t["findings"]] == [
        ("problem", 1, "预算编制不够精细"), ("problem", 2, "绩效目标设置不够量化。"),
        ("measure", 1, "加强预算编制。"), ("measure", 2, "完善绩效目标。")]


# --- layouts seen in published reports (our own wording and figures) -----------------------------

def test_field_lines_breadcrumbs_and_bare_numbers(tmp_path):
    t = run(tmp_path, "您现在的位置:首页>通知公告>某市城市管理监督指挥中心2018年度部门整体支出绩效自评报告\n"
                      "发布日期: 2019-04-12  来源: 本站\n部门(单位)名称: 某市城市管理监督指挥中心\n"
                      "联络电话\n8690022\n人员编制\n21\n一、部门概况\n（一）部门基本情况。\n"
                      "推进数字城管二期建设项目，全年处置案件 3,260 件。\n")
    (report,) = t["reports"]
    assert report["title"] == "某市城市管理监督指挥中心2018年度部门整体支出绩效自评报告"
    assert report["department"] == "某市城市管理监督指挥中心"
    assert [(s["level"], s["title"]) for s in t["sections"]] == [(1, "部门概况"), (2, "部门基本情况")]
    assert counts(t) == [(Decimal(3260), "件", False)]


def test_bare_number_lines_stay_in_text_files(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text("人员编制\n21\n实有人数\n19\n", encoding="utf-8")
    result = process_file(str(path))
    assert result.text == "人员编制\n21\n实有人数\n19"


def test_totals_named_with_qualifiers_and_parts_named_after_them(tmp_path):
    t = run(tmp_path, "调整预算后项目预算861.46万元，实际到位资金334.67万元，资金支付320.50万元，支付率96%。"
                      "项目支出286.83万元，项目支出包括委员活动经费36.30万元。\n")
    assert [(a[1], a[2]) for a in amounts(t)] == [
        ("budget_total", Decimal("8614600.00")), ("funds_received", Decimal("3346700.00")),
        ("expenditure_total", Decimal("3205000.00")), ("project_expenditure", Decimal("2868300.00")),
        ("other", Decimal("363000.00"))]
    assert [(r["label"], r["role"]) for r in t["rates"]] == [("支付率", "execution_rate")]


def test_target_signs_stay_out_of_labels(tmp_path):
    t = run(tmp_path, "工作任务及时完成率≥90%，资金结余率≤5%。\n")
    assert [r["label"] for r in t["rates"]] == ["工作任务及时完成率", "资金结余率"]


def test_score_written_as_zipingfen_and_empty_measures(tmp_path):
    t = run(tmp_path, "一、自评结论\n经评价，本项目自评分为100分。\n二、下一步改进措施\n无\n")
    assert t["reports"][0]["score"] == Decimal("100") and t["findings"] == []


def test_title_found_below_web_page_navigation(tmp_path):
    navigation = "\n".join(f"[ 索引号 ] 1150011170931802{i}F [ 主题分类 ] 其他" for i in range(12))
    t = run(tmp_path, navigation + "\n[ 成文日期 ] 2021-07-30 [ 有效性 ]某区发展和改革委员会2020年度部门整体支出绩效自评报告\n"
                      "一、部门概况\n")
    assert t["reports"][0]["title"] == "某区发展和改革委员会2020年度部门整体支出绩效自评报告"
    assert t["reports"][0]["department"] == "某区发展和改革委员会"


def test_checks_read_the_unit_of_table_cells_from_their_header(tmp_path):
    t = run(tmp_path, "单位：万元\n项目\t全年预算数\t全年执行数\n部门整体支出\t2,673.45\t2,653.04\n"
                      "基本支出 2424.43 万元，项目支出 228.61 万元。\n")
    check = next(r for r in t["checks"] if r["check"] == "basic_plus_project_equals_expenditure")
    assert (check["status"], check["expected"], check["observed"]) == ("pass", "2653.04 万元", "2653.04 万元")
    rate = next(r for r in t["checks"] if r["check"] == "execution_rate_matches")
    assert rate["status"] == "skipped"


def test_our_dictionary_tags_hold_from_the_first_word_looked_up():
    """jieba's tagger merges user-dictionary tags only when it first cuts a text; looked up before
    that (in a fresh process), 更新 was an adverb and a report's counts depended on what ran first."""
    import subprocess
    import sys

    from conftest import ROOT
    probe = "from extract.nlp import pos_of; print(pos_of('更新'), pos_of('人次'))"
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["v", "q"]


def test_flattened_tables_are_found_by_their_header_and_nothing_else_is():
    from extract.flat_tables import flat_rows
    lines = ["预算执行情况（10分）", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率",
             "总额", "312.40", "318.75", "309.18", "97.00%", "其中：财政资金", "312.40", "/", "/", "/", "评价结论", "良好"]
    assert [([lines[k] for k in row.lines], row.blank_first) for row in flat_rows(lines)] == [
        (["年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率"], False),
        (["总额", "312.40", "318.75", "309.18", "97.00%"], False),
        (["其中：财政资金", "312.40", "/", "/", "/"], False)]
    # Without a unit in the header its first cell is empty; the last header word labels the first row.
    lines = ["单位：万元", "年初预算数", "全年预算数", "全年执行数", "年度资金总额", "80", "90", "85"]
    assert [([lines[k] for k in row.lines], row.blank_first) for row in flat_rows(lines)] == [
        (["年初预算数", "全年预算数", "全年执行数"], True), (["年度资金总额", "80", "90", "85"], False)]
    # Short lines that name money but are followed by prose, or by more figures than columns: no table.
    assert flat_rows(["一、基本情况", "预算编制", "预算执行", "资金管理", "本年度预算编制规范，执行有序。"]) == []
    assert flat_rows(["x", "年初预算数", "全年预算数", "全年执行数", "总额", "1", "2", "3", "4", "5"]) == []


def test_a_sentence_repeated_word_for_word_states_its_facts_once(tmp_path):
    """A web page's summary stated again under the heading after it gives its facts once, at the first
    place; the same figures in a different sentence, and in table cells, are facts each time."""
    summary = "2024年度省级拨付我镇农机购置补贴资金45万元,县级配套5万元,共计50万元,惠及农户120户。"
    t = run(tmp_path, f"某镇2024年度农机购置补贴资金绩效自评报告\n{summary}\n(一)资金到位情况\n{summary}\n"
                      "全年到位资金50万元,到位率100%。\n项目\t全年预算数(万元)\t全年执行数(万元)\n补贴资金\t50\t50\n")
    first_line_end = t["amounts"][0]["char_start"] + len(summary)
    assert [r["raw"] for r in t["amounts"] if r["char_start"] < first_line_end] == ["45万元", "5万元", "50万元"]
    assert [r["raw"] for r in t["amounts"]].count("45万元") == 1  # not again from the copy
    assert [r["raw"] for r in t["amounts"]].count("50万元") == 2  # the summary's, and 全年到位资金's
    assert [r["raw"] for r in t["amounts"]].count("50") == 2  # two cells of one row: two facts
    assert [(r["value"], r["unit"]) for r in t["counts"]] == [(Decimal(120), "户")]


def test_counts_inside_names_are_not_counts(tmp_path):
    """A count in the title of a cited document, one opening a name field's value, and 所 in 所需
    are names and words; the same measure words counting things are counts."""
    t = run(tmp_path, "项目名称：30名退役军人就业帮扶\n"
                      "根据县财政局关于印发《项目资金管理办法》等3个办法的通知（某财〔2023〕12号），共培训农户120人，"
                      "新建村级服务站3所。\n材料清单 1 2 3 所需材料 上传\n")
    assert [(r["value"], r["unit"]) for r in t["counts"]] == [(Decimal(120), "人"), (Decimal(3), "所")]


def test_a_flattened_table_numbered_by_a_first_column_keeps_its_rows_apart(tmp_path):
    """序号 / 地区 / 小计 / 一般项目 (万元) … one cell per line, a 合计 row without its number: the
    rows' numbers start rows (not read as figures of the row before), and the amounts are the cells'."""
    cells = ["序号", "县  区", "小计", "基本建设", "(万元)", "设备购置", "(万元)", "合  计", "860", "500", "360",
             "1", "甲县", "300", "300", "2", "乙县", "560", "200", "360"]
    t = run(tmp_path, "某市2024年度农村饮水安全项目资金绩效自评报告\n一、资金下达情况\n" + "\n\n".join(cells) + "\n")
    assert [(r["label"], r["value_yuan"]) for r in t["amounts"]] == [
        ("小计", Decimal("8600000.00")), ("基本建设", Decimal("5000000.00")), ("设备购置", Decimal("3600000.00")),
        ("小计", Decimal("3000000.00")), ("基本建设", Decimal("3000000.00")),
        ("小计", Decimal("5600000.00")), ("基本建设", Decimal("2000000.00")), ("设备购置", Decimal("3600000.00"))]


def test_a_table_row_keeps_its_empty_first_cell():
    doc = normalize(LoadedFile(path="t.txt", file_type="txt", sha256="0" * 64,
                               pages=["单位：万元\n\t年初预算数\t全年执行数\n合计\t100.00\t98.00\n"]))
    assert doc.text.splitlines()[1:] == ["\t年初预算数\t全年执行数", "合计\t100.00\t98.00"]


def test_markdown_from_a_converter_reads_like_the_text(tmp_path):
    """Docling or MinerU write a report as markdown: # headings and | pipe | tables. The # marks are
    cut (title and department stay clean), a table row becomes a tab-separated row, the rule under
    its header is dropped, and a | stands for the tab that replaced it."""
    path = tmp_path / "converted.md"
    path.write_text(
        "# 某县农业农村局2024年度部门整体支出绩效自评报告\n\n## 一、部门基本情况\n\n"
        "本部门2024年度预算执行情况如下表（单位：万元）。\n\n"
        "| 项目 | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 |\n"
        "|------|:---------:|-----------|-----------|--------|\n"
        "| 年度资金总额 | 1,250.00 | 1,312.40 | 1,280.55 | 97.57% |\n"
        "| 其中：**基本支出** |  | 836.20 | 836.20 | 100.00% |\n\n"
        "## 二、绩效目标完成情况\n\n全年组织培训12场次。\n", encoding="utf-8")
    result = process_file(str(path))
    report = result.tables["reports"][0]
    assert (report["title"], report["department"]) == ("某县农业农村局2024年度部门整体支出绩效自评报告", "某县农业农村局")
    assert [s["title"] for s in result.tables["sections"]] == ["部门基本情况", "绩效目标完成情况"]
    # A row's figures take the row's role and their column's stage.
    assert [(a["label"], a["role"], a["stage"], a["value_yuan"]) for a in result.tables["amounts"]] == [
        ("年初预算数", "budget_initial", "budget_initial", Decimal("12500000.00")),
        ("全年预算数", "budget_total", "budget_adjusted", Decimal("13124000.00")),
        ("全年执行数", "expenditure_total", "executed", Decimal("12805500.00")),
        ("基本支出 全年预算数", "basic_expenditure", "budget_adjusted", Decimal("8362000.00")),
        ("基本支出 全年执行数", "basic_expenditure", "executed", Decimal("8362000.00"))]
    assert [(r["role"], r["value_pct"]) for r in result.tables["rates"]] == [("execution_rate", Decimal("97.57")),
                                                                            ("other", Decimal("100.00"))]
    assert result.text.splitlines()[5] == "其中：基本支出\t\t836.20\t836.20\t100.00%"
    assert [(c["subject"], c["value"]) for c in result.tables["counts"]] == [("组织培训", 12)]


def test_counts_are_multiplied_out_and_measurements_are_not_counts(tmp_path):
    """万 and 亿 before a measure word multiply the count (raw keeps them); areas, lengths and weights
    are measurements, and 台套, 粒 and the traditional 個 are measure words."""
    t = run(tmp_path, "全年接待游客18多万人次，发放良种320万粒，采集数据2.6亿条，配备监测设备7台套，"
                      "建成服务站6個。新修机耕路14.5公里，改造农田0.9万亩，清运垃圾260吨。")
    assert counts(t) == [(Decimal(180000), "人次", True), (Decimal(3200000), "粒", False),
                         (Decimal(260000000), "条", False), (Decimal(7), "台套", False), (Decimal(6), "個", False)]
    assert [r["raw"] for r in t["counts"]] == ["18多万人次", "320万粒", "2.6亿条", "7台套", "6個"]


def test_a_weight_glued_to_a_met_target_in_a_flattened_form_row_is_not_read_into_it(tmp_path):
    """三级指标 分值 年度指标值 全年实际值 得分 run together (a scanned form read as one line): the
    weight's digits before a target that the actual value repeats are not part of the figure."""
    t = run(tmp_path, "产出指标(40分)数量指标(15分)受益学生人数151200人1200人15成本指标(10分)"
                      "设备运行维护成本825万元25万元8生态效益指标(10分)化肥使用量较上年减少103%3%10\n"
                      "另共培训1200人200人次。\n")
    assert [(r["value"], r["unit"], r["raw"]) for r in t["counts"]] == [
        (Decimal(1200), "人", "1200人"), (Decimal(1200), "人", "1200人"),
        (Decimal(1200), "人", "1200人"), (Decimal(200), "人次", "200人次")]  # 人次 is another unit: no weight
    assert [(r["value_yuan"], r["raw"]) for r in t["amounts"]] == [
        (Decimal("250000.00"), "25万元"), (Decimal("250000.00"), "25万元")]
    assert [(r["value_pct"], r["raw"]) for r in t["rates"]] == [(Decimal(3), "3%"), (Decimal(3), "3%")]


@pytest.mark.parametrize("opening, department", [
    # a form's cells without colons: the label, cell bars or a line break, a unit code before the name
    ("项目支出绩效自评表\n项目名称 |\n农村道路养护 |\n主管部门 |\n[208]某县交通运输局 |\n", "某县交通运输局"),
    ("项目支出绩效自评表 (2023年度) 项目名称 乡村保洁经费 主管部门 307-某县某镇人民政府 实施单位 307001-某镇", "某县某镇人民政府"),
    ("地方主管部门 | 某州卫生健康委 | 资金使用单位 | 某县疾病预防控制中心 |\n", "某县疾病预防控制中心"),
    # a web page's publisher, with the next field glued on
    ("某县水利局2022年水毁修复资金使用情况\n信息来源:某县水利局字号:[大 中 小]\n", "某县水利局"),
    ("索引号\n0001/2023-01\n发布机构\n某市农业农村局\n成文日期\n", "某市农业农村局"),
    # a breadcrumb above the title is not the unit's name, even ending in 镇
    ("当前位置:首页 > 政务公开 > 某镇\n\n某区某镇2022年度项目支出绩效自评报告\n", "某区某镇"),
    # the unit's name before the fund's in a title, and a title with no 年 after its year
    ("某区残联中央转移支付2023年度绩效自评报告\n一、基本情况\n", "某区残联"),
    ("某区某街中心小学2022项目资金绩效自评报告\n一、基本情况\n", "某区某街中心小学"),
    # a bureau's name ends at 局: what follows is its project's (政府投资项目), not more of its name
    ("2023年度某市某区审计局政府投资项目审计项目支出绩效自评报告\n一、基本情况\n", "某市某区审计局"),
])
def test_department_from_form_cells_publisher_fields_and_titles(tmp_path, opening, department):
    assert run(tmp_path, opening + "全年预算数 12.50 万元。\n")["reports"][0]["department"] == department


@pytest.mark.parametrize("opening, kind", [
    ("某县优抚对象补助经费转移支付2023年度绩效自评报告\n", "project"),
    ("(困难救助)绩效目标自评表\n", "project"),
    ("一、绩效目标分解下达情况\n（一）中央下达预算情况。\n", "project"),
    ("某县某局2023年度部门整体支出绩效自评报告\n", "department_overall"),
    ("某区某局2024年度部门决算\n", "other"),
])
def test_report_type_of_transfer_payment_and_form_self_evaluations(tmp_path, opening, kind):
    assert run(tmp_path, opening + "全年预算数 12.50 万元。\n")["reports"][0]["report_type"] == kind


def test_a_title_ending_in_qingkuang_stands_alone_and_names_its_unit(tmp_path):
    """…补贴实施情况 on the first line, no punctuation, the next lines unpunctuated too: a title (not
    joined to them), and a 管理区 before the fund's name is the unit."""
    t = run(tmp_path, "青石湖管理区专项转移支付2024年度农机购置补贴实施情况\n绩效目标分解下达情况\n"
                      "2024年度省级拨付我区农机购置补贴资金50万元,共计50万元。\n(一)资金投入情况分析\n")
    report = t["reports"][0]
    assert (report["title"], report["department"]) == ("青石湖管理区专项转移支付2024年度农机购置补贴实施情况", "青石湖管理区")


def test_a_web_pages_furniture_line_is_not_the_title(tmp_path):
    t = run(tmp_path, "公开目录 | 绩效自评报告 | 发布日期 | 2024-03-26 |\n标题:某县第二小学2023年度项目支出绩效自评报告\n"
                      "一、基本情况\n全年预算数 12.50 万元。\n")
    assert t["reports"][0]["title"] == "某县第二小学2023年度项目支出绩效自评报告"
    assert t["reports"][0]["department"] == "某县第二小学"


def test_a_form_flattened_to_bar_ended_cells_is_read_as_its_table(tmp_path):
    """A web page's form: each cell ends with a bar, a row opening with a bar has an empty first cell
    (the merged 预算执行情况 cell above); the budget block's cells are amounts, the indicator row's
    target and actual a count named by its indicator."""
    t = run(tmp_path, "某县某局2023年度项目支出绩效自评表 | | | |\n"
                      "预算执行情况 | 资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 |\n"
                      "| 年度资金总额 | 12.00 | 12.50 | 12.25 | 98.00% |\n"
                      "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 |\n"
                      "产出指标 | 数量指标 | 维修路灯数量 | ≥40盏 | 42盏 |\n")
    assert amounts(t) == [("年初预算数", "budget_initial", Decimal("120000.00")),
                          ("全年预算数", "budget_total", Decimal("125000.00")),
                          ("全年执行数", "expenditure_total", Decimal("122500.00"))]
    assert [(r["label"], r["role"], r["value_pct"]) for r in t["rates"]] == [("执行率", "execution_rate", Decimal("98.00"))]
    assert [(c["subject"], c["value"], c["unit"]) for c in t["counts"]] == [("维修路灯数量", Decimal(40), "盏"),
                                                                           ("维修路灯数量", Decimal(42), "盏")]


def test_a_block_whose_name_stood_above_its_header_reads_its_rows(tmp_path):
    """项目资金 (万元) on a line of its own (a merged cell flattened): the header opens with a column,
    the rows with their label; the unit is the block name's; 执行率(B/A) is a rate column."""
    t = run(tmp_path, "项目资金 (万元) |\n全年预算数(A) | 全年执行数(B) | 预算执行率(B/A) | ||||\n"
                      "年度资金总额: | 64.20 | 60.99 | 95% | ||||\n其中:中央财政资金 | 50.00 | 48.00 | 96.00% | ||||\n")
    assert amounts(t) == [("全年预算数", "budget_total", Decimal("642000.00")),
                          ("全年执行数", "expenditure_total", Decimal("609900.00")),
                          ("中央财政资金 全年预算数", "other", Decimal("500000.00")),
                          ("中央财政资金 全年执行数", "other", Decimal("480000.00"))]
    assert [(r["role"], r["value_pct"]) for r in t["rates"]] == [("execution_rate", Decimal("95")),
                                                                 ("other", Decimal("96.00"))]


def test_a_form_copied_one_cell_per_line_with_bars_is_rebuilt_row_by_row(tmp_path):
    """Each cell on its own line ending with a bar, an empty cell a bar alone, a row ended by a line
    of bars: the rows come back whole and the budget block is read."""
    cells = ["资金情况(万元) |", "|", "全年预算数(A) |", "全年执行数(B) |", "执行率(B/A) |", "||",
             "|", "年度资金总额: |", "18 |", "17.1 |", "95% |", "|||"]
    t = run(tmp_path, "某镇2022年度项目绩效目标自评表\n" + "\n".join(cells) + "\n")
    assert amounts(t) == [("全年预算数", "budget_total", Decimal("180000.00")),
                          ("全年执行数", "expenditure_total", Decimal("171000.00"))]
    assert [(r["role"], r["value_pct"]) for r in t["rates"]] == [("execution_rate", Decimal("95"))]


def test_a_form_flattened_onto_one_line_with_spaces_is_read_as_rows(tmp_path):
    """A Word file's text: the whole budget block on one line, spaces for cell borders, between the
    form's fields and its goals; the rows come out of the line and the prose around them stays."""
    t = run(tmp_path, "附件: 项目支出绩效自评表 (2023年度) 项目名称 村道保洁经费 主管部门 某镇人民政府 "
                      "项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
                      "年度资金总额: 36.5 38 37.62 10 99% 9.9 其中:本年财政拨款 36.5 38 37.62 "
                      "年度总体目标 预期目标 完成全镇村道日常保洁。\n")
    assert amounts(t) == [
        ("年初预算数", "budget_initial", Decimal("365000.00")), ("全年预算数", "budget_total", Decimal("380000.00")),
        ("全年执行数", "expenditure_total", Decimal("376200.00")),
        ("本年财政拨款 年初预算数", "source_general_public_budget", Decimal("365000.00")),
        ("本年财政拨款 全年预算数", "source_general_public_budget", Decimal("380000.00")),
        ("本年财政拨款 全年执行数", "source_general_public_budget", Decimal("376200.00"))]
    assert [a["stage"] for a in t["amounts"]] == ["budget_initial", "budget_adjusted", "executed"] * 2
    assert [(r["label"], r["role"], r["value_pct"]) for r in t["rates"]] == [("执行率", "execution_rate", Decimal("99"))]
    assert t["reports"][0]["department"] == "某镇人民政府"


def test_project_name_from_its_field_in_a_project_report_only(tmp_path):
    t = run(tmp_path, "2023年度项目支出绩效自评表\n项目名称 西河堤防加固工程 主管部门 某县水利局 实施单位 某县河道站\n"
                      "项目资金（万元）年初预算数 120 万元。\n")
    assert t["reports"][0]["project"] == "西河堤防加固工程"
    t = run(tmp_path, "项目名称：2102-乡村学校少年宫运行经费\n该项目支出绩效自评报告如下。\n", "b.txt")
    assert t["reports"][0]["project"] == "乡村学校少年宫运行经费"  # the unit code before it dropped
    t = run(tmp_path, "某县水利局2023年度部门整体支出绩效自评报告\n全年预算数 300 万元。\n", "c.txt")
    assert t["reports"][0]["project"] == ""


def test_indicator_rows_flattened_without_their_merged_cells_stand_under_the_last_columns(tmp_path):
    """A `|` table keeps only each row's own cells: a row under a merged 一级/二级 cell starts with its
    third-level name. Its last figure is the score, so the row belongs to the header's last columns."""
    t = run(tmp_path, "2024年度项目支出绩效自评表\n"
                      "绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因 |\n"
                      "产出指标 | 数量指标 | 新建蓄水池 | ≥12座 | 12座 | 20 | 20 | | | |\n"
                      "维修渠道长度 | ≥8公里 | 7.6公里 | 20 | 18 | | |\n"
                      "质量指标 | 工程验收合格率 | 100% | 100% | 10 | 10 | |\n"
                      "满意度指标 | 服务对象满意度指标 | 受益农户满意度 | ≥90% | 96% | 10 | 9 | 抽样调查 |\n")
    rows = [(r["level1"], r["level2"], r["level3"], r["target"], r["actual"], r["weight"], r["score"], r["note"])
            for r in t["indicators"]]
    assert rows == [
        ("产出指标", "数量指标", "新建蓄水池", "≥12座", "12座", Decimal(20), Decimal(20), ""),
        ("产出指标", "数量指标", "维修渠道长度", "≥8公里", "7.6公里", Decimal(20), Decimal(18), ""),
        ("产出指标", "质量指标", "工程验收合格率", "100%", "100%", Decimal(10), Decimal(10), ""),
        ("满意度指标", "服务对象满意度指标", "受益农户满意度", "≥90%", "96%", Decimal(10), Decimal(9), "抽样调查")]


def test_indicator_table_one_cell_per_line_is_read_by_the_forms_grammar(tmp_path):
    """One cell per line, a header name broken over lines (年度 / 指标值), merged 一级/二级 cells only on
    their first row, a level's points on a line of their own, and an empty note (……): each row is its
    levels, its name and then its values in the header's order."""
    cells = ["2024年度项目支出绩效自评表", "一级指标", "二级指标", "三级指标", "年度", "指标值", "实际", "完成值",
             "分值", "得分", "偏差原因", "分析及", "改进措施",
             "产出指标", "(40分)", "数量", "指标", "修缮校舍面积", "≥900平方米", "960平方米", "10", "10",
             "采购课桌椅", "≥300套", "300套", "10", "9", "……",
             "时效", "指标", "开工及时率", "100%", "95%", "10", "8",
             "满意度指标", "服务对象满意度指标", "师生满意度", "≥90%", "93%", "10", "10",
             "总分", "100", "92"]
    t = run(tmp_path, "\n".join(cells) + "\n")
    rows = [(r["level1"], r["level2"], r["level3"], r["target"], r["actual"], r["weight"], r["score"])
            for r in t["indicators"]]
    assert rows == [
        ("产出指标(40分)", "数量指标", "修缮校舍面积", "≥900平方米", "960平方米", Decimal(10), Decimal(10)),
        ("产出指标(40分)", "数量指标", "采购课桌椅", "≥300套", "300套", Decimal(10), Decimal(9)),
        ("产出指标(40分)", "时效指标", "开工及时率", "100%", "95%", Decimal(10), Decimal(8)),
        ("满意度指标", "服务对象满意度指标", "师生满意度", "≥90%", "93%", Decimal(10), Decimal(10))]
    # The targets and actuals are still facts of their own, named by their indicator.
    assert ("采购课桌椅", Decimal(300), "套") in [(c["subject"], c["value"], c["unit"]) for c in t["counts"]]


def test_a_forms_blank_for_a_figure_is_text_not_a_bold_mark(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text("三级指标 | 年度指标值 | 实际完成值 | 得分 |\n新建羊舍(≥**平方米) | 400 | 420 | 5 |\n"
                    "本年度**重点**工作是新建羊舍。\n", encoding="utf-8")
    result = process_file(str(path))
    assert "新建羊舍(≥**平方米)" in result.text and "本年度重点工作" in result.text
    assert result.tables["indicators"][0]["level3"] == "新建羊舍(≥**平方米)"


def test_bare_indicator_figures_take_their_measure_word_from_the_row(tmp_path):
    """A bare target or actual counts in the measure word its row gives: a 度量单位 column (whose
    指标性质 / 指标值 / 度量单位 cells make the target ≥2次), the target beside a bare actual, or the end
    of the indicator's name. Measurements (平方米) are not counts."""
    t = run(tmp_path, "2024年度项目支出绩效自评表\n"
                      "一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t完成值\t权重\t得分\n"
                      "产出指标\t数量指标\t举办防汛演练\t≥\t2\t次\t3\t10\t10\n"
                      "产出指标\t数量指标\t配备救生衣\t＝\t120件\t\t120\t10\t10\n"
                      "产出指标\t数量指标\t购置抽水泵(≥台)\t\t4\t\t4\t10\t10\n"
                      "产出指标\t数量指标\t新建仓库(≥平方米)\t\t300\t\t300\t10\t10\n")
    counts = sorted((c["subject"], c["value"], c["unit"], c["raw"]) for c in t["counts"])
    assert counts == sorted([
        ("举办防汛演练", Decimal(2), "次", "2"), ("举办防汛演练", Decimal(3), "次", "3"),
        ("配备救生衣", Decimal(120), "件", "120件"), ("配备救生衣", Decimal(120), "件", "120"),
        ("购置抽水泵", Decimal(4), "台", "4"), ("购置抽水泵", Decimal(4), "台", "4")])
    assert [r["target"] for r in t["indicators"]] == ["≥2次", "=120件", "4", "300"]  # full-width ＝ normalized


def test_a_bare_wan_after_money_words_is_money_but_not_before_a_measure_word(tmp_path):
    t = run(tmp_path, "全年共投入维修资金 56.4万，执行数 52.1万。惠及群众 1.2万人，完成造林 0.8万亩。\n")
    assert [(a["raw"], a["value_yuan"]) for a in t["amounts"]] == [("56.4万", Decimal("564000.00")),
                                                                   ("52.1万", Decimal("521000.00"))]


def test_one_cell_per_line_budget_block_with_notes_under_its_header_cells(tmp_path):
    """Header cells whose notes the layout put on the next line ((20分), (20分*执行率)); a bare number
    in the 执行率(B/A) column is a percentage; a bare actual beside a money target is money."""
    cells = ["2023年度项目支出绩效自评表", "预算执行情况(万元)", "(20分)", "预算数(A)", "执行数(B)", "执行率(B/A)",
             "得分", "(20分*执行率)", "年度财政资金总额", "80", "60", "75", "15"]
    t = run(tmp_path, "\n".join(cells) + "\n"
            "一级指标\t二级指标\t三级指标\t年初目标值\t实际完成值\t得分\n"
            "产出指标\t成本指标\t设备购置成本\t≤36万元\t34.5\t5\n")
    assert [(a["label"], a["role"], a["stage"], a["value_yuan"]) for a in t["amounts"]] == [
        ("预算数", "budget_total", "", Decimal("800000.00")), ("执行数", "expenditure_total", "executed", Decimal("600000.00")),
        ("设备购置成本", "other", "", Decimal("360000.00")), ("设备购置成本", "other", "", Decimal("345000.00"))]
    assert [(r["label"], r["role"], r["value_pct"]) for r in t["rates"]] == [("执行率", "execution_rate", Decimal(75))]


@pytest.mark.parametrize("sentence, role, stage", [
    ("市财政局下达我局河道保洁经费 84.5 万元。", "budget_total", ""),          # handed down: the budget
    ("项目资金已全部到位，到位资金 84.5 万元。", "funds_received", "received"),
    ("今年收到财政资金共 84.5 万元。", "funds_received", "received"),
    ("实际拨付 84.5 万元。", "funds_received", "received"),
    ("年内发放救助资金 84.5 万元。", "expenditure_total", "executed"),
    ("实际使用补贴资金 84.5 万元。", "expenditure_total", "executed"),
    ("本项目共完成预算资金 84.5 万元。", "expenditure_total", "executed"),
    ("本单位河道保洁经费预算数 84.5 万元。", "budget_total", ""),            # the fund's own budget
    ("中央拨付 84.5 万元。", "other", "received"),                           # one level's share
    ("中央及省级财政共下达我县防疫经费 84.5 万元。", "budget_total", ""),     # the levels summed
    ("下达中央转移支付资金 84.5 万元。", "budget_total", ""),                 # 转移支付 is no spending
])
def test_prose_amount_roles_and_stages(tmp_path, sentence, role, stage):
    t = run(tmp_path, sentence + "\n")
    assert [(a["role"], a["stage"]) for a in t["amounts"]] == [(role, stage)], t["amounts"][0]["label"]


def test_a_label_starts_after_the_last_cell_border_of_a_flattened_form(tmp_path):
    t = run(tmp_path, "上年结转资金 其他资金 年度总体目标 实际完成情况 本项目共完成预算资金 84.5 万元。\n")
    assert [(a["label"], a["role"]) for a in t["amounts"]] == [("本项目共完成预算资金", "expenditure_total")]


PUBLISHED_HABITS = """某县农业农村局2023年度部门整体支出绩效自评报告
一、部门基本情况
全年预算数 420. 5万元，全年支出398.76万元，执行率94.83%。
全年新建机耕道路12 段，培训农民 300 人次。
项目\t行次\t金额（万元）
一般公共预算财政拨款收入\t1\t380.25
其他收入\t2\t40.25
第三部分 存在的问题和改进措施
一、存在的问题
一是预算编制不够精细；二是绩效监控不够及时。
二、改进措施
1、加强预算编制。
2、强化绩效监控。
某县农业农村局
2024年3月15日
"""


def test_habits_of_published_reports(tmp_path):
    """A space after a decimal point, a measure word after a space, a 决算-style table with a 行次
    column and one money column, the execution rate after 全年支出, items by 一是…二是 on one line
    and by 1、 lines under 第X部分's sub-headings, and a signature block after the last measure."""
    t = run(tmp_path, PUBLISHED_HABITS)
    assert [(a["raw"], a["role"], a["value_yuan"]) for a in t["amounts"]] == [
        ("420. 5万元", "budget_total", Decimal("4205000.00")), ("398.76万元", "expenditure_total", Decimal("3987600.00")),
        ("380.25", "source_general_public_budget", Decimal("3802500.00")), ("40.25", "source_other", Decimal("402500.00"))]
    assert [(r["role"], r["value_pct"]) for r in t["rates"]] == [("execution_rate", Decimal("94.83"))]
    assert [(c["value"], c["unit"]) for c in t["counts"]] == [(Decimal(12), "段"), (Decimal(300), "人次")]
    assert [(f["kind"], f["text"]) for f in t["findings"]] == [
        ("problem", "预算编制不够精细"), ("problem", "绩效监控不够及时。"),
        ("measure", "加强预算编制。"), ("measure", "强化绩效监控。")]
    assert {c["check"]: c["status"] for c in t["checks"]}["execution_rate_matches"] == "pass"


def test_checks_compare_only_figures_stated_together(tmp_path):
    """A 部门决算's explanations each describe one table: 基本支出 of all funds in one section and the
    财政拨款 share's 人员经费 / 公用经费 in another are not one statement; a change from last year
    (比上年增加 5.2%) is no execution rate; 收入 by source are not the sources of 支出."""
    t = run(tmp_path, "某区司法局2024年度部门决算\n第三部分 2024年度部门决算情况说明\n"
                      "一、收入支出决算总体情况说明\n本年收入合计 820.4万元，其中：其他收入 20.4万元。"
                      "本年支出合计 815.6万元，基本支出 600.2万元，比上年增加5.2%。\n"
                      "二、财政拨款基本支出决算情况说明\n人员经费 480.1万元，公用经费 100.1万元。\n")
    status = {c["check"]: c["status"] for c in t["checks"]}
    assert status == {"basic_plus_project_equals_expenditure": "skipped", "sources_sum_to_expenditure": "skipped",
                      "personnel_plus_public_equals_basic": "skipped", "execution_rate_matches": "skipped"}
    assert [r["role"] for r in t["rates"]] == ["other"]


def test_year_score_and_title_as_web_pages_give_them(tmp_path):
    """A page's field list (公开目录 / • 自评报告) gives no title; a fund named by its year of
    allocation (2022年中央…资金) under a form titled 2023年度… is reported for 2023; a date (2022年11月5日)
    is no fiscal year; 综合评分为96分 is the report's score."""
    t = run(tmp_path, "• 公开目录\n• 自评报告\n某县2022年中央水利发展资金绩效自评\n"
                      "2023年度项目支出绩效自评表\n经评价，综合评分为96分。\n", "a.txt")
    report = t["reports"][0]
    assert (report["year"], report["score"]) == (2023, Decimal(96))
    assert report["title"] != "自评报告"
    t = run(tmp_path, "一、绩效目标分解下达情况\n2022年11月5日，省财政厅提前下达2023年水利发展资金300万元。\n", "b.txt")
    assert t["reports"][0]["year"] == 2023


def test_label_value_lines_under_a_declared_unit(tmp_path):
    """A form flattened to label–value lines: the unit is given once (金额单位：万元, or a (万元) note on
    the block's first label) and bare figures follow their labels. Figures with no money label, or
    after a sentence, are not read."""
    t = run(tmp_path, "项目名称：农村道路养护 金额单位：万元\n"
                      "预算数 12.60 到位数 12.60 执行数 11.34 90.00\n"
                      "农村公路养护资金合计(万元) 年度预算资金总额: 86.50\n"
                      "其中:中央补助 40.00\n市级资金 30.00\n本级资金(包括结转结余) 16.50\n"
                      "养护里程 35 完成情况良好。\n")
    assert [(a["label"], a["role"], a["stage"], a["value_yuan"]) for a in t["amounts"]] == [
        ("预算数", "budget_total", "", Decimal("126000.00")), ("到位数", "funds_received", "received", Decimal("126000.00")),
        ("执行数", "expenditure_total", "executed", Decimal("113400.00")),
        ("年度预算资金总额", "budget_total", "", Decimal("865000.00")), ("中央补助", "other", "", Decimal("400000.00")),
        ("市级资金", "other", "", Decimal("300000.00")), ("本级资金", "other", "", Decimal("165000.00"))]


def test_a_rows_number_is_no_figure_where_the_form_numbers_its_rows(tmp_path):
    t = run(tmp_path, "资金投入情况（万元）\n行次 全年预算数 全年执行资金\n"
                      "年度资金总额(万元): 1 64.500000\n其中:中央财政资金(万元) 2 40.000000\n")
    assert [(a["label"], a["raw"], a["value_yuan"]) for a in t["amounts"]] == [
        ("年度资金总额 全年预算数", "64.500000", Decimal("645000.00")),
        ("中央财政资金 全年预算数", "40.000000", Decimal("400000.00"))]


def test_a_numbered_rows_cells_wrap_onto_the_next_line(tmp_path):
    """A 行次-numbered row whose label carries its own unit note: every money figure of the row is read,
    on its line and on the line it wraps onto, up to the next row's words, under the header's columns
    where the figures between two rates fill them; its rates are rates, and the formula in a rate
    column's name (B/A×100%) is no rate. A header cell glued before the first row is not its label."""
    t = run(tmp_path, "资金投入情况\n行次 全年预算数(A) 全年到位资金(B) 到位率(B/A×100%) 全年执行资金(C) 执行率(C/A×100%)\n"
                      "附件 年度资金总额(万元): 1 45.600000\n45.600000 100.00% 41.040000 90.00%"
                      "其中:省级财政资金(万元) 2 20.000000\n20.000000 100.00% 18.000000 90.00% 相关凭证\n")
    assert [(a["label"], a["role"], a["stage"], a["value_yuan"]) for a in t["amounts"]] == [
        ("年度资金总额 全年预算数", "budget_total", "budget_adjusted", Decimal("456000.00")),
        ("年度资金总额 全年到位资金", "funds_received", "received", Decimal("456000.00")),
        ("年度资金总额 全年执行资金", "expenditure_total", "executed", Decimal("410400.00")),
        ("省级财政资金 全年预算数", "other", "budget_adjusted", Decimal("200000.00")),
        ("省级财政资金 全年到位资金", "other", "received", Decimal("200000.00")),
        ("省级财政资金 全年执行资金", "other", "executed", Decimal("180000.00"))]
    assert [r["value_pct"] for r in t["rates"]] == [Decimal("100.00"), Decimal("90.00"), Decimal("100.00"),
                                                    Decimal("90.00")]


def test_label_value_pairs_under_column_headers_take_their_columns_stage(tmp_path):
    """A budget block flattened to label–value pairs, one row per line under a header line of columns:
    the k-th pair of a row is the k-th money column's (the section number and a rate column are no
    money columns), and a row's source takes its role from the form's row words."""
    t = run(tmp_path, "项目名称: 乡村道路维护 金额单位: 万元\n"
                      "二、资金情况 年初预算安排 资金到位情况 资金使用情况 使用进度(%)\n"
                      "预算数 22.40 到位数 20.00 执行数 18.00 90.00\n"
                      "其中:财政拨款 20.00 其中:财政拨款 20.00 其中:财政拨款 18.00\n")
    assert [(a["label"], a["role"], a["stage"], a["value_yuan"]) for a in t["amounts"]] == [
        ("预算数", "budget_initial", "budget_initial", Decimal("224000.00")),
        ("到位数", "funds_received", "received", Decimal("200000.00")),
        ("执行数", "expenditure_total", "executed", Decimal("180000.00")),
        ("财政拨款", "source_general_public_budget", "budget_initial", Decimal("200000.00")),
        ("财政拨款", "source_general_public_budget", "received", Decimal("200000.00")),
        ("财政拨款", "source_general_public_budget", "executed", Decimal("180000.00"))]


def test_a_rate_column_named_by_its_percent_note(tmp_path):
    """A header cell 资金执行进度(%) over label–value lines: the figure of the row that no label claims is
    that column's rate; a weight column (权重(%)) names no rate."""
    t = run(tmp_path, "一、预算执行 预算数(调整后) 资金到位情况 资金执行情况 资金执行进度(%)\n"
                      "预算数 9.50 到位数 9.50 执行数 8.55 90.00其中:财政资金 9.50\n"
                      "二、目标完成 年度目标 完成情况 总体完成率(%)\n为全镇困难老人发放补贴。 已发放。 100.00为老人提供保障\n"
                      "三、指标 指标名称 权重(%)\n发放人数 30\n")
    assert [(r["label"], r["role"], r["value_pct"]) for r in t["rates"]] == [
        ("资金执行进度", "execution_rate", Decimal("90.00")), ("总体完成率", "other", Decimal("100.00"))]


def test_a_budget_row_whose_cells_ran_together_is_split_by_its_rate(tmp_path):
    """`28.5036.5036.0098.63%`-style rows: of the ways to cut the digits into figures, only the one whose
    last figure is the rate of the two before it is the row (28.50 | 36.50 | 36.00 | 98.63%); a run no single
    reading explains is left alone."""
    t = run(tmp_path, "项目资金(万元)年初预算数调整预算数全年执行数执行率年度资金总额:28.5036.5036.0098.63%\n"
                      "其中:当年财政拨款20.020.0100%\n")
    assert [(a["label"], a["role"], a["stage"], a["value_yuan"]) for a in t["amounts"]] == [
        ("年度资金总额 年初预算数", "budget_initial", "budget_initial", Decimal("285000.00")),
        ("年度资金总额 全年预算数", "budget_total", "budget_adjusted", Decimal("365000.00")),
        ("年度资金总额 全年执行数", "expenditure_total", "executed", Decimal("360000.00")),
        ("当年财政拨款 全年预算数", "source_general_public_budget", "budget_adjusted", Decimal("200000.00")),
        ("当年财政拨款 全年执行数", "source_general_public_budget", "executed", Decimal("200000.00"))]
    assert [(r["role"], r["value_pct"]) for r in t["rates"]] == [("execution_rate", Decimal("98.63")),
                                                                ("other", Decimal("100"))]


def test_parts_of_a_total_share_its_stage(tmp_path):
    t = run(tmp_path, "全年支出 84.5 万元，其中中央资金 50 万元、其他资金 34.5 万元。\n")
    assert [(a["role"], a["stage"]) for a in t["amounts"]] == [
        ("expenditure_total", "executed"), ("other", "executed"), ("source_other", "executed")]


def test_parts_that_are_funds_share_the_totals_stage_and_items_do_not(tmp_path):
    """The funds a spending came from are at its stage; the items it went to are at none. A label after
    a row of leader dots is the words after them. Money paid out (兑现 … 资金) is spending however long
    the words for whom."""
    t = run(tmp_path, "实际完成情况 ........ 本项目共完成预算资金86.2万元，其中办公设备购置30万元，场地租赁56.2万元。\n"
                      "全年拨付使用 12.5 万元，其中省级资金 8 万元、县级资金 4.5 万元。\n"
                      "已兑现全镇低收入农户因灾临时生活救助资金 3.2 万元。\n")
    assert [(a["label"], a["role"], a["stage"]) for a in t["amounts"]] == [
        ("本项目共完成预算资金", "expenditure_total", "executed"), ("办公设备购置", "other", ""),
        ("场地租赁", "other", ""), ("全年拨付使用", "expenditure_total", "executed"),
        ("省级资金", "other", "executed"), ("县级资金", "other", "executed"),
        ("已兑现全镇低收入农户因灾临时生活救助资金", "expenditure_total", "executed")]


def test_allocations_passed_on_or_in_batches_are_not_the_budget(tmp_path):
    """下达 is the unit's budget, but not money passed on to the units below (下达各乡镇), one batch of it
    (提前下达, 分两批), or one allocating document's share (…〔2023〕15号); a bare 共计 is the sum."""
    t = run(tmp_path, "市财政下达我县农村供水补助资金 300 万元。"
                      "我县下达各乡镇农村供水补助资金 280 万元。\n"
                      "县财〔2023〕15号下达管网改造资金 120 万元。\n"
                      "提前下达2024年供水补助资金 50 万元。\n"
                      "本级安排 20 万元，上级补助 30 万元，共计 50 万元。\n")
    assert [(a["label"], a["role"]) for a in t["amounts"]] == [
        ("市财政下达我县农村供水补助资金", "budget_total"), ("我县下达各乡镇农村供水补助资金", "other"),
        ("县财〔2023〕15号下达管网改造资金", "other"), ("提前下达2024年供水补助资金", "other"),
        ("本级安排", "other"), ("上级补助", "source_other"), ("共计", "budget_total")]


def test_a_column_named_over_two_lines_by_its_unit_note_and_a_sum_column(tmp_path):
    """一般项目 / (万元) on two lines is one money column; 小计 and 合计 columns are money in such a table
    (their role is not known from the table alone: a sum of what, budget or spending?); a title line
    naming the table (…资金下达情况) is not a column."""
    cells = ["2024年度补助资金下达情况", "小计", "一般项目", "(万元)", "重点项目", "(万元)", "合计", "860", "500", "360"]
    t = run(tmp_path, "\n".join(cells) + "\n")
    assert [(a["label"], a["role"], a["value_yuan"]) for a in t["amounts"]] == [
        ("小计", "other", Decimal("8600000.00")), ("一般项目", "other", Decimal("5000000.00")),
        ("重点项目", "other", Decimal("3600000.00"))]


def test_a_budget_block_one_cell_per_line_with_broken_names_and_units_in_its_cells(tmp_path):
    """年初 / 预算数 on two lines is one column; a cell that prints its own unit (4753.66万元) is read
    in it; 基本支出 + 项目支出 given for the budget are checked against the budget."""
    cells = ["部门整体支出绩效自评表", "年度预算申请(万元)", "年初", "预算数", "全年预算数", "全年", "执行数", "执行率",
             "年度资金总额", "520.40万元", "520.40万元", "508.10万元", "97.64%"]
    t = run(tmp_path, "\n".join(cells) + "\n其中：基本支出：320.40万元，项目支出：200万元。\n")
    assert [(a["label"], a["role"], a["stage"], a["value_yuan"]) for a in t["amounts"]][:3] == [
        ("年初预算数", "budget_initial", "budget_initial", Decimal("5204000.00")),
        ("全年预算数", "budget_total", "budget_adjusted", Decimal("5204000.00")),
        ("全年执行数", "expenditure_total", "executed", Decimal("5081000.00"))]
    status = {c["check"]: (c["status"], c["expected"]) for c in t["checks"]}
    assert status["basic_plus_project_equals_expenditure"] == ("pass", "520.4 万元")
    assert status["execution_rate_matches"][0] == "pass"


@pytest.mark.parametrize("layout", ["\t", "\n"])
def test_a_forms_total_row_gives_the_reports_score(tmp_path, layout):
    """总分 (its merged cells repeated in a ruled table, or one cell per line), the full marks, then the
    score: the report's score; 自评等级 beside it its grade."""
    rows = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "修缮校舍", "≥9间", "9间", "50", "48"],
            ["总分", "总分", "总分", "总分", "总分", "100", "92.5"] if layout == "\t" else ["总分", "100", "92.5"],
            ["自评等级", "优"]]
    t = run(tmp_path, "2024年度项目支出绩效自评表\n" + "\n".join(layout.join(r) for r in rows) + "\n")
    assert (t["reports"][0]["score"], t["reports"][0]["grade"]) == (Decimal("92.5"), "优")


def test_an_indicator_table_whose_cells_ran_together(tmp_path):
    """No cell borders at all: the header's names run together, level names start rows, and a row's
    target and actual end it (3030 is 30 and 30; 95%97% two rates); a placeholder (……) is no row."""
    t = run(tmp_path, "绩效指标\n二级指标三级指标指标值全年实际完成值未完成原因和改进措施数量指标新建村级文化广场3030"
                      "质量指标验收合格率100%100%成本指标……\n满意度指标群众满意度95%97%\n说明\n注：本表由实施单位填报。\n")
    rows = [(r["level2"], r["level3"], r["target"], r["actual"]) for r in t["indicators"]]
    assert rows == [("数量指标", "新建村级文化广场", "30", "30"), ("质量指标", "验收合格率", "100%", "100%"),
                    ("满意度指标", "群众满意度", "95%", "97%")]


def test_figures_in_sentences_and_cells_are_not_split_as_glued_rows(tmp_path):
    """Only a run in a budget block's flattened row is split: not a sentence's figure, not a cell."""
    t = run(tmp_path, "项目资金(万元)\n执行率为1111100.00%。\n项目\t执行率\n合计\t1111100.00%\n")
    assert t["amounts"] == [] and [r["value_pct"] for r in t["rates"]] == [Decimal("1111100.00")] * 2


def test_a_budget_dated_to_the_years_start_is_the_initial_budget(tmp_path):
    t = run(tmp_path, "2023年初河道整治资金预算安排 86.5 万元。年度资金总额全年预算数 90 万元。\n")
    assert [(a["label"], a["role"], a["stage"]) for a in t["amounts"]] == [
        ("2023年初河道整治资金预算安排", "budget_initial", "budget_initial"),
        ("年度资金总额全年预算数", "budget_total", "budget_adjusted")]  # a glued row label and column


def test_a_pages_date_and_field_labels_above_a_title_are_not_part_of_it(tmp_path):
    for opening in ("2025-05-30\n", "•主题词\n", "-日期-2024-03-02\n"):
        t = run(tmp_path, opening + "某县民政局2024年度资金绩效自评报告||||\n一、基本情况\n全年预算数 80 万元。\n")
        assert t["reports"][0]["title"] == "某县民政局2024年度资金绩效自评报告", opening


def test_a_breadcrumbs_category_is_no_title_but_a_titled_step_is(tmp_path):
    t = run(tmp_path, "首页 > 政务 > 政府信息公开年度报告\n2023年某县林业局部门整体支出绩效自评表\n全年预算数 80 万元。\n")
    assert t["reports"][0]["title"] == "2023年某县林业局部门整体支出绩效自评表"
    t = run(tmp_path, "首页>通知公告>某县林业局2023年度部门整体支出绩效自评报告\n全年预算数 80 万元。\n", "b.txt")
    assert t["reports"][0]["title"] == "某县林业局2023年度部门整体支出绩效自评报告"
