"""Issue 6 so far: department keys, the Python API, `jixiao compare`, `show`, `review`."""
import csv
import html
import json
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import extract
from conftest import ROOT, SEED, SEED_GOLD
from extract.cli import main
from extract.departments import department_key
from extract.regions import Region

sys.path.insert(0, str(ROOT / "corpus"))
from generate import generate  # noqa: E402

LIWAN = Region("广东省", "广州市", "荔湾区")


def test_the_seed_department_under_its_three_names_has_one_key():
    names = [SEED_GOLD["report"]["department"], *SEED_GOLD["report"]["department_aliases"]]
    assert names == ["中国人民政治协商会议广州市荔湾区委员会办公室", "政协广州市荔湾区委员会办公室", "区政协办公室"]
    assert {department_key(n, LIWAN).key for n in names} == {"广东省/广州市/荔湾区/政协办公室"}


def test_department_keys_keep_words_and_know_renamed_units():
    assert department_key("广州市荔湾区市场监督管理局", LIWAN).core == "市场监督管理局"  # not 场监督管理局
    assert department_key("区市场监管局", LIWAN).key == department_key("荔湾区市场监督管理局", LIWAN).key
    assert department_key("市教育局", Region("湖南省", "株洲市")).key == "湖南省/株洲市//教育局"
    assert department_key("株洲市卫生和计划生育委员会", Region("湖南省", "株洲市")).core == "卫生健康委员会"
    assert department_key("荔湾区教育局", LIWAN).key != department_key("荔湾区财政局", LIWAN).key


def test_autonomous_prefectures_and_counties_written_short_are_found_and_keyed_as_one():
    from extract.regions import find_regions
    assert find_regions("楚雄州数据服务中心") == Region("云南省", "楚雄彝族自治州")
    assert find_regions("黔西南州水务局") == Region("贵州省", "黔西南布依族苗族自治州")
    assert find_regions("海南州财政局") == Region("青海省", "海南藏族自治州")  # not 海南省
    assert find_regions("长阳县教育局") == Region("湖北省", "宜昌市", "长阳土家族自治县")
    keys = {department_key(n, find_regions(n)).key for n in ("楚雄州数据服务中心", "楚雄彝族自治州数据服务中心")}
    assert keys == {"云南省/楚雄彝族自治州//数据服务中心"}
    assert department_key("长阳县教育局", find_regions("长阳县教育局")).core == "教育局"


def test_the_python_api_loads_typed_frames(seed_out):
    data = extract.load(seed_out)
    assert pd.api.types.is_numeric_dtype(data.amounts.value_yuan)
    assert data.amounts.value_yuan.sum() == pytest.approx(26734500 + 26530400 * 2 + 24244300 + 2286100)
    assert str(data.reports.year.dtype) == "Int64" and data.reports.year.iloc[0] == 2023
    assert str(data.reports.needs_ocr.dtype) == "boolean" and not data.reports.needs_ocr.iloc[0]
    assert data.reports.department_key.iloc[0] == "广东省/广州市/荔湾区/政协办公室"
    assert data.departments.name.tolist() == [SEED_GOLD["report"]["department"]]
    in_process = extract.ingest([SEED])
    pd.testing.assert_frame_equal(in_process.amounts, data.amounts)
    assert set(data.tables()) == {"reports", "sections", "amounts", "rates", "counts", "tasks", "indicators",
                                  "findings", "checks", "errors", "departments"}


@pytest.fixture(scope="module")
def years_out(tmp_path_factory):
    """Three departments over three years, as text."""
    folder = tmp_path_factory.mktemp("years")
    generate(folder, seed=5, n_departments=3, n_years=3, formats=("txt",))
    out = tmp_path_factory.mktemp("years-out") / "out"
    assert main(["ingest", str(folder), "--out", str(out)]) == 0
    return folder, out


