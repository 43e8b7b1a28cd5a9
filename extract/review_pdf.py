"""The PDF side of `jixiao review`: is the report's PDF still the file that was read, and its pages
as JPEG images for the report's page (boxes are drawn over them in % of the page, review_pages)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .review_pages import PageImage

IMAGE_WIDTH = 1000  # pixels: sharp at the width of the page pane, 100-250 KB a page of text
IMAGE_MAX_HEIGHT = 4000  # a page far taller than wide is drawn narrower
# JPEG at 70: a page in about 30 ms (pdfium about 16, the encoder 5). A 16-colour PNG is 40 % smaller
# but takes 2.3 times as long, WebP 35 % smaller at ten times the encoding time.
JPEG_QUALITY = 70


def draw_pages(pdf_path: Path, pages: list[int], folder: Path, stem: str, write) -> tuple[list[PageImage], int]:
    """Draw the PDF's pages as displayed (pdfium applies /Rotate, and its page size is the displayed
    one) into folder/<stem>-p<N>.jpg, through write(path, save); an image already there is this
    file's page (stem is the hash of its bytes) and is kept. The images, and how many were drawn."""
    import pypdfium2 as pdfium
    images, rendered = [], 0
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for number in pages:
            if not 1 <= number <= len(pdf):
                continue
            width, height = pdf.get_page_size(number - 1)  # without loading the page
            if not (width > 1 and height > 1):
                continue
            scale = min(IMAGE_WIDTH / width, IMAGE_MAX_HEIGHT / height)
            target = folder / f"{stem}-p{number}.jpg"
            if not target.is_file():
                page = pdf[number - 1]
                try:
                    image = page.render(scale=scale, rev_byteorder=True).to_pil()
                finally:
                    page.close()
                if image.mode != "RGB":
                    image = image.convert("RGB")
                # Not optimize=True: 6 % smaller, but three times the encoding time.
                write(target, lambda f: image.save(f, format="JPEG", quality=JPEG_QUALITY))
                rendered += 1
            images.append(PageImage(number, f"../img/{target.name}", round(width * scale), round(height * scale),
                                    width, height))
    finally:
        pdf.close()
    return images, rendered


def source_pdf(report: dict, out_dir: Path) -> tuple[Path | None, str]:
    """The report's PDF if it is still there unchanged, else why not."""
    raw = report.get("source_path") or ""
    path = Path(raw)
    candidates = [path] if path.is_absolute() else [path, out_dir.parent / path]
    changed = None
    for candidate in candidates:
        if raw and candidate.is_file():
            try:
                with open(candidate, "rb") as f:
                    if hashlib.file_digest(f, "sha256").hexdigest() == report.get("source_sha256"):
                        return candidate, ""
            except OSError as exc:
                return None, f"{raw} cannot be read ({exc.strerror or exc}): text view only, no page images."
            changed = changed or candidate
    if changed:
        return None, f"{raw} has changed since it was read (its SHA-256 differs): text view only, no page images."
    return None, f"{raw or 'The PDF'} is no longer where it was read from: text view only, no page images."
