"""Counts of work done: a number (Arabic or Chinese) with a measure word from rules/counts.yaml and
its subject, the phrase it counts. Candidates come from one regex pass over the text; only their
clauses go through jieba, which trims the subject, and those holding a slogan term through spaCy's
EntityRuler, which marks slogans (四个意识) as not counts."""
from __future__ import annotations

import functools

import regex

from .. import rules
from ..glued import glued_weight
from ..model import Count
from ..nlp import in_dictionary, may_hold, nlp, pos_of, words
from ..numbers import number_pattern, parse_number
from ..spans import after_unclosed, clause_start, make_span, next_stop
from . import Context, register
from .text_tables import BARE_FIGURE, in_tables, indicator_cells, indicator_name_at

_NOUNISH = ("n", "vn", "an", "nz", "j", "l", "eng", "b", "a", "ng", "i")
# How far on either side of a count its clause is read (a subject has at most subject_max_chars). A
# clause that runs on with no stop (1人次1人次…, 星期三个星期三个…) was cut into words again for each
# count in it: quadratic in their number.
COUNT_CONTEXT_CHARS = 60
_OPEN_QUOTE, _CLOSE_QUOTE = "“‘「『\"", "”’」』\""


@functools.cache
def _config():
    cfg = rules.load("counts")
    words = sorted(set(cfg["measure_words"]), key=len, reverse=True)
    before = "|".join(map(regex.escape, sorted(cfg["approx_before"], key=len, reverse=True)))
    after = "|".join(map(regex.escape, cfg["approx_after"]))
    multipliers = "|".join(map(regex.escape, cfg["multipliers"]))
    pattern = regex.compile(
        rf"(?:(?P<pre>{before})\s*)?{number_pattern()} *"
        rf"(?:(?P<multiplier>{multipliers})(?P<post>余|多)?|(?P<post>余|多)(?P<multiplier>{multipliers})?)? *"
        rf"(?P<unit>{'|'.join(map(regex.escape, words))})(?P<tail>{after})?")
    not_after = regex.compile(rf"(?:{'|'.join(cfg['not_after'])})\s*$")
    not_before = regex.compile(rf"^(?:{'|'.join(cfg['not_before'])})")
    ambiguous = {unit: regex.compile(rf"^(?:{follow})") for unit, follow in cfg["ambiguous_units"].items()}
    lexicalized = regex.compile("|".join(map(regex.escape, cfg["lexicalized"])))
    return cfg, pattern, not_after, not_before, ambiguous, lexicalized, frozenset(words)


@functools.cache
def _names():
    """A cited document's title (关于 …, …的通知) and a name field's label (项目名称：) before a count."""
    cfg = rules.load("counts")
    endings = "|".join(map(regex.escape, cfg["cited_title_endings"]))
    return (regex.compile(r"关于[^，。；;,！？!?\n]*$"), regex.compile(rf"[^，。；;,！？!?\n]*?(?:{endings})"),
            regex.compile(cfg["name_field"]), cfg["cited_title_lookback"])


def _in_a_name(text: str, num_start: int, end: int) -> bool:
    """Is the count part of a name: inside a cited document's title (关于印发《…》等5个办法的通知),
    or opening a name field's value (项目名称：19名百岁老人高龄津贴)?"""
    about, ending, name_field, lookback = _names()
    line_start = text.rfind("\n", 0, num_start) + 1
    if name_field.search(text, line_start, num_start):
        return True
    # Neither pattern crosses a line break or punctuation: the bounds only keep the looking short.
    return (about.search(text, max(line_start, num_start - lookback), num_start) is not None
            and ending.match(text, end, end + lookback) is not None)


def _inside_slogan(text: str, num_start: int, end: int, max_chars: int) -> bool:
    """A count that opens a short quoted phrase (“两个维护”) is a slogan."""
    if num_start == 0 or text[num_start - 1] not in _OPEN_QUOTE:
        return False
    within = num_start + max_chars + 1  # a closing quote further on does not count: no need to look there
    return any(text.find(q, end, within) >= 0 for q in _CLOSE_QUOTE)


