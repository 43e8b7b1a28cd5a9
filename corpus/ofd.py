"""Our own small OFD writer (GB/T 33190), to test extract/loaders/ofd.py: not part of the package.

    python corpus/ofd.py IN.pdf OUT.ofd

write_ofd makes an OFD of one of our generated PDFs (corpus/generated/, `make corpus`): each page's
characters (pdfplumber's) as text objects, one for each run of characters on one line in one font
size, placed by TextCode X/Y and DeltaX advances (with the "g N V" shorthand where they repeat); its
lines and rectangles as path objects. Every other page is drawn through a CTM (its objects' own
coordinates scaled and moved), so that a reader's CTM handling is tested. write_image_ofd makes a
scanned OFD: each page one image object.
"""
from __future__ import annotations

import sys
import zipfile
from itertools import groupby
from pathlib import Path

from lxml import etree

NS = "http://www.ofdspec.org/2016"
MM_PER_PT = 25.4 / 72
# Every other page's objects are drawn through this CTM: their own coordinates are the boundary's
# made twice as large and moved by (-3, -2) mm.
CTM = (0.5, 0.0, 0.0, 0.5, 1.5, 1.0)
FONT_ID = 1


def _e(parent, name: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{name}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _root(name: str, **attrs) -> etree._Element:
    return etree.Element(f"{{{NS}}}{name}", {k: str(v) for k, v in attrs.items()}, nsmap={"ofd": NS})


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _n(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def _box(x: float, y: float, w: float, h: float) -> str:
    return " ".join(map(_n, (x, y, w, h)))


def deltas_text(advances: list[float]) -> str:
    """Advances as DeltaX: a run of equal ones as "g N V"."""
    parts = []
    for value, run in groupby(_n(a) for a in advances):
        count = len(list(run))
        parts.append(f"g {count} {value}" if count > 1 else value)
    return " ".join(parts)


class _Ids:
    def __init__(self) -> None:
        self.last = FONT_ID

    def __call__(self) -> int:
        self.last += 1
        return self.last


def _inverse(x: float, y: float, ctm: tuple | None) -> tuple[float, float]:
    """Boundary coordinates → the object's own, through a CTM that scales and moves only."""
    if ctm is None:
        return x, y
    a, _, _, d, e, f = ctm
    return (x - e) / a, (y - f) / d


def _text_runs(chars: list[dict]) -> list[list[dict]]:
    """Runs of characters on one baseline in one font size, each going on to the right."""
    runs: list[list[dict]] = []
    for char in chars:
        if not char.get("upright", True):
            continue
        last = runs[-1][-1] if runs else None
        if (last is None or abs(last["matrix"][5] - char["matrix"][5]) > 0.01 or last["size"] != char["size"]
                or char["x0"] < last["x0"]):
            runs.append([char])
        else:
            runs[-1].append(char)
    return runs


def _text_object(layer, run: list[dict], page_height: float, ids: _Ids, ctm: tuple | None) -> None:
    size = run[0]["size"] * MM_PER_PT
    lefts = [c["x0"] * MM_PER_PT for c in run]
    baseline = (page_height - run[0]["matrix"][5]) * MM_PER_PT
    x, y = lefts[0], baseline - size
    width = run[-1]["x1"] * MM_PER_PT - x
    attrs = dict(ID=ids(), Boundary=_box(x, y, width, size * 1.3), Font=FONT_ID)
    scale = 1.0
    if ctm is not None:
        attrs["CTM"] = " ".join(map(_n, ctm))
        scale = ctm[0]
    attrs["Size"] = _n(size / scale)
    obj = _e(layer, "TextObject", **attrs)
    _e(obj, "FillColor", Value="0 0 0")
    code_x, code_y = _inverse(0.0, size, ctm)
    code = _e(obj, "TextCode", "".join(c["text"] for c in run), X=_n(code_x), Y=_n(code_y))
    if len(run) > 1:
        code.set("DeltaX", deltas_text([(b - a) / scale for a, b in zip(lefts, lefts[1:])]))


def _path_object(layer, points: list[tuple[float, float]], closed: bool, stroke: bool, fill: bool, line_width: float,
                 ids: _Ids, ctm: tuple | None) -> None:
    """A path through points (pdfplumber's x, top in points) in a boundary round them."""
    pad = line_width * MM_PER_PT
    xs, ys = [x * MM_PER_PT for x, _ in points], [y * MM_PER_PT for _, y in points]
    x, y = min(xs) - pad, min(ys) - pad
    attrs = dict(ID=ids(), Boundary=_box(x, y, max(xs) - x + pad, max(ys) - y + pad), LineWidth=_n(line_width * MM_PER_PT))
    if ctm is not None:
        attrs["CTM"] = " ".join(map(_n, ctm))
    if not stroke:
        attrs["Stroke"] = "false"
    if fill:
        attrs["Fill"] = "true"
    own = [_inverse(px - x, py - y, ctm) for px, py in zip(xs, ys)]
    commands = [f"M {_n(own[0][0])} {_n(own[0][1])}"] + [f"L {_n(px)} {_n(py)}" for px, py in own[1:]]
    _e(_e(layer, "PathObject", **attrs), "AbbreviatedData", " ".join(commands + (["C"] if closed else [])))


def _page_xml(page, index: int, ids: _Ids) -> bytes:
    root = _root("Page")
    _e(_e(root, "Area"), "PhysicalBox", _box(0, 0, page.width * MM_PER_PT, page.height * MM_PER_PT))
    layer = _e(_e(root, "Content"), "Layer", ID=ids(), Type="Body")
    ctm = CTM if index % 2 else None
    for run in _text_runs(page.chars):
        _text_object(layer, run, page.height, ids, ctm)
    for line in page.lines:
        _path_object(layer, line["pts"], False, True, False, line.get("linewidth") or 0.5, ids, ctm)
    for rect in page.rects:
        corners = [(rect["x0"], rect["top"]), (rect["x1"], rect["top"]), (rect["x1"], rect["bottom"]),
                   (rect["x0"], rect["bottom"])]
        _path_object(layer, corners, True, bool(rect.get("stroke")), bool(rect.get("fill")),
                     rect.get("linewidth") or 0.5, ids, ctm)
    return _xml(root)


def _package(ofd_path: Path, pages: list[bytes], box: tuple[float, float], ids: _Ids,
             media: dict[int, tuple[str, bytes]] | None = None) -> None:
    """OFD.xml, Doc_0/Document.xml, its resources and pages (Content.xml each), zipped."""
    ofd = _root("OFD", Version="1.0", DocType="OFD")
    body = _e(ofd, "DocBody")
    _e(_e(body, "DocInfo"), "DocID", "0" * 32)
    _e(body, "DocRoot", "Doc_0/Document.xml")
    document = _root("Document")
    common = _e(document, "CommonData")
    max_id = _e(common, "MaxUnitID")
    _e(_e(common, "PageArea"), "PhysicalBox", _box(0, 0, *box))
    _e(common, "PublicRes", "PublicRes.xml")
    public = _root("Res", BaseLoc="Res")
    _e(_e(public, "Fonts"), "Font", ID=FONT_ID, FontName="宋体", FamilyName="宋体")
    files = {"OFD.xml": _xml(ofd), "Doc_0/PublicRes.xml": _xml(public)}
    if media:
        _e(common, "DocumentRes", "DocumentRes.xml")
        resources = _root("Res", BaseLoc="Res")
        holder = _e(resources, "MultiMedias")
        for media_id, (name, data) in media.items():
            _e(_e(holder, "MultiMedia", ID=media_id, Type="Image", Format=name.rsplit(".", 1)[-1].upper()),
               "MediaFile", name)
            files[f"Doc_0/Res/{name}"] = data
        files["Doc_0/DocumentRes.xml"] = _xml(resources)
    listed = _e(document, "Pages")
    for k, content in enumerate(pages):
        _e(listed, "Page", ID=ids(), BaseLoc=f"Pages/Page_{k}/Content.xml")
        files[f"Doc_0/Pages/Page_{k}/Content.xml"] = content
    max_id.text = str(ids.last)
    files["Doc_0/Document.xml"] = _xml(document)
    with zipfile.ZipFile(ofd_path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("OFD.xml", "Doc_0/Document.xml"):
            z.writestr(name, files.pop(name))
        for name, data in files.items():
            z.writestr(name, data)


def write_ofd(pdf_path: Path | str, ofd_path: Path | str) -> None:
    import pdfplumber
    ids = _Ids()
    with pdfplumber.open(pdf_path) as pdf:
        pages = [_page_xml(page, index, ids) for index, page in enumerate(pdf.pages)]
        first = pdf.pages[0]
        box = (first.width * MM_PER_PT, first.height * MM_PER_PT)
    _package(Path(ofd_path), pages, box, ids)


def write_image_ofd(png_paths: list[Path | str], ofd_path: Path | str, dpi: float = 200) -> None:
    """A scanned OFD: each image a page of its size at dpi, drawn by one image object."""
    from PIL import Image
    ids, pages, media, box = _Ids(), [], {}, (210.0, 297.0)
    for k, png in enumerate(png_paths):
        with Image.open(png) as picture:
            width, height = (n / dpi * 25.4 for n in picture.size)
        media_id = ids()
        media[media_id] = (f"image_{k}.png", Path(png).read_bytes())
        root = _root("Page")
        _e(_e(root, "Area"), "PhysicalBox", _box(0, 0, width, height))
        layer = _e(_e(root, "Content"), "Layer", ID=ids(), Type="Body")
        _e(layer, "ImageObject", ID=ids(), ResourceID=media_id, Boundary=_box(0, 0, width, height),
           CTM=" ".join(map(_n, (width, 0, 0, height, 0, 0))))
        pages.append(_xml(root))
        box = box if k else (width, height)
    _package(Path(ofd_path), pages, box, ids, media)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[2].strip())
    write_ofd(sys.argv[1], sys.argv[2])
