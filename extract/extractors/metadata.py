"""Report metadata: title, department, region, year and report type."""
from __future__ import annotations

import functools
from typing import NamedTuple

import regex

from .. import rules
from ..headings import clean_title, match_heading
from ..spans import simplified
from ..model import ReportMeta
from ..nlp import words
from ..regions import find_regions
from . import Context, register

_YEAR = regex.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = regex.compile(r"(二[〇零○Ｏ0][一二三四五六七八九〇零○0]{2})\s*年")
_YEAR_ONLY = regex.compile(r"(?:19|20)\d{2}\s*年(?:度)?")
_NEXT_LABEL = regex.compile(r"(?:金额单位|计量单位|单位|填报日期|日期)$")
_TRAILING_CONTENTS = regex.compile(r"(?<=.{4})目\s*录$")
# A breadcrumb or a field line above a title is no unit's name, even when it ends like one (…>同德镇).
_NOT_A_NAME = regex.compile(r"[>＞:：|]")
# A line that is only a date (a page's 2025-05-30 above the title): furniture.
_DATE_LINE = regex.compile(r"(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
# A page that labels its title (标题：…, 名称：…).
_TITLE_LABEL = regex.compile(r"^(?:标题|名称|文章标题|题目)\s*[：:]\s*")
_FIELD_PREFIX = regex.compile(r"^.*[\]】]\s*(?=[^\]】]*(?:报告|自评表)$)")
# Saved web pages put navigation before the title; it is looked for this far down.
OPENING_PARAGRAPHS = 30
_CN_DIGITS = str.maketrans("〇零○Ｏ0一二三四五六七八九", "00000123456789")


class _Rules(NamedTuple):
    cfg: dict
    field_re: regex.Pattern  # 单位名称：…
    suffixes: tuple[str, ...]  # endings of unit names, longest first
    cell_re: regex.Pattern  # 主管部门 | …, a form's cell or a page's publisher line
    glued_re: regex.Pattern  # 实施单位湖北工程学院…, a form's cells run together


@functools.cache
def _config() -> _Rules:
    cfg = rules.load("metadata")
    fields = "|".join(regex.escape(f) for f in sorted(cfg["department_fields"], key=len, reverse=True))
    field_re = regex.compile(rf"(?P<field>{fields})(?:（盖章）|\(盖章\))?\s*[：:]\s*(?P<name>[^\s，。；：:,]{{2,40}})")
    # The same fields as a form's cells or a page's publisher line: no colon, the label on a boundary.
    cells = "|".join(regex.escape(f) for f in sorted(cfg["department_fields"], key=len, reverse=True)
                     if f not in cfg["colon_only_fields"])
    cell_re = regex.compile(rf"(?<![^\s|•])(?P<field>{cells})(?:（盖章）|\(盖章\))?(?:[ \t]*[|•][\s|•]*|[ \t]*\n[\s|•]*|[ \t]+)"
                            rf"(?P<name>[^\s|，。；：:,]{{2,40}})")
    suffixes = tuple(sorted(cfg["org_suffixes"], key=len, reverse=True))
    # A form whose cells the extraction ran together (主管部门湖北省教育厅项目实施单位湖北工程学院项目类别):
    # the implementing unit's label, then a name that must reach a unit's ending.
    units = "|".join(regex.escape(f) for f in sorted(cfg["implementing_unit_fields"], key=len, reverse=True))
    glued_re = regex.compile(rf"(?P<field>{units})(?P<name>[^\s|，。；：:,]{{2,40}})")
    return _Rules(cfg, field_re, suffixes, cell_re, glued_re)


def _year_in(text: str) -> int | None:
    m = _YEAR.search(text)
    if m:
        return int(m.group(1))
    m = _CN_YEAR.search(text)
    return int(m.group(1).translate(_CN_DIGITS)) if m else None


# A year of the calendar (2020年10月30日) dates a document or an event; it is no fiscal year.
_FISCAL_YEAR = regex.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)(?P<du>度)?")


def _fiscal_year(title: str, opening: str) -> int | None:
    """The year reported on: a 年度 year in the title, else one near the top of the text (a form's own
    title under a web page's: 隆阳区2021年中央…项目补助资金 / 2022年度项目支出绩效自评表), else the
    title's year, else the first year in the text that is not a date."""
    for text in (title, opening[:OPENING_FISCAL_CHARS]):
        m = next((m for m in _FISCAL_YEAR.finditer(text) if m.group("du")), None)
        if m:
            return int(m.group(1))
    for text in (title, opening):
        m = _FISCAL_YEAR.search(text)
        if m:
            return int(m.group(1))
    return _year_in(title) or _year_in(opening)


