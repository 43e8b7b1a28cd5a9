"""Property-based tests (hypothesis): the normalizer, the sectioner, the extractors and the number
parsers on arbitrary text never raise, offsets always map back, and money is always the Decimal of the
number times its unit."""
from decimal import Decimal

import cn2an
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from extract import extractors
from extract.model import LoadedFile
from extract.normalize import TRANSLATION, normalize
from extract.numbers import parse_number
from extract.sections import build_sections

EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of the genre, so that generated text reaches headings, tables, money and counts, mixed
# with anything at all.
PIECES = ["一、", "（一）", "(二)", "1.", "2、", "（3）", "第一部分", "任务一：", "预期目标：", "完成情况：", "基本情况",
          "全年预算数", "执行数", "万元", "元", "亿元", "萬元", "%", "％", "个百分点", "次", "人次", "余", "约", "近",
          "其中", "基本支出", "项目支出", "。", "，", "；", "：", "、", "“", "”", "（", "）", "**", "\t", "\n", "\n\n",
          "\f", " ", "\u3000", "２", "０", "．", "3", "12.5", "1,234.56", "二十一", "两", "〔2023〕12号", "存在的问题",
          "改进措施", "一是", "自评得分", "分", "优秀", "单位：万元", "年初预算数\t全年预算数\t全年执行数", "- 3 -", "\r\n",
          "# ", "## ", "| 年初预算数 | 全年执行数 |", "|---|:---:|", "| 合计 | 1,234.56 | ", "|", " | "]
noise = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=12).map("".join)
numbers = st.one_of(st.decimals(0, 10 ** 7, places=2, allow_nan=False, allow_infinity=False).map(str),
                    st.integers(0, 10 ** 6).map(lambda n: f"{n:,}"), st.sampled_from(["二十一", "三百", "两", "１２．５"]))
heading = st.tuples(st.sampled_from(["一、", "（二）", "3.", "第一部分", "(四)"]), noise).map("".join)
money = st.tuples(noise, st.sampled_from(["全年预算数", "执行数", "基本支出", "其中"]), st.sampled_from(["", "为", "：", " "]),
                  numbers, st.sampled_from(["万元", " 元", "亿元", "%", "次", "人次", "余项"]), noise).map("".join)
# A table flattened to one cell per line, which the normalizer puts back into tab-separated rows.
flat_header = st.lists(st.sampled_from(["年初预算", "调整后预算数", "全年执行数", "执行率", "权重", "得分", "原因"]),
                       min_size=2, max_size=6)
flat_row = st.tuples(st.sampled_from(["总额", "其中：财政资金", "上年结转", "合计"]),
                     st.lists(st.one_of(numbers, st.sampled_from(["/", "97.5%", "—"])), min_size=1, max_size=7))
flat_table = st.tuples(st.sampled_from(["年度预算数（万元）\n", "", "单位：万元\n"]), flat_header,
                       st.lists(flat_row, max_size=4)).map(
    lambda t: t[0] + "\n".join(t[1] + [cell for label, cells in t[2] for cell in [label, *cells]]))
lines = st.lists(st.one_of(heading, money, noise, flat_table), max_size=14)
genre_text = st.tuples(lines, st.sampled_from(["\n", "\n\n", "\r\n", "\f"])).map(lambda t: t[1].join(t[0]))


def _run(text: str):
    pages = text.split("\f")
    doc = normalize(LoadedFile(path="p.txt", file_type="txt", sha256="0" * 64, pages=pages))
    sections = build_sections(doc)
    ctx = extractors.Context(doc, sections)
    for extractor in extractors.ordered():
        ctx.results[extractor.name] = extractor.func(ctx)
    return "\f".join(pages), doc, sections, ctx


@EXAMPLES
@given(genre_text)
def test_every_normalized_character_maps_back_to_its_source_character(text):
    source, doc, _, _ = _run(text)
    for i, char in enumerate(doc.text):
        j = doc.offset_map.to_source(i)
        assert 0 <= j < len(source)
        original = source[j].translate(TRANSLATION)
        # One for one, or a line end (or the tab between the cells of a flattened table's row)
        # standing for the source's line or page break, or a tab for a markdown table's |.
        assert (char == original or (char in "\n\t" and source[j] in "\n\r\f")
                or (char == "\t" and source[j] == "|")), (i, char, source[j])
        event("a flattened table rebuilt" if char == "\t" and source[j] in "\n\r\f" else "no table rebuilt")


@EXAMPLES
@given(genre_text)
def test_sections_and_facts_point_at_their_own_text(text):
    _, doc, sections, ctx = _run(text)
    event(f"sections: {bool(sections)}, facts: {any(ctx.results[t] for t in ('amounts', 'rates', 'counts'))}")
    for section in sections:
        assert 0 <= section.char_start <= section.char_end <= len(doc.text)
    for table in ("amounts", "rates", "counts"):
        for fact in ctx.results[table]:
            span = fact.span
            assert doc.text[span.char_start:span.char_end] == span.raw
            assert span.raw in span.evidence and 1 <= span.page <= doc.n_pages


UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "萬元": Decimal(10000),
         "亿元": Decimal(100000000)}


@EXAMPLES
@given(st.decimals(min_value=0, max_value=10 ** 9, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(sorted(UNITS)), st.booleans(), st.booleans(), st.sampled_from(["全年预算数", "年初预算数", "全年执行数"]))
def test_value_yuan_is_the_decimal_of_the_number_times_the_unit(number, unit, grouped, spaced, label):
    written = f"{number:,.2f}" if grouped else f"{number:.2f}"
    _, doc, _, ctx = _run(f"一、基本情况\n{label}为{written}{' ' if spaced else ''}{unit}。\n")
    (amount,) = ctx.results["amounts"]
    assert amount.value_yuan == number * UNITS[unit]
    assert amount.span.raw == f"{written}{' ' if spaced else ''}{unit}"


@EXAMPLES
@given(st.integers(min_value=0, max_value=10 ** 12))
def test_numbers_parse_as_written_with_or_without_separators(n):
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@EXAMPLES
@given(st.integers(min_value=2, max_value=99_999_999))
def test_chinese_numerals_parse_to_their_value(n):
    assert parse_number(cn2an.an2cn(n)) == n