def test_compare_execution_rate_gives_every_department_year_and_the_changes(years_out, tmp_path, capsys):
    folder, out = years_out
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.gold.json"))]
    def key(report: dict) -> str:
        region = Region(report["region_province"], report["region_city"], report["region_district"])
        return department_key(report["department"], region).key
    expected = {(key(g["report"]), g["report"]["year"]):
                next(r["value_pct"] for r in g["rates"] if r["role"] == "execution_rate") for g in golds}
    assert main(["compare", str(out), "--metric", "execution_rate", "--csv", str(tmp_path / "er.csv"),
                 "--chart", str(tmp_path / "er.html")]) == 0
    printed = capsys.readouterr().out
    with open(tmp_path / "er.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # One 天河区教育局 report signs as 广东省广州市天河区教育局: still three departments.
    assert len({g["report"]["department"] for g in golds}) == 4
    assert len(rows) == 3 and len(extract.load(out).departments) == 3
    for row in rows:
        for year in (2021, 2022, 2023):
            assert float(row[f"{year} execution_rate (%)"]) == pytest.approx(expected[(row["department_key"], year)])
        change = expected[(row["department_key"], 2022)] - expected[(row["department_key"], 2021)]
        assert float(row["2022 change (pp)"]) == pytest.approx(change, abs=0.01)
        assert row["department"][:4] in printed
    page = (tmp_path / "er.html").read_text(encoding="utf-8")
    assert 'id="chart"' in page and "2023年" in page and rows[0]["department"] in page


def test_compare_amounts_counts_and_grades(years_out, capsys):
    folder, out = years_out
    assert main(["compare", str(out), "--metric", "budget_total"]) == 0
    assert "万元" in capsys.readouterr().out
    assert main(["compare", str(out), "--metric", "count:人次"]) == 0
    assert main(["compare", str(out), "--metric", "grade"]) == 0
    printed = capsys.readouterr().out
    assert "grade_level" in printed and any(g in printed for g in ("优", "良"))  # levels, not 优秀/良好
    assert "优秀" not in printed and "良好" not in printed
    assert main(["compare", str(out), "--metric", "no_such_metric"]) == 2


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Run in the page by headless Chromium: what is drawn for each highlighted amount.
_PROBE = """<script>
const marks = [...document.querySelectorAll('section[data-report-id] mark.amounts')].map(m => {
  const box = m.getBoundingClientRect(), style = getComputedStyle(m);
  return {text: m.textContent, id: m.id, background: style.backgroundColor, width: box.width, height: box.height,
          linked: !!document.querySelector(`aside a[href="#${m.id}"]`)};
});
document.body.setAttribute('data-probe', JSON.stringify(marks));
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test` (Makefile set-up)")
def test_the_review_page_in_headless_chromium_shows_the_seeds_nine_amounts_at_their_spans(seed_out, tmp_path):
    assert main(["review", str(seed_out), "--site", str(tmp_path / "site")]) == 0
    page = tmp_path / "site" / "r" / f"{extract.load(seed_out).reports.report_id.iloc[0]}.html"
    probed = tmp_path / "site" / "r" / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    marks = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', dom).group(1)))
    assert [m["text"] for m in marks] == [a["raw"] for a in SEED_GOLD["amounts"]]
    assert all(m["width"] > 0 and m["height"] > 0 and m["linked"] for m in marks)
    assert {m["background"] for m in marks} == {"rgb(255, 224, 138)"}  # the amounts' colour
    text = (seed_out / "text" / f"{extract.load(seed_out).reports.report_id.iloc[0]}.txt").read_text(encoding="utf-8")
    amounts = extract.load(seed_out).amounts
    for mark in marks:  # each highlight sits at its fact's span of the normalized text
        fact = amounts[amounts.fact_id == mark["id"][2:]].iloc[0]
        assert text[fact.char_start:fact.char_end] == mark["text"]


def test_show_summarises_one_report_from_a_file_or_by_id(seed_out, capsys):
    assert main(["show", str(SEED)]) == 0
    printed = capsys.readouterr().out
    for expected in ("中国人民政治协商会议广州市荔湾区委员会办公室2023年部门整体支出绩效自评报告", "2,673.45 万元",
                     "execution_rate", "99.2%", "basic_plus_project_equals_expen", "资金使用效益需进一步提升", "387"):
        assert expected in printed, expected
    report_id = extract.load(seed_out).reports.report_id.iloc[0]
    assert main(["show", report_id[:8], "--out", str(seed_out)]) == 0
    assert "2,653.04 万元" in capsys.readouterr().out
    assert main(["show", "ffffffff", "--out", str(seed_out)]) == 2


def test_a_province_before_the_city_does_not_leave_half_a_place():
    region = Region("河北省", "石家庄市", "裕华区")
    assert department_key("河北省石家庄市裕华区审计局", region).key == department_key("石家庄市裕华区审计局", region).key
