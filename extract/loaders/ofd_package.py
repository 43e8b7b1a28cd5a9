"""The parts of an OFD package (GB/T 33190): a zip of XML files that name each other; and the syntax
of the attributes and texts a page's objects are given in (numbers, DeltaX, AbbreviatedData).

OFD.xml names the document's Document.xml (DocBody/DocRoot); that names the default page size, the
resource files (fonts, images, composite graphics), the template pages and the pages' Content.xml in
order. A name is relative to the file that gives it, or to the package root when it starts with "/".
Element names are read without their namespace (files use `ofd:` or none). Only the first document
of a package is read: the standard allows more, producers write one.
"""
from __future__ import annotations

import io
import math
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

# A part larger than this (uncompressed) is refused before it is read: a zip bomb, not a report.
MAX_PART_MB = 200
# No entities, no DTD, nothing fetched: the XML of an unknown file is not trusted.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                          remove_pis=True)
BOLD_NAMES = ("bold", "black", "heavy", "黑体", "simhei")

Box = tuple[float, float, float, float]  # x, y, width, height in millimetres, y down
Point = tuple[float, float]
# Arguments each command of a path's AbbreviatedData takes.
_PATH_ARGS = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}


class OfdError(Exception):
    """The package cannot be read: kind is an error_type (corrupt, encrypted), reason a few words."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass
class Resources:
    bold_fonts: set[str] = field(default_factory=set)  # font IDs
    media: dict[str, str] = field(default_factory=dict)  # MultiMedia ID → part name of its file
    composites: dict[str, etree._Element] = field(default_factory=dict)  # CompositeGraphicUnit by ID


@dataclass
class Document:
    part: str  # Document.xml's name in the package
    box: Box  # the default page area
    pages: list[str]  # each page's content (Content.xml) part name, in order
    templates: dict[str, str]  # TemplatePage ID → its content's part name
    resources: Resources


class Package:
    """The zip's parts, looked up by name (case-insensitively, as Windows producers write them)."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
            raise OfdError("corrupt", "not a zip package") from exc
        self.names = {}
        for info in self.zip.infolist():
            if info.file_size > MAX_PART_MB * 2 ** 20:
                raise OfdError("corrupt", f"{info.filename} is larger than {MAX_PART_MB} MB uncompressed")
            self.names[_normal(info.filename).lower()] = info

    def find(self, name: str) -> str | None:
        info = self.names.get(_normal(name).lower())
        return info.filename if info is not None else None

    def read(self, name: str) -> bytes:
        info = self.names.get(_normal(name).lower())
        if info is None:
            raise OfdError("corrupt", f"missing part {name}")
        if info.flag_bits & 0x1:
            raise OfdError("encrypted", f"{name} is encrypted")
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
            raise OfdError("corrupt", f"damaged part {name}") from exc

    def xml(self, name: str) -> etree._Element:
        """The part's XML, each element's tag its local name."""
        try:
            root = etree.fromstring(self.read(name), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise OfdError("corrupt", f"broken XML in {name}") from exc
        for element in root.iter():
            if isinstance(element.tag, str):
                element.tag = etree.QName(element).localname
        return root


def open_document(package: Package) -> Document:
    ofd = package.xml("OFD.xml")
    if next(ofd.iter("Encryptions"), None) is not None:
        raise OfdError("encrypted", "its documents are encrypted")
    root_name = _text(ofd.find("DocBody/DocRoot"))
    if not root_name:
        raise OfdError("corrupt", "OFD.xml names no document")
    part = resolve("OFD.xml", root_name)
    document = package.xml(part)
    common = document.find("CommonData")
    box = page_box(common.find("PageArea") if common is not None else None) or (0.0, 0.0, 210.0, 297.0)
    resources = Resources()
    templates = {}
    if common is not None:
        for element in common:
            if element.tag in ("PublicRes", "DocumentRes") and _text(element):
                add_resources(package, resolve(part, _text(element)), resources)
            elif element.tag == "TemplatePage" and element.get("BaseLoc"):
                templates[element.get("ID", "")] = resolve(part, element.get("BaseLoc"))
    pages = [resolve(part, page.get("BaseLoc", "")) for page in document.iterfind("Pages/Page")]
    return Document(part, box, pages, templates, resources)


def add_resources(package: Package, part: str, resources: Resources) -> None:
    """A resource file's fonts (which are bold), image files and composite graphics."""
    res = package.xml(part)
    folder = posixpath.dirname(part)
    base = in_folder(folder, res.get("BaseLoc", "").strip())
    for font in res.iter("Font"):
        name = f"{font.get('FontName', '')} {font.get('FamilyName', '')}".lower()
        if font.get("Bold") == "true" or any(word in name for word in BOLD_NAMES):
            resources.bold_fonts.add(font.get("ID", ""))
    for media in res.iter("MultiMedia"):
        file_name = _text(media.find("MediaFile"))
        if file_name:
            # Some producers name the file from the resource file's folder rather than from BaseLoc.
            candidates = [in_folder(base, file_name), in_folder(folder, file_name)]
            resources.media[media.get("ID", "")] = next((c for c in candidates if package.find(c)), candidates[0])
    for unit in res.iter("CompositeGraphicUnit"):
        resources.composites[unit.get("ID", "")] = unit


def page_box(area: etree._Element | None) -> Box | None:
    """An Area's PhysicalBox (x y w h, mm); None when it gives none that can be read."""
    numbers = floats(_text(area.find("PhysicalBox")) if area is not None else "")
    if numbers is None or len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
        return None
    return numbers[0], numbers[1], numbers[2], numbers[3]


def resolve(base_part: str, name: str) -> str:
    """A name given in base_part, as a name in the package."""
    return in_folder(posixpath.dirname(base_part), name)


def in_folder(folder: str, name: str) -> str:
    """A name given relative to a folder of the package (or to its root, starting with "/")."""
    name = name.strip().replace("\\", "/")
    return _normal(name if name.startswith("/") else posixpath.join(folder, name))


def floats(text: str | None) -> list[float] | None:
    """Space-separated numbers; None when one is not a (finite) number."""
    try:
        numbers = [float(token) for token in (text or "").split()]
    except ValueError:
        return None
    return numbers if all(map(math.isfinite, numbers)) else None


def _normal(name: str) -> str:
    return posixpath.normpath(name.replace("\\", "/")).lstrip("/")


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def deltas(text: str | None, limit: int) -> list[float]:
    """A DeltaX (or DeltaY): the advances between successive characters, "g N V" for N times V; at
    most limit of them (a huge N is no bomb). A token that is not a number ends the list."""
    tokens, advances, i = (text or "").split(), [], 0
    try:
        while i < len(tokens) and len(advances) < limit:
            shorthand = tokens[i] == "g"
            count, value = (int(tokens[i + 1]), float(tokens[i + 2])) if shorthand else (1, float(tokens[i]))
            if not math.isfinite(value):
                break
            advances += [value] * max(0, min(count, limit - len(advances)))
            i += 3 if shorthand else 1
    except (ValueError, IndexError):
        pass
    return advances


def straight_segments(data: str) -> list[tuple[Point, Point]]:
    """The straight lines an AbbreviatedData draws (L, and C closing a subpath), in the object's
    coordinates; curves and arcs only move the pen. A command that cannot be read ends the path."""
    tokens, segments, i = data.split(), [], 0
    start = pen = None
    while i < len(tokens):
        command = tokens[i].upper()
        count = _PATH_ARGS.get(command)
        args = floats(" ".join(tokens[i + 1:i + 1 + count])) if count is not None else None
        if args is None or len(args) < count:
            break
        i += 1 + count
        if command in ("S", "M"):
            start = pen = (args[0], args[1])
        elif command == "C":
            if pen is not None and start is not None and pen != start:
                segments.append((pen, start))
            pen = start
        else:
            end = (args[-2], args[-1])
            if command == "L" and pen is not None:
                segments.append((pen, end))
            start, pen = start or pen or end, end
    return segments
