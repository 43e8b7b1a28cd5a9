"""Issue 17, item 9: text that is not a report is not passed off as one. A file that holds nothing of a
budget or performance document is written with status not_a_report, gets an `errors` row, and the run
exits 1; every real excerpt and every corpus report stays a report."""
from pathlib import Path

import pytest

from conftest import CORPUS, SEED, SHARED, ingest, read_table

REAL_TEXTS = SHARED / "real" / "texts"

# Texts of other kinds, with years, dates and money where such texts have them (and one word of the
# field, 补助, in the news item: one word alone does not make a report).
NOT_REPORTS = {
    "novel.txt": (
        "第一章 雪夜\n"
        "1998年的冬天来得特别早。林秋站在老屋的门口，看着院子里那棵槐树一点点被雪压弯。母亲在灶台前忙着，"
        "锅里的白菜炖粉条冒着热气。她想起父亲走的那一年，也是这样的雪，也是这样安静的傍晚。\n"
        "“明天还要去镇上吗？”母亲头也不回地问。\n"
        "“去。”林秋说，“借的那三百块钱，总得还上。”\n"),
    "recipe.txt": (
        "红烧肉的家常做法\n"
        "材料：五花肉500克，冰糖30克，生抽2勺，老抽1勺，料酒2勺，姜5片，葱2根，八角2个。\n"
        "步骤：\n1. 五花肉切成3厘米见方的块，冷水下锅焯水，捞出洗净。\n"
        "2. 锅中少许油，放入冰糖小火炒出糖色，倒入肉块翻炒上色。\n"
        "3. 加入料酒、生抽、老抽和开水，没过肉块，大火烧开后转小火炖40分钟。\n"
        "4. 大火收汁即可出锅。2人份，约需1小时。\n"),
    "weather news.txt": (
        "我市遭遇今年入汛以来最强降雨\n"
        "2023年7月30日，受台风外围云系影响，我市出现大范围强降雨天气。市气象台数据显示，24小时内全市平均"
        "降雨量达120毫米，最大降雨量出现在北部山区，达286毫米。强降雨造成部分路段积水，12条公交线路临时"
        "绕行，直接经济损失约300万元，民政部门已向受灾群众发放临时生活补助。气象部门提醒市民，未来三天"
        "仍有阵雨，请注意出行安全。\n"),
    "shopping list.txt": (
        "2024年3月2日 周六采购清单\n"
        "鸡蛋 2盒 25.80元\n牛奶 1箱 59元\n大米 10斤 38.5元\n青菜 若干 12元\n洗衣液 1瓶 32.90元\n"
        "合计：168.20元\n"),
    "sports day summary.txt": (
        "某中学2023年秋季运动会总结报告\n"
        "一、基本情况\n本届运动会于2023年10月18日至19日举行，全校32个班级共1200余名学生参加，设田径、"
        "跳绳、拔河等18个项目。\n二、主要成绩\n初二（3）班获团体总分第一名，共有5人打破校纪录。\n"),
    "tool manual.txt": (
        "# tidy-notes\n\nA small command-line tool that keeps your Markdown notes tidy.\n\n"
        "## Install\n\n    pip install tidy-notes\n\n## Usage\n\n    tidy-notes fix notes/ --in-place\n\n"
        "Released under the MIT licence, 2021-2024.\n"),
    "numbers.txt": "id,value,ratio\n1,2023,0.51\n2,105.50,0.77\n3,88000,1.02\n4,12.5,0.33\n",
    "code.txt": (
        "import csv\n\n\ndef total(path):\n    with open(path) as f:\n"
        "        return sum(float(row['value']) for row in csv.DictReader(f))\n\n\n"
        "if __name__ == '__main__':\n    print(total('2023.csv'))\n"),
}


def _statuses(out: Path) -> dict[str, str]:
    return {Path(row["source_path"]).name: row["status"] for row in read_table(out, "reports")}


def test_texts_of_other_kinds_are_not_a_report(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in NOT_REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([folder], out, "--no-cache") == 1
    # Each is still written (nothing is lost), marked as what it is.
    statuses = _statuses(out)
    assert set(statuses) == set(NOT_REPORTS)
    for name, status in statuses.items():
        assert status == "not_a_report", f"{name} read as a report (status {status})"
    # One errors row and one line on stderr each, naming the file.
    errors = {Path(row["source_path"]).name: row for row in read_table(out, "errors")}
    assert set(errors) == set(NOT_REPORTS)
    for name, row in errors.items():
        assert (row["stage"], row["error_type"]) == ("classify", "not_a_report"), name
        assert row["message"] == (f"{folder / name}: no title, year or fact of a budget or performance "
                                  "report; not read as one")
    lines = [line for line in capsys.readouterr().err.splitlines() if "not read as one" in line]
    assert len(lines) == len(NOT_REPORTS)


def test_a_non_report_beside_a_report_fails_alone(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.txt").write_bytes(SEED.read_bytes())
    (folder / "recipe.txt").write_text(NOT_REPORTS["recipe.txt"], encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([folder], out, "--no-cache") == 1
    assert _statuses(out) == {"report.txt": "ok", "recipe.txt": "not_a_report"}
    assert [Path(row["source_path"]).name for row in read_table(out, "errors")] == ["recipe.txt"]


@pytest.mark.parametrize("text", [
    "某局2023年度部门决算\n",  # a title alone
    "某局2022年度部门整体支出绩效自评报告\n一、基本情况\n全年预算数 50 万元。\n",
    "产出指标 数量指标 完成率=100% 效益指标 结余率≤5%\n",  # a form's fragment, no title or year
    "扎蘭屯市某項目2022年度績效自評報告\n",  # traditional script
], ids=["title alone", "tiny report", "form fragment", "traditional"])
def test_short_texts_of_the_genre_are_reports(tmp_path, text):
    path = tmp_path / "short.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    ingest([path], out, "--no-cache")
    assert _statuses(out)["short.txt"] != "not_a_report"
    assert not [row for row in read_table(out, "errors") if row["error_type"] == "not_a_report"]


def _kept_as_not_a_report(paths: list[Path], out: Path) -> list[str]:
    ingest(paths, out, "--no-cache")
    statuses = _statuses(out)
    missing = [p.name for p in paths if p.name not in statuses]
    assert not missing, f"no report row for {missing}"
    return sorted(name for name, status in statuses.items() if status == "not_a_report")


def test_no_real_excerpt_is_taken_for_a_non_report(tmp_path):
    if not REAL_TEXTS.is_dir():
        pytest.skip(f"{REAL_TEXTS} is absent: the real excerpts are not in this checkout")
    paths = sorted(REAL_TEXTS.glob("*.txt"))
    assert paths, f"no excerpts in {REAL_TEXTS}"
    wrong = _kept_as_not_a_report(paths, tmp_path / "out")
    assert not wrong, f"real excerpts marked not_a_report: {wrong}"


def test_no_corpus_report_or_seed_is_taken_for_a_non_report(tmp_path):
    paths = sorted(CORPUS.glob("*.txt"))
    assert paths, f"no reports in {CORPUS}"
    wrong = _kept_as_not_a_report(paths, tmp_path / "corpus")
    assert not wrong, f"corpus reports marked not_a_report: {wrong}"
    if not SEED.is_file():
        pytest.skip(f"{SEED} is absent")
    assert _kept_as_not_a_report([SEED], tmp_path / "seed") == []
