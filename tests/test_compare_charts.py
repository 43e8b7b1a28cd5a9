"""Issue 23, items 1, 3 and 4: `compare` charts with Plotly (a page that works offline, a PNG/SVG for
reports), a compare table that reads right (grade levels, every year, empty for not reported, one unit
per count, its unit in the header, --excel) and `show` (budget rates only in the budget, separated
figures in checks, an ambiguous id prefix)."""
import csv
import io
import json
import re
import shutil
import struct
import sys
import time

import pytest

import extract
from conftest import CORPUS, ROOT
from extract import charts
from extract.cli import main
from extract.compare import compare

sys.path.insert(0, str(ROOT / "corpus"))
from generate import generate  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="kaleido drives Chromium, installed by `make test`")


def _csv(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def _figure(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="chart-figure">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def _departments(figure: dict) -> list[dict]:
    """The figure's traces of departments (each carries its department_key as meta)."""
    return [t for t in figure["data"] if isinstance(t.get("meta"), str) and t.get("mode") == "lines+markers"]


@pytest.fixture(scope="module")
def gaps_out(tmp_path_factory):
    """Three departments, 2021–2024, with no report at all for 2023 and none of the second one's for
    2022."""
    folder = tmp_path_factory.mktemp("gaps")
    generate(folder, seed=7, n_departments=3, n_years=4, formats=("txt",))
    for path in [*folder.glob("*_2023.*"), *folder.glob("g7_001_2022.*")]:
        path.unlink()
    out = tmp_path_factory.mktemp("gaps-out") / "out"
    assert main(["ingest", str(folder), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def sixty_out(tmp_path_factory):
    """60 departments over two years (corpus/generate.py, text only)."""
    folder = tmp_path_factory.mktemp("sixty")
    generate(folder, seed=1, n_departments=60, n_years=2, formats=("txt",))
    out = tmp_path_factory.mktemp("sixty-out") / "out"
    assert main(["ingest", str(folder), "--out", str(out), "--no-cache"]) == 0
    return out


# --- the compare table and CSV ----------------------------------------------------------------------

def test_every_year_between_the_first_and_last_is_a_column_and_what_no_report_says_is_empty(gaps_out, tmp_path,
                                                                                            capsys):
    assert main(["compare", str(gaps_out), "--metric", "execution_rate", "--csv", str(tmp_path / "er.csv")]) == 0
    printed = capsys.readouterr().out
    assert "2023" in printed  # the year no report has is a column in the terminal too
    rows = _csv(tmp_path / "er.csv")
    assert list(rows[0]) == ["department_key", "department", "2021 execution_rate (%)", "2022 execution_rate (%)",
                             "2022 change (pp)", "2023 execution_rate (%)", "2023 change (pp)",
                             "2024 execution_rate (%)", "2024 change (pp)"]
    assert len(rows) == 3
    assert all(row["2023 execution_rate (%)"] == "" and row["2024 change (pp)"] == "" for row in rows)
    second = [row for row in rows if row["2022 execution_rate (%)"] == ""]  # its 2022 report was removed
    assert len(second) == 1 and second[0]["2021 execution_rate (%)"] and second[0]["2022 change (pp)"] == ""
    full = [row for row in rows if row["2022 execution_rate (%)"]]
    assert len(full) == 2 and all(row["2022 change (pp)"] for row in full)


def test_budget_amounts_are_in_wan_yuan_in_the_header_and_excel_gets_a_bom(gaps_out, tmp_path):
    assert main(["compare", str(gaps_out), "--metric", "budget_total", "--csv", str(tmp_path / "b.csv"),
                 "--excel"]) == 0
    raw = (tmp_path / "b.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert "2021 budget_total (万元)" in header and "2022 change (%)" in header
    data = extract.load(gaps_out)
    rows = _csv(tmp_path / "b.csv", "utf-8-sig")
    budgets = data.amounts[data.amounts.role == "budget_total"].groupby("report_id").value_yuan.first()
    for row in rows:
        reports = data.reports[(data.reports.department_key == row["department_key"]) & (data.reports.year == 2021)]
        assert float(row["2021 budget_total (万元)"]) == pytest.approx(budgets[reports.report_id.iloc[0]] / 10000)
    assert main(["compare", str(gaps_out), "--metric", "budget_total", "--csv", str(tmp_path / "plain.csv")]) == 0
    assert not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_excel_neutralises_a_name_that_excel_would_run_as_a_formula(gaps_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(gaps_out, out)
    path = out / "departments.csv"
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    rows[0]["name"] = '=HYPERLINK("http://example.invalid","局")'
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    assert main(["compare", str(out), "--metric", "execution_rate", "--csv", str(tmp_path / "x.csv"), "--excel"]) == 0
    names = [row["department"] for row in _csv(tmp_path / "x.csv", "utf-8-sig")]
    assert "'" + rows[0]["name"] in names
    assert all(not name.startswith("=") for name in names)
    assert main(["compare", str(out), "--metric", "execution_rate", "--csv", str(tmp_path / "y.csv")]) == 0
    assert rows[0]["name"] in [row["department"] for row in _csv(tmp_path / "y.csv")]  # as written without --excel


def test_a_count_not_mentioned_is_empty_never_0_and_counts_are_whole_numbers(gaps_out, tmp_path, capsys):
    data = extract.load(gaps_out)
    placed = data.reports.set_index("report_id")
    # A unit some reports count in and others do not.
    unit = next(u for u, n in data.counts.groupby("unit").report_id.nunique().items() if 1 < n < len(placed) - 1)
    assert main(["compare", str(gaps_out), "--metric", f"count:{unit}", "--csv", str(tmp_path / "c.csv")]) == 0
    rows = {row["department_key"]: row for row in _csv(tmp_path / "c.csv")}
    sums = data.counts[data.counts.unit == unit].groupby("report_id").value.sum()
    empties = 0
    for report_id, report in placed.iterrows():
        cell = rows[report.department_key][f"{report.year} count:{unit} ({unit})"]
        if report_id in sums.index:
            assert cell == str(int(sums[report_id])), (report_id, cell)  # 5, never 5.0
        else:
            assert cell == "", (report_id, cell)  # not reported: empty, never 0
            empties += 1
    assert empties


def test_count_by_word_compares_one_unit_and_says_which(seed_out, tmp_path, capsys):
    # The seed counts 调研 in 批次, 次, 篇 and 个: they do not add up.
    assert main(["compare", str(seed_out), "--metric", "count:调研@次", "--csv", str(tmp_path / "c.csv")]) == 0
    captured = capsys.readouterr()
    row = _csv(tmp_path / "c.csv")[0]
    assert row["2023 count:调研@次 (次)"] == "59"  # 课题组深入开展调研视察活动59次, alone
    assert "调研" in captured.out and "次" in captured.out
    assert main(["compare", str(seed_out), "--metric", "count:调研", "--csv", str(tmp_path / "d.csv")]) == 0
    note = capsys.readouterr().err
    header = next(c for c in _csv(tmp_path / "d.csv")[0] if c.startswith("2023 "))
    chosen = re.fullmatch(r"2023 count:调研@(\S+) \((\S+)\)", header).group(1)
    assert chosen in ("批次", "次", "篇", "个") and header.endswith(f"({chosen})")
    assert f"compared in {chosen}" in note and "count:调研@UNIT" in note
    assert sum(u in note for u in ("批次", "次 (", "篇", "个")) >= 3  # the other units named


@pytest.mark.parametrize("metric, expected", [
    ("count:xyz", "counted units: count:"),   # nothing close: the units that are counted
    ("count:调妍", "count:调研"),             # a slip: the word the subjects hold
    ("count:调研@吨", "count:调研@次"),        # a unit 调研 is not counted in: the ones it is
    ("execution_rat", "execution_rate"),
])
def test_a_metric_that_matches_nothing_is_exit_2_with_the_close_matches(seed_out, tmp_path, capsys, metric, expected):
    assert main(["compare", str(seed_out), "--metric", metric, "--csv", str(tmp_path / "x.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"jixiao: error: {metric}") and captured.err.count("\n") == 1, captured.err
    assert expected in captured.err
    assert not (tmp_path / "x.csv").exists()


def test_grades_compare_by_level_with_the_grade_as_written_beside_it(corpus_out, tmp_path, capsys):
    assert main(["compare", str(corpus_out), "--metric", "grade", "--csv", str(tmp_path / "g.csv"),
                 "--chart", str(tmp_path / "g.html")]) == 0
    printed = capsys.readouterr().out
    assert "优秀" not in printed and "良好" not in printed  # the table shows the levels
    rows = _csv(tmp_path / "g.csv")
    reports = extract.load(corpus_out).reports
    for report in reports.itertuples():
        row = next(r for r in rows if r["department_key"] == report.department_key)
        assert row[f"{report.year} grade_level"] == report.grade_level
        assert row[f"{report.year} grade (as written)"] == report.grade
    assert {r["2022 grade (as written)"] for r in rows} >= {"优秀"} and {r["2022 grade_level"] for r in rows} >= {"优"}
    yaxis = _figure((tmp_path / "g.html").read_text(encoding="utf-8"))["layout"]["yaxis"]
    assert yaxis["type"] == "category" and yaxis["categoryorder"] == "array"
    assert yaxis["categoryarray"] == ["优", "良", "中", "差"]
    assert yaxis["range"][0] > yaxis["range"][1]  # 优 at the top


# --- the chart --------------------------------------------------------------------------------------

def test_the_chart_page_works_offline_and_has_a_trace_per_department_with_hover(corpus_out, tmp_path):
    assert main(["compare", str(corpus_out), "--metric", "execution_rate", "--chart", str(tmp_path / "er.html")]) == 0
    page = (tmp_path / "er.html").read_text(encoding="utf-8")
    # plotly.js is in the page; nothing is loaded from anywhere.
    assert len(page) > 3_000_000 and "Plotly.newPlot" in page
    assert not re.search(r"<script[^>]*\bsrc=", page) and not re.search(r"<link\b", page)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert any("plotly.js v" in script[:2000] for script in scripts)  # plotly.js itself, inline
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)
    assert not re.search(r"https?:|//[a-z]", markup)  # no address outside the scripts' code
    assert '<div id="chart"' in page and 'id="compare-table"' in page
    figure = _figure(page)
    comparison = compare(extract.load(corpus_out), "execution_rate")
    stated = comparison.long.dropna(subset=["value"])
    lines = _departments(figure)
    assert sorted(t["meta"] for t in lines) == sorted(stated.department_key.unique())
    for trace in lines:
        assert trace["mode"] == "lines+markers" and trace["visible"] is True
        for word in ("部门", "年份", "预算执行率", "较上年"):
            assert word in trace["hovertemplate"]
    # A department with one year is a point: a marker, drawn.
    assert any(sum(y is not None for y in t["y"]) == 1 for t in lines)
    xaxis, yaxis = figure["layout"]["xaxis"], figure["layout"]["yaxis"]
    assert xaxis["tickvals"] == comparison.years and all(isinstance(y, int) for y in xaxis["tickvals"])
    assert yaxis["ticksuffix"] == "%" and figure["layout"]["title"]["text"].startswith("预算执行率（%）：")
    hover = [row for t in lines for row in t["customdata"] if row[1].endswith("%")]
    assert hover and all(row[3].endswith("年") for row in hover)
    # 楚雄州数据服务中心's 43.84 % among 90–100 %: the axis spans the others, the outlier is marked and said.
    assert 43.84 in stated.value.tolist()
    assert yaxis["range"][0] > 80
    marked = [t for t in figure["data"] if t.get("name") == "离群值"]
    assert marked and "43.84%" in marked[0]["text"]
    assert any("43.84%" in a["text"] for a in figure["layout"]["annotations"])


def test_sixty_departments_get_a_selector_on_the_page(sixty_out, tmp_path):
    started = time.perf_counter()
    assert main(["compare", str(sixty_out), "--metric", "execution_rate", "--chart", str(tmp_path / "er.html")]) == 0
    seconds = time.perf_counter() - started
    figure = _figure((tmp_path / "er.html").read_text(encoding="utf-8"))
    lines = _departments(figure)
    assert len(lines) >= 60
    shown = [t for t in lines if t["visible"] is True]
    assert len(shown) == 2 * charts.HIGHLIGHT and all(t["visible"] in (True, "legendonly") for t in lines)
    menu = figure["layout"]["updatemenus"][0]
    labels = [b["label"] for b in menu["buttons"]]
    assert any("全部" in label for label in labels) and len(labels) >= 4
    everything = next(b for b in menu["buttons"] if b["label"].startswith("全部") and "部门" in b["label"])
    assert all(v is True for v in everything["args"][0]["visible"]) and len(everything["args"][1]) == len(lines)
    assert seconds < 30


@needs_browser
def test_sixty_departments_as_a_png_are_small_multiples_with_a_cjk_font(sixty_out, tmp_path):
    started = time.perf_counter()
    assert main(["compare", str(sixty_out), "--metric", "execution_rate", "--chart", str(tmp_path / "er.png")]) == 0
    seconds = time.perf_counter() - started
    png = (tmp_path / "er.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1400 and height > 1500 and len(png) > 100_000
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("L")
    title = image.crop((0, 0, 600, 60))  # the title: ink, drawn
    assert sum(1 for p in title.tobytes() if p < 128) > 300
    assert seconds < 60
    comparison = compare(extract.load(sixty_out), "execution_rate")
    figure = charts.small_multiples(comparison, charts.lines(comparison))
    assert len([t for t in figure.data if t.mode == "lines+markers"]) >= 60
    assert "WenQuanYi Zen Hei" in figure.layout.font.family


@needs_browser
def test_an_svg_has_the_chinese_text_and_names_a_cjk_font(corpus_out, tmp_path):
    assert charts.cjk_font() in charts.FONTS or charts.cjk_font()  # fontconfig finds a font with Chinese
    assert main(["compare", str(corpus_out), "--metric", "budget_total", "--chart", str(tmp_path / "b.svg")]) == 0
    svg = (tmp_path / "b.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "全年预算数（万元）：各部门逐年比较" in svg
    assert charts.cjk_font() in svg


def test_a_chart_that_cannot_be_made_here_is_one_line_saying_what_to_install(corpus_out, tmp_path, capsys,
                                                                            monkeypatch):
    assert main(["compare", str(corpus_out), "--metric", "execution_rate", "--chart", str(tmp_path / "x.pdf")]) == 2
    assert ".png or .svg" in capsys.readouterr().err
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-browser"))
    assert main(["compare", str(corpus_out), "--metric", "execution_rate", "--chart", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "chromium" in err.lower()
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert main(["compare", str(corpus_out), "--metric", "execution_rate", "--chart", str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fonts-wqy-zenhei" in err
    assert not list(tmp_path.iterdir())


# --- show -------------------------------------------------------------------------------------------

def _section(printed: str, title: str, end: str) -> str:
    return printed[printed.index(title):printed.index(end, printed.index(title))]


def test_show_keeps_percentages_not_about_the_budget_out_of_the_budget_table(capsys):
    assert main(["show", str(CORPUS / "101_jinjiang_education_2022.txt")]) == 0
    printed = capsys.readouterr().out
    budget = _section(printed, "Budget", "Other percentages")
    others = _section(printed, "Other percentages", "Checks")
    assert "execution_rate" in budget and "学生自愿参与率" not in budget and "综合满意度" not in budget
    assert "学生自愿参与率" in others and "96.8%" in others


def test_show_gives_check_figures_with_thousands_separators_in_the_reports_unit(seed_out, capsys):
    report_id = extract.load(seed_out).reports.report_id.iloc[0]
    assert main(["show", report_id, "--out", str(seed_out)]) == 0
    checks = _section(capsys.readouterr().out, "Checks", "Tasks")
    assert "2,424.43 + 228.61 = 2,653.04" in checks and "2,653.04 / 2,673.45 万元" in checks
    assert "2424.43" not in checks


def test_show_lists_the_reports_an_ambiguous_id_prefix_matches(corpus_out, capsys):
    ids = extract.load(corpus_out).reports.report_id
    prefix = next(p for p in ids.str[:1].unique() if (ids.str[:1] == p).sum() > 1)
    matching = sorted(ids[ids.str.startswith(prefix)])
    assert main(["show", prefix, "--out", str(corpus_out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert f"{len(matching)} reports" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == matching
