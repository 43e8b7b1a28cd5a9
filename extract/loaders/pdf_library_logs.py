"""What the PDF libraries log while a file is read, kept as the report's warnings instead of lines on
stderr: pdfminer (under pdfplumber too) and pypdfium2 log through `logging` with no word of the file,
and from a worker their lines would land among the run's own, of no file at all. Here each becomes a
warning naming the file and the page being read.

Only what would have been shown (WARNING and above) is kept; the same message on the same page is
said once, and a file says at most MAX_MESSAGES of them.
"""
from __future__ import annotations

import logging
from collections import Counter

from ..errors import one_line

LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2")
MAX_MESSAGES = 10


class LibraryLogs(logging.Handler):
    """Used as `with LibraryLogs(path) as logs:` around the reading of one file; `logs.page` (0-based,
    None outside pages) is set by the reader as it goes."""

    def __init__(self, path: str):
        super().__init__(logging.WARNING)
        self.path = path
        self.page: int | None = None
        self._said: Counter[tuple[int | None, str, str]] = Counter()
        self._propagated: dict[str, bool] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a library's message whose arguments do not fit it: said as it is
            message = str(record.msg)
        self._said[self.page, record.name.split(".")[0], one_line(message, 200)] += 1

    def __enter__(self) -> LibraryLogs:
        for name in LIBRARIES:
            logger = logging.getLogger(name)
            logger.addHandler(self)
            # Not also to the root logger's handlers (or Python's last resort, which writes to stderr).
            self._propagated[name], logger.propagate = logger.propagate, False
        return self

    def __exit__(self, *exc_info) -> None:
        for name, propagated in self._propagated.items():
            logger = logging.getLogger(name)
            logger.removeHandler(self)
            logger.propagate = propagated

    def warnings(self) -> list[str]:
        """One warning a message, in the order first said."""
        said = [f"{self.path}: {'' if page is None else f'page {page + 1}: '}{library} said: {message}"
                + (f" ({times} times)" if times > 1 else "")
                for (page, library, message), times in self._said.items()]
        if len(said) > MAX_MESSAGES:
            said[MAX_MESSAGES:] = [f"{self.path}: and {len(said) - MAX_MESSAGES} more messages of the PDF libraries"]
        return said
