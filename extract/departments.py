"""One key for one unit, whatever it is called: the long official name, the short one, the name
without its place (rules/departments.yaml says how)."""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import regex

from . import rules
from .nlp import words
from .regions import Region, autonomous_short_name


@dataclass(frozen=True)
class DepartmentKey:
    key: str   # province/city/district/core name
    core: str  # the unit's name without its place: 政协办公室


@functools.cache
def _config():
    cfg = rules.load("departments")
    rewrites = [(regex.compile(pattern), replacement) for pattern, replacement in cfg["rewrites"]]
    aliases = {alias: name for name, names in cfg["aliases"].items() for alias in names}
    return rewrites, aliases, frozenset(cfg["level_words"])


def core_name(name: str, region: Region) -> str:
    """The unit's name with its place and level word taken off, long forms made short."""
    rewrites, aliases, levels = _config()
    name = regex.sub(r"\s+", "", name)
    for pattern, replacement in rewrites:
        name = pattern.sub(replacement, name)
    places = [p for p in (region.province, region.city, region.district) if p]
    places += [_short(p) for p in places if _short(p)]
    places.sort(key=len, reverse=True)  # 石家庄市 before 石家庄
    while True:
        place = next((p for p in places if name.startswith(p) and len(name) > len(p) + 1), None)
        if place is None:
            break
        name = name[len(place):]
    # A level word only as a word of its own: 区 in 区政协办公室, not 市 in 市场监督管理局.
    first_word = words(name)[0] if name else ""
    if first_word in levels and len(name) > len(first_word) + 1:
        name = name[len(first_word):]
    for alias, canonical in aliases.items():
        if name.endswith(alias):
            name = name[: -len(alias)] + canonical
    return name


def department_key(name: str, region: Region) -> DepartmentKey:
    core = core_name(name, region)
    return DepartmentKey("/".join([region.province or "", region.city or "", region.district or "", core]), core)


def _short(place: str) -> str | None:
    """广州 for 广州市, 荔湾 for 荔湾区, 楚雄州 for 楚雄彝族自治州: how a name may carry its place."""
    autonomous = autonomous_short_name(place)
    if autonomous:
        return autonomous
    for suffix in ("市", "区", "县", "省"):
        if place.endswith(suffix) and len(place) - 1 >= 2:
            return place[:-1]
    return None


class Roster:
    """The departments of a run: each key with the names its reports gave it."""

    def __init__(self):
        self._units: dict[str, dict] = {}

    def add(self, report: dict) -> None:
        key = report.get("department_key")
        if not key:
            return
        unit = self._units.setdefault(key, {"names": Counter(), "years": set(), "n": 0, "region": (
            report["region_province"], report["region_city"], report["region_district"])})
        unit["names"][report["department"]] += 1
        unit["n"] += 1
        if report.get("year"):
            unit["years"].add(int(report["year"]))

    def rows(self) -> list[dict]:
        rows = []
        for key, unit in sorted(self._units.items()):
            # The name used most often, the longest (most official) among equals.
            names = sorted(unit["names"], key=lambda n: (-unit["names"][n], -len(n), n))
            province, city, district = unit["region"]
            rows.append({"department_key": key, "name": names[0], "region_province": province,
                         "region_city": city, "region_district": district, "aliases": "; ".join(names[1:]),
                         "n_reports": unit["n"], "years": ",".join(map(str, sorted(unit["years"])))})
        return rows
