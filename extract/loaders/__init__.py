"""Loaders: a file's bytes → LoadedFile (text per page). One module per file type registers itself
here; tables are written into the page text as tab-separated rows."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from ..errors import IngestError
from ..model import LoadedFile

Loader = Callable[[str, bytes, str], LoadedFile]
LOADERS: dict[str, Loader] = {}


def loader(*suffixes: str):
    """Register a loader for file name suffixes (lower case, with the dot)."""
    def register(func: Loader) -> Loader:
        for suffix in suffixes:
            LOADERS[suffix] = func
        return func
    return register


# Formats reports are also published in that are not read: a folder's files in these are listed in
# `errors` with what to do about them, rather than passed over without a word (other files are).
UNREAD_FORMATS = {
    ".caj": "CAJ document, not read: export it as PDF",
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS


def worth_listing(path: Path) -> bool:
    """Read, or in a format reports come in that is not read (then listed in `errors`)."""
    return supported(path) or path.suffix.lower() in UNREAD_FORMATS


# How the containers office files come in begin: a zip (.docx, .xlsx, OpenDocument) and an OLE
# compound file (Word and Excel 97–2003, WPS). A file is read by what it is, whatever its name.
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# A PDF with more pages than this is refused (`jixiao ingest --max-pages`): thousands of pages are
# not a self-evaluation report, and would hold a worker for minutes.
MAX_PAGES = 2000
# A file larger than this (MB) is refused before it is read: the longest real reports are a few MB
# of PDF; a bigger file is a scan bundle, a dump or an accident, and would hold a worker's memory.
MAX_FILE_MB = 200
# Plain text is far denser: a 20 MB text file is some thousands of pages.
MAX_TEXT_MB = 20


def size_limit_mb(path: str) -> int:
    """The largest file of this type (MB) that is read."""
    return MAX_TEXT_MB if Path(path).suffix.lower() in (".txt", ".md", ".text") else MAX_FILE_MB


def load(path: str) -> LoadedFile:
    suffix = Path(path).suffix.lower()
    if suffix not in LOADERS:
        reason = UNREAD_FORMATS.get(suffix, f"unsupported file type '{suffix}'")
        raise IngestError("load", "unsupported_type", f"{path}: {reason}")
    try:
        size_mb = Path(path).stat().st_size / 2 ** 20
        limit = size_limit_mb(path)
        if size_mb > limit:
            raise IngestError("load", "too_large", f"{path}: {size_mb:.0f} MB, more than the {limit} MB a report can be")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IngestError("load", "unreadable", f"{path}: cannot read file ({exc.strerror})") from exc
    if not data.strip():
        raise IngestError("load", "empty", f"{path}: empty file, nothing to read")
    sha256 = hashlib.sha256(data).hexdigest()
    return LOADERS[suffix](path, data, sha256)



# The loaders register themselves on import.
from . import html, image, ofd, office, pdf, spreadsheet, text, word  # noqa: E402,F401
from .text import decode_text  # noqa: E402,F401
