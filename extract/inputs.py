"""The files a run reads: what was named on the command line, and under named folders the files
read or worth listing."""
from __future__ import annotations

import os
from pathlib import Path

from .loaders import worth_listing


def collect(paths: list[str]) -> list[str]:
    """Files named, and under folders named the files read or worth listing: recursive, hidden names and
    README files skipped, symlinked folders not followed (no loops), sorted."""
    found: list[str] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    if name.startswith(".") or name.upper().startswith("README") or not worth_listing(child):
                        continue
                    found.append(str(child))
        else:
            found.append(str(p))
    return sorted(dict.fromkeys(found))
