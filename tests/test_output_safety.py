"""Data safety (issue 17): --out never touches what is not ours, bad options and inputs are refused
with one line, and no value or file name a report can hold crashes a writer."""
import os
import signal
import stat
import subprocess
import sys
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

import extract
from extract import outfolder
from conftest import CORPUS, ROOT, SEED, SEED_GOLD, ingest, read_table


def _snapshot(folder):
    """Every file and folder under folder with its bytes and mode."""
    return {p.relative_to(folder): (p.read_bytes() if p.is_file() else None, stat.S_IMODE(p.lstat().st_mode))
            for p in [folder, *folder.rglob("*")]}


def _users_folder(tmp_path):
    folder = tmp_path / "scratch"
    (folder / "sub").mkdir(parents=True)
    (folder / "keep.txt").write_text("my notes", encoding="utf-8")
    (folder / "sub" / "analysis.py").write_text("import pandas\n", encoding="utf-8")
    folder.chmod(0o755)
    return folder


def test_a_folder_of_the_users_is_never_replaced(tmp_path, capsys):
    folder = _users_folder(tmp_path)
    before = _snapshot(folder)
    assert ingest([SEED], folder) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"jixiao: error: {folder}: holds files jixiao did not write (no .jixiao-output marker); "
                   "choose a new or empty folder; nothing written")
    assert _snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scratch"]


@pytest.mark.parametrize("where", ["input folder", "parent of the input", "inside the input", "the report file"])
def test_an_output_folder_that_holds_or_is_held_by_the_inputs_is_refused(tmp_path, monkeypatch, capsys, where):
    project = tmp_path / "proj"
    reports = project / "reports"
    reports.mkdir(parents=True)
    (reports / "a.txt").write_bytes(SEED.read_bytes())
    (project / "analysis.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.chdir(project)
    out = {"input folder": "reports", "parent of the input": ".", "inside the input": "reports/out",
           "the report file": "reports/a.txt"}[where]
    before = _snapshot(project)
    assert ingest(["reports"], out) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"jixiao: error: {os.path.realpath(out)}: ")
    assert _snapshot(project) == before


def test_the_projects_own_folders_are_refused_as_outputs(monkeypatch):
    """`jixiao ingest corpus --out corpus` and `--out .` in a checkout change nothing."""
    monkeypatch.chdir(ROOT)
    before = _snapshot(CORPUS)
    assert ingest(["corpus"], "corpus") == 2
    assert ingest(["corpus"], ".") == 2
    assert _snapshot(CORPUS) == before
    assert not [p for p in ROOT.iterdir() if p.name.startswith((".corpus.", ".work.", ".main."))]


@pytest.mark.parametrize("out", ["/", "/proc"])
def test_the_root_and_mount_points_are_refused(tmp_path, capsys, out):
    assert ingest([SEED], out) == 2
    assert "give a folder of its own" in capsys.readouterr().err


def test_a_file_given_as_the_output_folder_is_refused(tmp_path):
    book = tmp_path / "results.xlsx"
    book.write_bytes(b"PK\x03\x04 a workbook")
    assert ingest([SEED], book) == 2
    assert book.read_bytes() == b"PK\x03\x04 a workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.xlsx"]