# A form's own title stands this near the top of a saved page.
OPENING_FISCAL_CHARS = 600


def find_title(ctx: Context) -> tuple[str | None, int]:
    """The title (cleaned) and its offset: the paragraph before the first heading that says 报告."""
    meta_rules = _config()
    cfg, suffixes = meta_rules.cfg, meta_rules.suffixes
    first_heading = ctx.sections[0].char_start if ctx.sections else len(ctx.doc.text)
    opening = [(s, e) for s, e in ctx.doc.paragraphs() if s < first_heading][:OPENING_PARAGRAPHS]
    cover_start = 0
    for i, (start, end) in enumerate(opening):
        # A web page's breadcrumb (首页>通知公告>…) or bracketed field labels can stand before the title.
        cleaned = clean_title(ctx.doc.text[start:end])
        line = _FIELD_PREFIX.sub("", cleaned.rsplit(">", 1)[-1])
        if ">" in cleaned and not _YEAR_ONLY.search(line):
            cover_start = i + 1  # a breadcrumb's last step names the page's category (…>政府信息公开年度报告)
            continue
        line = _TITLE_LABEL.sub("", _cover_line(line)).lstrip("•·▪●◆-–— ").rstrip("| ")  # bullets, empty cells
        if any(word in line for word in cfg["title_furniture"]) or _DATE_LINE.fullmatch(line):
            cover_start = i + 1  # a cover's title lines come after the page's furniture
            continue
        if any(word in line for word in cfg["title_words"]) and len(line) <= 80 and not match_heading(line):
            cover = [clean_title(ctx.doc.text[slice(*span)]) for span in opening[cover_start:i]]
            if ctx.doc.file_type != "html" and _is_cover_title(cover, line):
                return "".join(cover) + line, opening[cover_start][0]
            if len(line) <= BARE_TITLE_CHARS:
                continue  # (绩效)自评报告 alone, not ending a cover's title: a page's field value
            # A title set on two lines puts the unit's name on the line above.
            above = clean_title(ctx.doc.text[slice(*opening[i - 1])]) if i else ""
            if above.endswith(suffixes) and not _NOT_A_NAME.search(above):
                return above + line, opening[i - 1][0]
            return line, start
    return None, 0


# A line this short holds a kind of report (绩效自评报告) but no unit's name: no title on its own.
BARE_TITLE_CHARS = 6

# A printed cover sets a long title over a few short lines (上海市普陀区规划和自然 / 资源局 / 2024年度部门决算).
COVER_LINES = 4
COVER_LINE_CHARS = 24


def _is_cover_title(cover: list[str], line: str) -> bool:
    """Whether the lines from the document's start up to the title's last line are one title broken
    by the cover's layout: a few short lines, no sentence, no heading. (Not for web pages, where
    menus and breadcrumbs stand above the title.)"""
    return (0 < len(cover) < COVER_LINES and len("".join(cover) + line) <= 80
            and all(0 < len(part) <= COVER_LINE_CHARS and not regex.search(r"[。，；：:,]", part)
                    and not match_heading(part) and not _YEAR_ONLY.fullmatch(part) for part in cover))


def _cover_line(line: str) -> str:
    """A cover's title as a PDF gives it: without the 目录 heading of the next page glued to its end, and
    without a field that followed it on the cover (…部门预算预算主管部门：上海市…)."""
    field_re = _config().field_re
    field = field_re.search(line)
    if field and field.start() > 0:
        line = line[: field.start()]
    return _TRAILING_CONTENTS.sub("", line)


def department_from_title(title: str) -> str | None:
    """The unit's name before the year (荔湾区政协办公室2023年度…), or after a leading year up to the
    kind of report (2023年度荔湾区政协办公室部门整体支出…, …局农村饮水项目支出…)."""
    meta_rules = _config()
    cfg, suffixes = meta_rules.cfg, meta_rules.suffixes
    cut = _YEAR.search(title) or _CN_YEAR.search(title)
    head = title[: cut.start()] if cut else title
    head = regex.sub(r"(关于)$", "", head)
    if len(head) >= 3 and head.endswith(suffixes):
        return head
    if not cut or cut.start() > 0:
        # The unit's name, then the fund's (镜湖区残联中央转移支付2023年度…), or no 年 after the year.
        return _unit_at_start(head, cfg["title_unit_endings"], cfg["title_unit_final"])
    rest = regex.sub(r"^度", "", title[cut.end():])
    kinds = [w for terms in cfg["report_types"].values() for w in terms]
    end = min((i for i in (rest.find(w) for w in kinds) if i > 0), default=len(rest))
    head = rest[:end]
    if head.endswith(suffixes):
        return head if len(head) >= 3 else None
    return _unit_at_start(head, cfg["title_unit_endings"], cfg["title_unit_final"])


