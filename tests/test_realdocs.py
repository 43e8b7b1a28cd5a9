"""Real published PDFs (../shared/realdocs): a 部门决算 with its 绩效自评 paragraph, a landscape 单位预算 of
ruled tables, and a Taiwan budget book in Traditional characters and 千元, read with their metadata
and facts checked against ../shared/realdocs/gold.jsonl."""
import json

import pytest

from conftest import SHARED, ingest, read_table

REALDOCS = SHARED / "realdocs"
FILES = ["01_sh_putuo_czj_2024_juesuan.pdf", "14_sh_putuo_shfly_2024_danwei_yusuan.pdf",
         "43_tw_moa_fund_detail_2025.pdf", "02_sh_putuo_ghzy_2024_juesuan.pdf", "03_sh_putuo_shgzb_2024_juesuan.pdf"]
# 部门决算 with a 绩效自评 paragraph (projects evaluated, their money, the mean score).
FINAL_ACCOUNTS = [FILES[0], FILES[3], FILES[4]]

pytestmark = pytest.mark.skipif(not (REALDOCS / "gold.jsonl").is_file(),
                                reason="../shared/realdocs (real PDFs and their gold) is not beside the project")


@pytest.fixture(scope="module")
def realdocs_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("realdocs") / "out"
    assert ingest([REALDOCS / name for name in FILES], out, "--no-cache") == 0
    reports = {row["source_path"].rsplit("/", 1)[-1]: row for row in read_table(out, "reports")}
    return out, reports


def _gold(name: str) -> dict:
    for line in (REALDOCS / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if json.loads(line)["file"] == name:
            return json.loads(line)
    raise KeyError(name)


@pytest.mark.parametrize("name", FILES)
def test_each_file_gives_a_report_and_no_error(realdocs_out, name):
    out, reports = realdocs_out
    assert name in reports
    assert reports[name]["status"] in ("ok", "partial")
    assert read_table(out, "errors") == []


@pytest.mark.parametrize("name", [n for n in FILES if "title" in _gold(n)] if (REALDOCS / "gold.jsonl").is_file() else [])
def test_metadata_matches_the_gold(realdocs_out, name):
    _, reports = realdocs_out
    row, gold = reports[name], _gold(name)
    assert (row["title"], row["department"], row["year"], row["report_type"]) == (
        gold["title"], gold["department"], str(gold["year"]), gold["report_type"])


@pytest.mark.parametrize("name", FINAL_ACCOUNTS)
def test_the_final_accounts_performance_paragraph_is_read(realdocs_out, name):
    out, reports = realdocs_out
    report_id, gold = reports[name]["report_id"], _gold(name)["facts_recall_only"]
    amounts = {(r["raw"], r["value_yuan"]) for r in read_table(out, "amounts") if r["report_id"] == report_id}
    for fact in gold["amounts"]:
        assert (fact["raw"], f"{fact['value_yuan']:.2f}") in amounts
    counts = {(r["raw"], r["value"], r["unit"]) for r in read_table(out, "counts") if r["report_id"] == report_id}
    for fact in gold["counts"]:
        assert (fact["raw"], str(fact["value"]), fact["unit"]) in counts
    assert reports[name]["score"] == f"{gold['score_avg']:.2f}"
    # Its checks compare figures stated together: a rate of change is no execution rate, and the
    # budget on one page is not divided into the spending on another (2940.05 / 0.95 万元 was 309478%).
    failed = [c["detail"] for c in read_table(out, "checks") if c["report_id"] == report_id and c["status"] == "fail"]
    assert failed == [] and reports[name]["status"] == "ok"


def test_the_landscape_budget_tables_give_amounts_on_their_pages(realdocs_out):
    out, reports = realdocs_out
    report_id = reports[FILES[1]]["report_id"]
    table_amounts = [r for r in read_table(out, "amounts") if r["report_id"] == report_id and "\t" in r["evidence"]]
    assert len(table_amounts) > 50
    pages = {int(r["page"]) for r in table_amounts}
    assert len(pages) >= 4 and max(pages) <= 16
    text = (out / "text" / f"{report_id}.txt").read_text(encoding="utf-8")
    assert all(text[int(r["char_start"]):int(r["char_end"])] == r["raw"] for r in table_amounts)


def test_the_taiwan_book_is_read_in_traditional_characters(realdocs_out):
    out, reports = realdocs_out
    row = reports[FILES[2]]
    assert row["n_pages"] == "9" and row["file_type"] == "pdf" and int(row["n_chars"]) > 5000
    text = (out / "text" / f"{row['report_id']}.txt").read_text(encoding="utf-8")
    assert "中華民國 114 年度" in text
    # Figures in 千元 are read as such: 編列 7,788 千元 is 7,788,000 yuan.
    amounts = {(r["raw"], r["value_yuan"]) for r in read_table(out, "amounts") if r["report_id"] == row["report_id"]}
    assert ("7,788 千元", "7788000.00") in amounts
