"""Which engine should read PDF text? Times pdfplumber's text pass against pypdfium2's on the
rendered corpus, and the share of a PDF's ingest spent loading it.

    .venv/bin/python benchmarks/pdf_text_engines.py [folder of PDFs]   (default: renders the corpus)
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpus"))

from extract.load import load  # noqa: E402
from extract.pipeline import process_file  # noqa: E402

ROUNDS = 5


def _best(func, *args) -> float:
    """Best of ROUNDS wall-clock timings, in seconds."""
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def plumber_text(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()


def plumber_tables(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.find_tables()


def pdfium_text(path: Path) -> None:
    pdf = pdfium.PdfDocument(path)
    for page in pdf:
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        for i in range(len(text)):
            textpage.get_charbox(i, loose=True)
    pdf.close()


def main() -> None:
    if len(sys.argv) > 1:
        pdfs = sorted(Path(sys.argv[1]).glob("*.pdf"))
    else:
        import render
        folder = Path(tempfile.mkdtemp())
        render.render_all(folder)
        pdfs = sorted(folder.glob("*.pdf"))
    pages = sum(len(pdfium.PdfDocument(p)) for p in pdfs)
    rows = [
        ("pdfplumber extract_text, every page", sum(_best(plumber_text, p) for p in pdfs)),
        ("pdfplumber find_tables, every page", sum(_best(plumber_tables, p) for p in pdfs)),
        ("pypdfium2 text + char boxes, every page", sum(_best(pdfium_text, p) for p in pdfs)),
        ("jixiao load (pypdfium2, pdfplumber on ruled pages)", sum(_best(load, str(p)) for p in pdfs)),
        ("jixiao whole pipeline per file", sum(_best(process_file, str(p)) for p in pdfs)),
    ]
    print(f"{len(pdfs)} PDFs, {pages} pages; best of {ROUNDS} runs")
    print(f"{'pass':55} {'total ms':>9} {'ms/page':>8}")
    for name, seconds in rows:
        print(f"{name:55} {seconds * 1000:9.1f} {seconds * 1000 / pages:8.2f}")
    print(f"median pages per PDF: {statistics.median(len(pdfium.PdfDocument(p)) for p in pdfs)}")


if __name__ == "__main__":
    main()
