"""A pathological PDF page: N one-glyph text objects on one baseline, drawn from right to left (each
6 pt left of the one before, the line running far off the page). pdfium gathers a line's objects in
order of x, so each object drawn left of the last was a walk along the whole line so far (see
extract/loaders/pdf_text_order.py). Prints a markdown table of the loader's time per page size.

    .venv/bin/python benchmarks/pathological_pdf.py [N ...]     # default 10000 20000 40000 80000
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpus"))

from extract.loaders.pdf import load_pdf  # noqa: E402
from raw_pdf import raw_pdf  # noqa: E402  (corpus/raw_pdf.py)

SIZES = (10_000, 20_000, 40_000, 80_000)


def one_line_drawn_backwards(n_objects: int) -> bytes:
    """A one-page PDF (Helvetica, not embedded) whose content stream draws 'a' and 'b' in turn, one
    text object each, from right to left along one baseline."""
    content = b"".join(b"BT /F1 10 Tf %d 700 Td (%s) Tj ET\n" % (20 + (n_objects - i) * 6, b"ab"[i % 2:i % 2 + 1])
                       for i in range(n_objects))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return raw_pdf(objects)


def main(sizes: tuple[int, ...]) -> None:
    print("| text objects | seconds | characters read |")
    print("| ---: | ---: | ---: |")
    for n_objects in sizes:
        data = one_line_drawn_backwards(n_objects)
        started = time.perf_counter()
        loaded = load_pdf("pathological.pdf", data, hashlib.sha256(data).hexdigest())
        seconds = time.perf_counter() - started
        print(f"| {n_objects:,} | {seconds:.2f} | {sum(len(page) for page in loaded.pages):,} |", flush=True)


if __name__ == "__main__":
    main(tuple(map(int, sys.argv[1:])) or SIZES)
