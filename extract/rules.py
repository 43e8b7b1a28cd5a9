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


@functools.cache
def grade_levels() -> dict[str, str]:
    """Each grade as written (rules/grades.yaml) → its level on the scale 优 > 良 > 中 > 差."""
    return {grade: level for level, grades in load("grades")["levels"].items() for grade in grades}


def path(name: str) -> Path:
    return RULES_DIR / name