def _unit_at_start(head: str, endings: list[str], final: list[str]) -> str | None:
    """The words of head up to the first that ends a unit's name, and any unit endings right after
    it (土门中心 + 小学), unless that name's ending is final (审计局, not 审计局 + 政府投资…)."""
    at, found = 0, None
    for word in words(head):
        if found is not None and (word not in endings or head[:found].endswith(tuple(final))):
            break
        at += len(word)
        if word.endswith(tuple(endings)) and at >= 3:
            found = at
    return head[:found] if found else None


def department_from_fields(text: str) -> str | None:
    """The first labelled field (单位名称：…, 主管部门 | …, 发布机构 …) in the text that names a unit;
    a form's implementing unit (实施单位, 单位名称) before its supervising department (主管部门)."""
    cfg, field_re, suffixes, cell_re, glued_re = _config()
    found = sorted([*field_re.finditer(text), *cell_re.finditer(text)],
                   key=lambda m: (m.group("field") not in cfg["implementing_unit_fields"], m.start()))
    for m in found or glued_re.finditer(text):
        # A unit code before the name: 219-…, [155]…
        name = regex.sub(r"^(?:\d+\s*[-—－]\s*|\[\d+\]|【\d+】)", "", m.group("name"))
        if text[m.end():m.end() + 1] in ("：", ":"):  # the next field's label is glued on (…办公厅单位：万元)
            name = _NEXT_LABEL.sub("", name)
        if not name.endswith(suffixes):
            # A page's next field glued on (寿县某局文字大小): the name up to its last unit ending.
            name = _up_to_unit_ending(name, suffixes)
        if name:
            return name
    return None


def _up_to_unit_ending(name: str, suffixes: tuple[str, ...]) -> str | None:
    ends = [m.end() for m in regex.finditer("|".join(map(regex.escape, suffixes)), name)]
    return name[:ends[-1]] if ends and ends[-1] >= 4 else None


@functools.cache
def _project_re():
    cfg = rules.load("metadata")
    fields = "|".join(map(regex.escape, cfg["project_fields"]))
    ends = "|".join(map(regex.escape, sorted(cfg["project_name_ends"], key=len, reverse=True)))
    return regex.compile(rf"(?:{fields})[\s|：:]*(?P<name>[^\t|\n]{{2,80}}?)\s*(?=[\t|\n]|$|{ends})")


def project_from_fields(text: str) -> str | None:
    """The project's name in a 项目名称 field or cell, without a unit code before it."""
    m = _project_re().search(text)
    if not m:
        return None
    name = regex.sub(r"^(?:[0-9A-Z]+\s*[-—－]\s*|\[\d+\]|【\d+】)", "", m.group("name")).strip("：: ")
    return name if len(name) >= 2 and not _project_re().match(name) else None


def department_from_signature(text: str) -> str | None:
    """A report often ends with the unit's name on a line of its own, above the date."""
    suffixes = _config().suffixes
    for line in reversed(text.rstrip().split("\n")[-6:]):
        line = clean_title(line)
        if 3 <= len(line) <= 40 and line.endswith(suffixes) and not regex.search(r"[。，；：]", line):
            return line
    return None


def report_type(title: str | None, opening: str) -> str:
    cfg = _config().cfg
    for place in (simplified(title or ""), simplified(opening)):
        for kind, words in cfg["report_types"].items():
            if any(w in place for w in words):
                return kind
    return "unknown"


@register("metadata")
def extract_metadata(ctx: Context) -> ReportMeta:
    text = ctx.doc.text
    title, _ = find_title(ctx)
    department = (
        (department_from_title(title) if title else None)
        or department_from_fields(text[:3000])
        or department_from_signature(text)
    )
    region = find_regions(department or "", allow_short=True) if department else None
    if not region or not region.province:
        region = find_regions(title or "", allow_short=True)
    if not region.province:
        region = find_regions(text[:2000], allow_short=False)
    kind = report_type(title, text[:600])
    return ReportMeta(
        title=title,
        department=department,
        region_province=region.province,
        region_city=region.city,
        region_district=region.district,
        year=_fiscal_year(title or "", text[:1000]),
        report_type=kind,
        project=(project_from_fields(text[:3000]) or "") if kind == "project" else "",
    )
