"""The one exception type the pipeline raises for bad input; it becomes a row in `errors`."""
from __future__ import annotations


class IngestError(Exception):
    def __init__(self, stage: str, error_type: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.error_type = error_type
        self.message = message


def shown(text: str) -> str:
    """A path or message as it can be written anywhere: the bytes of a file name that are not UTF-8
    (a zip made on Chinese Windows names files in GBK), which Python keeps as lone surrogates, become
    \\xNN escapes."""
    if text.isascii():
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
