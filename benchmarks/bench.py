"""Speed and memory of jixiao on the generated corpus and on real published PDFs: `make bench`.

    python benchmarks/bench.py corpus/large [--quick] [--realdocs-only]

Every measurement runs in a fresh process (so start-up, caches and peak memory are its own) on this
machine, one run each. Writes benchmarks/results.json and the table between the bench markers in
docs/benchmarks.md. The targets are issue 5's; the figures are what they are.

Throughput on one core (reports/s, ms per page, and the yardsticks pypdfium2 and pdfplumber) is the
measuring process's CPU time: this VM's wall clock loses up to a third to its neighbours from one
run to the next, CPU time much less. Start-up, worker scaling and the soak are wall time, as a user
waits for them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from doc_blocks import replace_block

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_2630a528c0b63dd5.txt"
RESULTS = ROOT / "benchmarks" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Runs of the PDF measures (ours and pypdfium2's in turn) and of the 1- and 2-worker commands.
PDF_ROUNDS = 3
WORKER_ROUNDS = 3


# --- measurements that run inside a fresh worker process ---------------------------------------------

def measure_pipeline(files: list[str], repeat: int = 1) -> dict:
    """process_file over files once the models are loaded; seconds, and peak RSS after each quarter."""
    from extract.pipeline import process_file, warm_up
    warm_up()
    process_file(files[0])
    rss, start = [], time.process_time()
    quarter = max(1, len(files) * repeat // 4)
    for i, path in enumerate(files * repeat, 1):
        process_file(path)
        if i % quarter == 0:
            rss.append(_peak_rss_mb())
    return {"seconds": time.process_time() - start, "n_files": len(files) * repeat, "peak_rss_mb": rss}


def measure_pdfium_text(files: list[str]) -> dict:
    """pypdfium2's bare text: open, every page's text, close."""
    import pypdfium2 as pdfium
    start, pages = time.process_time(), 0
    for path in files:
        pdf = pdfium.PdfDocument(path)
        for page in pdf:
            page.get_textpage().get_text_range()
            pages += 1
        pdf.close()
    return {"seconds": time.process_time() - start, "pages": pages}


def _over_plumber_pages(files: list[str], on_page) -> dict:
    """Time on_page(page) over every page of every file with pdfplumber; count the truthy answers."""
    import pdfplumber
    start, pages = time.process_time(), 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                pages += bool(on_page(page))
                page.close()
    return {"seconds": time.process_time() - start, "pages": pages}


def measure_pdfplumber_text(files: list[str]) -> dict:
    return _over_plumber_pages(files, lambda page: page.extract_text() is not None)


def measure_pdfplumber_tables(files: list[str]) -> dict:
    """pdfplumber's own table extraction; "pages" counts the pages holding a ruled table."""
    return _over_plumber_pages(files, lambda page: page.extract_tables())


def measure_ingest(files: list[str], out: str, workers: int) -> dict:
    """A whole `jixiao ingest` run in this process; the peak RSS of it and of its workers."""
    from extract.cli import main
    start = time.perf_counter()
    main(["ingest", *files, "--out", out, "--workers", str(workers), "--no-cache"])
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "parent_peak_rss_mb": _peak_rss_mb(), "worker_peak_rss_mb": round(children, 1)}


def measure_each_file(files: list[str], engine: str) -> dict:
    """CPU seconds of one engine on each file (after the models are loaded, for ours): jixiao's whole
    pipeline, pypdfium2's bare text or pdfplumber's bare extract_text."""
    if engine == "jixiao":
        from extract.pipeline import process_file, warm_up
        warm_up()
        run = process_file
    else:
        run = {"pypdfium2": lambda path: measure_pdfium_text([path]),
               "pdfplumber": lambda path: measure_pdfplumber_text([path])}[engine]
    seconds = {}
    for path in files:
        start = time.process_time()
        run(path)
        seconds[Path(path).name] = time.process_time() - start
    return {"seconds": seconds}


