"""Extractor registry. An extractor is a function (ctx) → list of facts (or one value), registered
under a name with the names of the extractors whose results it reads. Adding one means adding a
module to this package; nothing else changes.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

from ..model import Document, Section
from ..sections import SectionIndex


@dataclass
class Context:
    """What an extractor sees: the document, its sections, and the results of earlier extractors."""
    doc: Document
    sections: list[Section]
    results: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = SectionIndex(self.sections)


@dataclass(frozen=True)
class Extractor:
    name: str
    func: Callable[[Context], Any]
    requires: tuple[str, ...]
    table: str | None  # the dataset table its facts become rows of, if any


REGISTRY: dict[str, Extractor] = {}


def register(name: str, requires: tuple[str, ...] = (), table: str | None = None):
    def decorate(func: Callable[[Context], Any]) -> Callable[[Context], Any]:
        REGISTRY[name] = Extractor(name, func, requires, table)
        return func
    return decorate


@functools.cache
def ordered() -> tuple[Extractor, ...]:
    """Every registered extractor, each after the ones it requires (name order otherwise)."""
    _import_all()
    done: dict[str, Extractor] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in trail:
            raise RuntimeError(f"extractors require each other in a cycle: {' → '.join(trail + (name,))}")
        extractor = REGISTRY[name]
        for required in extractor.requires:
            visit(required, trail + (name,))
        done[name] = extractor

    for name in sorted(REGISTRY):
        visit(name, ())
    return tuple(done.values())


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
