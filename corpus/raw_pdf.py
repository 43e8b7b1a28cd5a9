"""A PDF written byte by byte from its objects, for the tests and benchmarks that need a file no PDF
library would write (a bomb, a page of 80,000 text objects, a font with a broken CMap)."""
from __future__ import annotations


def raw_pdf(objects: list[bytes]) -> bytes:
    """The file holding objects as 1 0 obj, 2 0 obj …, with its cross-reference table; object 1 is
    the catalog."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
