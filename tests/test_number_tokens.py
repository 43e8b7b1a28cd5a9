"""Issue 18: a token that Decimal cannot take, or too long to be a figure, crashes no number parser
and no extractor and gives no NaN or Infinity; exponent-like tokens are not read as exponents; and
ordinary figures keep their value."""
import time
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.extractors.amounts import MAX_MONEY_DIGITS, find_amounts, in_yuan
from extract.extractors.counts import _config as counts_config
from extract.extractors.text_tables import number_of
from extract.numbers import decimals_of, parse_number
from extract.pipeline import process_file

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DIGITS = "0123456789"
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千万亿点"


def runs_of(alphabet: str, longest: int):
    """Strings of any length up to `longest`, as likely long as short (st.text favours short ones)."""
    return st.integers(1, longest).flatmap(lambda n: st.text(alphabet, min_size=n, max_size=n))


digit_run = runs_of(DIGITS, 60)
many_decimals = st.tuples(digit_run, digit_run).map(".".join)
mixed_separators = st.lists(st.one_of(st.text(DIGITS, min_size=1, max_size=4), st.sampled_from([",", ".", "，", ",,"])),
                            min_size=2, max_size=12).map("".join)
exponent_like = st.one_of(
    st.sampled_from(["1e999", "1E+5", "1E5", "1e-999", "2.5e-3", "9E+999999", "NaN", "nan", "sNaN", "Infinity",
                     "-Infinity", "inf", "1_000"]),
    st.tuples(st.text(DIGITS, min_size=1, max_size=5), st.sampled_from("eE"), st.sampled_from(["", "+", "-"]),
              st.text(DIGITS, min_size=1, max_size=7)).map("".join))
full_width = st.one_of(digit_run, many_decimals, mixed_separators).map(lambda s: s.translate(FULL_WIDTH))
absurd_chinese = st.one_of(st.integers(1, 200).map(lambda n: "九" * n), st.integers(1, 60).map(lambda n: "一" + "亿" * n),
                           runs_of(CHINESE_NUMERALS, 80))
token = st.one_of(digit_run, many_decimals, mixed_separators, exponent_like, full_width, absurd_chinese)
UNITS = ["", "万元", " 万元", "亿元", "元", "%", "人次", "次", "分"]
glued = st.tuples(token, st.sampled_from(UNITS)).map("".join)

# A report-like text holding the token in prose, in a figure table and in an indicator table.
REPORT = ("某局2023年度部门整体支出绩效自评报告\n一、基本情况\n"
          "全年预算数 {t} 万元，执行率为{t}%，开展培训{t}次，自评得分{t}分。\n"
          "单位：万元\n项目\t年初预算数\t全年执行数\t执行率\n合计\t{t}\t{t}\t{t}%\n"
          "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
          "产出指标\t数量指标\t培训次数\t{t}次\t{t}次\t{t}\t{t}\n")


def _process(tmp_path_factory, token: str):
    path = tmp_path_factory.mktemp("tokens") / "report.txt"
    path.write_text(REPORT.format(t=token), encoding="utf-8")
    result = process_file(str(path))
    assert result.error is None or result.error["error_type"] == "not_a_report", result.error
    for rows in result.tables.values():
        for row in rows:
            for value in row.values():
                assert not isinstance(value, Decimal) or value.is_finite(), row
    return result


@FAST
@given(glued)
def test_number_parsers_take_any_token(text):
    for value in (parse_number(text), number_of(text)):
        assert value is None or value.is_finite()
    assert decimals_of(text) >= 0
    for _, _, value in find_amounts(f"全年预算数{text}"):
        assert value.is_finite() and value.adjusted() < MAX_MONEY_DIGITS + 8  # at most 20 digits of 亿元


@FAST
@given(exponent_like, st.sampled_from(UNITS))
def test_exponent_like_tokens_are_no_exponents(text, unit):
    assert parse_number(text) is None
    sentence = f"全年预算数{text}{unit}"
    # A figure may stand before the letter (1 of 1E5 万元 is no amount either: no unit follows it),
    # never after it: the exponent is no figure.
    letter = next((i for i, c in enumerate(sentence) if c.isalpha() and c.isascii()), len(sentence))
    assert all(start < letter for start, _, _ in find_amounts(sentence))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token)
def test_the_pipeline_takes_any_token(tmp_path_factory, text):
    tables = _process(tmp_path_factory, text).tables
    # No money longer than money can be, whatever the token (at most 20 digits of 亿元).
    assert all(a["value_yuan"].adjusted() < MAX_MONEY_DIGITS + 8 for a in tables["amounts"])


ordinary = st.decimals(min_value=0, max_value=10 ** 7, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ordinary, st.sampled_from(["plain", "grouped", "full width"]))
def test_ordinary_figures_keep_their_value(tmp_path_factory, number, form):
    written = {"plain": f"{number}", "grouped": f"{number:,}", "full width": f"{number}".translate(FULL_WIDTH)}[form]
    tables = _process(tmp_path_factory, written).tables
    assert [a["value_yuan"] for a in tables["amounts"]] == [number * 10000] * 3  # prose and two table cells
    assert [r["value_pct"] for r in tables["rates"]] == [number] * 2
    # in prose, and the indicator's target and actual
    assert [c["value"] for c in tables["counts"]] == ([number] * 3 if number else [])
    (indicator,) = tables["indicators"]
    assert indicator["weight"] == indicator["score"] == number
    (report,) = tables["reports"]
    assert report["score"] == (number if number <= 100 else None)  # a score is out of 100


def test_examples_from_the_issue(tmp_path_factory):
    assert [v for _, _, v in find_amounts("全年预算数 238.93 万元")] == [Decimal("2389300.00")]
    assert list(find_amounts("全年预算数 " + "9" * 40 + " 万元")) == []
    # The longest money there is, in 亿元 and with any decimals, is exact; one digit more is no money.
    widest = "1" * MAX_MONEY_DIGITS + "." + "1" * 50
    assert in_yuan(parse_number(widest), "亿元") == Decimal("1" * (MAX_MONEY_DIGITS + 8) + ".11")
    assert in_yuan(parse_number("9" * (MAX_MONEY_DIGITS + 1)), "元") is None
    # Commas out of place are cells the PDF ran together (as in some budget books), not one figure.
    assert parse_number("1,2341,2345,678") is None and number_of("1,2341,2345,678--9,012") is None
    assert parse_number("2,653.04") == Decimal("2653.04") and parse_number("九千九百万") == 99000000
    # Other figures are kept exact however long; the dataset writer leaves those too long for their
    # column empty, with a note.
    assert parse_number("9" * 40) == Decimal("9" * 40)
    tables = _process(tmp_path_factory, "9" * 40).tables
    assert tables["amounts"] == [] and [r["value_pct"] for r in tables["rates"]] == [None, None]
    assert any("left empty" in e["message"] for e in tables["errors"])


def test_long_runs_are_scanned_in_linear_time():
    # Quadratic scanning took minutes on runs this long; linear takes well under a second.
    runs = ["9" * 50_000, "1" + ",234" * 12_500, "九" * 50_000, "一亿" * 10_000, "1." * 25_000]
    _, counts, *_ = counts_config()
    start = time.perf_counter()
    for run in runs:
        for text in (run + " 个", run + "x"):
            list(find_amounts(text))
            list(counts.finditer(text))
    assert time.perf_counter() - start < 10
