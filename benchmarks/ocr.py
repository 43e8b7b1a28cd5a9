"""Scanned reports: accuracy of OCR'd reports against the same gold as their text, and OCR speed.

    python benchmarks/ocr.py          (`make bench-ocr`; needs build/scanned: `make corpus-scanned`)

For our corpus PDFs (text layer) and their two scanned sets (corpus/scan.py: clean at 300 dpi, noisy at
200 dpi with a seal and a signature), one `jixiao ingest` each with two workers, then `jixiao eval`'s
figures per table. Pages per second per core is pages over the CPU time of the run (its workers
included), what one core reads. Writes the table between the ocr markers in docs/benchmarks.md.
"""
from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from doc_blocks import write_block  # noqa: E402  (benchmarks/doc_blocks.py)
from extract.evaluate import evaluate  # noqa: E402

START, END = "<!-- ocr:start -->", "<!-- ocr:end -->"
SETS = {"text layer": ROOT / "corpus" / "generated", "scanned 300 dpi": ROOT / "build" / "scanned" / "clean300",
        "scanned 200 dpi, noisy, seal, signature": ROOT / "build" / "scanned" / "noisy200"}
FIELDS = ("amounts", "rates", "counts", "sections", "metadata")
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"


def measure(folder: Path, engine: str = "rapidocr") -> dict:
    """Ingest the folder's PDFs and score them; with engine "tesseract", each PDF is first made into
    text by Tesseract (chi_sim) and that text is ingested instead: the fallback issue 21 compares with."""
    pdfs = sorted(folder.glob("*.pdf"))
    with tempfile.TemporaryDirectory() as work:
        inputs = Path(work) / "in"
        inputs.mkdir()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        for pdf in pdfs:  # the PDFs alone: the text folder also holds .docx and .html copies
            if engine == "tesseract":
                (inputs / f"{pdf.stem}.txt").write_text(tesseract_text(pdf, Path(work)), encoding="utf-8")
            else:
                shutil.copy(pdf, inputs / pdf.name)  # a copy: links out of the folder are not followed
        out = Path(work) / "out"
        run = subprocess.run([str(JIXIAO), "ingest", str(inputs), "--out", str(out), "--no-cache", "-j", "2"],
                             capture_output=True, text=True)
        if run.returncode not in (0, 1):  # 1: some file failed, and is scored as missed
            raise SystemExit(f"ocr.py: jixiao ingest failed on {folder}: {run.stderr.strip()}")
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        scores = evaluate(out, folder)
        reports = (out / "reports.csv").read_text(encoding="utf-8").splitlines()
    import csv
    rows = list(csv.DictReader(reports))
    pages = sum(len(pdfium.PdfDocument(str(pdf))) for pdf in pdfs)
    ocr_pages = sum(int(r["ocr_pages"] or 0) for r in rows)
    return {"reports": len(pdfs), "pages": pages, "ocr_pages": ocr_pages, "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1), "pages_per_core_s": round(pages / cpu, 3) if cpu else None,
            "f1": {name: scores["tables"].get(name, {}).get("f1") for name in FIELDS}}


def tesseract_text(pdf: Path, work: Path) -> str:
    """The PDF's pages rendered at 300 dpi and read by Tesseract with its chi_sim model, a form feed
    between pages (a page break in a text file)."""
    document = pdfium.PdfDocument(str(pdf))
    texts = []
    for index in range(len(document)):
        image = work / "page.png"
        document[index].render(scale=300 / 72).to_pil().save(image)
        texts.append(subprocess.run(["tesseract", str(image), "-", "-l", "chi_sim", "--psm", "6"],
                                    capture_output=True, text=True, check=True).stdout)
    return "\f".join(texts)


def tesseract_ready() -> bool:
    if not shutil.which("tesseract"):
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    return "chi_sim" in langs


def table(results: dict[str, dict]) -> str:
    head = "| set | reports | pages | " + " | ".join(f"{f} F1" for f in FIELDS) + " | wall s | pages/s per core |"
    lines = [head, "|" + " --- |" * (len(FIELDS) + 5)]
    for name, r in results.items():
        f1 = " | ".join(f"{r['f1'][f]:.3f}" if r["f1"][f] is not None else "–" for f in FIELDS)
        lines.append(f"| {name} | {r['reports']} | {r['pages']} | {f1} | {r['wall_s']} | {r['pages_per_core_s']} |")
    return "\n".join(lines)


def main() -> int:
    missing = [str(folder) for folder in SETS.values() if not any(folder.glob("*.pdf"))]
    if missing:
        print(f"ocr.py: no PDFs in {', '.join(missing)} (run `make corpus-scanned`)", file=sys.stderr)
        return 2
    results = {}
    for name, folder in SETS.items():
        results[name] = measure(folder)
        print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
    if tesseract_ready():  # the comparison: Debian's tesseract-ocr and tesseract-ocr-chi-sim
        for name, folder in list(SETS.items())[1:]:
            results[f"{name}, Tesseract chi_sim"] = measure(folder, engine="tesseract")
            print(name, "tesseract", json.dumps(results[f"{name}, Tesseract chi_sim"], ensure_ascii=False), flush=True)
    else:
        print("ocr.py: no tesseract with chi_sim: the comparison rows are left out", file=sys.stderr)
    text = table(results)
    print(text)
    write_block(START, END, text, "Scanned reports (`make bench-ocr`, issue 21)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
