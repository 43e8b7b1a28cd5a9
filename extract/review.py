"""`jixiao review`: a small static site to check the extracted facts against the report.

    DIR/index.html                 every report: department, year, type, status, facts, failed checks
    DIR/r/<report_id>.html         the report's failed checks, its normalized text with every amount,
                                   rate and count marked at its span, the list of facts and, for a PDF,
                                   the pages that hold facts with a box around each fact
    DIR/img/<report_id>-p<N>.jpg   page N of the report's PDF, 1000 pixels wide
    DIR/.jixiao-review.json        the files above that this run wrote

Only those names are written, each to a temporary name first and then renamed, so a killed run
leaves every page it had written whole. A file that an earlier run wrote (it is in the manifest) and
this run does not is removed; nothing else in DIR is touched. Page images are named by the report's
id, the hash of the file's bytes, so an image already there is the same page and is kept.

A PDF's pages are drawn only when its file is still where it was read from (source_path, from the
current folder or beside OUT_DIR) with the same SHA-256; else the page says so and shows the text.
Pages are written by forked workers, each opening its own PDFs.
"""
from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .api import Dataset, is_missing, load
from .review_pages import TABLE_COLOURS, Fact, index_page, report_page
from .review_pdf import draw_pages, source_pdf

MANIFEST = ".jixiao-review.json"
MAX_IMAGES = 40  # pages drawn per report: the first pages holding facts
_SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_OURS = re.compile(r"(index\.html|r/[0-9A-Za-z_-]+\.html|img/[0-9A-Za-z_-]+-p[0-9]+\.jpg)")
_TEMP = re.compile(r"\.(index\.html|[0-9A-Za-z_-]+\.html|[0-9A-Za-z_-]+-p[0-9]+\.jpg|\.jixiao-review\.json)"
                   r"\.[0-9]+\.tmp")


class SiteError(Exception):
    """The site cannot be written: path and reason, for one line on stderr."""

    def __init__(self, path, reason: str):
        super().__init__(f"cannot write {path}: {reason}")


@dataclass
class Summary:
    reports: int = 0
    images: int = 0  # page images the pages show
    rendered: int = 0  # of which drawn by this run
    image_bytes: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Job:
    report: dict
    name: str  # file stem of its page and images
    text_path: Path
    facts: list[Fact]
    heading_starts: list[int]
    failed: list[dict]
    pages: list[int]  # PDF pages to draw
    pdf_note: str = ""  # pages with facts left out


_JOBS: dict[str, _Job] = {}  # read by the forked workers
_SITE: Path = Path(".")
_OUT: Path = Path(".")


def write_site(out_dir: Path, site: Path, workers: int | None = None) -> Summary:
    """Write the review site of an output folder into `site`. FileNotFoundError when out_dir holds
    no tables; SiteError when the site cannot be written."""
    global _JOBS, _SITE, _OUT
    started = time.perf_counter()
    data = load(out_dir)
    jobs = _jobs(data, out_dir)
    try:
        for folder in (site, site / "r", site / "img"):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # named by the folder asked for, whichever part of it failed
        raise SiteError(site, exc.strerror or str(exc)) from exc
    try:
        _clear_temporaries(site)
        planned = {f"r/{j.name}.html" for j in jobs.values()} | {
            f"img/{j.name}-p{n}.jpg" for j in jobs.values() for n in j.pages}
        previous = _read_manifest(site) | planned  # a run killed now leaves nothing unlisted
        _write(site / MANIFEST, json.dumps(sorted(previous)))
        _JOBS, _SITE, _OUT = jobs, site, out_dir
        results = _run(list(jobs), workers or min(os.cpu_count() or 1, 8))
        rows = [_index_row(jobs[r["report_id"]], r) for r in results]
        rows.sort(key=lambda r: (r["failed"] == 0, r["department"] or "\uffff", r["year"], r["title"], r["report_id"]))
        index = index_page(rows, str(out_dir)).encode("utf-8", "replace")
        _write(site / "index.html", index)
        written = {"index.html"} | {f"r/{r['page']}" for r in results} | {i for r in results for i in r["images"]}
        for name in sorted(previous - written):
            if _OURS.fullmatch(name) and (site / name).is_file():
                (site / name).unlink()
        _write(site / MANIFEST, json.dumps(sorted(written)))
    except OSError as exc:
        raise SiteError(exc.filename or site, exc.strerror or str(exc)) from exc
    finally:
        _JOBS = {}
    summary = Summary(reports=len(results), seconds=time.perf_counter() - started)
    for r in results:
        summary.images += len(r["images"])
        summary.rendered += r["rendered"]
        summary.image_bytes += r["image_bytes"]
        summary.notes += r["errors"]
    return summary


def _run(report_ids: list[str], workers: int) -> list[dict]:
    """Each report's page, by forked workers when there is enough to share."""
    if workers <= 1 or len(report_ids) < 8 or "fork" not in multiprocessing.get_all_start_methods():
        return [_build(r) for r in report_ids]
    # PDFs first, so that no worker is left with the slow ones at the end.
    report_ids = sorted(report_ids, key=lambda r: -len(_JOBS[r].pages))
    with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_signals) as pool:
        return list(pool.imap_unordered(_build, report_ids, chunksize=2))


