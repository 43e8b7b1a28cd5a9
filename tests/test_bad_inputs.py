"""Bad input (issue 7, first part): every file gets a clear row in `errors` or is read correctly,
nothing crashes, and the other files are written."""
import random
import sys

from conftest import CORPUS, SEED, SEED_GOLD, ingest, read_table

sys.path.insert(0, str(CORPUS))
from raw_pdf import raw_pdf  # noqa: E402  (corpus/raw_pdf.py)


def _folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    seed = SEED.read_bytes()
    (folder / "好 报告 2023.txt").write_bytes(seed)
    (folder / "name\nwith newline.txt").write_text("某局2022年度部门整体支出绩效自评报告\n一、基本情况\n全年预算数 50 万元。\n",
                                                    encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"  \n\n ")
    (folder / "zero.pdf").write_bytes(b"")
    noise = random.Random(7).randbytes(5000)
    for name in ("random.pdf", "random.docx", "random.txt"):
        (folder / name).write_bytes(noise)
    (folder / "utf16.txt").write_bytes("某局2021年度部门整体支出绩效自评报告\n一、基本情况\n全年预算数 80 万元。\n".encode("utf-16"))
    cut = seed.find("全年预算数".encode()) - 40
    (folder / "broken bytes.txt").write_bytes(seed[:201] + b"\xff\xfe" + seed[201:cut] + b"\x80" + seed[cut:])
    (folder / "loop").mkdir()
    (folder / "loop" / "up").symlink_to(folder, target_is_directory=True)
    return folder


def test_a_folder_of_bad_files_gives_one_clear_row_each_and_the_rest(tmp_path, capsys):
    folder, out = _folder(tmp_path), tmp_path / "out"
    assert ingest([folder], out) == 1  # some inputs failed, the rest written
    errors = {row["source_path"].rsplit("/", 1)[-1]: (row["stage"], row["error_type"]) for row in read_table(out, "errors")}
    assert errors == {
        "empty.txt": ("load", "empty"), "blank.txt": ("load", "empty"), "zero.pdf": ("load", "empty"),
        "random.pdf": ("load", "corrupt"), "random.docx": ("load", "corrupt"), "random.txt": ("load", "binary"),
        "broken bytes.txt": ("load", "repaired"),
    }
    reports = {row["source_path"].rsplit("/", 1)[-1]: row for row in read_table(out, "reports")}
    assert set(reports) == {"好 报告 2023.txt", "name\nwith newline.txt", "utf16.txt", "broken bytes.txt"}
    assert reports["broken bytes.txt"]["status"] == "partial" and reports["好 报告 2023.txt"]["status"] == "ok"
    # UTF-16 and a file with a few broken bytes still give their facts.
    amounts = read_table(out, "amounts")
    by_report = {}
    for row in amounts:
        by_report.setdefault(row["report_id"], []).append(row["value_yuan"])
    assert by_report[reports["utf16.txt"]["report_id"]] == ["800000.00"]
    assert len(by_report[reports["broken bytes.txt"]["report_id"]]) == len(SEED_GOLD["amounts"])
    assert by_report[reports["name\nwith newline.txt"]["report_id"]] == ["500000.00"]
    # One line on stderr per failed file, each naming it (a newline in a name is shown as \n).
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 6 and all(line.startswith(str(folder)) for line in lines)
    assert any("random.pdf: not a readable PDF" in line for line in lines)


def test_a_stuck_parser_is_stopped_and_reported_and_a_memory_hog_fails_alone(tmp_path, monkeypatch, capsys):
    import time

    from extract import pipeline, workers
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(SEED.read_bytes())
    (folder / "stuck.txt").write_text("某局2023年度部门整体支出绩效自评报告\n", encoding="utf-8")
    (folder / "hog.txt").write_text("某局2022年度部门整体支出绩效自评报告\n", encoding="utf-8")
    real_parse, real_load = workers.process_file, pipeline.load

    def parse(path):
        if path.endswith("stuck.txt"):
            time.sleep(3600)  # a parser that never returns
        return real_parse(path)

    def load(path):
        if path.endswith("hog.txt"):
            return bytearray(2 * 1024 ** 3)  # more than the worker may have
        return real_load(path)
    monkeypatch.setattr(workers, "process_file", parse)
    monkeypatch.setattr(pipeline, "load", load)
    started = time.monotonic()
    out = tmp_path / "out"
    assert ingest([folder], out, "--no-cache", "--timeout", "3", "--max-memory", "1024", "--workers", "2") == 1
    assert time.monotonic() - started < 60  # stopped, not waited on
    errors = {row["source_path"].rsplit("/", 1)[-1]: (row["stage"], row["error_type"]) for row in read_table(out, "errors")}
    assert errors == {"stuck.txt": ("ingest", "timeout"), "hog.txt": ("load", "out_of_memory")}
    assert [row["source_path"].rsplit("/", 1)[-1] for row in read_table(out, "reports")] == ["good.txt"]
    assert "stuck.txt: stopped after 3 s (--timeout)" in capsys.readouterr().err