def measure_profile_by_owner(files: list[str]) -> dict:
    """Where the pipeline's CPU time goes on these files, by whose code runs it (own time of each
    function, grouped by the package it lives in)."""
    import cProfile
    import pstats
    from extract.pipeline import process_file, warm_up
    warm_up()
    profile = cProfile.Profile()
    profile.enable()
    for path in files:
        process_file(path)
    profile.disable()
    owners: dict[str, float] = {}
    for (filename, _, name), (_, _, own_time, _, _) in pstats.Stats(profile).stats.items():
        owners[_owner(filename, name)] = owners.get(_owner(filename, name), 0.0) + own_time
    total = sum(owners.values())
    return {"shares": {owner: round(100 * t / total, 1) for owner, t in sorted(owners.items(), key=lambda x: -x[1])
                       if t / total >= 0.005}, "seconds": round(total, 2)}


OWNERS = ("pypdfium2", "pdfplumber", "pdfminer", "jieba", "spacy", "regex", "docx", "lxml", "charset_normalizer")


def _owner(filename: str, function: str) -> str:
    if filename == "~":  # a built-in: ctypes calls into pdfium, str and re methods …
        return "built-in methods (regex and ctypes calls included)"
    if "/extract/" in filename:
        return "jixiao (extract/)"
    for owner in OWNERS:
        if f"/{owner}/" in filename:
            return owner
    return "Python's library" if "/lib/python3" in filename and "site-packages" not in filename else "other packages"


WORKER_MEASURES = {"ingest": measure_ingest, "each_file": measure_each_file, "profile": measure_profile_by_owner, "pipeline": measure_pipeline, "pdfium_text": measure_pdfium_text,
                   "pdfplumber_text": measure_pdfplumber_text, "pdfplumber_tables": measure_pdfplumber_tables}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def in_fresh_process(measure: str, files: list[str], ocr: str = "auto", **kwargs) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"measure": measure, "files": files, "ocr": ocr, "kwargs": kwargs}, f)
    try:
        out = subprocess.run([sys.executable, __file__, "--worker", f.name], check=True, capture_output=True,
                             text=True, cwd=ROOT).stdout
    finally:
        os.unlink(f.name)
    return json.loads(out.strip().splitlines()[-1])


# --- whole command runs ------------------------------------------------------------------------------

def run_command(args: list[str]) -> dict:
    """Wall time of a jixiao command and the peak RSS of its largest process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "jixiao"), *args], check=False, capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_rss_mb": round(max(peak, before) / 1024, 1)}


def pdf_pages(files: list[str]) -> int:
    import pypdfium2 as pdfium
    total = 0
    for path in files:
        pdf = pdfium.PdfDocument(path)
        total += len(pdf)
        pdf.close()
    return total


def has_table(pdf: str) -> bool:
    """Whether the report's text (beside the PDF, or its gold) holds a table: tab-separated rows."""
    gold = json.loads(Path(pdf).with_suffix(".gold.json").read_text(encoding="utf-8"))
    source = Path(pdf).with_suffix(".txt")
    return "indicators" in gold or (source.is_file() and "\t" in source.read_text(encoding="utf-8"))


