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


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS


# A PDF with more pages than this is refused (`jixiao ingest --max-pages`): thousands of pages are
# not a self-evaluation report, and would hold a worker for minutes.
MAX_PAGES = 2000


def load(path: str) -> LoadedFile:
    suffix = Path(path).suffix.lower()
    if suffix not in LOADERS:
        raise IngestError("load", "unsupported_type", f"{path}: unsupported file type '{suffix}'")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IngestError("load", "unreadable", f"{path}: cannot read file ({exc.strerror})") from exc
    if not data.strip():
        raise IngestError("load", "empty", f"{path}: empty file, nothing to read")
    sha256 = hashlib.sha256(data).hexdigest()
    return LOADERS[suffix](path, data, sha256)



# The loaders register themselves on import.
from . import pdf, text, word  # noqa: E402,F401
from .text import decode_text  # noqa: E402,F401
