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
