"""The HTML of `jixiao review`'s site: the index of reports and one page per report.

Every text from a report (titles, labels, paths, check details) goes through html.escape; the CSS and
the few lines of JavaScript are inline, and nothing is loaded from the network. Stable hooks for
scripts and browser tests: `#filter`, `table#reports` (a `tr[data-report-id]` per report), `#shown`;
on a report page `mark[data-fact-id]` (id `f-<fact_id>`), `#facts a[data-fact-id]`,
`img.page[data-page]` inside `div.page-wrap#p-<page>`, `.fact-box[data-fact-id]`, `#failed .failed`
and `.note`.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

TABLE_COLOURS = {"amounts": "#ffe08a", "rates": "#b6e3ff", "counts": "#c8f2c2"}
_BORDERS = {"amounts": "#e0a800", "rates": "#3a8fd6", "counts": "#3c9a36"}
_FONT = '"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Zen Hei","Microsoft YaHei","PingFang SC",sans-serif'


@dataclass(frozen=True)
class Fact:
    start: int
    end: int
    table: str  # amounts, rates or counts
    fact_id: str
    caption: str  # label · role · value, as the tooltip and the list say it
    page: int | None
    box: tuple[float, float, float, float] | None  # x0, top, x1, bottom in PDF points, as displayed


@dataclass(frozen=True)
class PageImage:
    page: int  # 1-based
    src: str  # relative to the report page
    width_px: int
    height_px: int
    width_pt: float  # the page as displayed (rotation applied)
    height_pt: float


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


# ---- the index -------------------------------------------------------------------------------

_INDEX_STYLE = f"""
body{{font-family:{_FONT};margin:16px;font-size:14px}}
#filter{{width:28em;padding:4px 6px;font-size:14px}}
table#reports{{border-collapse:collapse;margin-top:8px;width:100%}}
#reports th{{background:#333;color:#fff;cursor:pointer;text-align:left;padding:4px 6px;position:sticky;top:0;white-space:nowrap}}
#reports th[aria-sort=ascending]::after{{content:" ▲"}}#reports th[aria-sort=descending]::after{{content:" ▼"}}
#reports td{{padding:2px 6px;border-bottom:1px solid #eee}}#reports td.n{{text-align:right}}
#reports tr.fail td:first-child{{background:#fde2e1;color:#a01010;font-weight:bold}}
#reports tbody tr:hover{{background:#f5f5f5}}
"""

# Filter by text over a row's cells; sort by a column on a click on its header (again: the other way).
_INDEX_SCRIPT = """
const body = document.querySelector('#reports tbody'), rows = [...body.rows];
const filter = document.getElementById('filter'), shown = document.getElementById('shown');
filter.addEventListener('input', () => {
  const words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let n = 0;
  for (const row of rows) {
    const text = row.textContent.toLowerCase();
    row.hidden = !words.every(w => text.includes(w));
    n += !row.hidden;
  }
  shown.textContent = n;
});
document.querySelectorAll('#reports th').forEach((th, col) => th.addEventListener('click', () => {
  const up = th.getAttribute('aria-sort') !== 'ascending', numeric = th.classList.contains('n');
  document.querySelectorAll('#reports th').forEach(h => h.removeAttribute('aria-sort'));
  th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
  const key = row => row.cells[col].textContent;
  const order = numeric ? (a, b) => (Number(key(a)) || 0) - (Number(key(b)) || 0)
                        : (a, b) => key(a).localeCompare(key(b), 'zh-CN');
  rows.sort((a, b) => up ? order(a, b) : order(b, a)).forEach(row => body.appendChild(row));
}));
"""

INDEX_COLUMNS = [("failed checks", True), ("department", False), ("year", True), ("type", False),
                 ("status", False), ("amounts", True), ("rates", True), ("counts", True), ("file", False),
                 ("title", False)]


def index_page(rows: list[dict], source: str) -> str:
    """rows: dicts with report_id, page (its file name under r/), failed, department, year,
    report_type, status, amounts, rates, counts, file_type, title; in the order to show them."""
    head = "".join(f'<th class="{"n" if numeric else "t"}">{esc(name)}</th>' for name, numeric in INDEX_COLUMNS)
    body = []
    for r in rows:
        cls = ' class="fail"' if r["failed"] else ""
        body.append(f'<tr data-report-id="{esc(r["report_id"])}"{cls}><td class="n">{r["failed"]}</td>'
                    f'<td>{esc(r["department"])}</td><td class="n">{esc(r["year"])}</td>'
                    f'<td>{esc(r["report_type"])}</td><td>{esc(r["status"])}</td><td class="n">{r["amounts"]}</td>'
                    f'<td class="n">{r["rates"]}</td><td class="n">{r["counts"]}</td><td>{esc(r["file_type"])}</td>'
                    f'<td><a href="r/{esc(r["page"])}">{esc(r["title"])}</a></td></tr>')
    n_failed = sum(1 for r in rows if r["failed"])
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>jixiao review</title>'
            f'<style>{_INDEX_STYLE}</style></head><body><h1>jixiao review</h1>'
            f'<p>{len(rows)} reports from {esc(source)}; {n_failed} with failed checks, listed first. '
            'Click a column to sort.</p>'
            '<input id="filter" type="search" placeholder="filter: department, year, title, status …" autofocus>'
            f' <span id="shown">{len(rows)}</span> shown'
            f'<table id="reports"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<script>{_INDEX_SCRIPT}</script></body></html>')


# ---- a report's page -------------------------------------------------------------------------

_REPORT_STYLE = f"""
html,body{{height:100%;margin:0}}
body{{font-family:{_FONT};display:flex;flex-direction:column}}
header{{padding:8px 16px;border-bottom:2px solid #ddd;max-height:35vh;overflow:auto;flex:none}}
header h1{{font-size:18px;margin:4px 0}}header p{{margin:4px 0;font-size:13px;color:#444}}
main{{display:flex;flex:1;min-height:0}}
main>*{{overflow:auto;padding:8px 12px}}
section.text{{flex:3;white-space:pre-wrap;line-height:1.8;font-size:15px}}
section.pages{{flex:3;background:#eee}}
aside#facts{{flex:1.2;font-size:13px;border-left:1px solid #ddd}}
aside a{{display:block;color:#222;text-decoration:none;padding:2px 4px;border-left:4px solid transparent}}
aside a:hover,aside a.on{{background:#eee}}
mark{{padding:0 1px;border-radius:2px}}
.page-wrap{{position:relative;margin:0 0 12px;box-shadow:0 1px 4px #999;background:#fff}}
img.page{{display:block;width:100%;height:auto}}
/* a box's frame is drawn outside it (box-shadow), so that it never covers the figure it frames */
.fact-box{{position:absolute;cursor:pointer}}
.on{{outline:3px solid #d9534f;outline-offset:2px}}
.heading{{font-weight:bold;color:#7a1f1f}}
.failed{{background:#fde2e1;border:1px solid #d9534f;padding:4px 8px;margin:4px 0;font-size:13px}}
.note{{background:#fff3cd;border:1px solid #e0a800;padding:4px 8px}}
""" + "".join(f"mark.{t},aside a.{t}{{background:{c};border-color:{_BORDERS[t]}}}"
              f".fact-box.{t}{{box-shadow:0 0 0 2px {_BORDERS[t]};background:{c}40}}" for t, c in TABLE_COLOURS.items())

# A fact clicked in the list (or its box, or its mark) is shown at once in the text and on the page.
_REPORT_SCRIPT = """
function show(id) {
  document.querySelectorAll('.on').forEach(x => x.classList.remove('on'));
  const link = document.querySelector(`#facts a[data-fact-id="${CSS.escape(id)}"]`);
  const mark = link && document.getElementById(link.getAttribute('href').slice(1));
  const box = document.querySelector(`.fact-box[data-fact-id="${CSS.escape(id)}"]`);
  for (const x of [link, mark, box]) if (x) { x.classList.add('on'); x.scrollIntoView({block: 'center'}); }
}
document.addEventListener('click', e => {
  const x = e.target.closest('#facts a[data-fact-id], .fact-box[data-fact-id], mark[data-fact-id]');
  if (!x) return;
  e.preventDefault();
  show(x.dataset.factId);
  history.replaceState(null, '', '#f-' + x.dataset.factId);
});
if (location.hash.startsWith('#f-')) show(decodeURIComponent(location.hash.slice(3)));
"""


def marked_text(text: str, facts: list[Fact], headings: list[tuple[int, int]]) -> tuple[str, dict[str, str]]:
    """The text with <mark> around each fact's span and heading titles set apart; and for every
    fact the id of the mark that shows it (a span inside an earlier one is shown by that one's mark,
    not marked twice)."""
    cuts, shown_by, last_end, last_id = [], {}, 0, None
    for fact in sorted(facts, key=lambda f: (f.start, -f.end)):
        if not 0 <= fact.start < fact.end <= len(text):
            continue
        if fact.start < last_end:
            shown_by[fact.fact_id] = last_id
            continue
        last_id = shown_by[fact.fact_id] = f"f-{fact.fact_id}"
        cuts.append((fact.start, fact.end, f'<mark class="{fact.table}" id="{esc(last_id)}" '
                     f'data-fact-id="{esc(fact.fact_id)}" title="{esc(fact.caption)}">', "</mark>"))
        last_end = fact.end
    for start, end in headings:
        if 0 <= start < end <= len(text) and not any(s < end and start < e for s, e, _, _ in cuts):
            cuts.append((start, end, '<span class="heading">', "</span>"))
    out, pos = [], 0
    for start, end, opening, closing in sorted(cuts):
        if start < pos:  # a heading over a heading (should not be): leave it plain
            continue
        out += [esc(text[pos:start]), opening, esc(text[start:end]), closing]
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out), shown_by


def _boxes(image: PageImage, facts: list[Fact]) -> str:
    """A div per fact on this page, placed in % of the page so it scales with the image."""
    out = []
    for fact in facts:
        if fact.page != image.page or fact.box is None:
            continue
        x0, top, x1, bottom = fact.box
        left, upper = 100 * x0 / image.width_pt, 100 * top / image.height_pt
        width, height = 100 * (x1 - x0) / image.width_pt, 100 * (bottom - top) / image.height_pt
        out.append(f'<div class="fact-box {fact.table}" data-fact-id="{esc(fact.fact_id)}" title="{esc(fact.caption)}" '
                   f'style="left:{left:.3f}%;top:{upper:.3f}%;width:{width:.3f}%;height:{height:.3f}%"></div>')
    return "".join(out)


def report_page(report: dict, text: str | None, facts: list[Fact], headings: list[tuple[int, int]],
                failed: list[dict], images: list[PageImage], notes: list[str]) -> str:
    """report: the reports row (title, department, year …); failed: the failed checks' rows."""
    rid = esc(report["report_id"])
    title = report.get("title") or report.get("source_path") or report["report_id"]
    meta = " · ".join(esc(v) for v in (report.get("department"), report.get("year"), report.get("report_type"),
                                        report.get("status"), report.get("grade"), report.get("score"))
                      if v not in (None, ""))
    source = f'{esc(report.get("source_path"))} ({esc(report.get("file_type"))}, {esc(report.get("n_pages"))} pages)'
    counts = " · ".join(f"{t} {sum(f.table == t for f in facts)}" for t in TABLE_COLOURS)
    checks = "".join(f'<div class="failed" data-check="{esc(c.get("check"))}"><b>{esc(c.get("check"))}</b>: '
                     f'expected {esc(c.get("expected"))}, observed {esc(c.get("observed"))} — {esc(c.get("detail"))}</div>'
                     for c in failed)
    if text is None:
        body, shown_by = '<p class="note">The normalized text of this report is not in the output folder.</p>', {}
    else:
        body, shown_by = marked_text(text, facts, headings)
    links = "".join(
        f'<a class="{f.table}" href="#{esc(shown_by.get(f.fact_id, "f-" + f.fact_id))}" data-fact-id="{esc(f.fact_id)}">'
        f'{f"p.{f.page} · " if f.page is not None else ""}{esc(f.caption)}</a>' for f in facts)
    pages = "".join(f'<div class="page-wrap" id="p-{i.page}"><img class="page" data-page="{i.page}" src="{esc(i.src)}" '
                    f'width="{i.width_px}" height="{i.height_px}" alt="page {i.page}" loading="lazy">'
                    f'{_boxes(i, facts)}</div>' for i in images)
    pane = f'<section class="pages">{pages}</section>' if images else ""
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>{esc(title)}</title><style>{_REPORT_STYLE}</style></head><body>'
            f'<header><a href="../index.html">← all reports</a><h1>{esc(title)}</h1><p>{meta}</p>'
            f'<p>{source} · {counts} · report {rid}</p><div id="failed">{checks}</div>'
            + "".join(f'<p class="note">{esc(n)}</p>' for n in notes) + '</header>'
            f'<main><section class="text" data-report-id="{rid}"><div class="body">{body}</div></section>'
            f'{pane}<aside id="facts">{links}</aside></main><script>{_REPORT_SCRIPT}</script></body></html>')
