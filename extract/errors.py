"""The one exception type the pipeline raises for bad input; it becomes a row in `errors`. Every row's
error_type is a word of ERROR_TYPES (docs/error-types.md says what each means and what to do)."""
from __future__ import annotations

# Every error_type an `errors` row can carry: our own words, never a library's exception name.
ERROR_TYPES = frozenset({
    # collect: the inputs looked over before anything is read
    "skipped",           # under a folder, not a report format (or a README): listed, not read, no failure
    "outside_input",     # a symlink pointing outside the input folders: not followed
    "not_a_file",        # a named pipe, socket or device, or a path that cannot be looked at
    # load: the file as a whole cannot be read (the file fails)
    "unsupported_type",  # a format reports come in that is not read (.caj) or an unknown one
    "converter_missing", # a .doc, .wps, .rtf or .odt file, and LibreOffice (which reads them) is not installed
    "too_large",         # bigger than a report can be (200 MB, text 20 MB): refused unread
    "too_many_pages",    # a PDF with more pages than --max-pages
    "unreadable",        # the file system refused to give the bytes
    "empty",             # no text at all: a blank file, or a web page showing nothing but menus
    "needs_javascript",  # a web page whose text its scripts write in a browser
    "decode_error",      # text in no encoding we can tell, or broken beyond repair
    "binary",            # a .txt or .md file that holds binary data
    "encrypted",         # a password is needed to open it
    "corrupt",           # not a readable file of its type (truncated, damaged, mislabelled)
    "needs_ocr",         # scanned pages left unread (--ocr off), or OCR read nothing: report row kept, status failed
    # load, the file read: something in it was worked around (the report is written, status partial)
    "repaired",          # broken bytes replaced, hidden pages read, a parser failing on a page, a library's log
    "ocr_doubtful",      # a page read by OCR with a low mean confidence: check its figures (status partial)
    # classify
    "not_a_report",      # read, but no budget or performance document: its rows are kept, the file fails
    # extract
    "figure_skipped",    # digits too many for a figure (a code, cells run together): no fact read from them
    # dataset
    "rounded",           # a figure with more digits than its column holds, rounded or left empty
    # ingest: the run's handling of the file
    "duplicate",         # the same bytes as a file read before: one report, not a failure
    "timeout",           # stopped after --timeout seconds
    "out_of_memory",     # needed more memory than --max-memory allows
    "worker_died",       # the worker process reading it died (killed for memory, or a crash in a library)
    "internal_error",    # an unexpected exception: a bug of ours or a library's crash on this file
})


class IngestError(Exception):
    def __init__(self, stage: str, error_type: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.error_type = error_type
        self.message = message


def one_line(text: str, limit: int = 300) -> str:
    """An exception's text as one short line: a library's message may span lines or quote a page."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def shown(text: str) -> str:
    """A path or message as it can be written anywhere: the bytes of a file name that are not UTF-8
    (a zip made on Chinese Windows names files in GBK), which Python keeps as lone surrogates, become
    \\xNN escapes."""
    if text.isascii():
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
