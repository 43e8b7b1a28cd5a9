"""One file through every stage: load → normalize → sections → extractors → table rows."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import extractors, genre
from .boxes import FACT_TABLES, add_boxes
from .dataset import fit_numbers
from .departments import department_key
from .errors import ERROR_TYPES, IngestError, one_line, shown
from .loaders import load
from .repeats import without_repeats
from .model import Document, Grade, ReportMeta, Section
from .normalize import normalize
from .numbers import too_long_figures
from .regions import Region
from .sections import build_sections


@dataclass
class ReportResult:
    """The rows one file contributes, or the error that stopped it."""
    source_path: str
    tables: dict[str, list[dict]] = field(default_factory=dict)
    text: str | None = None
    report_id: str | None = None
    error: dict | None = None
    csv: dict[str, str] | None = None  # each table's rows as CSV lines, when a worker rendered them


@dataclass
class BatchItem:
    """One file of a batch: the rows it adds to `errors` (its failure, or that it repeats an earlier
    file), whether it failed, and its result when its tables are kept."""
    errors: list[dict]
    failed: bool
    kept: ReportResult | None


def batch(results: Iterable[ReportResult]) -> Iterator[BatchItem]:
    """Results as a run keeps them: a file with the same bytes as one read before is one report,
    noted in `errors` but not a failure; a failed file keeps what tables it has (a scanned PDF's row)."""
    first_path: dict[str, str] = {}
    for result in results:
        errors = [result.error] if result.error else []
        kept = result if result.tables else None
        if kept and result.report_id in first_path:
            errors.append(error_row(result.source_path, "ingest", "duplicate",
                                 f"{result.source_path}: same content as {first_path[result.report_id]}, skipped"))
            kept = None
        elif kept:
            first_path[result.report_id] = result.source_path
        yield BatchItem(errors, result.error is not None, kept)


def warm_up() -> None:
    """Load what extraction needs (jieba's dictionary and tagger, the spaCy pipeline) now rather than
    on the first report that needs it: before forking workers, so that they share it."""
    from .nlp import nlp, pos_of
    nlp()
    pos_of("预算")


def process_file(path: str) -> ReportResult:
    stage = "load"
    loaded = None
    try:
        loaded = load(path)
        stage = "normalize"
        doc = normalize(loaded)
        stage = "sections"
        sections = build_sections(doc)
        ctx = extractors.Context(doc, sections)
        for extractor in extractors.ordered():
            stage = f"extract:{extractor.name}"
            ctx.results[extractor.name] = extractor.func(ctx)
        stage = "dataset"
        for table in FACT_TABLES:  # a sentence repeated word for word states its facts once
            ctx.results[table] = without_repeats(doc.text, ctx.results[table])
        result = ReportResult(path, _rows(ctx), doc.text, doc.report_id)
        stage = "boxes"
        add_boxes(loaded.placer, doc, result.tables)
        # What had to be repaired is said in `errors` too; the report is written, status partial.
        result.tables["errors"] = [error_row(path, "load", "repaired", warning) for warning in doc.warnings]
        # A figure with more digits than its column holds is rounded (or left empty), and said so.
        result.tables["errors"] += [error_row(path, "dataset", "rounded", f"{path}: {note}")
                                    for note in fit_numbers(result.tables)]
        # A run of digits too long to be a figure (a code, cells run together) gave no fact: said so.
        result.tables["errors"] += [error_row(path, "extract", "figure_skipped", f"{path}: {note}")
                                    for note in too_long_figures(doc.text)]
        if doc.ocr.doubtful_pages:
            result.tables["errors"].append(error_row(path, "load", "ocr_doubtful", _doubtful_message(path, doc)))
        if doc.needs_ocr:
            # The report is listed (status failed, needs_ocr true) and the file counts as failed.
            result.error = error_row(path, "load", "needs_ocr", _needs_ocr_message(path, doc))
        elif result.tables["reports"][0]["status"] == "not_a_report":
            # Likewise a text that is no budget or performance document: its row and tables are kept.
            result.error = error_row(path, "classify", "not_a_report",
                                  f"{path}: no title, year or fact of a budget or performance report; not read as one")
        return result
    except IngestError as exc:
        return ReportResult(path, error=error_row(path, exc.stage, exc.error_type, exc.message))
    except MemoryError:  # the worker's cap (--max-memory) was reached: a decompression bomb, say
        return ReportResult(path, error=error_row(path, stage, "out_of_memory",
                                                  f"{path}: needs more memory than --max-memory allows ({stage})"))
    except Exception as exc:  # a bug or a parser's crash on one file must not stop the batch
        message = _internal_error_message(path, stage, exc)
        return ReportResult(path, error=error_row(path, stage, "internal_error", message))
    finally:
        if loaded is not None and loaded.placer is not None:
            loaded.placer.close()


def _needs_ocr_message(path: str, doc: Document) -> str:
    if doc.ocr.pages:
        return f"{path}: OCR read no text on its {len(doc.ocr.pages)} page(s) (blank, or not a page of text)"
    return f"{path}: no text layer (scanned pages) and OCR is off; read it with --ocr auto"


def _doubtful_message(path: str, doc: Document) -> str:
    from .loaders.ocr import LOW_CONFIDENCE
    pages = ", ".join(map(str, doc.ocr.doubtful_pages))
    return (f"{path}: page(s) {pages} read by OCR with a mean confidence below {LOW_CONFIDENCE:g}: "
            "check their figures against the page")


def _internal_error_message(path: str, stage: str, exc: BaseException) -> str:
    """One line naming the file, the stage and the exception's class (the class alone for an exception
    without text, such as a bare StopIteration)."""
    detail = one_line(str(exc))
    return f"{path}: internal error in {stage}: {type(exc).__name__}{': ' + detail if detail else ''}"


def error_row(path: str, stage: str, error_type: str, message: str) -> dict:
    if error_type not in ERROR_TYPES:  # a word missing from the vocabulary is our bug: said so, not written
        message, error_type = f"{message} (error type {error_type!r} is not in the vocabulary)", "internal_error"
    return {"source_path": shown(path), "stage": stage, "error_type": error_type, "message": shown(message)}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _fact_row(fact) -> dict:
    """A fact's fields as a row, a nested dataclass (its Span) spread into the row. Shallow copies:
    dataclasses.asdict deep-copies every value, which cost more than the extraction of some facts."""
    row = {}
    for name in _field_names(type(fact)):
        value = getattr(fact, name)
        if hasattr(value, "__dataclass_fields__"):
            row.update((inner, getattr(value, inner)) for inner in _field_names(type(value)))
        else:
            row[name] = value
    return row


def _rows(ctx: extractors.Context) -> dict[str, list[dict]]:
    doc = ctx.doc
    tables: dict[str, list[dict]] = {"sections": [_section_row(doc, s) for s in ctx.sections]}
    for extractor in extractors.ordered():
        if extractor.table is None:
            continue
        rows = tables.setdefault(extractor.table, [])
        for fact in ctx.results[extractor.name]:
            row = {"report_id": doc.report_id, **_fact_row(fact)}
            if extractor.table in FACT_TABLES:
                row["fact_id"] = f"{doc.report_id}-{extractor.table[0].upper()}{len(rows) + 1:04d}"
            rows.append(row)
    tables["reports"] = [_report_row(ctx, tables.get("checks", []))]
    return tables


def _section_row(doc: Document, s: Section) -> dict:
    return {"report_id": doc.report_id, "section_id": s.section_id, "parent_id": s.parent_id,
            "level": s.level, "number": s.number, "title": s.title, "path": s.path, "page": s.page,
            "char_start": s.char_start, "char_end": s.char_end}


def _report_row(ctx: extractors.Context, checks: list[dict]) -> dict:
    doc = ctx.doc
    meta: ReportMeta = ctx.results.get("metadata") or ReportMeta()
    grade: Grade = ctx.results.get("grade") or Grade()
    if doc.needs_ocr:
        status = "failed"
    elif not genre.of_genre(doc.text):
        status = "not_a_report"
    elif doc.warnings or doc.ocr.doubtful_pages or any(c["status"] == "fail" for c in checks):
        status = "partial"
    else:
        status = "ok"
    return {
        "report_id": doc.report_id, "source_path": shown(doc.source_path), "source_sha256": doc.sha256,
        "file_type": doc.file_type, "n_pages": doc.n_pages, "n_chars": len(doc.text),
        **dataclasses.asdict(meta), "grade": grade.grade, "grade_level": grade.level,
        "score": grade.score,
        # needs_ocr: OCR was used on the file, or would have been (--ocr off).
        "status": status, "needs_ocr": doc.needs_ocr or bool(doc.ocr.pages),
        "ocr_pages": len(doc.ocr.pages), "ocr_confidence": doc.ocr.confidence,
        "department_key": department_key(meta.department, Region(meta.region_province, meta.region_city,
                                                                  meta.region_district)).key
        if meta.department else None,
    }
