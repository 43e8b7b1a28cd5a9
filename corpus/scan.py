"""Our PDF reports made into scans, the way published ones come: printed, stamped, signed and scanned
back to image-only PDF. `make corpus-scanned` (after `make corpus`).

    python corpus/scan.py [--source corpus/generated] [--out build/scanned]

Two sets, each report with its gold beside it (the facts are the text's):
- `clean300/`: every page rendered at 300 dpi, grey, saved as an image-only PDF;
- `noisy200/`: at 200 dpi, turned up to ±1°, speckled, JPEG-compressed at a low quality, with a red
  seal stamped over the last page's closing lines and a signature drawn in black ink below them.

Pages are rendered with pypdfium2 (the system's CJK font stands in for the PDF's unembedded one: the
Makefile installs fonts-wqy-zenhei) and marked with Pillow. Random choices come from one seed per
report, so that the sets are the same on every machine.
"""
from __future__ import annotations

import argparse
import io
import math
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SETS = {"clean300": dict(dpi=300, noisy=False), "noisy200": dict(dpi=200, noisy=True)}
SEAL_RED = (215, 35, 40)
INK = (25, 25, 30)


def cjk_font_file() -> str | None:
    """A font file with Chinese glyphs, as fontconfig finds it; None where there is none."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        listed = ""
    files = sorted(line.split(":")[0].strip() for line in listed.splitlines() if line.strip())
    return files[0] if files else None


def rendered_pages(pdf_path: Path, dpi: int) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    finally:
        pdf.close()


def _ink_rows(page: Image.Image) -> list[int]:
    """The rows of the page's body (above the footer's margin) that hold ink, top to bottom."""
    dark = numpy.asarray(page.convert("L"))[: int(page.size[1] * 0.88)] < 128
    return list(numpy.nonzero(dark.any(axis=1))[0])


def seal(page: Image.Image, name: str, font_file: str, rng: random.Random) -> Image.Image:
    """A round red seal (ring, star, the unit's name round the top) over the page's closing lines,
    printed as ink is: multiplied into the page, so that black text under it stays black."""
    width, height = page.size
    radius = int(width * 0.09)
    rows = _ink_rows(page)
    # Centred on the last lines of text (the date and the unit's name), a little right of centre.
    centre_y = rows[-1] - radius // 2 if rows else height // 2
    centre_x = int(width * rng.uniform(0.62, 0.72))
    layer = Image.new("RGB", page.size, "white")
    draw = ImageDraw.Draw(layer)
    ring = max(3, radius // 14)
    draw.ellipse((centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius),
                 outline=SEAL_RED, width=ring)
    star = [(centre_x + radius * 0.28 * (1 if k % 2 == 0 else 0.4) * math.sin(k * math.pi / 5),
             centre_y - radius * 0.28 * (1 if k % 2 == 0 else 0.4) * math.cos(k * math.pi / 5)) for k in range(10)]
    draw.polygon(star, fill=SEAL_RED)
    font = ImageFont.truetype(font_file, int(radius * 0.26))
    for k, ch in enumerate(name[:12]):
        angle = math.radians(-150 + 300 * k / max(1, min(len(name), 12) - 1))
        x = centre_x + radius * 0.72 * math.sin(angle)
        y = centre_y - radius * 0.72 * math.cos(angle)
        glyph = Image.new("RGBA", (font.size * 2, font.size * 2), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((font.size // 2, font.size // 2), ch, font=font, fill=SEAL_RED)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        layer.paste(glyph, (int(x - font.size), int(y - font.size)), glyph)
    return ImageChops.multiply(page, layer)


def signature(page: Image.Image, rng: random.Random) -> Image.Image:
    """A few joined loops in black ink below the last line of text, as a hand signs."""
    width, height = page.size
    rows = _ink_rows(page)
    top = min(height - height // 12, (rows[-1] if rows else height // 2) + height // 60)
    x, y = int(width * 0.55), top + height // 40
    draw = ImageDraw.Draw(page)
    points = []
    for k in range(60):
        t = k / 59
        points.append((x + t * width * 0.22 + math.sin(t * 19 + rng.random()) * width * 0.012,
                       y + math.cos(t * 13) * height * 0.008 + rng.uniform(-2, 2)))
    draw.line(points, fill=INK, width=max(2, width // 500), joint="curve")
    return page


def roughened(page: Image.Image, rng: random.Random) -> Image.Image:
    """Turned up to a degree either way, speckled and JPEG-compressed, as a cheap scan of a print."""
    angle = rng.uniform(-1.0, 1.0)
    page = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor="white")
    pixels = numpy.asarray(page).astype(numpy.int16)
    noise = numpy.random.default_rng(rng.randrange(2 ** 32)).normal(0, 12, pixels.shape[:2])[..., None]
    page = Image.fromarray(numpy.clip(pixels + noise, 0, 255).astype(numpy.uint8))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=45)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def scan(pdf_path: Path, out_path: Path, dpi: int, noisy: bool, font_file: str, unit: str) -> int:
    """Write the scanned copy of a PDF; its number of pages."""
    rng = random.Random(pdf_path.stem)
    pages = rendered_pages(pdf_path, dpi)
    if noisy:
        pages[-1] = signature(seal(pages[-1], unit, font_file, rng), rng)
        pages = [roughened(page, rng) for page in pages]
    else:
        pages = [page.convert("L") for page in pages]
    pages[0].save(out_path, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return len(pages)


def unit_name(gold_path: Path) -> str:
    import json
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    return (gold.get("report") or {}).get("department") or "绩效评价专用章"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=HERE / "generated")
    parser.add_argument("--out", type=Path, default=HERE.parent / "build" / "scanned")
    args = parser.parse_args(argv)
    sources = sorted(p for p in args.source.glob("*.pdf") if p.with_suffix(".gold.json").exists())
    if not sources:
        print(f"scan.py: no PDF with its gold in {args.source} (run `make corpus` first)", file=sys.stderr)
        return 2
    font_file = cjk_font_file()
    if font_file is None:
        raise SystemExit("scan.py: no Chinese font found (install fonts-wqy-zenhei: `make corpus-scanned` does)")
    for name, settings in SETS.items():
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        pages = 0
        for source in sources:
            gold = source.with_suffix(".gold.json")
            pages += scan(source, folder / source.name, font_file=font_file, unit=unit_name(gold), **settings)
            shutil.copy(gold, folder / gold.name)
        print(f"{folder}: {len(sources)} reports, {pages} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
