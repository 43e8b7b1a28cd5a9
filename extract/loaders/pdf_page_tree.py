"""Every page a PDF's page tree holds, whatever count the tree declares.

pdfium takes the page count the root of the page tree declares (/Count) on trust: a tree saying
/Count 1 over six pages reads as one page, the other five lost without a word. So when the file holds
more page dictionaries than pdfium counts (a cheap look at its bytes, object streams included),
pdfminer walks the tree's /Kids; if they reach more pages, the file is given to pdfium again with its
root rewritten by an incremental update appended to the bytes (a flat /Kids of every page the walk
reached, in its order, and their true /Count): pdfium then reads them all, and a warning says so.
Where that cannot be done, a warning says which pages were not read.
"""
from __future__ import annotations

import io
import re
import zlib

import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psparser import PSLiteral, literal_name

from ..errors import IngestError

_PAGE_DICTIONARY = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9#])")
# An object stream's data begins after the first "stream" line that follows its /Type.
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm(?![A-Za-z0-9#]).*?stream\r?\n", re.S)
_START_XREF = re.compile(rb"startxref\s+(\d+)")
_NAME_BYTE_TO_ESCAPE = re.compile(rb"[^!-~]|[#/%()<>\[\]{}]")
# An object stream holds dictionaries only: more than this, decompressed, is no page tree's.
OBJECT_STREAM_BYTES = 16 * 2 ** 20
# Trailer entries the update carries over (the file's identity and its encryption).
KEPT_TRAILER_KEYS = ("Root", "Info", "ID", "Encrypt")


def every_page(path: str, data: bytes, pdf: pdfium.PdfDocument,
               max_pages: int) -> tuple[pdfium.PdfDocument, bytes, list[str]]:
    """The document as pdfium reads it with every page of its page tree, its bytes (updated where
    they had to be), and the warnings that say what was done. The pdf given is closed if replaced,
    or if the tree holds more than max_pages (IngestError too_many_pages)."""
    counted = len(pdf)
    if _page_dictionaries(data) <= counted:
        return pdf, data, []
    try:
        root, leaves, document = _page_tree(data, max_pages)
    except MemoryError:  # the worker's memory cap: the file fails, as it would anywhere
        raise
    except Exception:  # a tree pdfminer cannot walk: pdfium's reading stands
        return pdf, data, []
    if len(leaves) <= counted:
        return pdf, data, []
    if len(leaves) > max_pages:  # refused as a tree declaring them would be
        pdf.close()
        raise IngestError("load", "too_many_pages", f"{path}: its page tree holds more pages than --max-pages "
                          f"{max_pages} (it declares {counted})")
    declared = f"{path}: its page tree declares {counted} pages (/Count) but holds {len(leaves)}"
    updated = _with_flat_tree(data, root, leaves, document)
    reread = _opened(updated) if updated else None
    if reread is None or len(reread) != len(leaves):
        if reread is not None:
            reread.close()
        return pdf, data, [f"{declared}: pages {counted + 1}-{len(leaves)} could not be read"]
    pdf.close()
    return reread, updated, [f"{declared}: all {len(leaves)} read"]


def _page_dictionaries(data: bytes) -> int:
    """How many page dictionaries the bytes show, in the clear or in Flate object streams. Old
    versions of a page that an update replaced count too: a count above pdfium's is only a reason
    to walk the tree."""
    count = len(_PAGE_DICTIONARY.findall(data))
    for match in _OBJECT_STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        try:
            objects = zlib.decompressobj().decompress(data[match.end():end], OBJECT_STREAM_BYTES)
        except zlib.error:  # not Flate, or damaged: pdfium will have said what it could read
            continue
        count += len(_PAGE_DICTIONARY.findall(objects))
    return count


def _page_tree(data: bytes, max_pages: int) -> tuple[PDFObjRef, list[int], PDFDocument]:
    """The reference to the tree's root, the object numbers of the pages its /Kids reach in order
    (a node met twice is passed over; at most max_pages + 1 are looked for), and pdfminer's document."""
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    root = document.catalog["Pages"]
    leaves: list[int] = []
    met: set[int] = set()
    waiting = [root]
    while waiting and len(leaves) <= max_pages:
        reference = waiting.pop()
        if not isinstance(reference, PDFObjRef) or reference.objid in met:
            continue
        met.add(reference.objid)
        node = resolve1(reference)
        if not isinstance(node, dict):
            continue
        if "Kids" in node:
            waiting.extend(reversed(resolve1(node["Kids"]) or []))
        else:
            leaves.append(reference.objid)
    return root, leaves, document


def _with_flat_tree(data: bytes, root: PDFObjRef, leaves: list[int], document: PDFDocument) -> bytes | None:
    """The bytes with an incremental update that rewrites the root of the page tree: its own entries
    (inherited ones such as /MediaBox and /Resources), its /Kids every page in order, its /Count
    their number. The pages keep their /Parent, so what they inherit from nodes between is kept too.
    None where the file gives no cross-reference to append to."""
    previous_xref = _START_XREF.findall(data)
    if not previous_xref:
        return None
    trailer = document.xrefs[0].get_trailer()
    node = dict(resolve1(root))
    node["Kids"] = [PDFObjRef(document, objid) for objid in leaves]
    node["Count"] = len(leaves)
    generation = _generation(document, root.objid)
    body = b"%d %d obj\n%s\nendobj\n" % (root.objid, generation, _syntax(node))
    at = len(data) + 1
    xref_at = at + len(body)
    kept = {key: trailer[key] for key in KEPT_TRAILER_KEYS if key in trailer}
    size = resolve1(trailer.get("Size"))
    size = max(size if isinstance(size, int) else 0, root.objid + 1)
    return b"".join([
        data, b"\n", body,
        b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n" % (root.objid, at, generation),
        b"trailer\n", _syntax({**kept, "Size": size, "Prev": int(previous_xref[-1])}),
        b"\nstartxref\n%d\n%%%%EOF\n" % xref_at])


def _generation(document: PDFDocument, objid: int) -> int:
    """The generation number the file gives the object (0 for one kept in an object stream)."""
    for xref in document.xrefs:
        try:
            stream, _, generation = xref.get_pos(objid)
        except KeyError:
            continue
        return 0 if stream is not None else generation
    return 0


def _syntax(value) -> bytes:
    """A value pdfminer parsed, written back in PDF syntax (strings as hex, references by number)."""
    if isinstance(value, PDFObjRef):
        return b"%d 0 R" % value.objid
    if isinstance(value, PSLiteral):
        return _name(literal_name(value))
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, float):
        return (b"%.6f" % value).rstrip(b"0").rstrip(b".")
    if isinstance(value, bytes):
        return b"<" + value.hex().encode() + b">"
    if isinstance(value, list):
        return b"[" + b" ".join(map(_syntax, value)) + b"]"
    if isinstance(value, dict):
        return b"<<" + b" ".join(_name(key) + b" " + _syntax(item) for key, item in value.items()) + b">>"
    return b"null"


def _name(name: str | bytes) -> bytes:
    raw = name.encode("utf-8") if isinstance(name, str) else name
    return b"/" + _NAME_BYTE_TO_ESCAPE.sub(lambda m: b"#%02X" % m[0][0], raw)


def _opened(data: bytes) -> pdfium.PdfDocument | None:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
