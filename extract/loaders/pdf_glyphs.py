"""Text pdfium lost, read back from the page's content stream.

pdfium keeps a text object whose glyphs it cannot measure (a lone CJK glyph in a non-embedded CID
font, such as reportlab's STSong-Light, when no installed font has that glyph), but leaves it out of
the text page: its text comes back empty. The character codes are still in the content stream, and
pdfium makes one text object for each text-showing operator that has text, in stream order, so the
n-th such operator holds the n-th text object's codes. They are decoded with the font selected at
that point, through pdfminer's fonts, as pdfplumber would decode them.

A font (its ToUnicode CMap above all: thousands of entries, parsed in Python) is built once for the
document, not on every page that uses it: one resource manager serves all of a document's pages and
keeps each font by its object number, as pdfminer's own interpreter does.
"""
from __future__ import annotations

import re

import regex
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.psparser import LIT, PSLiteral, literal_name
from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

# What must follow an operator: a delimiter, white space or the end of the stream.
_END = rb"(?![^\s()<>\[\]{}/%])"
# The content-stream tokens that matter here, the search passing over everything else (numbers,
# names, other operators): a string, with the operator showing it (Tj, ' or ") if one follows; an
# array shown by TJ; a font selected by Tf; q and Q, which save and restore it. A literal string
# may hold balanced parentheses; strings not shown, comments and an inline image's bytes
# (BI … ID … EI) are passed over whole, so that nothing in them reads as a token.
_TOKEN = regex.compile(rb"""
      (?P<string>\((?:[^()\\]++|\\.|(?&string))*+\)|<[0-9A-Fa-f\s]*+>)(?:\s*+(?P<show>Tj|'|")""" + _END + rb""")?
    | (?P<array>\[(?:\((?:[^()\\]++|\\.|(?&string))*+\)|<[0-9A-Fa-f\s]*+>|[^\]()<])*+\])\s*+TJ""" + _END + rb"""
    | \bBI\b.*?\bID\b.*?\bEI\b
    | %[^\r\n]*
    | /(?P<font>[^\s()<>\[\]{}/%]*+)\s++[-+]?[\d.]++\s++Tf""" + _END + rb"""
    | (?<![^\s()<>\[\]{}%])(?P<state>[qQ])""" + _END, regex.S | regex.X)
# A string in a shown array that holds bytes: one opened but not closed at once (line continuations
# aside), or <…> with a hex digit. (A parenthesis inside a string is in a string that holds bytes.)
_HOLDS_BYTES = regex.compile(rb"\((?!(?:\\(?:\r\n|\r|\n))*\))|<[^>]*?[0-9A-Fa-f]")
# The strings of a shown array.
_STRING = regex.compile(rb"(?P<string>\((?:[^()\\]++|\\.|(?&string))*+\))|<[0-9A-Fa-f\s]*+>", regex.S)
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|\r|\n)|(.))", re.S)
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")
# A string token that holds no bytes: () with nothing but line continuations, or <> without digits.
_NO_BYTES = re.compile(rb"\((?:\\(?:\r\n|\r|\n))*\)|<[^0-9A-Fa-f>]*>")
_UNICODE_CMAP = re.compile(r"Uni\w+-(?:UCS2|UTF16)-[HV]")
_TYPE0 = LIT("Type0")


def document_fonts() -> PDFResourceManager:
    """Where the fonts of one document are kept (by object number) while it is read: made for each
    document, dropped with it, so that a worker reading many files holds no fonts between them."""
    return PDFResourceManager(caching=True)


def undecoded_text(page, object_count: int, wanted: list[int],
                   fonts: PDFResourceManager | None = None) -> dict[int, str] | None:
    """The text of the wanted text objects (by position among the object_count text objects the
    page's own content stream makes) of a pdfminer page, or None when the content stream does not
    line up with pdfium's objects or a code has no Unicode value. fonts: the document's (see
    document_fonts); without it, the fonts are built for this page alone."""
    streams = [resolve1(stream) for stream in page.contents]
    if not all(isinstance(stream, PDFStream) for stream in streams):
        return None
    shows = _text_showing(b"\n".join(stream.get_data() for stream in streams))
    if len(shows) != object_count:
        return None
    if fonts is None:
        fonts = document_fonts()
    font_specs = resolve1(resolve1(page.resources or {}).get("Font")) or {}
    texts = {}
    for index in wanted:
        font_name, shown = shows[index]
        strings = [m[0] for m in _STRING.finditer(shown)] if shown[:1] == b"[" else [shown]
        reference = font_specs.get(font_name)
        spec = resolve1(reference)
        if not isinstance(spec, dict):
            return None
        if _codes_are_unicode(spec):
            texts[index] = "".join(_string(string).decode("utf-16-be", errors="replace") for string in strings)
            continue
        # A font given inline (not by reference) has no object number: it is built where it is used.
        font = fonts.get_font(reference.objid if isinstance(reference, PDFObjRef) else None, spec)
        try:
            texts[index] = "".join(font.to_unichr(cid) for string in strings for cid in font.decode(_string(string)))
        except PDFUnicodeNotDefined:
            return None
    return texts


def _codes_are_unicode(spec: dict) -> bool:
    """A composite font under a predefined Unicode CMap (UniGB-UCS2-H, UniGB-UTF16-H: the kind
    reportlab and many Chinese PDF writers use with fonts they do not embed), with no ToUnicode
    map: its codes are UTF-16BE text. Read so, pdfminer need not build the font (its widths) nor
    load the CMaps (tens of milliseconds, once in each process)."""
    encoding = resolve1(spec.get("Encoding"))
    return (resolve1(spec.get("Subtype")) is _TYPE0 and "ToUnicode" not in spec and isinstance(encoding, PSLiteral)
            and _UNICODE_CMAP.fullmatch(literal_name(encoding)) is not None)


def _text_showing(content: bytes) -> list[tuple[str, bytes]]:
    """(font resource name, what it shows: a string token or an array) of each text-showing
    operator with text, in stream order; operators met before any font is selected are left out,
    as pdfium makes no object for them. Nothing is decoded (most are never needed)."""
    shows = []
    font, saved_fonts = None, []
    for token in _TOKEN.finditer(content):
        kind = token.lastgroup  # show, array, font or state; string for a string not shown
        if kind == "array":
            if font is not None and _HOLDS_BYTES.search(token[kind]):
                shows.append((font, token[kind]))
        elif kind == "show":
            if font is not None and not _NO_BYTES.fullmatch(token["string"]):
                shows.append((font, token["string"]))
        elif kind == "font":
            font = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), token[kind]).decode("latin-1")
        elif kind == "state":
            if token[kind] == b"q":
                saved_fonts.append(font)
            elif saved_fonts:
                font = saved_fonts.pop()
    return shows


def _string(token: bytes) -> bytes:
    """The bytes of a string token: (literal) or <hex>."""
    if token[:1] == b"<":
        digits = _NOT_HEX.sub(b"", token[1:-1])
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    body = token[1:-1]
    if b"\\" not in body:
        return body

    def unescape(m: re.Match) -> bytes:
        octal, line_break, char = m.groups()
        if octal:
            return bytes([int(octal, 8) & 0xFF])
        return b"" if line_break else _ESCAPED.get(char, char)
    return _ESCAPE.sub(unescape, body)
