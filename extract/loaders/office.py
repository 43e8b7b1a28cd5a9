"""Old Word, WPS, RTF and OpenDocument text (.doc, .wps, .rtf, .odt): converted to .docx by LibreOffice
(headless, in the worker reading the file) and read by the Word loader, so they give what a .docx gives.

Government sites also publish other things under these names: a .docx saved as .doc, and a web page
saved as .doc by old content systems. Those are read by their own loaders, without LibreOffice.

Each worker process has its own LibreOffice profile (two instances sharing one would collide), made on
its first conversion (about a second), kept while the worker lives and removed when it ends; one left by
a worker that was killed is removed by the next. LibreOffice runs as a child of the worker and is killed with it
(the worker's time limit stops both) and within the worker's memory limit, which it inherits.
The pages are the document's own page breaks, as for .docx: LibreOffice does not write its layout's
page breaks into the .docx it makes.
"""
from __future__ import annotations

import ctypes
import dataclasses
import os
import shutil
import signal
import subprocess
import tempfile
from multiprocessing.util import Finalize
from pathlib import Path

from ..errors import IngestError
from ..model import LoadedFile
from . import OLE_MAGIC, ZIP_MAGIC, loader
from .html import load_html
from .word import load_docx

CONVERTED_SUFFIXES = (".doc", ".wps", ".rtf", ".odt")
# What to install where LibreOffice is missing (Debian's package without the desktop parts).
INSTALL_HINT = "install LibreOffice (Debian: apt install libreoffice-writer-nogui)"
# A conversion stopped after this long when no worker's time limit stops it first (a run in one process).
CONVERT_SECONDS = 300
# LibreOffice's exit status when it has just made a new profile and asks to be started again.
RESTART_AFTER_PROFILE = 81
PROFILE_PREFIX = "jixiao-libreoffice-"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

# What the files LibreOffice is given start with: Word 97–2003 and WPS (OLE), RTF, OpenDocument (zip).
_CONVERTED_MAGIC = (OLE_MAGIC, b"{\\rtf", ZIP_MAGIC)
_HTML_STARTS = (b"<html", b"<!doctype html", b"<meta", b"<head", b"mime-version:")
_profile: tuple[int, Path] | None = None  # (pid, folder) of this process's profile


@loader(*CONVERTED_SUFFIXES)
def load_office(path: str, data: bytes, sha256: str) -> LoadedFile:
    suffix = Path(path).suffix.lower()
    file_type = suffix[1:]
    if data.startswith(ZIP_MAGIC) and suffix != ".odt":  # a .docx under an old name
        return dataclasses.replace(load_docx(path, data, sha256), file_type=file_type)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:20].lower().startswith(_HTML_STARTS):  # a web page saved as .doc
        return dataclasses.replace(load_html(path, data, sha256), file_type=file_type)
    if not data.startswith(_CONVERTED_MAGIC):
        raise IngestError("load", "corrupt", f"{path}: not a {suffix} document (its bytes are of no such format)")
    converted = convert_to_docx(path, data, suffix)
    return dataclasses.replace(load_docx(path, converted, sha256), file_type=file_type)


def soffice() -> str | None:
    """LibreOffice's program itself (soffice.bin, so that it is our child and dies with us), or its
    launcher where the program is not beside it; None where LibreOffice is not installed."""
    launcher = shutil.which("soffice") or shutil.which("libreoffice")
    if launcher is None:
        return None
    program = Path(os.path.realpath(launcher)).with_name("soffice.bin")
    return str(program) if program.is_file() else launcher


def convert_to_docx(path: str, data: bytes, suffix: str) -> bytes:
    """The document as .docx bytes, converted by LibreOffice in a folder of our own."""
    program = soffice()
    if program is None:
        raise IngestError("load", "converter_missing", f"{path}: {suffix} files are read through LibreOffice, "
                          f"which is not installed: {INSTALL_HINT}, or save the file as .docx or PDF")
    with tempfile.TemporaryDirectory(prefix="jixiao-convert-") as work:
        source = Path(work) / f"document{suffix}"
        source.write_bytes(data)
        command = [program, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                   f"-env:UserInstallation={_profile_folder().as_uri()}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", work, str(source)]
        status = _run(command, path)
        if status == RESTART_AFTER_PROFILE:
            status = _run(command, path)
        result = Path(work) / "document.docx"
        if status != 0 or not result.is_file() or result.stat().st_size == 0:
            raise IngestError("load", "corrupt", f"{path}: LibreOffice could not open it as a {suffix} document "
                              "(damaged, protected by a password, or not of that format)")
        return result.read_bytes()


def _run(command: list[str], path: str) -> int:
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
    except OSError as exc:
        raise IngestError("load", "converter_missing", f"{path}: LibreOffice cannot be started ({exc.strerror}): "
                          f"{INSTALL_HINT}") from exc
    try:
        return process.wait(timeout=CONVERT_SECONDS)
    except subprocess.TimeoutExpired:
        raise IngestError("load", "timeout", f"{path}: LibreOffice took more than {CONVERT_SECONDS} s") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


_prctl = getattr(ctypes.CDLL(None), "prctl", None)


def _die_with_parent() -> None:
    """In LibreOffice's process before it starts: be killed when the worker dies (Linux)."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _profile_folder() -> Path:
    """This process's LibreOffice profile folder; the first call removes those of processes gone."""
    global _profile
    if _profile is None or _profile[0] != os.getpid():  # a forked worker makes its own
        root = Path(tempfile.gettempdir())
        for old in root.glob(f"{PROFILE_PREFIX}*"):
            if not _alive(old.name[len(PROFILE_PREFIX):].split("-")[0]):
                shutil.rmtree(old, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-", dir=root))
        # Removed when the process ends (a worker's end included: multiprocessing runs these there).
        Finalize(None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=0)
        _profile = (os.getpid(), folder)
    return _profile[1]


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return True  # not one of ours: left alone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
