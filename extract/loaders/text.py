"""Plain text: BOMs, UTF-8, GB18030/GBK and other encodings; a form feed starts a new page."""
from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ..errors import IngestError
from ..model import LoadedFile
from . import loader

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
# Detector names for Chinese encodings; GB18030 is the superset that decodes all of GB2312/GBK.
GB_FAMILY = {"gb2312", "gbk", "x-gbk", "gb18030", "hz"}


def decode_text(path: str, data: bytes, warnings: list[str] | None = None) -> str:
    """Decode a text file: BOMs first, then strict UTF-8, then UTF-8 with a few broken bytes (noted
    in warnings), then the charset detector."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError("load", "decode_error", f"{path}: invalid {encoding} text at byte {exc.start}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        text, broken = mostly_utf8
        if warnings is not None:
            warnings.append(f"{path}: {broken} byte sequence(s) that are not UTF-8 replaced by U+FFFD")
        return text
    if b"\x00" in data:
        raise IngestError("load", "binary", f"{path}: binary content, not a text file")
    best = from_bytes(data).best()
    if best is None:
        raise IngestError("load", "decode_error", f"{path}: unknown text encoding (binary or corrupt file)")
    encoding = "gb18030" if best.encoding in GB_FAMILY else best.encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError("load", "decode_error", f"{path}: undecodable as {encoding}") from exc
    if not _looks_like_text(text):
        raise IngestError("load", "binary", f"{path}: binary content, not a text file (best guess {encoding})")
    return text


# UTF-8 with a few broken bytes (a bad copy, a truncated download) is read with those bytes replaced
# (U+FFFD) when they are at most this share of the file; a file in another encoding has far more.
MAX_BROKEN_UTF8_SHARE = 0.01


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """The text and how many broken sequences were replaced, when the file is UTF-8 but for a few."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if broken <= MAX_BROKEN_UTF8_SHARE * len(text) and _looks_like_text(text):
        return text, broken
    return None


def _looks_like_text(text: str) -> bool:
    """Random bytes decode into a mess of controls and rare symbols; reports are mostly CJK."""
    if not text.strip():
        return True
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    cjk = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
    printable_ascii = sum(1 for c in sample if " " <= c <= "~" or c in "\t\n\r\f")
    return controls / len(sample) < 0.01 and (cjk + printable_ascii) / len(sample) > 0.8


@loader(".txt", ".md", ".text")
def load_text(path: str, data: bytes, sha256: str) -> LoadedFile:
    warnings: list[str] = []
    text = decode_text(path, data, warnings)
    # A form feed is the page break of plain text exports.
    return LoadedFile(path=path, file_type="txt", sha256=sha256, pages=text.split("\f"), warnings=warnings)