def _worker_signals() -> None:
    """Ctrl-C and SIGTERM are the parent's to handle; it ends the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _build(report_id: str) -> dict:
    """Write one report's page (and its page images); what was written."""
    job = _JOBS[report_id]
    text = job.text_path.read_text(encoding="utf-8", errors="replace") if job.text_path.is_file() else None
    images, notes, rendered, errors = [], [], 0, []
    if job.report.get("file_type") == "pdf":
        source, note = source_pdf(job.report, _OUT)
        if source is None:
            notes.append(note)
        else:
            try:
                images, rendered = draw_pages(source, job.pages, _SITE / "img", job.name, _write)
            except OSError:  # the site's folder, not the PDF: the run stops with one line
                raise
            except Exception as exc:  # pdfium refusing a page it read before: the text stays
                notes.append(f"The pages of {source} could not be drawn ({type(exc).__name__}): text view only.")
                errors.append(f"{job.report.get('source_path')}: pages not drawn: {exc}")
            if job.pdf_note:
                notes.append(job.pdf_note)
            if images and not any(f.box for f in job.facts):
                notes.append("No fact of this report has a box on its page (an output folder written before boxes "
                             "were read, or facts found only in the text): the pages are shown without boxes.")
    headings = [(s, _line_end(text, s)) for s in job.heading_starts] if text else []
    page = report_page(job.report, text, job.facts, headings, job.failed, images, notes).encode("utf-8", "replace")
    _write(_SITE / "r" / f"{job.name}.html", page)
    image_names = [f"img/{Path(i.src).name}" for i in images]
    return {"report_id": report_id, "page": f"{job.name}.html", "images": image_names,
            "rendered": rendered, "errors": errors,
            "image_bytes": sum((_SITE / name).stat().st_size for name in image_names)}


def _write(path: Path, content) -> None:
    """Write bytes, text, or through a function given the open file, under a temporary name first."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _clear_temporaries(site: Path) -> None:
    """What a killed run left half written (only our own temporary names)."""
    for folder in (site, site / "r", site / "img"):
        for entry in os.scandir(folder):
            if _TEMP.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)


def _read_manifest(site: Path) -> set[str]:
    try:
        names = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str) and _OURS.fullmatch(n)} if isinstance(names, list) else set()


# ---- the rows, in the pages' terms -----------------------------------------------------------

def _jobs(data: Dataset, out_dir: Path) -> dict[str, _Job]:
    facts = _facts(data)
    headings = {rid: [int(s) for s in group.char_start.dropna()] for rid, group in data.sections.groupby("report_id")}
    failed = {rid: [{k: _text(v) for k, v in row.items()} for row in group.to_dict("records")]
              for rid, group in data.checks[data.checks.status == "fail"].groupby("report_id")}
    jobs = {}
    for report in data.reports.to_dict("records"):
        rid = _text(report["report_id"])
        if not rid or rid in jobs:
            continue
        name = rid if _SAFE_ID.fullmatch(rid) else "x" + hashlib.sha256(rid.encode("utf-8", "replace")).hexdigest()[:16]
        own = facts.get(rid, [])
        pages = sorted({f.page for f in own if f.page is not None}) or [1]
        note = ""
        if len(pages) > MAX_IMAGES:
            note = (f"Facts on {len(pages) - MAX_IMAGES} more pages (p.{pages[MAX_IMAGES]} on) are not drawn: "
                    "the text and the list show them.")
        jobs[rid] = _Job({k: _text(v) for k, v in report.items()}, name, out_dir / "text" / f"{rid}.txt", own,
                         headings.get(rid, []), failed.get(rid, []),
                         pages[:MAX_IMAGES] if report.get("file_type") == "pdf" else [], note)
    return jobs


def _facts(data: Dataset) -> dict[str, list[Fact]]:
    """Each report's amounts, rates and counts, in text order."""
    facts: dict[str, list[Fact]] = {}
    for table in TABLE_COLOURS:
        frame: pd.DataFrame = getattr(data, table)
        for row in frame.to_dict("records"):
            if is_missing(row.get("char_start")) or is_missing(row.get("char_end")):
                continue
            if table == "amounts":
                value = "" if is_missing(row["value_yuan"]) else f"{row['value_yuan']:,.2f} 元"
                caption = f"{_text(row['label'])} · {_text(row['role'])} · {value}"
            elif table == "rates":
                value = "" if is_missing(row["value_pct"]) else f"{row['value_pct']:g}%"
                caption = f"{_text(row['label'])} · {_text(row['role'])} · {value}"
            else:
                value = "" if is_missing(row["value"]) else f"{row['value']:g}"
                caption = f"{_text(row['subject'])} · {value} {_text(row['unit'])}"
            page = None if is_missing(row.get("page")) else int(row["page"])
            facts.setdefault(_text(row["report_id"]), []).append(
                Fact(int(row["char_start"]), int(row["char_end"]), table, _text(row["fact_id"]), caption, page, _box(row)))
    for own in facts.values():
        own.sort(key=lambda f: (f.start, f.end))
    return facts


def _box(row: dict) -> tuple[float, float, float, float] | None:
    """x0, top, x1, bottom when all four are there and make a box (older outputs have none)."""
    try:
        box = tuple(float(row[c]) for c in ("x0", "top", "x1", "bottom"))
    except (KeyError, TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in box) or box[2] <= box[0] or box[3] <= box[1]:
        return None
    return box


def _index_row(job: _Job, result: dict) -> dict:
    r = job.report
    return {"report_id": r["report_id"], "page": result["page"], "failed": len(job.failed),
            "department": r.get("department", ""), "year": r.get("year", ""), "report_type": r.get("report_type", ""),
            "status": r.get("status", ""), "file_type": r.get("file_type", ""),
            "title": r.get("title") or r.get("source_path", ""),
            **{t: sum(f.table == t for f in job.facts) for t in TABLE_COLOURS}}


def _text(value) -> str:
    """A cell as text, a missing one (<NA>) as nothing."""
    return "" if is_missing(value) else str(value)


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end
