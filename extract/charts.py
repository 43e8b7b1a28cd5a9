"""`jixiao compare --chart`: a comparison (extract/compare.py) drawn with Plotly.

- FILE.html: a page that works offline (plotly.js inside it, nothing loaded from anywhere), the chart in
  `<div id="chart">` with its figure as JSON in `<script id="chart-figure" type="application/json">`
  (also `window.chartFigure`; the drawn graph is `window.chart`, and `#chart[data-ready]` is set once
  it is drawn), then the table (`<table id="compare-table">`).
- FILE.png / FILE.svg: the same comparison as a static image, exported by kaleido, which drives the
  system's Chromium or Chrome, with a CJK font found on the machine (fc-list).

One view per metric: years on the x axis (whole years, each labelled), the metric's values on a y axis
with its unit; a line with markers per department, so a department with one year is a point; hover
gives the department, year, value with its unit and the change from the year before. Grades are an
ordered category axis 优 > 良 > 中 > 差 (reports.grade_level).

Past MANY departments, one axis of 60 lines is unreadable:
- the page keeps one axis and selects: every department is a trace and in the legend, but only the
  HIGHLIGHT highest and lowest by their latest value are drawn at first; a menu switches to the top or
  bottom ten, all, or none, and a legend click shows or hides one department (a double click shows it
  alone). A grey band (the interquartile range of all departments) and line (their median) keep every
  department's spread in view whatever is selected.
- a static image cannot be clicked: it draws small multiples instead, a panel per department (COLUMNS
  a row, ordered from the highest latest value), every panel on the same y axis, with the median of
  all departments as a grey dashed line in each.

A value far from the others (43.84 % among rates of 95–100 %: outside 3 interquartile ranges of the
quartiles, and few such values) would squeeze every other line into a sliver: the y axis spans the
others, and each such value is drawn as a red triangle at the axis' edge, labelled with its value, and
listed in a note below the chart. Money and counts that span more than a factor of LOG_SPAN between
departments are drawn on a logarithmic axis instead (a change in % reads the same at any size).
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import dataclass

import pandas as pd

from .api import is_missing
from .compare import GRADE_LEVELS, Comparison, format_value, grade_change

FONTS = ["WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC"]
MANY = 12        # past this many departments: a selector on the page, small multiples in an image
HIGHLIGHT = 5    # the highest and the lowest drawn at first on the page
COLUMNS = 6      # small multiples: panels a row
OUTLIER_IQR = 3  # a value this many interquartile ranges beyond the quartiles is an outlier …
OUTLIER_SHARE = 0.05  # … if at most this share of the values are (else the data are just spread)
LOG_SPAN = 30    # money and counts spanning more than this factor are drawn on a log axis
STATIC_FORMATS = ("png", "svg")
# Distinct colours for the departments drawn together (at most MANY, or 2 × HIGHLIGHT).
TRACE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#7f7f7f", "#393b79", "#e7969c"]
OUTLIER_COLOUR = "#d62728"
CONTEXT_COLOUR = "rgba(120, 120, 120, 0.18)"


class ChartError(RuntimeError):
    """The chart cannot be made here (no kaleido, no Chromium, no CJK font): one line saying what to
    install."""


@dataclass
class Line:
    key: str
    name: str            # the department's name
    label: str           # shorter, for the legend and a panel's title
    y: list              # a value per year of the comparison (None where no report says); levels for grades
    values: list[str]    # the value as text, with its unit
    changes: list[str]   # the change from the year before, as text
    last: float | None   # the latest value stated (a grade's step, 优 = 4), to rank departments

    @property
    def drawn(self) -> bool:
        """Does a report state the value for some year (else there is nothing to draw)?"""
        return any(v is not None for v in self.y)


@dataclass
class Axis:
    type: str                    # linear, log or category
    range: list | None           # in the axis' own units (log10 for log)
    outliers: list[tuple[int, int, str]]  # (line, year index, "above" or "below") drawn at the edge
    note: str                    # said below the chart


def lines(comparison: Comparison) -> list[Line]:
    years = comparison.years
    grade = comparison.kind == "grade"
    out = []
    for key, rows in comparison.long.groupby("department_key", sort=True):
        by_year = {int(r.year): r for r in rows.itertuples()}
        y, values, changes = [], [], []
        for i, year in enumerate(years):
            r = by_year.get(year)
            value = None if r is None or is_missing(r.value) else (r.value if grade else float(r.value))
            y.append(value)
            values.append(_value_text(value, r.written if r is not None else None, comparison))
            if grade:
                before = y[i - 1] if i else None
                changes.append(grade_change(before, value) or "—")
            else:
                changes.append(_change_text(None if r is None else r.change, comparison))
        stated = [v for v in y if v is not None]
        last = (len(GRADE_LEVELS) - GRADE_LEVELS.index(stated[-1]) if grade else stated[-1]) if stated else None
        name = str(rows.department.iloc[0]) if not is_missing(rows.department.iloc[0]) else key
        out.append(Line(key, name, _label(name, key), y, values, changes, last))
    return out


def _label(name: str, key: str, limit: int = 16) -> str:
    """The name without its province (the key's first part) and at most limit characters."""
    province = key.split("/")[0]
    if province and name.startswith(province) and len(name) > len(province):
        name = name[len(province):]
    return name if len(name) <= limit else name[:limit - 1] + "…"


def _value_text(value, written, comparison: Comparison) -> str:
    if value is None:
        return "—（未报告）"
    if comparison.kind == "grade":
        return value + (f"（{written}）" if isinstance(written, str) and written != value else "")
    text = format_value(value, comparison.unit)
    return text if comparison.unit in ("%", "") else f"{text} {comparison.unit}"


def _change_text(change, comparison: Comparison) -> str:
    if is_missing(change):
        return "—"
    if comparison.change == "pp":
        return f"{change:+.2f} " + ("分" if comparison.unit == "分" else "个百分点")
    return f"{change:+.2f}%"


def _numbers(all_lines: list[Line]) -> list[float]:
    return [v for line in all_lines for v in line.y if v is not None]


def axis(comparison: Comparison, all_lines: list[Line]) -> Axis:
    if comparison.kind == "grade":
        return Axis("category", [len(GRADE_LEVELS) - 0.5, -0.5], [], "")
    numbers = _numbers(all_lines)
    if not numbers:
        return Axis("linear", None, [], "")
    low, high = min(numbers), max(numbers)
    if comparison.kind in ("amount", "count") and low > 0 and high / low > LOG_SPAN:
        pad = (math.log10(high) - math.log10(low)) * 0.05
        return Axis("log", [math.log10(low) - pad, math.log10(high) + pad], [],
                    f"纵轴为对数坐标（各部门数值相差 {high / low:,.0f} 倍）")
    q1, q3 = pd.Series(numbers).quantile([0.25, 0.75])
    spread = max(q3 - q1, abs(pd.Series(numbers).median()) * 0.01, 1e-9)
    fence_low, fence_high = q1 - OUTLIER_IQR * spread, q3 + OUTLIER_IQR * spread
    far = [(i, j) for i, line in enumerate(all_lines) for j, v in enumerate(line.y)
           if v is not None and not fence_low <= v <= fence_high]
    if not far or len(far) > max(1, OUTLIER_SHARE * len(numbers)):
        return Axis("linear", _padded(low, high), [], "")
    kept = [v for v in numbers if fence_low <= v <= fence_high]
    span = _padded(min(kept), max(kept))
    outliers = [(i, j, "above" if all_lines[i].y[j] > span[1] else "below") for i, j in far]
    listed = "；".join(f"{all_lines[i].label} {comparison.years[j]}年 {all_lines[i].values[j]}"
                      for i, j, _ in outliers[:3]) + ("等" if len(outliers) > 3 else "")
    return Axis("linear", span, outliers,
                f"{len(outliers)} 个值远离其他数值，纵轴不含它们，以红色三角标在图边：{listed}")


def _padded(low: float, high: float) -> list[float]:
    pad = (high - low) * 0.08 or max(abs(high) * 0.05, 1.0)
    return [low - pad, high + pad]


def _hovertemplate(comparison: Comparison) -> str:
    # The year from customdata: %{x} would be the axis' tick text (2023年) on one chart, not on another.
    return ("部门：%{customdata[0]}<br>年份：%{customdata[3]}<br>" + comparison.name.replace("%{", "% {")
            + "：%{customdata[1]}<br>较上年：%{customdata[2]}<extra></extra>")


def _customdata(line: Line, years: list[int]) -> list[list[str]]:
    return [[line.name, value, change, f"{year}年"] for value, change, year in zip(line.values, line.changes, years)]


def _title(comparison: Comparison, n: int, extra: str = "") -> dict:
    years = comparison.years
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else (f"{years[0]}年" if years else "无年度")
    sub = f"{comparison.metric} · {n} 个部门 · {span}" + (f" · {extra}" if extra else "")
    return dict(text=f"{comparison.title}：各部门逐年比较", x=0.01, xanchor="left",
                subtitle=dict(text=sub, font=dict(size=12, color="#666")))


def _font(first: str | None = None) -> str:
    names = ([first] if first and first not in FONTS else []) + FONTS
    return ", ".join(f'"{n}"' for n in names) + ", sans-serif"


def _x_axis(years: list[int], short: bool = False) -> dict:
    shown = years if len(years) <= (6 if short else 12) else years[::2]
    return dict(tickmode="array", tickvals=shown, ticktext=[str(y) if short else f"{y}年" for y in shown],
                range=[years[0] - 0.5, years[-1] + 0.5] if years else None, showgrid=False, zeroline=False,
                title=None if short else "年度")


def _y_axis(comparison: Comparison, ax: Axis, titled: bool = True) -> dict:
    out = dict(type=ax.type, separatethousands=True, exponentformat="none", zeroline=False)
    if ax.range:
        out["range"] = ax.range
    if titled:
        out["title"] = comparison.title
    if ax.type == "category":
        out.update(categoryorder="array", categoryarray=list(GRADE_LEVELS))
    elif comparison.unit == "%":
        out["ticksuffix"] = "%"
    if ax.type == "log" and ax.range:
        # 1, 2, 5 in every decade, written out (plotly's own log ticks add small digits between).
        low, high = ax.range
        ticks = [m * 10 ** e for e in range(math.floor(low), math.ceil(high) + 1) for m in (1, 2, 5)
                 if low <= math.log10(m * 10 ** e) <= high]
        out.update(tickmode="array", tickvals=ticks, ticktext=[f"{t:,.10g}" for t in ticks])
    return out


def _outlier_trace(comparison: Comparison, all_lines: list[Line], ax: Axis, which, xaxis="x", yaxis="y"):
    import plotly.graph_objects as go
    chosen = [(i, j, side) for i, j, side in ax.outliers if which(i)]
    if not chosen:
        return None
    low, high = ax.range
    inset = (high - low) * 0.02
    return go.Scatter(
        x=[comparison.years[j] for _, j, _ in chosen],
        y=[high - inset if side == "above" else low + inset for _, _, side in chosen],
        mode="markers+text", name="离群值", showlegend=False, xaxis=xaxis, yaxis=yaxis, cliponaxis=False,
        marker=dict(symbol=["triangle-up" if s == "above" else "triangle-down" for _, _, s in chosen],
                    size=12, color=OUTLIER_COLOUR),
        text=[all_lines[i].values[j] for i, j, _ in chosen],
        textposition=["bottom center" if s == "above" else "top center" for _, _, s in chosen],
        textfont=dict(color=OUTLIER_COLOUR, size=11),
        customdata=[_customdata(all_lines[i], comparison.years)[j] for i, j, _ in chosen],
        hovertemplate=_hovertemplate(comparison).replace("<extra></extra>", "<br>（超出纵轴范围）<extra></extra>"))


def _context(all_lines: list[Line], years: list[int]) -> tuple[list, list, list]:
    """Per year, the quartiles and the median of every department's value."""
    q1, median, q3 = [], [], []
    for j in range(len(years)):
        values = pd.Series([line.y[j] for line in all_lines if line.y[j] is not None], dtype=float)
        q1.append(None if values.empty else float(values.quantile(0.25)))
        median.append(None if values.empty else float(values.median()))
        q3.append(None if values.empty else float(values.quantile(0.75)))
    return q1, median, q3


def _ranked(all_lines: list[Line]) -> list[int]:
    """Indexes of the lines drawn, from the highest latest value to the lowest (a line is drawn
    exactly when it has a latest value)."""
    return sorted((i for i, line in enumerate(all_lines) if line.drawn),
                  key=lambda i: (-all_lines[i].last, all_lines[i].key))


def figure(comparison: Comparison, all_lines: list[Line], font: str | None = None):
    """One axis, a trace per department (the page; an image of up to MANY departments)."""
    import plotly.graph_objects as go
    ranked = _ranked(all_lines)  # the lines drawn
    ax = axis(comparison, all_lines)
    years = comparison.years
    many = len(ranked) > MANY
    top, bottom = ranked[:HIGHLIGHT], ranked[::-1][:HIGHLIGHT]
    shown = set(top + bottom) if many else set(ranked)
    fig = go.Figure()
    if many and ax.type != "category":
        q1, median, q3 = _context(all_lines, years)
        fig.add_trace(go.Scatter(x=years, y=q3, mode="lines", line=dict(width=0), hoverinfo="skip",
                                 showlegend=False, legendgroup="context", name="全部部门：上四分位"))
        fig.add_trace(go.Scatter(x=years, y=q1, mode="lines", line=dict(width=0), fill="tonexty",
                                 fillcolor=CONTEXT_COLOUR, hoverinfo="skip", legendgroup="context",
                                 name="全部部门：四分位范围", legendrank=1))
        fig.add_trace(go.Scatter(x=years, y=median, mode="lines", line=dict(color="#888", dash="dash", width=1.5),
                                 legendgroup="context", name="全部部门：中位数", legendrank=2,
                                 hovertemplate="全部部门中位数：%{y:,.2f}<extra></extra>"))
    colours = iter(TRACE_COLOURS)
    first_department = len(fig.data)
    order = sorted(ranked, key=lambda i: i not in shown)  # stable: in rank order within each
    for rank, i in enumerate(order):
        line = all_lines[i]
        colour = next(colours, None) if i in shown else None
        fig.add_trace(go.Scatter(
            x=years, y=line.y, mode="lines+markers", name=line.label, legendgroup=line.key, meta=line.key,
            visible=True if i in shown else "legendonly", legendrank=100 + rank,
            line=dict(width=2.5, color=colour), marker=dict(size=8, color=colour),
            customdata=_customdata(line, years), hovertemplate=_hovertemplate(comparison)))
    outliers = _outlier_trace(comparison, all_lines, ax, lambda i: True)
    if outliers is not None:
        fig.add_trace(outliers)
    notes = [ax.note] if ax.note else []
    fig.update_layout(
        template="plotly_white", font=dict(family=_font(font), size=13), hoverlabel=dict(font_family=_font(font)),
        title=_title(comparison, len(ranked), f"先显示末年最高与最低各 {HIGHLIGHT} 个部门" if many else ""),
        xaxis=_x_axis(years), yaxis=_y_axis(comparison, ax), height=680 if many else 600,
        hovermode="x unified" if ax.type == "category" else "closest",
        legend=dict(title=dict(text="部门（单击显示或隐藏，双击只看它）" if many else "部门"), y=1, yanchor="top",
                    itemdoubleclick="toggleothers"),
        margin=dict(l=80, r=30, t=130 if many else 100, b=90 if notes else 60),
        meta=dict(metric=comparison.metric, unit=comparison.unit, departments=len(ranked)))
    if notes:
        fig.add_annotation(text="<br>".join(notes), xref="paper", yref="paper", x=0, y=-0.12, xanchor="left",
                           yanchor="top", showarrow=False, align="left", font=dict(size=12, color="#555"))
    if not ranked:
        fig.add_annotation(text="（无数值可画）", xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False)
    if many:
        traces = list(range(first_department, first_department + len(order)))

        def showing(chosen: set[int]) -> dict:
            return dict(args=[{"visible": [True if i in chosen else "legendonly" for i in order]}, traces])
        buttons = [(f"末年最高与最低各 {HIGHLIGHT} 个", set(top + bottom)),
                   (f"末年最高 {2 * HIGHLIGHT} 个", set(ranked[:2 * HIGHLIGHT])),
                   (f"末年最低 {2 * HIGHLIGHT} 个", set(ranked[::-1][:2 * HIGHLIGHT])),
                   (f"全部 {len(ranked)} 个部门", set(ranked)), ("全部隐藏（在图例中点选）", set())]
        fig.update_layout(updatemenus=[dict(
            type="dropdown", direction="down", active=0, showactive=True, x=1, xanchor="right", y=1.02,
            yanchor="bottom", name="departments",
            buttons=[dict(label=label, method="restyle", **showing(chosen)) for label, chosen in buttons])])
    return fig


def small_multiples(comparison: Comparison, all_lines: list[Line], font: str | None = None):
    """A panel per department on a shared y axis (an image of many departments)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots
    ranked = _ranked(all_lines)
    ax = axis(comparison, all_lines)
    years = comparison.years
    columns = min(COLUMNS, len(ranked))
    rows = math.ceil(len(ranked) / columns)
    height = 190 + 190 * rows
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[_label(all_lines[i].name, all_lines[i].key, 14) for i in ranked],
                        horizontal_spacing=0.012, vertical_spacing=min(60 / height, 0.9 / max(rows - 1, 1)))
    median = _context(all_lines, years)[1] if ax.type != "category" else None
    for n, i in enumerate(ranked):
        row, column = n // columns + 1, n % columns + 1
        if median:
            fig.add_trace(go.Scatter(x=years, y=median, mode="lines", hoverinfo="skip", showlegend=False,
                                     line=dict(color="#999", dash="dash", width=1)), row=row, col=column)
        line = all_lines[i]
        fig.add_trace(go.Scatter(x=years, y=line.y, mode="lines+markers", name=line.label, showlegend=False,
                                 meta=line.key, line=dict(color=TRACE_COLOURS[0], width=2),
                                 marker=dict(size=6, color=TRACE_COLOURS[0]), customdata=_customdata(line, years),
                                 hovertemplate=_hovertemplate(comparison)), row=row, col=column)
        reference = fig.data[-1]
        outliers = _outlier_trace(comparison, all_lines, ax, lambda k, i=i: k == i, reference.xaxis, reference.yaxis)
        if outliers is not None:
            fig.add_trace(outliers)
    fig.update_annotations(font_size=12)  # the panels' titles
    fig.update_xaxes(**_x_axis(years, short=True), showticklabels=True, tickfont_size=10)
    fig.update_yaxes(**_y_axis(comparison, ax, titled=False))
    extra = "按末年数值从高到低排列" + ("，灰色虚线为全部部门的中位数" if median else "")
    fig.update_layout(template="plotly_white", font=dict(family=_font(font), size=12), width=1400, height=height,
                      title=_title(comparison, len(ranked), extra), margin=dict(l=70, r=30, t=110, b=70 if ax.note else 40),
                      meta=dict(metric=comparison.metric, unit=comparison.unit, departments=len(ranked)))
    if ax.note:
        fig.add_annotation(text=ax.note, xref="paper", yref="paper", x=0, y=-40 / height, xanchor="left",
                           yanchor="top", showarrow=False, align="left", font=dict(size=12, color="#555"))
    return fig


# --- the page ----------------------------------------------------------------------------------------

def page(comparison: Comparison) -> str:
    """The chart as a page that works offline, with the table below it."""
    import html
    from plotly.offline import get_plotlyjs
    all_lines = lines(comparison)
    fig = figure(comparison, all_lines)
    # In a <script> element, "</" could end it early: JSON reads "<\/" as "</".
    data = fig.to_json().replace("</", "<\\/")
    config = json.dumps({"responsive": True, "displaylogo": False,
                         "toImageButtonOptions": {"filename": f"compare_{comparison.metric}".replace(":", "_"),
                                                  "scale": 2}})
    title = html.escape(f"{comparison.title}：各部门逐年比较")
    notes = [n for n in comparison.notes if n]
    if comparison.left_out:
        notes.append(f"{len(comparison.left_out)} 份报告没有部门或年度，未列入。")
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<style>body{{font-family:{_font()};margin:16px 24px;color:#222}}'
        '#chart{width:100%;min-height:600px}table{border-collapse:collapse;font-size:13px;margin-top:8px}'
        'td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap}'
        'th{background:#f4f4f4}td.department{text-align:left}td small{color:#777;display:block}'
        'td.empty{color:#bbb}#chart-notes{color:#555;font-size:13px}</style>'
        f'<script>{get_plotlyjs()}</script></head><body>'
        f'<div id="chart" class="jixiao-chart" data-metric="{html.escape(comparison.metric)}"></div>'
        f'<ul id="chart-notes">{notes_html}</ul>'
        f'<script type="application/json" id="chart-figure">{data}</script>'
        '<script>(function () {'
        'var figure = JSON.parse(document.getElementById("chart-figure").textContent);'
        'window.chartFigure = figure;'
        f'Plotly.newPlot("chart", figure.data, figure.layout, {config}).then(function (gd) {{'
        'window.chart = gd; gd.setAttribute("data-ready", "true"); });'
        '})();</script>'
        f'<h2>数据表</h2>{_table(comparison, all_lines)}</body></html>')


def _table(comparison: Comparison, all_lines: list[Line]) -> str:
    import html
    head = "<th>部门</th>" + "".join(f"<th>{y}年</th>" for y in comparison.years)
    body = []
    for line in all_lines:
        cells = [f'<td class="department" title="{html.escape(line.key)}">{html.escape(line.name)}</td>']
        for value, shown, change in zip(line.y, line.values, line.changes):
            if value is None:
                cells.append('<td class="empty"></td>')
                continue
            text = shown if comparison.kind == "grade" else format_value(value, comparison.unit)
            small = f"<small>{html.escape(change)}</small>" if change not in ("", "—") else ""
            cells.append(f'<td class="value">{html.escape(text)}{small}</td>')
        body.append(f'<tr data-department-key="{html.escape(line.key)}">{"".join(cells)}</tr>')
    unit = f"（{comparison.unit}）" if comparison.unit and comparison.kind != "grade" else ""
    return (f'<table id="compare-table" class="compare-table"><caption>{html.escape(comparison.name + unit)}'
            f'</caption><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


# --- the image ---------------------------------------------------------------------------------------

def cjk_font() -> str | None:
    """A font family on this machine that has Chinese (fontconfig), preferring FONTS; None if none is
    found, "" where fontconfig is not there to ask."""
    if not shutil.which("fc-list"):
        return ""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    families = {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}
    if not families:
        return None
    return next((f for f in FONTS if f in families), sorted(families)[0])


def image(comparison: Comparison, kind: str) -> bytes:
    """The chart as PNG or SVG bytes. Raises ChartError when kaleido, a browser or a CJK font is missing."""
    font = cjk_font()
    if font is None:
        raise ChartError("no font with Chinese characters found (the image would show empty boxes): "
                         "install one, e.g. apt-get install fonts-wqy-zenhei or fonts-noto-cjk")
    try:
        import kaleido
        from kaleido.errors import ChromeNotFoundError
    except ImportError:
        raise ChartError(f"a .{kind} chart needs kaleido (pip install 'kaleido>=1') and Chromium or Chrome "
                         "(apt-get install chromium); or write the chart as .html") from None
    all_lines = lines(comparison)
    n = sum(line.drawn for line in all_lines)
    fig = small_multiples(comparison, all_lines, font) if n > MANY else figure(comparison, all_lines, font)
    if n <= MANY:
        fig.update_layout(width=1100)
    width, height = fig.layout.width, fig.layout.height
    try:
        # mathjax off: kaleido would otherwise load it from the web (nothing is fetched at run time).
        return kaleido.calc_fig_sync(fig.to_dict(), opts=dict(format=kind, width=width, height=height,
                                                              scale=2 if kind == "png" and n <= MANY else 1),
                                     kopts={"mathjax": False})
    except ChromeNotFoundError:
        raise ChartError(f"a .{kind} chart needs Chromium or Chrome, which kaleido drives: apt-get install "
                         "chromium (or set BROWSER_PATH to the browser); or write the chart as .html") from None
    except Exception as exc:  # noqa: BLE001 — the browser's own failures, as one line
        raise ChartError(f"exporting the chart with kaleido failed: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
