"""Issue 20: hostile text. The outputs grow with the input, not with its facts times their sentences;
a run of digits too long to be a figure is passed over and the rest of the report read; and the
control characters a report may hold (bidi overrides, ESC sequences, OSC 8 links) reach neither the
outputs nor the terminal. How long the pathological inputs take: benchmarks/pathological.py."""
import csv
import re
from decimal import Decimal

from extract.cli import main
from extract.model import LoadedFile
from extract.normalize import normalize
from extract.numbers import MAX_FIGURE_DIGITS, parse_number, too_long_figures
from extract.spans import ELLIPSIS, EVIDENCE_MAX_CHARS, evidence
from conftest import SEED, ingest, read_table

FACT_TABLES = ("amounts", "rates", "counts")
HEADER = "某局2023年度项目支出绩效自评报告\n一、项目资金使用情况\n"
# What must not reach an output: C0 and C1 controls but tab and newline, bidi overrides and isolates.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ESC_LINK = "\x1b]8;;https://evil.example/\x1b\\"  # an OSC 8 hyperlink's opening


def _ingest_text(tmp_path, text: str, name: str = "report.txt"):
    """The text as a file through `jixiao ingest`: (output folder, the report's normalized text)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert ingest([path], out) == 0
    (report,) = read_table(out, "reports")
    return out, (out / "text" / f"{report['report_id']}.txt").read_text(encoding="utf-8")


def _facts_point_at_their_text(out, text: str) -> None:
    for table in FACT_TABLES:
        for row in read_table(out, table):
            assert text[int(row["char_start"]):int(row["char_end"])] == row["raw"], row


# --- output bounded ------------------------------------------------------------------------------

def test_a_sentence_listing_two_thousand_amounts_gives_each_and_a_bounded_table(tmp_path):
    items = 2_000
    text = HEADER + "".join(f"第{i}号项目支出{i}.5万元，" for i in range(1, items + 1)) + "。\n"
    out, normalized = _ingest_text(tmp_path, text)
    rows = read_table(out, "amounts")
    assert [Decimal(r["value_yuan"]) for r in rows] == [Decimal(i * 10_000 + 5_000) for i in range(1, items + 1)]
    _facts_point_at_their_text(out, normalized)
    for row in rows:
        shown = row["evidence"]
        assert row["raw"] in shown and len(shown) <= EVIDENCE_MAX_CHARS + 2 * len(ELLIPSIS)
        assert shown.startswith(ELLIPSIS) or shown.endswith(ELLIPSIS)
        assert shown.strip(ELLIPSIS) in normalized
    # The whole sentence in each row made this table 2,000 times the input (141 MB); each fact's own
    # phrase makes it some five times (a row's ids and provenance beside its 35 characters of list).
    input_bytes = (tmp_path / "report.txt").stat().st_size
    assert (out / "amounts.csv").stat().st_size < 6 * input_bytes


def test_a_sentence_shorter_than_the_cap_is_the_evidence_whole_and_a_longer_one_its_phrase_or_a_window():
    sentence = "全年预算数 2673.45 万元，执行数 2653.04 万元，完成预算的 99.2%。"
    text = "上一句。" + sentence + "下一句。"
    start = text.index("99.2%")
    assert evidence(text, start, start + 5) == sentence
    long = "上一句。" + "甲" * 400 + "，执行数 2653.04 万元，" + "乙" * 400 + "。"
    start = long.index("2653.04")
    shown = evidence(long, start, start + len("2653.04 万元"))
    assert shown.startswith(ELLIPSIS) and shown.endswith(ELLIPSIS)
    assert shown == "…执行数 2653.04 万元…"  # the fact's own phrase of a sentence past the cap
    unbroken = "上一句。" + "甲" * 400 + "执行数 2653.04 万元" + "乙" * 400 + "。"
    start = unbroken.index("2653.04")
    shown = evidence(unbroken, start, start + len("2653.04 万元"))
    assert len(shown) == EVIDENCE_MAX_CHARS + 2 * len(ELLIPSIS) and "执行数 2653.04 万元" in shown


# --- figures too long to be figures --------------------------------------------------------------

def test_absurd_figures_are_passed_over_and_the_rest_of_the_report_read(tmp_path):
    seed = SEED.read_text(encoding="utf-8")
    absurd = (f"另有项目支出100000000000000000000000 万元，编号{'9' * 5_000}的项目共{'8' * 5_000}个，"
              f"完成{'7' * 5_000}%。\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "absurd").mkdir()
    plain_out, _ = _ingest_text(tmp_path / "plain", seed)
    absurd_out, normalized = _ingest_text(tmp_path / "absurd", seed + "\n" + absurd)
    for table in FACT_TABLES:
        assert _raw_and_value(absurd_out, table) == _raw_and_value(plain_out, table)
    (report,) = read_table(absurd_out, "reports")
    assert report["status"] == "ok"
    errors = read_table(absurd_out, "errors")
    assert all(len(e["message"]) < 1_000 for e in errors)
    # the runs of digits, each said once in `errors` (24 digits of 万元 is a figure, only too much to be money)
    assert [w.split(" at ")[0] for w in too_long_figures(normalized)] == ["a figure of 5000 characters"] * 3
    assert [(e["stage"], e["error_type"]) for e in errors] == [("extract", "figure_skipped")] * 3


def _raw_and_value(out, table: str) -> list[tuple[str, str]]:
    value = {"amounts": "value_yuan", "rates": "value_pct", "counts": "value"}[table]
    return [(row["raw"], row[value]) for row in read_table(out, table)]


def test_the_longest_figure_is_read_and_one_digit_more_is_not():
    longest = "9" * MAX_FIGURE_DIGITS + "." + "9" * MAX_FIGURE_DIGITS
    assert parse_number(longest) == Decimal(longest) and too_long_figures(f"共{longest}个") == []
    for longer in ("9" + longest, longest + "9"):
        assert parse_number(longer) is None and len(too_long_figures(f"共{longer}个")) == 1


# --- control characters --------------------------------------------------------------------------

HOSTILE = (HEADER
           + f"{ESC_LINK}全年预算数 26\u202e73.45 万元\x1b]8;;\x1b\\，执行数\x00 2653.04 万元\x1b[2J，"
             "完成预算的 \u206699.2\u2069%。\n"
           + "共开展培训\x9b31m 12 次\u200f，覆盖\x85 300 人次\x07\x08。\r\n"
           + "\u202a说明\u202c：资金\u061c按时\u200e拨付\x7f。\n")


def test_control_characters_are_cut_and_facts_still_point_at_their_text(tmp_path):
    out, normalized = _ingest_text(tmp_path, HOSTILE)
    assert not CONTROL.search(normalized)
    for name in (*FACT_TABLES, "reports", "sections", "errors", "findings", "checks"):
        assert not CONTROL.search((out / f"{name}.csv").read_text(encoding="utf-8-sig")), name
    _facts_point_at_their_text(out, normalized)
    assert [Decimal(r["value_yuan"]) for r in read_table(out, "amounts")] == [Decimal("26734500"), Decimal("26530400")]
    assert [Decimal(r["value_pct"]) for r in read_table(out, "rates")] == [Decimal("99.2")]
    assert [(r["value"], r["unit"]) for r in read_table(out, "counts")] == [("12", "次"), ("300", "人次")]


def test_the_offset_map_leads_each_character_back_to_its_source():
    page = HOSTILE.replace("\r\n", "\n")  # one page; every character either kept as it is or cut
    doc = normalize(LoadedFile(path="hostile.txt", file_type="txt", sha256="0" * 64, pages=[page]))
    assert not CONTROL.search(doc.text)
    assert all(page[doc.offset_map.to_source(i)] == char for i, char in enumerate(doc.text) if char != "\n")


# --- the terminal --------------------------------------------------------------------------------

def _rewrite_reports(out, **cells) -> None:
    """Change the reports table of an output folder, as a hostile one could have it."""
    path = out / "reports.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row.update(cells)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_show_prints_control_characters_as_escapes(tmp_path, capsys):
    out, _ = _ingest_text(tmp_path, SEED.read_text(encoding="utf-8"))
    _rewrite_reports(out, title=f"{ESC_LINK}点我\x1b]8;;\x1b\\\x1b[2J", department="\u202e室公办\x9b31m")
    (report,) = read_table(out, "reports")
    capsys.readouterr()
    assert main(["show", report["report_id"], "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert not CONTROL.search(shown)
    assert "\\x1b]8;;https://evil.example/\\x1b\\点我" in shown and "\\u202e室公办\\x9b31m" in shown


def test_a_file_name_cannot_drive_the_terminal(tmp_path, capsys):
    name = "\x1b[2J\u202e报告.txt"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "in" / f"空{name}").write_text("", encoding="utf-8")  # fails: its error line names it
    capsys.readouterr()
    assert main(["show", str(tmp_path / "in" / name)]) == 0
    assert ingest([tmp_path / "in"], tmp_path / "out") == 1
    printed = capsys.readouterr()
    assert not CONTROL.search(printed.out + printed.err)
    escaped = "\\x1b[2J\\u202e报告.txt"
    assert escaped in "".join(printed.out.split()) and escaped in printed.err  # show folds long lines
