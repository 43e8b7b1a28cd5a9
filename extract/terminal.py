"""Text from a report, or a file's name, as it may be printed to a terminal."""
from __future__ import annotations

import re

from .normalize import BIDI_CONTROLS

# What a terminal obeys rather than shows: ESC opens a colour, a cursor move or an OSC 8 link, C1
# controls do the same in one character, CR and backspace write over what was printed, and bidi
# overrides and isolates reorder the line. Tab and newline are left to the caller.
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def printable(text: str) -> str:
    """text with each control character but tab and newline written as its escape (\\x1b, \\u202e),
    so that a report cannot drive the terminal it is shown in."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
