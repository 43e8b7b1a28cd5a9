"""pdfium's functions called straight through their addresses, for the loops that call them once
per character, text object or path segment (see pdf, pdf_tables)."""
from __future__ import annotations

import ctypes
from itertools import repeat

import pypdfium2.raw as pdfium_raw


class Handle(ctypes.c_void_p):
    """A pdfium handle. Returned as such by the calls below (ctypes converts a plain c_void_p result
    to int), so it goes straight back into the next call; .value is its address."""


def direct(function, restype=ctypes.c_int):
    """A pdfium function called straight through its address: ctypes then skips checking and
    converting every argument, three times cheaper per call. Callers pass handles as Handle,
    int parameters as Python int, anything wider as its ctypes type, out-parameters by byref."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


def as_handle(pointer) -> Handle:
    return Handle(ctypes.cast(pointer, ctypes.c_void_p).value)


count_page_objects = direct(pdfium_raw.FPDFPage_CountObjects)
page_object = direct(pdfium_raw.FPDFPage_GetObject, Handle)
count_form_objects = direct(pdfium_raw.FPDFFormObj_CountObjects)
form_object = direct(pdfium_raw.FPDFFormObj_GetObject, Handle)
object_type = direct(pdfium_raw.FPDFPageObj_GetType)
object_bounds = direct(pdfium_raw.FPDFPageObj_GetBounds)
object_matrix = direct(pdfium_raw.FPDFPageObj_GetMatrix)
object_text = direct(pdfium_raw.FPDFTextObj_GetText, ctypes.c_ulong)
object_font = direct(pdfium_raw.FPDFTextObj_GetFont, Handle)
font_weight = direct(pdfium_raw.FPDFFont_GetWeight)
font_is_embedded = direct(pdfium_raw.FPDFFont_GetIsEmbedded)
glyph_width = direct(pdfium_raw.FPDFFont_GetGlyphWidth)
font_name = direct(pdfium_raw.FPDFFont_GetBaseFontName, ctypes.c_size_t)
path_segment_count = direct(pdfium_raw.FPDFPath_CountSegments)
path_segment = direct(pdfium_raw.FPDFPath_GetPathSegment, Handle)
segment_point = direct(pdfium_raw.FPDFPathSegment_GetPoint)
segment_type = direct(pdfium_raw.FPDFPathSegment_GetType)
segment_closes = direct(pdfium_raw.FPDFPathSegment_GetClose)
loose_char_box = direct(pdfium_raw.FPDFText_GetLooseCharBox)
char_object = direct(pdfium_raw.FPDFText_GetTextObject, ctypes.c_void_p)
char_unicode = direct(pdfium_raw.FPDFText_GetUnicode, ctypes.c_uint)


def char_text(textpage, handle: Handle) -> str:
    """pdfium's text with one Python character for each character of its text page, so that an index
    into it is pdfium's index for that character's box. get_text_range gives that unless a character
    lies outside the BMP (a rare CJK character of a name: pdfium counts its two UTF-16 halves as two
    characters, Python decodes one) or pdfium leaves one out: then the text is read character by
    character, the halves kept apart until the lines are made (see layout.whole_characters)."""
    text = textpage.get_text_range()
    count = textpage.count_chars()
    if len(text) == count:
        return text
    return "".join(chr(code or 0x20) for code in map(char_unicode, repeat(handle, count), range(count)))
