"""Issue 2: text reports → normalized text → section tree → dataset tables."""
import hashlib
import json
import os

import pyarrow.parquet as pq
import pytest

from extract.dataset import TABLES
from extract.loaders import load
from extract.normalize import normalize
from extract.pipeline import process_file
from extract.sections import build_sections
from conftest import CORPUS, ROOT, SEED, SEED_GOLD, corpus_reports, ingest, read_table


def seed_doc():
    return normalize(load(str(SEED)))


def test_seed_sections_equal_gold(seed_out):
    rows = read_table(seed_out, "sections")
    gold = SEED_GOLD["sections"]
    assert [(int(r["level"]), r["number"], r["title"]) for r in rows] == \
           [(g["level"], g["number"], g["title"]) for g in gold]
    by_id = {r["section_id"]: r for r in rows}
    for row, g in zip(rows, gold):
        if "parent" in g:
            parent = by_id[row["parent_id"]]
            assert f"{parent['number']}、{parent['title']}" == g["parent"]
    # The level-3 headings sit under （二）年度总体工作和重点工作任务.
    assert {by_id[r["parent_id"]]["title"] for r in rows if r["level"] == "3"} == {"年度总体工作和重点工作任务"}


def test_numbered_duties_are_not_headings(seed_out):
    titles = [r["title"] for r in read_table(seed_out, "sections")]
    assert not any(t.startswith(("负责", "研究统一战线", "参与区政协", "承办上级")) for t in titles)


def test_seed_report_row(seed_out):
    (row,) = read_table(seed_out, "reports")
    gold = SEED_GOLD["report"]
    for field in ("department", "region_province", "region_city", "region_district", "report_type", "title"):
        assert row[field] == gold[field], field
    assert int(row["year"]) == 2023
    assert row["report_id"] == hashlib.sha256(SEED.read_bytes()).hexdigest()[:16]
    assert row["file_type"] == "txt" and row["n_pages"] == "1" and row["needs_ocr"] == "false"


def test_page_breaks_rejoined():
    text = seed_doc().text
    for joined in ["人事工作", "主要体现在", "都市工业产业园", "民主党派和社会各界人士的沟通联系",
                   "分级分类管理制度", "保障区政协机关日常运营", "管理工作的有关要求"]:
        assert joined in text


def test_section_slices_start_with_their_heading(corpus_out):
    texts = {}
    for row in read_table(corpus_out, "sections"):
        rid = row["report_id"]
        if rid not in texts:
            texts[rid] = (corpus_out / "text" / f"{rid}.txt").read_text(encoding="utf-8")
        first_line = texts[rid][int(row["char_start"]):int(row["char_end"])].split("\n", 1)[0]
        assert first_line.replace(" ", "").endswith(row["title"]), (first_line, row["title"])
        assert row["number"] in first_line


