"""The generated corpus (corpus/generate.py): deterministic, varied, and extracted with F1 = 1.0."""
import json
import sys

import pytest

from conftest import ROOT
from extract.cli import main

sys.path.insert(0, str(ROOT / "corpus"))
from generate import generate  # noqa: E402


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """4 departments × 2 years as text, PDF and Word (department 2 writes project reports)."""
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, seed=7, n_departments=4, n_years=2)
    return folder


def test_a_generated_sample_scores_f1_one_in_every_format(sample, tmp_path):
    out = tmp_path / "out"
    assert main(["ingest", str(sample), "--out", str(out)]) == 0
    assert main(["eval", str(out), "--gold", str(sample), "--min-f1", "1.0"]) == 0
    result = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    assert result["n_scored"] == 24 and result["n_gold_without_report"] == 0
    tables = result["tables"]
    assert tables["amounts"]["tp"] > 150 and tables["counts"]["tp"] > 150 and tables["indicators"]["tp"] > 30
    assert tables["counts.subject"]["f1"] == 1.0 and tables["must_not"]["tp"] > 40


def test_the_generator_is_deterministic_and_departments_do_not_depend_on_n(sample, tmp_path):
    generate(tmp_path, seed=7, n_departments=2, n_years=2, formats=("txt",))
    for path in tmp_path.glob("*"):
        assert path.read_bytes() == (sample / path.name).read_bytes(), path.name
    other = tmp_path / "other"
    generate(other, seed=8, n_departments=1, n_years=1, formats=("txt",))
    assert (other / "g8_000_2021.txt").read_text() != (sample / "g7_000_2021.txt").read_text()


def test_a_larger_text_set_carries_the_phenomena_and_scores_f1_one(tmp_path):
    folder = tmp_path / "gen"
    generate(folder, seed=3, n_departments=40, n_years=2, formats=("txt",))
    texts = "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt")))
    for phenomenon in ("亿元", "萬元", "万元", "0元", ",", "〔", "联系电话", "项目编码", "第一部分", "（一）", "(一)",
                       "1.", "1、", "（1）", "单位：万元", "\t", "一是", "首先，", "第一，", "《任务一》", "任务1、",
                       "“四个意识”", "个百分点", "余", "近", "约", "超过", "其中"):
        assert phenomenon in texts, phenomenon
    assert any(ch in texts for ch in "二三四五六七八九") and "万元" in texts
    golds = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.gold.json")}
    assert {g["report"]["report_type"] for g in golds.values()} == {"department_overall", "project"}
    # Budgets drift a few percent a year: comparisons across years mean something.
    by_department = {}
    for name, g in golds.items():  # g3_007_2022.gold.json: department 7
        total = next(a["value_yuan"] for a in g["amounts"] if a["role"] in ("budget_total",))
        by_department.setdefault(name.split("_")[1], {})[g["report"]["year"]] = total
    for years in by_department.values():
        assert 0.9 <= years[2022] / years[2021] <= 1.2
    out = tmp_path / "out"
    assert main(["ingest", str(folder), "--out", str(out)]) == 0
    assert main(["eval", str(out), "--gold", str(folder), "--min-f1", "1.0"]) == 0