def run(corpus: Path, quick: bool) -> dict:
    texts = sorted(str(p) for p in corpus.glob("*.txt"))
    pdfs = sorted(str(p) for p in corpus.glob("*.pdf"))
    if quick:
        texts, pdfs = texts[:40], pdfs[:40]
    plain = [p for p in pdfs if not has_table(p)]
    tabled = [p for p in pdfs if has_table(p)]
    out = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    r: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
               "corpus": {"folder": str(corpus), "text_reports": len(texts), "pdf_reports": len(pdfs),
                          "pdf_pages": pdf_pages(pdfs), "pdf_pages_without_tables": pdf_pages(plain),
                          "pdf_reports_with_tables": len(tabled), "seed_chars": len(SEED.read_text(encoding="utf-8")),
                          "median_text_chars": sorted(len(Path(t).read_text(encoding="utf-8")) for t in texts)[len(texts) // 2]}}

    r["startup_seconds"] = min(run_command(["ingest", str(SEED), "--out", str(out / "s"), "--no-cache"])["seconds"]
                               for _ in range(3))
    seed = in_fresh_process("pipeline", [str(SEED)], repeat=200)
    r["text_seed"] = {"reports_per_s": round(seed["n_files"] / seed["seconds"], 1),
                      "ms_per_report": round(1000 * seed["seconds"] / seed["n_files"], 2),
                      "peak_rss_mb": seed["peak_rss_mb"][-1]}
    text = in_fresh_process("pipeline", texts)
    r["text_generated"] = {"reports_per_s": round(text["n_files"] / text["seconds"], 1),
                           "ms_per_report": round(1000 * text["seconds"] / text["n_files"], 2),
                           "peak_rss_mb_by_quarter": text["peak_rss_mb"]}

    # Ours and pypdfium2's in turn, each PDF_ROUNDS times: the VM's speed drifts by some percent from
    # minute to minute, and the least CPU time of each is the one least disturbed.
    ours_runs, bare_runs = [], []
    for _ in range(PDF_ROUNDS):
        ours_runs.append(in_fresh_process("pipeline", plain))
        bare_runs.append(in_fresh_process("pdfium_text", plain))
    ours_plain = min(ours_runs, key=lambda run: run["seconds"])
    bare_plain = min(bare_runs, key=lambda run: run["seconds"])
    plumber_plain = in_fresh_process("pdfplumber_text", plain)
    pages_plain = bare_plain["pages"]
    r["pdf_without_tables"] = {
        "pages": pages_plain,
        "jixiao_ms_per_page": round(1000 * ours_plain["seconds"] / pages_plain, 2),
        "pypdfium2_text_ms_per_page": round(1000 * bare_plain["seconds"] / pages_plain, 2),
        "pdfplumber_text_ms_per_page": round(1000 * plumber_plain["seconds"] / pages_plain, 2),
        "ratio_to_pypdfium2": round(ours_plain["seconds"] / bare_plain["seconds"], 2),
        "ratio_to_pypdfium2_each_round": [round(o["seconds"] / b["seconds"], 2) for o, b in zip(ours_runs, bare_runs)],
        "ratio_to_pdfplumber": round(ours_plain["seconds"] / plumber_plain["seconds"], 3),
        "peak_rss_mb_by_quarter": ours_plain["peak_rss_mb"],
    }
    if tabled:
        ours_tabled = in_fresh_process("pipeline", tabled)
        plumber_tables = in_fresh_process("pdfplumber_tables", tabled)
        r["pdf_with_tables"] = {
            "reports": len(tabled), "pages": pdf_pages(tabled), "table_pages": plumber_tables["pages"],
            "jixiao_whole_reports_seconds": round(ours_tabled["seconds"], 2),
            "pdfplumber_extract_tables_on_table_pages_seconds": round(plumber_tables["seconds"], 2),
            "ratio": round(ours_tabled["seconds"] / plumber_tables["seconds"], 2),
        }
    everything = pdfs + [str(p) for p in corpus.glob("*.docx")][: len(pdfs)] + texts
    half = everything[::2]  # the same mix of formats
    # Each kind of run WORKER_ROUNDS times, the kinds in turn (the VM's speed drifts); the quickest of each.
    rounds: dict[tuple[int, str], list[dict]] = {}
    for _ in range(WORKER_ROUNDS):
        for workers in (1, 2):
            for name, files in (("all", everything), ("half", half)):
                rounds.setdefault((workers, name), []).append(run_command(
                    ["ingest", *files, "--out", str(out / f"{name}{workers}"), "--workers", str(workers), "--no-cache"]))
    best = {key: min(runs, key=lambda run: run["seconds"]) for key, runs in rounds.items()}
    runs = {w: best[w, "all"] for w in (1, 2)}
    half_runs = {w: best[w, "half"] for w in (1, 2)}
    # What the second half of the files adds: the rate once running, without what a run costs besides
    # its files (imports, the models, forks, the output folder's swap), which both runs pay once.
    added = {w: runs[w]["seconds"] - half_runs[w]["seconds"] for w in runs}
    r["workers"] = {
        "files": len(everything),
        "one_worker_seconds": round(runs[1]["seconds"], 2), "two_workers_seconds": round(runs[2]["seconds"], 2),
        "speed_up": round(runs[1]["seconds"] / runs[2]["seconds"], 2),
        "speed_up_each_round": [round(one["seconds"] / two["seconds"], 2)
                                for one, two in zip(rounds[1, "all"], rounds[2, "all"])],
        "half_files": len(half),
        "one_worker_half_seconds": round(half_runs[1]["seconds"], 2),
        "two_workers_half_seconds": round(half_runs[2]["seconds"], 2),
        "speed_up_once_running": round(added[1] / added[2], 2),
        "files_per_s_two_workers": round(len(everything) / runs[2]["seconds"], 1),
        "peak_rss_mb_largest_process": runs[2]["peak_rss_mb"],
    }
    r["soak"] = soak(out / "soak-text", SOAK_TEXT_REPORTS if not quick else 200, ("txt",))
    r["soak_pdf_word"] = soak(out / "soak-pdf-word", SOAK_PDF_WORD_REPORTS if not quick else 40, ("pdf", "docx"))
    return r


SOAK_TEXT_REPORTS = 3000
SOAK_PDF_WORD_REPORTS = 600  # each as PDF and as Word: 1,200 files


def soak(folder: Path, n_reports: int, formats: tuple[str, ...]) -> dict:
    """Many generated reports (seed 9, unlike the corpus) in the given formats, ingested with 2
    workers: peak memory of the parent and of a worker for a quarter, half and all of the files."""
    sys.path.insert(0, str(ROOT / "corpus"))
    from generate import generate
    files = sorted(str(p) for p in generate(folder / "in", seed=9, n_departments=n_reports // 10, n_years=10,
                                            formats=formats))
    runs = {}
    for share in (4, 2, 1):
        subset = files[: len(files) // share]
        runs[len(subset)] = in_fresh_process("ingest", subset, out=str(folder / f"out-{share}"), workers=2)
    return {"reports": {n: {"seconds": round(m["seconds"], 2), "reports_per_s": round(n / m["seconds"], 1),
                            "parent_peak_rss_mb": m["parent_peak_rss_mb"], "worker_peak_rss_mb": m["worker_peak_rss_mb"]}
                        for n, m in runs.items()}}


# --- real published PDFs (../shared/realdocs) ---------------------------------------------------------

REALDOCS = ROOT.parent / "shared" / "realdocs"
REALDOCS_ROUNDS = 2


def run_realdocs() -> dict:
    """Our whole pipeline on the real PDFs beside the project, against pypdfium2's bare text and
    pdfplumber's bare extract_text of the same files: CPU time, each file's least of
    REALDOCS_ROUNDS rounds (the engines in turn), one worker; and a whole `jixiao ingest --workers 1`.
    OCR is off, as the bare engines read no scan either (three files have a scanned cover, which OCR
    reads in about 7 s each: docs/benchmarks.md's OCR section gives OCR's speed)."""
    files = sorted(str(p) for p in REALDOCS.glob("*.pdf"))
    best: dict[str, dict[str, float]] = {}
    for _ in range(REALDOCS_ROUNDS):
        for engine in ("jixiao", "pypdfium2", "pdfplumber"):
            for name, seconds in in_fresh_process("each_file", files, ocr="off", engine=engine)["seconds"].items():
                engine_best = best.setdefault(engine, {})
                engine_best[name] = min(seconds, engine_best.get(name, seconds))
    pages = {Path(f).name: pdf_pages([f]) for f in files}
    totals = {engine: sum(times.values()) for engine, times in best.items()}
    ratios = {name: best["jixiao"][name] / best["pypdfium2"][name] for name in pages}
    slowest = sorted(ratios, key=ratios.get, reverse=True)[:5]
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-real-") as out:
        command = run_command_cpu(["ingest", *files, "--out", out, "--workers", "1", "--no-cache", "--ocr", "off"])
    return {
        "files": len(files), "pages": sum(pages.values()),
        "jixiao_seconds": round(totals["jixiao"], 2), "pypdfium2_text_seconds": round(totals["pypdfium2"], 2),
        "pdfplumber_text_seconds": round(totals["pdfplumber"], 2),
        "jixiao_pages_per_s": round(sum(pages.values()) / totals["jixiao"], 1),
        "ratio_to_pypdfium2": round(totals["jixiao"] / totals["pypdfium2"], 2),
        "pdfplumber_over_jixiao": round(totals["pdfplumber"] / totals["jixiao"], 2),
        "ingest_command_cpu_seconds": round(command["cpu_seconds"], 2), "ingest_command_exit": command["exit"],
        "slowest": [{"file": name, "pages": pages[name], "jixiao_seconds": round(best["jixiao"][name], 2),
                     "pypdfium2_seconds": round(best["pypdfium2"][name], 3), "ratio": round(ratios[name], 1)}
                    for name in slowest],
        "profile_by_owner": in_fresh_process("profile", files, ocr="off"),
    }


def run_command_cpu(args: list[str]) -> dict:
    """CPU time (user + system) of a jixiao command and all its processes, and its exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "jixiao"), *args], check=False, capture_output=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "exit": run.returncode}


def realdocs_table(real: dict) -> str:
    rows = [
        (f"real PDFs (../shared/realdocs: {real['files']} files, {real['pages']} pages): jixiao whole pipeline, "
         "one worker, CPU time", f"{real['jixiao_seconds']} s ({real['jixiao_pages_per_s']} pages/s)", ""),
        ("… pypdfium2 bare text of the same files", f"{real['pypdfium2_text_seconds']} s", ""),
        ("… pdfplumber bare `extract_text` of the same files", f"{real['pdfplumber_text_seconds']} s", ""),
        ("… ratio jixiao / pypdfium2", f"{real['ratio_to_pypdfium2']}×", "≤ 3×"),
        ("… pdfplumber / jixiao", f"{real['pdfplumber_over_jixiao']}×", "≥ 3×"),
        ("… the five files slowest against pypdfium2 (jixiao / pypdfium2)",
         "; ".join(f"{s['file']} ({s['pages']} p.): {s['jixiao_seconds']} s, {s['ratio']}×" for s in real["slowest"]),
         "each ≤ 6×"),
        ("… `jixiao ingest --workers 1` of all of them, whole command (start-up, writing), CPU time",
         f"{real['ingest_command_cpu_seconds']} s (exit {real['ingest_command_exit']})", ""),
        ("… where the pipeline's time goes (own time by owner)",
         ", ".join(f"{owner} {share} %" for owner, share in real["profile_by_owner"]["shares"].items()), ""),
    ]
    lines = ["| measure | result | target |", "| --- | --- | --- |"]
    return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows])


# --- reporting ---------------------------------------------------------------------------------------

def table(r: dict) -> str:
    plain, text, seed, workers = r["pdf_without_tables"], r["text_generated"], r["text_seed"], r["workers"]
    c = r["corpus"]
    rows = [
        ("corpus", f"{c['text_reports']} text reports (median {c['median_text_chars']} chars), {c['pdf_reports']} PDFs "
                   f"with {c['pdf_pages']} pages ({c['pdf_pages_without_tables']} in reports without tables)", ""),
        ("start-up: `jixiao ingest` of the seed, whole command", f"{r['startup_seconds']:.2f} s", "< 1.5 s"),
        ("text, the seed (5,202 chars), one core", f"{seed['reports_per_s']} reports/s ({seed['ms_per_report']} ms)", "≥ 200 reports/s"),
        ("text, generated reports, one core", f"{text['reports_per_s']} reports/s ({text['ms_per_report']} ms)", ""),
        ("PDF without tables: jixiao full ingest", f"{plain['jixiao_ms_per_page']} ms/page "
                                                 f"({1000 / plain['jixiao_ms_per_page']:.0f} pages/s)", ""),
        ("… pypdfium2 bare text of the same PDFs", f"{plain['pypdfium2_text_ms_per_page']} ms/page", ""),
        ("… pdfplumber `extract_text` of the same PDFs", f"{plain['pdfplumber_text_ms_per_page']} ms/page", ""),
        ("… ratio jixiao / pypdfium2 (least CPU time of each in "
         f"{len(plain['ratio_to_pypdfium2_each_round'])} rounds; each round's ratio)",
         f"{plain['ratio_to_pypdfium2']}× ({', '.join(map(str, plain['ratio_to_pypdfium2_each_round']))})", "≤ 2×"),
        ("… ratio jixiao / pdfplumber text", f"{plain['ratio_to_pdfplumber']}×", ""),
    ]
    if "pdf_with_tables" in r:
        t = r["pdf_with_tables"]
        rows.append((f"PDF with tables ({t['reports']} reports, {t['pages']} pages, {t['table_pages']} with tables): "
                     "jixiao whole reports vs pdfplumber `extract_tables` on the table pages alone",
                     f"{t['jixiao_whole_reports_seconds']} s vs {t['pdfplumber_extract_tables_on_table_pages_seconds']} s "
                     f"({t['ratio']}×)", "≤ 1×"))
    rows += [
        ("peak RSS of one worker, after each quarter of the PDFs",
         " → ".join(f"{m:.0f}" for m in plain["peak_rss_mb_by_quarter"]) + " MB", "< 300 MB, flat"),
        ("peak RSS of one worker, after each quarter of the texts",
         " → ".join(f"{m:.0f}" for m in text["peak_rss_mb_by_quarter"]) + " MB", "< 300 MB, flat"),
        (f"`jixiao ingest` of {workers['files']} files (PDF, Word, text): 1 worker → 2 workers, whole command "
         f"(quickest of {len(workers['speed_up_each_round'])} rounds; each round's speed-up)",
         f"{workers['one_worker_seconds']} s → {workers['two_workers_seconds']} s ({workers['speed_up']}×; "
         f"{', '.join(map(str, workers['speed_up_each_round']))})", "≥ 1.8×"),
        (f"… once running: what the other {workers['files'] - workers['half_files']} files add to a run of "
         f"{workers['half_files']} (every other file; {workers['one_worker_half_seconds']} s → "
         f"{workers['two_workers_half_seconds']} s), start-up left out",
         f"{round(workers['one_worker_seconds'] - workers['one_worker_half_seconds'], 2)} s → "
         f"{round(workers['two_workers_seconds'] - workers['two_workers_half_seconds'], 2)} s "
         f"({workers['speed_up_once_running']}×)", "≥ 1.8×"),
        ("… largest process's peak RSS with 2 workers", f"{workers['peak_rss_mb_largest_process']} MB", "< 300 MB"),
    ]
    for key, what in (("soak", "generated text reports"), ("soak_pdf_word", "generated PDF and Word files")):
        soak_runs = r[key]["reports"]
        everything = list(soak_runs)[-1]
        rows.append((f"soak: {everything} {what}, 2 workers; peak RSS of the parent / of a worker "
                     f"after {', '.join(str(n) for n in soak_runs)} files",
                     "; ".join(f"{m['parent_peak_rss_mb']:.0f} / {m['worker_peak_rss_mb']:.0f} MB"
                               for m in soak_runs.values())
                     + f" ({soak_runs[everything]['reports_per_s']} files/s)", "flat"))
    lines = ["| measure | result | target |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


REAL_START, REAL_END = "<!-- bench-realdocs:start -->", "<!-- bench-realdocs:end -->"


def write_doc(r: dict) -> None:
    doc = replace_block(DOC.read_text(encoding="utf-8"), START, END, table(r),
                         "Throughput and memory (`make bench`)")
    real = realdocs_table(r["realdocs"]) if "realdocs" in r else (
        "Not measured: ../shared/realdocs was not beside the project when `make bench` ran.")
    DOC.write_text(replace_block(doc, REAL_START, REAL_END, real, "Real published PDFs (`make bench`)"),
                   encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT / "corpus" / "large"))
    parser.add_argument("--quick", action="store_true", help="40 files of each kind, results not written")
    parser.add_argument("--realdocs-only", action="store_true",
                        help="measure only the real PDFs; the other figures are kept from the last run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        job = json.loads(Path(args.worker).read_text())
        from extract.loaders import ocr
        ocr.MODE = job.get("ocr", ocr.MODE)
        print(json.dumps(WORKER_MEASURES[job["measure"]](job["files"], **job["kwargs"])))
        return 0
    if args.realdocs_only:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    else:
        results = run(Path(args.corpus), args.quick)
    results.pop("realdocs", None)
    if REALDOCS.is_dir() and any(REALDOCS.glob("*.pdf")):
        results["realdocs"] = run_realdocs()
    else:
        print(f"note: {REALDOCS} is not here: the real-PDF figures are left out", file=sys.stderr)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    if not args.quick:
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_doc(results)
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