def test_every_table_written_with_header(seed_out):
    for table, columns in TABLES.items():
        header = (seed_out / f"{table}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert header == ",".join(c.name for c in columns)
    package = json.loads((seed_out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == list(TABLES)
    sections = next(r for r in package["resources"] if r["name"] == "sections")
    assert sections["schema"]["primaryKey"] == ["report_id", "section_id"]
    assert sections["schema"]["foreignKeys"][0]["reference"]["resource"] == "reports"


def test_parquet_matches_csv(corpus_out):
    for table in TABLES:
        frame = pq.read_table(corpus_out / f"{table}.parquet").to_pandas()
        assert len(frame) == len(read_table(corpus_out, table)), table
    assert list(pq.read_table(corpus_out / "amounts.parquet").schema.names) == [c.name for c in TABLES["amounts"]]


def test_normalized_text_written(seed_out):
    (row,) = read_table(seed_out, "reports")
    text = (seed_out / "text" / f"{row['report_id']}.txt").read_text(encoding="utf-8")
    assert text == seed_doc().text and int(row["n_chars"]) == len(text)


def _without_identity(rows):
    return [{k: v for k, v in r.items() if k not in ("report_id", "source_path", "source_sha256", "fact_id")}
            for r in rows]


def test_gbk_copy_gives_same_rows(tmp_path, seed_out):
    gbk = tmp_path / "in" / "seed_gbk.txt"
    gbk.parent.mkdir()
    gbk.write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    out = tmp_path / "out"
    assert ingest([gbk], out) == 0
    for table in TABLES:
        if table != "errors":
            assert _without_identity(read_table(out, table)) == _without_identity(read_table(seed_out, table)), table


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gb18030"])
def test_encodings_decode_to_the_same_text(tmp_path, encoding):
    path = tmp_path / f"seed_{encoding}.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode(encoding))
    assert normalize(load(str(path))).text == seed_doc().text


def test_random_bytes_file_is_an_error_row_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "noise.txt").write_bytes(bytes(hashlib.sha256(str(i).encode()).digest()[j % 32] for i in range(400) for j in range(32)))
    out = tmp_path / "out"
    assert ingest([folder], out) == 1
    (error,) = read_table(out, "errors")
    assert error["source_path"].endswith("noise.txt") and error["stage"] == "load"
    assert "noise.txt" in error["message"] and "binary" in error["message"]
    assert len(read_table(out, "reports")) == 1 and len(read_table(out, "sections")) == 16


def test_missing_path_is_a_usage_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    assert ingest([tmp_path / "nope.txt"], out) == 2
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:
        ingest([SEED], out, "--format", "xlsx")
    assert exc.value.code == 2 and not out.exists()


def test_rerun_replaces_our_files_and_keeps_the_users(tmp_path):
    out = tmp_path / "out"
    assert ingest([SEED], out) == 0
    (out / "README.md").write_text("kept", encoding="utf-8")
    (out / "analysis").mkdir()
    (out / "analysis" / "notes.py").write_bytes(b"print(1)\n")
    (out / "text" / "stale.txt").write_text("old", encoding="utf-8")
    (out / "amounts.csv").write_text("old", encoding="utf-8")
    assert ingest([SEED], out) == 0
    assert (out / "README.md").read_text(encoding="utf-8") == "kept"
    assert (out / "analysis" / "notes.py").read_bytes() == b"print(1)\n"
    assert not (out / "text" / "stale.txt").exists()  # text/ is ours: replaced whole
    assert len(read_table(out, "amounts")) == len(SEED_GOLD["amounts"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_crash_while_writing_leaves_previous_outputs(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert ingest([SEED], out) == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("extract.dataset.write_parquet_batch", boom)
    assert ingest([SEED, CORPUS], out, "--format", "csv,parquet") == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"jixiao: error: {out}: writing the outputs failed (No space left on device); the previous outputs are kept")
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_folder_walk_skips_hidden_files_and_is_sorted(tmp_path):
    from extract.inputs import collect
    (tmp_path / "b").mkdir()
    for name in ["b/z.txt", "a.txt", ".hidden.txt", "b/.x.txt", "notes.json", "README.md"]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    inputs = collect([str(tmp_path)])
    assert [os.path.relpath(p, tmp_path) for p in inputs.files] == ["a.txt", "b/z.txt"]
    # What is passed over is listed, hidden files aside.
    assert sorted((os.path.relpath(r["source_path"], tmp_path), r["error_type"]) for r in inputs.skipped) == [
        ("README.md", "skipped"), ("notes.json", "skipped")]


def test_fullwidth_digits_and_emphasis_keep_offsets(tmp_path):
    path = tmp_path / "fw.txt"
    path.write_text("一、概况\n全年预算数 ２６７３．４５ 万元，**强化政治引领。**执行率９９．２％。\n", encoding="utf-8")
    doc = normalize(load(str(path)))
    assert "全年预算数 2673.45 万元，强化政治引领。执行率99.2%。" in doc.text
    (bold,) = doc.emphasis
    assert doc.text[bold[0]:bold[1]] == "强化政治引领。"
    source = path.read_text(encoding="utf-8")
    start = doc.text.index("执行率")
    assert source[doc.offset_map.to_source(start):].startswith("执行率")


def test_levels_follow_the_order_styles_open(tmp_path):
    path = tmp_path / "styles.txt"
    path.write_text("第一部分 基本情况\n一、部门职责\n1、主要职能\n本部门负责全区工作。\n二、机构设置\n"
                    "第二部分 绩效分析\n（一）预算执行\n一、资金情况\n", encoding="utf-8")
    sections = build_sections(normalize(load(str(path))))
    assert [(s.level, s.number, s.title) for s in sections] == [
        (1, "一", "基本情况"), (2, "一", "部门职责"), (3, "1", "主要职能"), (2, "二", "机构设置"),
        (1, "二", "绩效分析"), (2, "一", "预算执行"), (3, "一", "资金情况")]
    assert sections[2].path == "第一部分 基本情况 / 一、部门职责 / 1、主要职能"


@pytest.mark.parametrize("report,gold", corpus_reports(), ids=lambda v: getattr(v, "name", ""))
def test_corpus_reports_match_gold_sections_and_metadata(report, gold):
    result = process_file(str(report))
    assert result.error is None
    assert [(r["level"], r["number"], r["title"]) for r in result.tables["sections"]] == \
           [(g["level"], g["number"], g["title"]) for g in gold["sections"]]
    (row,) = result.tables["reports"]
    for field in ("title", "department", "region_province", "region_city", "region_district", "year", "report_type"):
        assert row[field] == gold["report"][field], field


def test_excel_csv_neutralises_formula_cells_and_leaves_numbers(tmp_path):
    report = tmp_path / "formula.txt"
    report.write_text("某局2023年度部门整体支出绩效自评报告\n一、基本情况\n"
                      "=HYPERLINK(\"http://example.invalid\",\"点击\")全年预算数 120.50 万元。\n"
                      "@SUM(A1)执行率为 99.5%。\n", encoding="utf-8")
    plain, excel = tmp_path / "plain", tmp_path / "excel"
    assert ingest([report], plain) == 0 and ingest([report], excel, "--excel") == 0
    (amount,) = read_table(excel, "amounts")
    assert amount["evidence"].startswith("'=HYPERLINK(")
    assert amount["value_yuan"] == "1205000.00" and amount["raw"] == "120.50 万元"
    (rate,) = read_table(excel, "rates")
    assert rate["evidence"].startswith("'@SUM(A1)") and rate["value_pct"] == "99.5"
    assert read_table(plain, "amounts")[0]["evidence"].startswith("=HYPERLINK(")
    assert (excel / "amounts.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs


def test_a_second_run_over_an_unchanged_folder_parses_nothing_and_writes_the_same(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(CORPUS.glob("10*.txt"))[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    cache = ["--cache", str(tmp_path / "cache")]
    first, second = tmp_path / "first", tmp_path / "second"
    assert ingest([folder], first, *cache) == 0

    def must_not_parse(path):  # in a worker: a parse would kill it, and the run would fail
        raise SystemExit(f"{path} parsed again")
    with monkeypatch.context() as patch:
        patch.setattr("extract.workers.process_file", must_not_parse)
        assert ingest([folder], second, *cache) == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)

    # A changed file is parsed again, and only it; --force parses all; a copy under a new name is the cache's.
    changed = sorted(folder.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    capsys.readouterr()
    assert ingest([folder], tmp_path / "third", *cache) == 0
    assert "2 unchanged files taken from the cache" in capsys.readouterr().out
    assert ingest([folder], tmp_path / "forced", *cache, "--force") == 0
    assert "taken from the cache" not in capsys.readouterr().out
    copy = tmp_path / "moved" / "renamed.txt"
    copy.parent.mkdir()
    copy.write_bytes(changed.read_bytes())
    assert ingest([copy], tmp_path / "moved-out", *cache) == 0
    assert "1 unchanged files taken from the cache" in capsys.readouterr().out
    assert read_table(tmp_path / "moved-out", "reports")[0]["source_path"] == str(copy)


def test_a_cache_that_cannot_be_written_costs_only_speed(tmp_path):
    """Workers keep each result in the cache; where that fails (here the cache folder would have to be
    made inside a file, which stops root too) the reports are written all the same."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    reports = sorted(CORPUS.glob("10*.txt"))[:2]
    assert ingest(reports, tmp_path / "out", "--cache", str(blocker / "cache"), "--workers", "2") == 0
    assert len(read_table(tmp_path / "out", "reports")) == 2
    assert read_table(tmp_path / "out", "errors") == []


def test_a_run_killed_midway_leaves_the_previous_outputs_and_the_next_run_completes(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    sys.path.insert(0, str(ROOT / "corpus"))
    from generate import generate
    folder, out = tmp_path / "in", tmp_path / "out"
    generate(folder, seed=11, n_departments=30, n_years=2, formats=("txt",))
    assert ingest([SEED], out, "--no-cache") == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    run = subprocess.Popen([sys.executable, "-m", "extract", "ingest", str(folder), "--out", str(out),
                            "--workers", "1", "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it once it is writing: its staging folder holds some normalized texts.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(tmp_path.glob(".out.new-*/text/*.txt")):
        time.sleep(0.02)
    assert run.poll() is None, "the run ended before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert any(tmp_path.glob(".out.new-*"))  # what the killed run left
    assert ingest([folder], out, "--no-cache") == 0
    assert len(read_table(out, "reports")) == 60
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_outputs_a_run_killed_mid_swap_left_aside_come_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert ingest([SEED], out, "--no-cache") == 0
    before = (out / "amounts.csv").read_bytes()
    out.rename(tmp_path / ".out.old-x1y2")  # the instant between the swap's two renames
    monkeypatch.setattr("extract.dataset.write_parquet_batch", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    assert ingest([SEED], out, "--no-cache", "--format", "parquet") == 1
    assert (out / "amounts.csv").read_bytes() == before
