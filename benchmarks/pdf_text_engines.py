"""How fast does our PDF loader read a page, against the engines it is built on?

Every page of the PDFs (default: the corpus, rendered afresh) is also saved as a PDF of its own and
sorted into pages without a table, pages with a ruled table (pdfplumber finds one) and pages without
a table where pdfium loses a glyph (the loader reads it back from the content stream). Each pass is
timed on those one-page files and on the whole files, best of ROUNDS, in ms per page:

    pypdfium2 text        open, get_textpage().get_text_range() on every page, close: the floor
    pdfplumber ...        extract_text, find_tables, extract_tables on every page
    jixiao load           extract.loaders.load(path)
    jixiao pipeline       extract.pipeline.process_file(path), whole files only

A one-page file pays the document's fixed costs (fonts, the PDF's structure) on its one page, so
its ms/page is higher than a page inside a longer file; compare passes within a column.

    .venv/bin/python benchmarks/pdf_text_engines.py [folder of PDFs]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpus"))

from extract.loaders import load  # noqa: E402
from extract.pipeline import process_file  # noqa: E402

ROUNDS = 7
EMPTY_TEXT = 2  # FPDFTextObj_GetText's answer for an object pdfium found no text in


def pypdfium2_text(path: Path) -> None:
    pdf = pdfium.PdfDocument(path)
    for page in pdf:
        page.get_textpage().get_text_range()
    pdf.close()


def _plumber_pass(method: str):
    def run(path: Path) -> None:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                getattr(page, method)()
                page.close()
    return run


def jixiao_load(path: Path) -> None:
    load(str(path))


def jixiao_pipeline(path: Path) -> None:
    process_file(str(path))


PASSES = {
    "pypdfium2 text (floor)": pypdfium2_text,
    "pdfplumber extract_text": _plumber_pass("extract_text"),
    "pdfplumber find_tables": _plumber_pass("find_tables"),
    "pdfplumber extract_tables": _plumber_pass("extract_tables"),
    "jixiao load": jixiao_load,
}


def split_pages(pdfs: list[Path], folder: Path) -> dict[str, list[Path]]:
    """Each page saved as a PDF of its own, sorted by kind."""
    kinds: dict[str, list[Path]] = {"without tables": [], "with tables": [], "lost glyph": []}
    for path in pdfs:
        source = pdfium.PdfDocument(path)
        with pdfplumber.open(path) as plumber:
            for index in range(len(source)):
                single = pdfium.PdfDocument.new()
                single.import_pages(source, [index])
                out = folder / f"{path.stem}_p{index + 1}.pdf"
                single.save(out)
                single.close()
                if plumber.pages[index].find_tables():
                    kind = "with tables"
                elif _loses_glyph(source[index]):
                    kind = "lost glyph"
                else:
                    kind = "without tables"
                kinds[kind].append(out)
                plumber.pages[index].close()
        source.close()
    return kinds


def _loses_glyph(page) -> bool:
    textpage = page.get_textpage()
    return any(pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0) <= EMPTY_TEXT
               for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]))


def best_times(passes: dict, files: list[Path]) -> dict[str, float]:
    """Seconds for each pass over all files, each file's best of ROUNDS. The passes take turns
    in every round, so that a slow spell of the machine hits them alike."""
    best = {(name, path): float("inf") for name in passes for path in files}
    for _ in range(ROUNDS):
        for name, run in passes.items():
            for path in files:
                start = time.perf_counter()
                run(path)
                best[name, path] = min(best[name, path], time.perf_counter() - start)
    return {name: sum(best[name, path] for path in files) for name in passes}


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        if len(sys.argv) > 1:
            pdfs = sorted(Path(sys.argv[1]).glob("*.pdf"))
        else:
            import render
            render.render_all(Path(work) / "corpus")
            pdfs = sorted((Path(work) / "corpus").glob("*.pdf"))
        (Path(work) / "pages").mkdir()
        kinds = split_pages(pdfs, Path(work) / "pages")
        columns = {kind: (files, len(files)) for kind, files in kinds.items() if files}
        columns["whole files"] = (pdfs, sum(len(pdfium.PdfDocument(path)) for path in pdfs))
        results = {}
        for column, (files, _) in columns.items():
            passes = dict(PASSES, **({"jixiao pipeline": jixiao_pipeline} if column == "whole files" else {}))
            results[column] = best_times(passes, files)

    print(f"{len(pdfs)} PDFs; best of {ROUNDS} runs; ms per page")
    print(f"{'pass':28}" + "".join(f"{f'{column} ({pages} p.)':>26}" for column, (_, pages) in columns.items()))
    for name in list(PASSES) + ["jixiao pipeline"]:
        cells = [f"{results[column][name] * 1000 / pages:26.2f}" if name in results[column] else f"{'':26}"
                 for column, (_, pages) in columns.items()]
        print(f"{name:28}" + "".join(cells))
    ratios = [f"{results[column]['jixiao load'] / results[column]['pypdfium2 text (floor)']:25.2f}x"
              for column in columns]
    print(f"{'jixiao load / pypdfium2':28}" + "".join(ratios))


if __name__ == "__main__":
    main()
