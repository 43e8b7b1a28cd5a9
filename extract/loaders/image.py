"""Images of report pages (.png, .jpg, .tif …): every frame a page, read by OCR (see ocr). A multi-page
TIFF is one report, as a scanner writes it; a single image is a one-page report."""
from __future__ import annotations

import io

import numpy

from ..errors import IngestError, one_line
from ..model import LoadedFile, OcrUse
from . import loader, ocr
from .layout import document_texts

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
# A scan is 150–600 dpi; an image that does not say is taken to be this.
ASSUMED_DPI = 200
# Larger than this (pixels) is no page scan: a decompression bomb is refused before it is decoded.
MAX_PIXELS = 120_000_000


@loader(*IMAGE_SUFFIXES)
def load_image(path: str, data: bytes, sha256: str) -> LoadedFile:
    from PIL import Image, ImageSequence, UnidentifiedImageError
    from . import MAX_PAGES
    if ocr.MODE == "off":
        return LoadedFile(path=path, file_type="image", sha256=sha256, pages=[""], needs_ocr=True)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    pages, heights, used = [], [], OcrUse()
    try:
        with Image.open(io.BytesIO(data)) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= MAX_PAGES:
                    raise IngestError("load", "too_many_pages", f"{path}: more than --max-pages {MAX_PAGES} pages")
                dpi = frame.info.get("dpi", (ASSUMED_DPI, ASSUMED_DPI))[0] or ASSUMED_DPI
                read = ocr.read_image(numpy.asarray(frame.convert("RGB")), 72 / float(dpi))
                pages.append(read.lines)
                heights.append(read.height)
                used.add(index + 1, read.confidence, ocr.LOW_CONFIDENCE)
    except UnidentifiedImageError as exc:  # its text names a BytesIO, not the file
        raise IngestError("load", "corrupt", f"{path}: not a readable image") from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise IngestError("load", "corrupt", f"{path}: not a readable image ({one_line(str(exc))})") from exc
    if not any(pages):
        return LoadedFile(path=path, file_type="image", sha256=sha256, pages=[""] * max(1, len(pages)),
                          needs_ocr=True, ocr=used)
    laid_out = document_texts(pages, heights)
    return LoadedFile(path=path, file_type="image", sha256=sha256, pages=laid_out.pages, wrapped=laid_out.wrapped,
                      ocr=used)
