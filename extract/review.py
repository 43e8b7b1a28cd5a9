"""`jixiao review`: one self-contained HTML page to check extracted facts against the text.

Each report is a section: its failed checks first, then its normalized text with every amount, rate
and count highlighted at its span (a colour per table) and, beside it, the list of facts, each a
link to its span. Section headings are marked too. Nothing is loaded from outside the page.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .api import Dataset

SPAN_TABLES = {"amounts": "#ffe08a", "rates": "#b6e3ff", "counts": "#c8f2c2"}

_STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0}
nav.reports{padding:8px 16px;background:#333;color:#fff}nav.reports a{color:#fff;margin-right:12px}
section.report{display:flex;gap:16px;padding:16px;border-bottom:4px solid #ddd}
.text{flex:3;white-space:pre-wrap;line-height:1.8;font-size:15px}
aside{flex:1;font-size:13px;max-height:90vh;overflow:auto;position:sticky;top:0}
aside a{display:block;color:#222;text-decoration:none;padding:2px 4px;border-left:4px solid transparent}
aside a:hover{background:#eee}
mark{padding:0 1px;border-radius:2px}
mark.amounts,aside a.amounts{background:#ffe08a;border-color:#e0a800}
mark.rates,aside a.rates{background:#b6e3ff;border-color:#3a8fd6}
mark.counts,aside a.counts{background:#c8f2c2;border-color:#3c9a36}
.heading{font-weight:bold;color:#7a1f1f}
.failed{background:#fde2e1;border:1px solid #d9534f;padding:8px;margin-bottom:8px}
h2{font-size:18px;margin:0 0 8px}
"""


def _facts(data: Dataset, report_id: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, table, fact id, caption) of the report's amounts, rates and counts."""
    facts = []
    for table in SPAN_TABLES:
        frame: pd.DataFrame = getattr(data, table)
        for row in frame[frame.report_id == report_id].itertuples():
            if table == "amounts":
                caption = f"{_text(row.label)} · {row.role} · {row.value_yuan:,.2f} 元"
            elif table == "rates":
                caption = f"{_text(row.label)} · {row.role} · {row.value_pct}%"
            else:
                caption = f"{_text(row.subject)} · {row.value:g} {row.unit}"
            facts.append((int(row.char_start), int(row.char_end), table, row.fact_id, caption))
    return sorted(facts)


def _marked_text(text: str, facts: list, headings: list[tuple[int, int]]) -> str:
    """The text with <mark> around each fact's span (a span inside an earlier one is listed, not
    marked twice) and heading titles set apart."""
    cuts, last_end = [], 0
    for start, end, table, fact_id, caption in facts:
        if start < last_end:
            continue
        cuts.append((start, end, f'<mark class="{table}" id="f-{html.escape(fact_id)}" title="{html.escape(caption)}">',
                     "</mark>"))
        last_end = end
    for start, end in headings:
        if not any(s < end and start < e for s, e, _, _ in cuts):
            cuts.append((start, end, '<span class="heading">', "</span>"))
    out, pos = [], 0
    for start, end, opening, closing in sorted(cuts):
        out += [html.escape(text[pos:start]), opening, html.escape(text[start:end]), closing]
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _text(value) -> str:
    """A cell as text, a missing one (<NA>) as nothing."""
    return "" if pd.isna(value) else str(value)


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def review_page(data: Dataset, texts: dict[str, str]) -> str:
    sections, nav = [], []
    for report in data.reports.sort_values("source_path").itertuples():
        text = texts.get(report.report_id)
        if text is None:
            continue
        facts = _facts(data, report.report_id)
        heads = data.sections[data.sections.report_id == report.report_id]
        # A section's span runs to its end; the heading is its first line.
        headings = [(int(s), _line_end(text, int(s))) for s in heads.char_start]
        failed = data.checks[(data.checks.report_id == report.report_id) & (data.checks.status == "fail")]
        failed_html = "".join(f'<div class="failed"><b>{html.escape(c.check)}</b>: expected {html.escape(_text(c.expected))}, '
                              f'observed {html.escape(_text(c.observed))} — {html.escape(_text(c.detail))}</div>'
                              for c in failed.itertuples())
        side = "".join(f'<a class="{table}" href="#f-{html.escape(fid)}">{html.escape(caption)}</a>'
                       for _, _, table, fid, caption in facts)
        title = report.title if isinstance(report.title, str) else report.source_path
        counts = {t: sum(f[2] == t for f in facts) for t in SPAN_TABLES}
        summary = " · ".join(f"{t} {n}" for t, n in counts.items())
        report_id = html.escape(report.report_id)
        sections.append(f'<section class="report" id="r-{report_id}" data-report-id="{report_id}">'
                        f'<div class="text"><h2>{html.escape(str(title))}</h2>'
                        f'<p>{html.escape(str(report.source_path))} · {report.status} · {summary}</p>'
                        f'{failed_html}<div class="body">{_marked_text(text, facts, headings)}</div></div>'
                        f'<aside>{side}</aside></section>')
        nav.append(f'<a href="#r-{report_id}">{html.escape(str(title)[:24])}</a>')
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>jixiao review</title>'
            f'<style>{_STYLE}</style></head><body><nav class="reports">{"".join(nav)}</nav>'
            + "".join(sections) + "</body></html>")


def review_folder(out_dir: Path) -> tuple[str, int]:
    """The review page for every report of an output folder, and how many reports it shows."""
    from .api import load
    data = load(out_dir)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (out_dir / "text").glob("*.txt")}
    return review_page(data, texts), sum(report_id in texts for report_id in data.reports.report_id)