def test_a_pdf_with_more_pages_than_the_limit_is_refused(tmp_path):
    from reportlab.pdfgen import canvas
    pdf = tmp_path / "long.pdf"
    drawing = canvas.Canvas(str(pdf))
    for n in range(30):
        drawing.drawString(72, 720, f"page {n + 1} of a very long file")
        drawing.showPage()
    drawing.save()
    out = tmp_path / "out"
    assert ingest([pdf], out, "--no-cache", "--max-pages", "20") == 1
    (row,) = read_table(out, "errors")
    assert (row["stage"], row["error_type"]) == ("load", "too_many_pages") and "30 pages" in row["message"]


def test_owner_password_pdfs_read_and_huge_or_endless_files_are_refused(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas
    folder = tmp_path / "in"
    folder.mkdir()
    # Only an owner password (printing/copying restrictions): it opens without one and is read.
    locked = canvas.Canvas(str(folder / "owner only.pdf"),
                           encrypt=StandardEncryption(userPassword="", ownerPassword="owner", canPrint=0, canCopy=0))
    locked.drawString(72, 720, "Annual report 2023: budget 120.50 and more text on this page for the loader.")
    locked.save()
    # Thousands of pages: refused by the default --max-pages (2000) before any page is read.
    endless = canvas.Canvas(str(folder / "endless.pdf"))
    for n in range(2500):
        endless.drawString(72, 720, f"page {n + 1}")
        endless.showPage()
    endless.save()
    # 50 MB of text: refused by its size before it is read.
    line = "全年预算数 100 万元，执行数 99 万元。\n".encode("utf-8")
    (folder / "huge.txt").write_bytes(line * (50 * 2 ** 20 // len(line)))
    out = tmp_path / "out"
    assert ingest([folder], out, "--no-cache") == 1
    errors = {row["source_path"].rsplit("/", 1)[-1]: (row["stage"], row["error_type"]) for row in read_table(out, "errors")}
    # The owner-only PDF is read: its English line is no report of the genre, but its row is written.
    assert errors == {"endless.pdf": ("load", "too_many_pages"), "huge.txt": ("load", "too_large"),
                      "owner only.pdf": ("classify", "not_a_report")}
    (report,) = read_table(out, "reports")
    assert report["source_path"].endswith("owner only.pdf") and report["n_pages"] == "1"


def _without_root_file_access() -> None:
    """In the child before exec: as root, give up the capabilities that read any file whatever its
    mode (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that a mode-000 file is unreadable as for a user."""
    import ctypes
    import os
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_an_unreadable_file_is_reported_and_the_others_written(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(SEED.read_bytes())
    locked = folder / "locked.txt"
    locked.write_bytes(SEED.read_bytes().replace("荔湾".encode(), "越秀".encode()))
    locked.chmod(0)
    out = tmp_path / "out"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}  # the cache hashes files too
    run = subprocess.run([sys.executable, "-m", "extract", "ingest", str(folder), "--out", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, preexec_fn=_without_root_file_access, timeout=300)
    assert run.returncode == 1, run.stderr
    (row,) = read_table(out, "errors")
    assert (row["stage"], row["error_type"]) == ("load", "unreadable")
    assert row["message"] == f"{locked}: cannot read file (Permission denied)"
    assert f"{locked}: cannot read file (Permission denied)" in run.stderr.splitlines()
    assert [r["source_path"] for r in read_table(out, "reports")] == [str(folder / "good.txt")]


def _decompression_bomb(path, inflated_mb: int) -> None:
    """A one-page PDF whose content stream is about 1 MB as stored and inflated_mb of blanks when
    decompressed (written by hand: no PDF library makes such a file)."""
    import zlib
    packer = zlib.compressobj(9)
    blanks = b" " * 2 ** 24
    stream = b"".join([*(packer.compress(blanks) for _ in range(inflated_mb // 16)), packer.flush()])
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(stream), stream)]
    path.write_bytes(raw_pdf(objects))


def test_a_decompression_bomb_fails_alone_within_the_memory_limit(tmp_path):
    """1 MB on disk, 1 GB of content stream once inflated: the worker reading it runs out of its
    --max-memory. pdfium either fails the allocation (out_of_memory) or aborts (the worker dies and
    is replaced); either way the file is reported and the next file written."""
    folder = tmp_path / "in"
    folder.mkdir()
    _decompression_bomb(folder / "a bomb.pdf", inflated_mb=1024)
    assert (folder / "a bomb.pdf").stat().st_size < 2 * 2 ** 20
    (folder / "b good.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    import faulthandler
    was_enabled = faulthandler.is_enabled()
    faulthandler.disable()  # pytest's: the forked worker would print a stack as it aborts
    try:
        assert ingest([folder], out, "--no-cache", "--max-memory", "512") == 1
    finally:
        if was_enabled:
            faulthandler.enable()
    (row,) = read_table(out, "errors")
    assert (row["stage"], row["error_type"]) in {("ingest", "worker_died"), ("load", "out_of_memory")}
    assert "--max-memory" in row["message"]
    assert [r["source_path"].rsplit("/", 1)[-1] for r in read_table(out, "reports")] == ["b good.txt"]


def test_a_worker_grown_too_large_retires_and_the_run_goes_on(tmp_path, monkeypatch):
    """A worker larger than RETIRE_ABOVE_MB after a file (and RETIRE_GROWTH_MB larger than it began)
    hands back its result and is replaced (a Word-heavy batch fragments the heap): with the limits
    below any size every file gets a fresh worker, and the tables are those of a run without
    retirements."""
    from extract import workers
    folder = tmp_path / "in"
    folder.mkdir()
    for k, place in enumerate(("荔湾", "越秀", "海珠")):
        (folder / f"{k}.txt").write_bytes(SEED.read_bytes().replace("荔湾".encode(), place.encode()))
    ingest([folder], tmp_path / "steady", "--no-cache", "--workers", "1")
    started = []
    real_worker = workers._Worker

    def counted(*args):
        started.append(args)
        return real_worker(*args)
    monkeypatch.setattr(workers, "RETIRE_ABOVE_MB", 0)
    monkeypatch.setattr(workers, "RETIRE_GROWTH_MB", -10 ** 6)
    monkeypatch.setattr(workers, "_Worker", counted)
    assert ingest([folder], tmp_path / "out", "--no-cache", "--workers", "1") == 0
    assert len(started) == 4  # the first worker and one after each file
    for table in ("reports", "amounts", "counts"):
        assert (tmp_path / "out" / f"{table}.csv").read_bytes() == (tmp_path / "steady" / f"{table}.csv").read_bytes()


def test_reports_in_formats_not_read_are_listed_with_what_to_do(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(SEED.read_bytes())
    (folder / "thesis.caj").write_bytes(b"CAJ" + bytes(600))
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(100))  # a scan's format, but broken
    (folder / "logo.gif").write_bytes(b"GIF89a" + bytes(100))  # not a report: listed, not a failure
    out = tmp_path / "out"
    assert ingest([folder], out, "--no-cache") == 1
    errors = {row["source_path"].rsplit("/", 1)[-1]: (row["stage"], row["error_type"], row["message"].split(": ", 1)[1])
              for row in read_table(out, "errors")}
    assert errors == {"thesis.caj": ("load", "unsupported_type", "CAJ document, not read: export it as PDF"),
                      "photo.jpg": ("load", "corrupt", "not a readable image"),
                      "logo.gif": ("collect", "skipped", "not a report format (.gif), not read")}
    assert [r["source_path"].rsplit("/", 1)[-1] for r in read_table(out, "reports")] == ["good.txt"]
