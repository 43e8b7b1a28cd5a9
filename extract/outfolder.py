"""The output folder of `jixiao ingest`: which folders it may replace, one run at a time, and the
atomic swap.

A folder is ours only if we made it: each output folder (and each staging folder while a run writes
it) carries MARKER. A non-empty folder without it is never replaced, and at the swap anything the
user put inside an output folder (notes, scripts, charts) is moved into the new one: only the files
we write are replaced.

A partitioned output (`ingest --partition year`) holds a folder per table (`amounts/year=2023/…`);
such a folder is ours only if it carries MARKER too (see is_ours_entry): a user's own `amounts/`
folder is never deleted.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

MARKER = ".jixiao-output"
# Constant content, so that an output folder kept in git (the project's outputs/) stays unchanged.
MARKER_TEXT = json.dumps({"written_by": "jixiao ingest",
                          "note": "jixiao replaces the files it writes here on every run; others are kept"}) + "\n"


class OutputFolderError(Exception):
    """The output folder cannot be used: the message names it and says why."""


def our_names(tables) -> set[str]:
    """What a run writes into the folder; everything else in it belongs to the user. eval.json (from
    `jixiao eval`) is ours too: it scores tables that the run replaces."""
    names = {MARKER, "datapackage.json", "text", "eval.json"}
    for table in tables:
        names.update((f"{table}.csv", f"{table}.parquet"))
    return names


def is_ours_entry(entry: Path, tables) -> bool:
    """An entry of an output folder that a run writes (and so replaces): one of our_names, or a
    table's folder of a partitioned output, which carries our marker."""
    if entry.name in our_names(tables):
        return True
    return (entry.name in tables and entry.is_dir() and not entry.is_symlink()
            and (entry / MARKER).is_file())


def mark(folder: Path) -> None:
    """Say that folder is ours (an output folder, its staging folder, a partitioned table's folder)."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def check_target(out_dir: Path, inputs: list[Path], tables, table_folders: bool = False) -> None:
    """Refuse an output folder that would destroy or re-read what is not ours. table_folders: the run
    writes a folder per table (a partitioned output), so a folder of that name that is not ours is in
    the way."""
    out = Path(os.path.realpath(out_dir))
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out_dir}: exists and is not a folder; --out names a folder of tables")
    if out == Path(out.anchor) or os.path.ismount(out):
        raise OutputFolderError(f"{out_dir}: is {'the root folder' if out == Path(out.anchor) else 'a mount point'}; "
                                "give a folder of its own for the outputs")
    for given in inputs:
        source = Path(os.path.realpath(given))
        if source == out or source.is_relative_to(out):
            raise OutputFolderError(f"{out_dir}: holds the input {given}; the outputs need a folder of their own")
        if source.is_dir() and out.is_relative_to(source):
            raise OutputFolderError(f"{out_dir}: is inside the input folder {given}; the next run would read "
                                    "the outputs as reports")
    if out.is_dir() and not _is_ours(out, tables):
        raise OutputFolderError(f"{out_dir}: holds files jixiao did not write (no {MARKER} marker); "
                                "choose a new or empty folder")
    if table_folders and out.is_dir():
        for table in tables:
            entry = out / table
            if os.path.lexists(entry) and not is_ours_entry(entry, tables):
                raise OutputFolderError(f"{out_dir}: holds {table}/, which jixiao did not write, where the "
                                        f"partitioned table {table} goes; move it or choose another folder")


def _is_ours(folder: Path, tables) -> bool:
    """Empty but for a README (kept across runs, as the user's files are), marked, or written by a
    jixiao from before the marker: nothing in it but our files and a README, and our datapackage.json."""
    names = {entry.name for entry in folder.iterdir()}
    if names <= {"README.md"} or MARKER in names:
        return True
    if "datapackage.json" not in names or not names <= our_names(tables) | {"README.md"}:
        return False
    try:
        return json.loads((folder / "datapackage.json").read_text(encoding="utf-8")).get("name") == "jixiao"
    except (OSError, ValueError, AttributeError):
        return False


class Lock:
    """One run per output folder: an exclusive lock on `.NAME.lock` beside it, released by the
    kernel if the run dies, and removed when the run ends. A POSIX record lock (lockf), not flock:
    forked workers do not inherit it, so it goes the instant the run's own process does."""

    def __init__(self, out_dir: Path):
        self.path = out_dir.parent / f".{out_dir.name}.lock"
        self.fd: int | None = None

    def __enter__(self) -> "Lock":
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # EAGAIN or EACCES: held by another run
                os.close(fd)
                raise OutputFolderError(f"{self.path.parent / self.path.name[1:-5]}: another run is writing "
                                        "this folder; wait for it to end") from None
            # The run before may have removed the file between our open and our lock: lock it anew.
            try:
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    self.fd = fd
                    return self
            except FileNotFoundError:
                pass
            os.close(fd)

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


def make_staging(out_dir: Path) -> Path:
    """A marked folder beside out_dir to write the new outputs into."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    mark(staging)
    return staging


def tidy_after_a_killed_run(out_dir: Path, tables) -> None:
    """Under the lock, so no other run is alive. A killed run leaves its staging folder
    (.NAME.new-*), which goes; one killed between the two renames of the swap leaves the previous
    outputs as .NAME.old-*, which come back if nothing took their place, else give the user's files
    to the folder that did. Folders without our marker are left alone."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        if (leftover / MARKER).is_file():
            shutil.rmtree(leftover, ignore_errors=True)
    for retired in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*"), key=lambda p: p.stat().st_mtime):
        if not _is_ours(retired, tables):
            continue
        if out_dir.exists():
            _retire(retired, out_dir, tables)
        else:
            os.rename(retired, out_dir)


def swap_in(staging: Path, out_dir: Path, tables) -> None:
    """staging becomes out_dir (with the old folder's permissions); the user's files in the old
    folder move into it, and the rest of the old folder goes."""
    if not out_dir.exists():
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, out_dir)
        return
    os.chmod(staging, stat.S_IMODE(out_dir.stat().st_mode))
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(retired)
    os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    _retire(retired, out_dir, tables)


def _retire(retired: Path, out_dir: Path, tables) -> None:
    """The old outputs go; anything else in the old folder moves into the new one."""
    for entry in retired.iterdir():
        if is_ours_entry(entry, tables):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        elif not os.path.lexists(out_dir / entry.name):
            os.rename(entry, out_dir / entry.name)
    try:
        retired.rmdir()
    except OSError:  # something of the user's could not move: it stays where it is
        pass


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
