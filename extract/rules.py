"""Rules live as data in rules/ (YAML and text); this module finds and caches them."""
from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml

RULES_DIR = Path(os.environ.get("JIXIAO_RULES", Path(__file__).resolve().parent.parent / "rules"))


@functools.cache
def load(name: str):
    """The parsed YAML file rules/<name>.yaml."""
    with open(RULES_DIR / f"{name}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def path(name: str) -> Path:
    return RULES_DIR / name
