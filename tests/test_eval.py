"""`jixiao eval`: scores an output folder against gold files (docs/gold-format.md)."""
import json

from conftest import SEED_GOLD, SHARED
from extract.cli import main


def _eval(out, gold_dir, *extra) -> tuple[int, dict]:
    code = main(["eval", str(out), "--gold", str(gold_dir), *extra])
    return code, json.loads((out / "eval.json").read_text(encoding="utf-8"))


def test_the_seed_scores_perfectly_against_the_shared_gold(seed_out, capsys):
    code, result = _eval(seed_out, SHARED / "gold", "--min-f1", "1.0")
    assert code == 0
    assert result["n_scored"] == 1 and result["overall"]["f1"] == 1.0
    tables = result["tables"]
    assert (tables["amounts"]["tp"], tables["rates"]["tp"], tables["counts"]["tp"]) == (9, 1, 17)
    assert tables["sections"]["tp"] == 16 and tables["must_not"]["tp"] == 16
    assert tables["metadata.department"]["tp"] == 1 and "metadata.score" in tables
    printed = capsys.readouterr().out
    assert "amounts.value" in printed and "overall" in printed


def test_a_wrong_figure_in_the_gold_is_a_miss_and_an_extra_and_fails_min_f1(seed_out, tmp_path):
    gold = json.loads(json.dumps(SEED_GOLD))
    gold["amounts"][0]["value_yuan"] = 26734600.00  # 2673.46 万元: not what the report says
    gold["amounts"][1]["role"] = "budget_total"      # right value, wrong role
    (tmp_path / "000_2630a528c0b63dd5.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    code, result = _eval(seed_out, tmp_path, "--min-f1", "0.99")
    assert code == 1
    amounts = result["tables"]["amounts"]
    assert (amounts["tp"], amounts["fp"], amounts["fn"]) == (7, 2, 2)
    assert result["tables"]["amounts.value"]["fn"] == 1  # the role error is not a value error
    problems = result["reports"][next(iter(result["reports"]))]["problems"]
    assert any("26734600" in p for p in problems)
    assert main(["eval", str(seed_out), "--gold", str(tmp_path), "--min-f1", "0.5"]) == 0


def test_a_gold_file_without_its_report_counts_every_fact_as_missed(seed_out, tmp_path):
    gold = {"report": {"title": "某局2022年部门整体支出绩效自评报告", "year": 2022},
            "amounts": [{"label": "全年预算数", "role": "budget_total", "value_yuan": 1000000.0}]}
    (tmp_path / "never_ingested.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    code, result = _eval(seed_out, tmp_path)
    assert code == 0 and result["n_scored"] == 0 and result["n_gold_without_report"] == 1
    assert result["tables"]["amounts"]["fn"] == 1 and result["tables"]["metadata"]["fn"] == 2
    assert result["overall"]["recall"] == 0.0


def test_eval_usage_errors_exit_2(seed_out, tmp_path, capsys):
    assert main(["eval", str(tmp_path), "--gold", str(SHARED / "gold")]) == 2
    assert main(["eval", str(seed_out), "--gold", str(tmp_path)]) == 2
    assert "no gold .json files" in capsys.readouterr().err


# A published-gold line for a form we write ourselves: a project form, flattened with `|` cells.
FORM = ("2023年度项目支出绩效自评表\n"
        "项目名称 | 东岭村道路养护补助 | |\n"
        "主管部门 | 某县交通运输局 | 实施单位 | 某县公路养护中心 |\n"
        "项目资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 |\n"
        "年度资金总额 | 42.5 | 45 | 44.1 | 98% |\n"
        "其中:当年财政拨款 | 42.5 | 45 | 44.1 | |\n"
        "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 得分 |\n"
        "产出指标 | 数量指标 | 养护里程 | ≥36公里 | 36.4公里 | 20 |\n"
        "路面修补面积 | ≥1200平方米 | 1260平方米 | 10 |\n"
        "效益指标 | 社会效益指标 | 群众出行满意度 | ≥90% | 94% | 10 |\n")


def _published_line(**changes) -> dict:
    line = {"id": "form", "department": "某县公路养护中心", "year": 2023, "report_type": "project",
            "title": "2023年度项目支出绩效自评表", "grade": None, "score": None,
            "amounts": [{"value_yuan": v * 10000, "role": role, "stage": stage} for v, role, stage in [
                (42.5, "budget_initial", "budget_initial"), (45, "budget_total", "budget_adjusted"),
                (44.1, "expenditure_total", "executed"),
                (42.5, "source_general_public_budget", "budget_initial"),
                (45, "source_general_public_budget", "budget_adjusted"),
                (44.1, "source_general_public_budget", "executed")]],
            "rates": [{"value_pct": 98, "role": "execution_rate"}, {"value_pct": 90, "role": "other"},
                      {"value_pct": 94, "role": "other"}],
            "counts": [],
            "indicators": [
                {"level3": "养护里程", "target": "≥36公里", "actual": "36.4公里", "score": "20"},
                {"level3": "路面修补面积", "target": "≥1200平方米", "actual": "1260平方米", "score": "10"},
                {"level3": "群众出行满意度", "target": "≥90%", "actual": "94%", "score": "10"}]}
    line.update(changes)
    return line


def test_eval_reads_published_gold_lines(tmp_path):
    """A .jsonl of published-report gold (one report per line, by file stem): amounts by value, role and
    stage, indicators by row, a unit's name by containment; what the line does not give is not scored."""
    (tmp_path / "form.txt").write_text(FORM, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["ingest", str(tmp_path / "form.txt"), "--out", str(out)]) == 0
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_published_line(), ensure_ascii=False) + "\n", encoding="utf-8")
    code, result = _eval(out, gold, "--floor", "amounts=1", "--floor", "indicators=1")
    tables = result["tables"]
    assert code == 0, tables
    assert (tables["amounts"]["tp"], tables["indicators"]["tp"], tables["metadata.department"]["tp"]) == (6, 3, 1)
    assert not {"sections", "tasks", "findings", "checks"} & set(tables)

    # A wrong stage is an amounts miss and extra, not an amounts.value one; a floor above it exits 1.
    wrong = _published_line()
    wrong["amounts"][3]["stage"] = "executed"
    gold.write_text(json.dumps(wrong, ensure_ascii=False) + "\n", encoding="utf-8")
    code, result = _eval(out, gold, "--floor", "amounts=1")
    assert code == 1
    assert (result["tables"]["amounts"]["fn"], result["tables"]["amounts.value"]["fn"]) == (1, 0)

    gold.write_text("not json\n", encoding="utf-8")
    assert main(["eval", str(out), "--gold", str(gold)]) == 2