def test_our_folder_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    out = tmp_path / "out"
    assert ingest([SEED], out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~_umask()
    assert (out / outfolder.MARKER).is_file()
    out.chmod(0o750)
    assert ingest([SEED], out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_second_run_into_the_same_folder_stops_at_once(tmp_path, capsys):
    out = tmp_path / "out"
    assert ingest([SEED], out) == 0
    before = _snapshot(out)
    # A run under way: another process holds the folder's lock.
    holder = subprocess.Popen([sys.executable, "-c", "import sys, pathlib, extract.outfolder as o\n"
                               f"with o.Lock(pathlib.Path({str(out.resolve())!r})):\n"
                               "    print('locked', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout.readline() == "locked\n"
    assert ingest([SEED], out) == 2
    holder.communicate("")
    assert "another run is writing this folder" in capsys.readouterr().err
    assert _snapshot(out) == before
    assert ingest([SEED], out) == 0  # the lock went with the run
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_parent_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(outfolder.tempfile, "mkdtemp", refuse)
    assert ingest([SEED], tmp_path / "out") == 2
    assert capsys.readouterr().err.strip() == (
        f"jixiao: error: {tmp_path / 'out'}: cannot write there (Permission denied); nothing written")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_parent_is_one_line(tmp_path, capsys):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    assert ingest([SEED], parent / "out") == 2
    assert "cannot write there" in capsys.readouterr().err


@pytest.mark.parametrize("contents", [[], ["bundle.zip", "logo.gif"]])
def test_no_report_files_is_an_error_and_keeps_the_outputs(tmp_path, capsys, contents):
    out = tmp_path / "out"
    assert ingest([SEED], out) == 0
    before = _snapshot(out)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in contents:
        (folder / name).write_bytes(b"\x00\x01")
    capsys.readouterr()
    assert ingest([folder], out) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"jixiao: error: no report files found under {folder}")
    assert (f"({len(contents)} other files passed over)" in err) == bool(contents)
    assert _snapshot(out) == before


@pytest.mark.parametrize("option", [("--timeout", "0"), ("--timeout", "-1"), ("--timeout", "nan"), ("--timeout", "inf"),
                                    ("--max-memory", "0"), ("--max-pages", "0"), ("--workers", "0"), ("--workers", "-1"),
                                    ("--workers", "1.5"), ("--max-memory", "99999999999999999999")])
def test_options_out_of_range_are_usage_errors(tmp_path, option):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        ingest([SEED], out, *option)
    assert exc.value.code == 2 and not out.exists()


def test_pipes_devices_and_links_out_of_the_folder_are_listed_not_read(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(SEED.read_bytes())
    os.mkfifo(folder / "pipe.txt")  # would hang a reader
    (folder / "zero.txt").symlink_to("/dev/zero")  # would never end
    private = tmp_path / "private.txt"
    private.write_bytes(SEED.read_bytes().replace("全年".encode(), "本年".encode()))
    (folder / "private link.txt").symlink_to(private)
    (folder / "same.txt").symlink_to(folder / "good.txt")  # inside the folder: followed
    out = tmp_path / "out"
    assert ingest([folder], out, "--cache", str(tmp_path / "cache")) == 1  # the cache hashes files too
    errors = {row["source_path"].rsplit("/", 1)[-1]: (row["stage"], row["error_type"]) for row in read_table(out, "errors")}
    assert errors == {"pipe.txt": ("collect", "not_a_file"), "zero.txt": ("collect", "outside_input"),
                      "private link.txt": ("collect", "outside_input"), "same.txt": ("ingest", "duplicate")}
    assert [r["source_path"].rsplit("/", 1)[-1] for r in read_table(out, "reports")] == ["good.txt"]
    err = capsys.readouterr().err
    assert f"{folder / 'pipe.txt'}: a named pipe (FIFO), not read" in err


def test_a_fifo_named_on_the_command_line_is_refused(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.txt")
    assert ingest([tmp_path / "pipe.txt"], tmp_path / "out") == 2
    assert "no report files found" in capsys.readouterr().err


def test_figures_with_more_digits_than_a_column_holds_are_rounded_and_noted(tmp_path):
    report = tmp_path / "digits.txt"
    report.write_text("某局2023年度部门整体支出绩效自评报告\n一、基本情况\n全年预算数 120.50 万元，执行数 118.12 万元，"
                      "预算执行率为97.12345678%。\n二、自评结论\n自评得分 95.125 分，自评等级为优秀。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([report], out, "--format", "csv,parquet") == 0
    (rate,) = read_table(out, "rates")
    assert rate["value_pct"] == "97.123457"
    (row,) = read_table(out, "reports")
    assert row["score"] == "95.125"
    assert pq.read_table(out / "rates.parquet").column("value_pct").to_pylist() == [Decimal("97.123457")]
    assert pq.read_table(out / "reports.parquet").column("score").to_pylist() == [Decimal("95.1250")]
    (note,) = read_table(out, "errors")
    assert (note["stage"], note["error_type"]) == ("dataset", "rounded")
    assert "rates.value_pct 97.12345678 rounded to 97.123457" in note["message"]


def test_a_figure_too_large_for_any_column_is_left_empty_not_a_crash(tmp_path):
    report = tmp_path / "huge.txt"
    report.write_text("某局2023年度部门整体支出绩效自评报告\n一、基本情况\n全年预算数 120.50 万元，执行数 118.12 万元，"
                      "预算执行率为" + "9" * 40 + "%。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([report], out, "--format", "csv,parquet") == 0
    assert [r["value_pct"] for r in read_table(out, "rates")] == [""]
    assert pq.read_table(out / "rates.parquet").column("value_pct").to_pylist() == [None]
    (note,) = read_table(out, "errors")
    assert note["error_type"] == "rounded" and f"rates.value_pct {'9' * 40} left empty" in note["message"]


def test_a_file_name_in_gbk_bytes_is_read_and_written_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = "报告2023.txt".encode("gbk")  # as a zip made on Chinese Windows leaves it
    with open(os.path.join(os.fsencode(folder), name), "wb") as f:
        f.write(SEED.read_bytes())
    out = tmp_path / "out"
    assert ingest([folder], out, "--format", "csv,parquet") == 0
    (row,) = read_table(out, "reports")
    assert row["source_path"] == f"{folder}/\\xb1\\xa8\\xb8\\xe62023.txt"
    assert pq.read_table(out / "reports.parquet").column("source_path").to_pylist() == [row["source_path"]]
    assert len(read_table(out, "amounts")) == len(SEED_GOLD["amounts"])


def test_ctrl_c_keeps_the_previous_outputs_and_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert ingest([SEED], out) == 0
    before = _snapshot(out)

    def interrupted(results):
        raise KeyboardInterrupt
    monkeypatch.setattr("extract.cli.batch", interrupted)
    capsys.readouterr()
    assert ingest([SEED, CORPUS], out, "--no-cache") == 130
    assert capsys.readouterr().err == f"jixiao: interrupted; the outputs in {out} are as they were\n"
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_output_piped_into_head_ends_quietly(seed_out):
    run = subprocess.run(f"{sys.executable} -m extract compare {seed_out} --metric count:次 | head -c 1",
                         shell=True, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.stdout and "Traceback" not in run.stderr and "Error" not in run.stderr


def test_the_api_raises_for_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        extract.ingest([str(tmp_path / "nope") + "/"])


def test_sigterm_to_a_command_is_one_line(tmp_path):
    """Any command stopped by `timeout` or `docker stop`: one line, no traceback."""
    code = ("import os, signal, time, extract.cli as cli\n"
            "cli._command = lambda args: (os.kill(os.getpid(), signal.SIGTERM), time.sleep(30))\n"
            f"raise SystemExit(cli.main(['review', {str(tmp_path)!r}, '--html', 'r.html']))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (run.returncode, run.stderr) == (128 + signal.SIGTERM, "jixiao: stopped by SIGTERM\n")


def test_a_folder_holding_only_a_readme_is_used_and_the_readme_kept(tmp_path):
    """The project's outputs/ is kept in git with its README alone."""
    out = tmp_path / "outputs"
    out.mkdir()
    (out / "README.md").write_text("what make run writes", encoding="utf-8")
    assert ingest([SEED], out) == 0
    assert (out / "README.md").read_text(encoding="utf-8") == "what make run writes"
    assert (out / outfolder.MARKER).is_file() and len(read_table(out, "amounts")) == len(SEED_GOLD["amounts"])
