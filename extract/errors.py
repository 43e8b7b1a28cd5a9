"""The one exception type the pipeline raises for bad input; it becomes a row in `errors`."""
from __future__ import annotations


class IngestError(Exception):
    def __init__(self, stage: str, error_type: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.error_type = error_type
        self.message = message