def _candidates(text: str):
    cfg, pattern, not_after, not_before, ambiguous, lexicalized, _ = _config()
    for m in pattern.finditer(text):
        if m.group("num")[0].isdigit() and (width := glued_weight(text, m, pattern)):
            # 保障人数102370人2370人: the weight 10, then 2370人; matched again without the weight's
            # digits before it (the number's pattern starts no figure right after a digit).
            start = m.start("num") + width
            m = pattern.match(text[:m.start("num")] + " " * width + text[start:], start)
        value = parse_number(m.group("num"))
        if value is None or value == 0:
            continue
        num_start, end = m.start("num"), m.end()
        after = text[end:end + 8]
        if not_after.search(text[max(0, num_start - 6):num_start]) or not_before.match(after):
            continue
        unit = m.group("unit")
        if unit in ambiguous and ambiguous[unit].match(text[m.end("unit"):m.end("unit") + 4]):
            continue
        if _inside_slogan(text, num_start, end, cfg["quoted_slogan_max_chars"]):
            continue
        if lexicalized.match(text, num_start):
            continue
        if _in_a_name(text, num_start, end):
            continue
        yield m, value


def _tokens(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) for each jieba word of text, spaces dropped (jieba alone: no spaCy Doc
    needed here)."""
    return [(word, pos_of(word)) for word in words(text) if not word.isspace()]


def _is_chinese_number_token(clause: str, offset: int) -> bool:
    """A Chinese numeral counts only where jieba starts a word there, not inside a word it knows
    (统一 in 统一个); a word jieba only guessed (管网三公里 → 网三) does not hide a numeral."""
    start = 0
    for word in words(clause):
        if start == offset or (start < offset < start + len(word) and not in_dictionary(word)):
            return True
        start += len(word)
    return False


def _noun_phrase(tokens, measure_words, noun_links) -> str:
    """The noun phrase a count is followed by ("个专门委员会" → 专门委员会), skipping 的, 共 and other counts."""
    i, n = 0, len(tokens)
    while i < n:
        word, pos = tokens[i]
        if word.isspace() or word in ("的", "共", "共计", "合计", "约"):
            i += 1
        elif pos == "m":
            i += 1
            if i < n and (tokens[i][0] in measure_words or tokens[i][1] == "q"):
                i += 1
        else:
            break
    phrase: list[str] = []
    while i < n:
        word, pos = tokens[i]
        if word in _OPEN_QUOTE:
            close = next((j for j in range(i + 1, n) if tokens[j][0] in _CLOSE_QUOTE), None)
            if close is None:
                break
            phrase.extend(w for w, _ in tokens[i:close + 1])
            i = close + 1
        elif word == "的" and phrase:
            phrase.append(word)
            i += 1
        elif word in noun_links and phrase and i + 1 < n and tokens[i + 1][1].startswith(_NOUNISH):
            phrase.append(word)  # 工程级投影仪
            i += 1
        elif pos.startswith(_NOUNISH) and not word.isspace():
            phrase.append(word)
            i += 1
        elif pos.startswith("v") and phrase and i == n - 1:
            # A verb closing the clause after a noun is nominal there (重点提案, 调研报告).
            phrase.append(word)
            i += 1
        else:
            # Verbs inside a compound noun (送教下乡活动, 非遗展示活动): run on through content words
            # to the last noun among them.
            run = i
            while run < n and tokens[run][1].startswith(("v", *_NOUNISH)) and not tokens[run][0].isspace():
                run += 1
            last_noun = max((j for j in range(i, run) if tokens[j][1].startswith(_NOUNISH)), default=None)
            if last_noun is None and not phrase and run == n and pos.startswith("v"):
                last_noun = run - 1  # verbs alone closing the clause name the thing (3 件投诉举报)
            if last_noun is not None and pos.startswith("v"):
                phrase.extend(w for w, _ in tokens[i:last_noun + 1])
                i = last_noun + 1
                continue
            break
    while phrase and phrase[-1] == "的":
        phrase.pop()
    return "".join(phrase)


def _left_subject(tokens, cfg) -> str:
    """The verb–object phrase before a count ("全年开展党组会议集中学习" → 开展党组会议集中学习)."""
    words = [(w, p) for w, p in tokens if not w.isspace()]
    scope = [k for k, (w, _) in enumerate(words[:-1]) if w in cfg["subject_scope_words"]]
    if scope:
        words = words[scope[-1] + 1:]
    strip_pos, strip_words = tuple(cfg["subject_strip_pos"]), set(cfg["subject_strip_words"])
    while words and (words[0][0] in strip_words or words[0][1].startswith(strip_pos)):
        words.pop(0)
    while words and (words[-1][0] in strip_words or words[-1][1] in ("d", "p", "c", "uj", "ul", "x")):
        words.pop()
    subject = ""
    for word, _ in reversed(words):
        if len(subject) + len(word) > cfg["subject_max_chars"]:
            break
        subject = word + subject
    return subject


def _leading_words(tokens, max_chars: int) -> str:
    phrase = ""
    for word, _ in tokens:
        if len(phrase) + len(word) > max_chars:
            break
        phrase += word
    return phrase.strip()


def _left_modifier(tokens, cfg) -> str:
    """What stands before a count inside its phrase: a 的-phrase, or nouns (北片 13 条街道) and the verb
    that governs them."""
    words = [(w, p) for w, p in tokens if not w.isspace()]
    if words and words[-1][0] == "的":
        return _left_subject(words, cfg) + "的"
    modifier = []
    while words and words[-1][1].startswith(("n", "j")) and words[-1][1] != "nr":
        modifier.insert(0, words.pop()[0])
    if words and words[-1][1] == "v" and words[-1][0] not in cfg["modifier_skip_verbs"]:
        modifier.insert(0, words.pop()[0])  # the verb governing the counted noun (涉及 9 个乡镇)
    return "".join(modifier)


@register("counts", requires=("text_tables",), table="counts")
def extract_counts(ctx: Context) -> list[Count]:
    cfg, *_, measure_words = _config()
    text = ctx.doc.text
    tables = ctx.results["text_tables"]
    facts = []
    previous_end = 0
    for m, value in _candidates(text):
        num_start, end = m.start("num"), m.end()
        if in_tables(tables, num_start):
            continue  # table cells are targets and indicator values: the indicators table has them
        left_start = clause_start(text, m.start(), floor=max(previous_end, m.start() - COUNT_CONTEXT_CHARS))
        right_end = next_stop(text, end, endpos=end + COUNT_CONTEXT_CHARS)
        clause, offset = text[left_start:right_end], num_start - left_start
        if not m.group("num")[0].isdigit() and not _is_chinese_number_token(clause, offset):
            continue
        if may_hold("SLOGAN", clause) and any(e.start_char < end - left_start and e.end_char > offset
                                              for e in nlp()(clause).ents if e.label_ == "SLOGAN"):
            continue
        left, right = _tokens(after_unclosed(text[left_start:m.start()])), _tokens(text[end:right_end])
        noun = _noun_phrase(right, measure_words, cfg["noun_links"])
        indicator = indicator_name_at(tables, num_start) if not noun else None
        if indicator:
            subject = indicator  # a target or an actual counts what its indicator names
        elif noun:
            modifier = _left_modifier(left, cfg) if left_start != previous_end or previous_end == 0 else ""
            subject = modifier + noun
        else:
            subject = _left_subject(left, cfg)
            if len(subject) < 2:  # "分 3 批次组织了验收": what follows says what was counted
                subject = _leading_words(right, cfg["subject_max_chars"])
        approx = bool(m.group("pre") or m.group("post") or m.group("tail"))
        if m.group("multiplier"):
            value *= cfg["multipliers"][m.group("multiplier")]
        facts.append(Count(subject=subject, value=value, unit=m.group("unit"), approx=approx,
                           span=make_span(ctx, m.start(), end)))
        previous_end = end
    facts.extend(_bare_indicator_counts(ctx, measure_words))
    facts.sort(key=lambda c: c.span.char_start)
    return facts


_NAMED_UNIT = regex.compile(r"[（(][^（()）]*?(?P<unit>[^\s（()）≥≤><=＝≧≦*\d]+)\s*[)）]\s*$")


def _bare_indicator_counts(ctx: Context, measure_words: frozenset[str]) -> list[Count]:
    """An indicator row's bare target or actual is a count when the row names its measure word: in a
    度量单位 column, in the target beside a bare actual (=8个 / 8), or at the end of the indicator's
    name (种母猪(≥头) 20)."""
    facts = []
    for table in ctx.results["text_tables"]:
        for cells in indicator_cells(table):
            name = cells.get("level3")
            if name is None or not name.text:
                continue
            target = cells.get("target")
            unit_cell, named = cells.get("unit"), _NAMED_UNIT.search(name.text)
            target_unit = next((m.group("unit") for m, _ in _candidates(target.text)), None) if target else None
            unit = ((unit_cell.text.strip() if unit_cell else "") or target_unit
                    or (named.group("unit") if named else ""))
            if unit not in measure_words:
                continue
            subject = _NAMED_UNIT.sub("", name.text) or name.text
            for cell in (target, cells.get("actual")):
                m = BARE_FIGURE.fullmatch(cell.text.strip()) if cell is not None and cell.text else None
                if m is None or (value := parse_number(m.group("num"))) is None or value == 0:
                    continue
                start = cell.start + cell.text.index(m.group("num"))
                facts.append(Count(subject=subject, value=value, unit=unit, approx=False,
                                   span=make_span(ctx, start, start + len(m.group("num")))))
    return facts
