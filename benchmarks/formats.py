"""Formats besides PDF (issue 22): how fast one worker reads our corpus reports as spreadsheets,
converted documents and OFD, next to the same reports as PDF and .docx.

    python benchmarks/formats.py        (`make bench-formats`, part of `make bench`)

The corpus reports with gold are rendered afresh (corpus/render.py: .pdf, .docx, .xlsx), made into .xls,
.doc and .odt by LibreOffice (left out with a note where it is absent) and into .ofd by our own writer
(corpus/ofd.py). Each file is read whole (load, normalize, extract: `process_file`) in this one
process, as a worker reads it, `REPEAT` times; the table gives files and pages per second of one
worker. A .doc or .odt file's time includes LibreOffice's conversion (its profile made before the
clock starts, as a worker's first conversion makes it once); that conversion alone is given too.
Writes the table between the formats markers in docs/benchmarks.md.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpus"))

import ofd as ofd_writer  # noqa: E402  (corpus/ofd.py)
import render  # noqa: E402  (corpus/render.py)

from doc_blocks import write_block  # noqa: E402  (benchmarks/doc_blocks.py)
from extract.loaders import load, office  # noqa: E402
from extract.pipeline import process_file, warm_up  # noqa: E402

START, END = "<!-- formats:start -->", "<!-- formats:end -->"
REPEAT = 3


def libreoffice(files: list[Path], target: str, out: Path, profile: Path) -> None:
    command = [office.soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", target, "--outdir", str(out), *map(str, files)]
    if subprocess.run(command, capture_output=True).returncode == office.RESTART_AFTER_PROFILE:
        subprocess.run(command, capture_output=True, check=True)


def timed(files: list[Path], read) -> tuple[float, int]:
    """Seconds per pass over the files (the best of REPEAT), and their pages."""
    pages, best = 0, float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        pages = sum(read(path) for path in files)
        best = min(best, time.perf_counter() - start)
    return best, pages


def whole(path: Path) -> int:
    result = process_file(str(path))
    if result.error is not None:
        raise SystemExit(f"formats.py: {path.name}: {result.error['message']}")
    return int(result.tables["reports"][0]["n_pages"])


def conversion_only(path: Path) -> int:
    office.convert_to_docx(str(path), path.read_bytes(), path.suffix)
    return 1


def main() -> int:
    warm_up()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        render.render_all(folder)
        for pdf in sorted(folder.glob("*.pdf")):
            ofd_writer.write_ofd(pdf, pdf.with_suffix(".ofd"))
        kinds = [".pdf", ".docx", ".xlsx", ".ofd"]
        if office.soffice():
            profile = folder / "profile"
            libreoffice(sorted(folder.glob("*.xlsx")), "xls", folder, profile)
            for target in ("doc", "odt"):
                libreoffice(sorted(folder.glob("*.docx")), target, folder, profile)
            kinds[3:3] = [".xls", ".doc", ".odt"]
            load(str(next(folder.glob("*.doc"))))  # this process's LibreOffice profile, made once
        else:
            print("formats.py: LibreOffice is not installed: the .xls, .doc and .odt rows are left out", file=sys.stderr)
        rows = []
        for suffix in kinds:
            files = sorted(folder.glob(f"*{suffix}"))
            seconds, pages = timed(files, whole)
            rows.append((suffix, len(files), pages, seconds))
            print(suffix, len(files), pages, round(seconds, 2), flush=True)
        if office.soffice():
            files = sorted(folder.glob("*.doc"))
            seconds, _ = timed(files, conversion_only)
            rows.append((".doc → .docx by LibreOffice alone", len(files), None, seconds))
    text = table(rows)
    print(text)
    write_block(START, END, text, "Spreadsheets, converted documents and OFD (`make bench-formats`, issue 22)")
    return 0


def table(rows: list[tuple[str, int, int | None, float]]) -> str:
    lines = ["| format | files | pages | seconds, one worker | files/s per worker | pages/s per worker |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, files, pages, seconds in rows:
        per_page = f"{pages / seconds:.1f}" if pages else "–"
        lines.append(f"| {name} | {files} | {pages if pages else '–'} | {seconds:.2f} | {files / seconds:.2f} | {per_page} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
