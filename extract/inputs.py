"""The files a run reads: what was named on the command line, and under named folders the files
read or worth listing; what else lies there is listed, not lost from sight.

Only regular files are read: a FIFO would hang the run and a device never ends. Under a folder, a
symlinked file is followed only when it points inside an input folder (a link to /dev/zero or to a
user's private files is not ours to read); symlinked folders are not followed at all (no loops).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import shown
from .loaders import worth_listing
from .loaders.image import IMAGE_SUFFIXES


@dataclass
class Inputs:
    files: list[str] = field(default_factory=list)     # to read, sorted
    refused: list[dict] = field(default_factory=list)  # `errors` rows: files not safe to read (they fail)
    skipped: list[dict] = field(default_factory=list)  # `errors` rows: files under the folders that are not reports


def _row(path: Path, error_type: str, message: str) -> dict:
    return {"source_path": shown(str(path)), "stage": "collect", "error_type": error_type,
            "message": shown(f"{path}: {message}")}


def collect(paths: list[str]) -> Inputs:
    """Files named, and under folders named the files read or worth listing: recursive, hidden names
    left out, sorted. Raises FileNotFoundError for a path that does not exist."""
    folders = [Path(os.path.realpath(p)) for p in paths if Path(p).is_dir()]
    inputs = Inputs()
    named: list[Path] = []
    for given in paths:
        p = Path(given)
        if not os.path.lexists(p):
            raise FileNotFoundError(f"no such path: {given}")
        if not p.is_dir():
            named.append(p)
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                child = Path(root) / name
                if name.startswith("."):
                    continue
                if name.upper().startswith("README"):
                    inputs.skipped.append(_row(child, "skipped", "a README file, not read"))
                elif not worth_listing(child):
                    kind = child.suffix.lower() or "no extension"
                    inputs.skipped.append(_row(child, "skipped", f"not a report format ({kind}), not read"))
                elif (size := _small_image(child)) is not None:
                    inputs.skipped.append(_row(child, "skipped", f"an image of {size[0]}×{size[1]} pixels, too small "
                                               "to be a page of a report (a logo, an icon), not read"))
                elif child.is_symlink() and not _inside(Path(os.path.realpath(child)), folders):
                    inputs.refused.append(_row(child, "outside_input", "a link to a file outside the input "
                                               "folders, not followed"))
                else:
                    named.append(child)
    for path in sorted(dict.fromkeys(named), key=str):
        problem = _not_a_regular_file(path)
        if problem:
            inputs.refused.append(_row(path, "not_a_file", problem))
        else:
            inputs.files.append(str(path))
    return inputs


# An image in a folder whose shorter side is below this (pixels) is no page scan (an A4 page at 50 dpi is
# 413 pixels wide): a saved web page's logos and icons are listed, not read by OCR.
PAGE_MIN_PIXELS = 400


def _small_image(path: Path) -> tuple[int, int] | None:
    """The size of an image too small to be a page; None for any other file (or one Pillow cannot
    open, which the image loader then reports)."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    from PIL import Image
    try:
        with Image.open(path) as image:  # reads the header alone
            width, height = image.size
    except Exception:  # Pillow's errors for a broken file are of many kinds: the loader says which
        return None
    return (width, height) if min(width, height) < PAGE_MIN_PIXELS else None


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)


def _not_a_regular_file(path: Path) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"{kind}, not read"
