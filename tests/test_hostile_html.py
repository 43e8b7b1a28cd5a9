"""Hostile web pages (issue 20): what a browser does not show is not read, what is shown is read to
the page's end, and a page with nothing to read is an error row, never an empty `ok` report."""
import pytest

from conftest import ingest, read_table

TITLE = "某县水务局2024年度部门整体支出绩效自评报告"
REPORT = f"<h1>{TITLE}</h1><p>一、基本情况</p><p>全年预算数 128.50 万元。</p>"
BUDGET = "1285000.00"  # 128.50 万元


def _page(body: str, head: str = '<meta charset="utf-8">') -> str:
    return f"<html><head>{head}<title>站点</title></head><body>{body}</body></html>"


def _ingest(tmp_path, page: str | bytes, *extra: str):
    """The page run through the real pipeline: (exit code, output folder)."""
    path = tmp_path / "page.html"
    path.write_bytes(page if isinstance(page, bytes) else page.encode("utf-8"))
    out = tmp_path / "out"
    return ingest([path], out, "--no-cache", *extra), out


def _amounts(out) -> list[str]:
    return [row["value_yuan"] for row in read_table(out, "amounts")]


def _text(out) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted((out / "text").glob("*.txt")))


def _read_as_the_report(code, out) -> None:
    assert code == 0
    [report] = read_table(out, "reports")
    assert (report["title"], report["status"]) == (TITLE, "ok")
    assert _amounts(out) == [BUDGET]


STATISTICS_SCRIPT = "<script>" + "var _hm = _hm || []; _hm.push(['_trackPageview', '/a/b']);\n" * 480 + "</script>"
BIG_STYLE = "<style>" + "".join(f".link-{k} {{ color: #336699; margin: 0 4px; }}\n" for k in range(800)) + "</style>"
LINK_MENU = "<select>" + "".join(f"<option>友情链接 某市某某局网站{k}</option>" for k in range(400)) + "</select>"


@pytest.mark.parametrize("footer", [STATISTICS_SCRIPT, BIG_STYLE, LINK_MENU], ids=["script", "style", "select"])
def test_a_long_script_style_or_link_menu_in_the_footer_does_not_hide_the_article(tmp_path, footer):
    """The title is no heading element here: nothing beside the footer keeps the article picker out of it."""
    assert len(STATISTICS_SCRIPT) > 28_000
    article = f"<div class='title'>{TITLE}</div><p>一、基本情况</p><p>全年预算数 128.50 万元。</p>"
    _read_as_the_report(*_ingest(tmp_path, _page(f"<div>{article}</div><div id='bottom'>{footer}</div>")))


@pytest.mark.parametrize("obstacle", [
    "<div>" * 300 + "附件" + "</div>" * 300,  # deeper than libxml2's default 255 levels
    '<p><img src="data:image/png;base64,' + "iVBORw0KGgo" * (1_100_000) + '"></p>',  # over its 10 MB per node
], ids=["deep", "inline-image"])
def test_report_text_after_a_libxml2_limit_is_read(tmp_path, obstacle):
    body = f"<h1>{TITLE}</h1><p>一、基本情况</p>{obstacle}<p>全年预算数 128.50 万元。</p>"
    # The worker is forked from this test process, grown by the tests before it; its address-space
    # limit is raised so that the 10 MB image fails on no allocation (a fresh `jixiao` is small).
    _read_as_the_report(*_ingest(tmp_path, _page(body), "--max-memory", "16384"))


def test_a_page_nested_past_what_the_parser_reads_is_an_error_not_a_silent_loss(tmp_path):
    code, out = _ingest(tmp_path, _page(REPORT + "<div>" * 3000 + "附件" + "</div>" * 3000 + "<p>全年执行数 100 万元。</p>"))
    assert code == 1 and read_table(out, "reports") == []
    [error] = read_table(out, "errors")
    assert (error["stage"], error["error_type"]) == ("load", "corrupt") and "page.html" in error["message"]


def _failed_as(out, error_type: str) -> str:
    assert read_table(out, "reports") == []
    [error] = read_table(out, "errors")
    assert (error["stage"], error["error_type"]) == ("load", error_type)
    assert error["message"].startswith(error["source_path"] + ": ") and "\n" not in error["message"]
    return error["message"]


@pytest.mark.parametrize("page", [
    _page("<script src='/static/js/chunk-vendors.js'></script><script>window.__INITIAL_STATE__ = {};</script>"),
    _page("<noscript>请启用 JavaScript</noscript><div id='app'></div><script src='/js/app.8f3c.js'></script>"),
    "<html><head><meta charset='utf-8'><title>绩效自评</title></head>"
    "<frameset cols='20%,80%'><frame src='menu.html'><frame src='content.html'></frameset></html>",
], ids=["scripts-only", "empty-app-div", "frameset"])
def test_a_javascript_rendered_or_frameset_page_is_needs_javascript(tmp_path, page):
    code, out = _ingest(tmp_path, page)
    assert code == 1
    _failed_as(out, "needs_javascript")


def test_a_page_with_nothing_shown_but_the_sites_menu_is_empty(tmp_path):
    code, out = _ingest(tmp_path, _page("<div class='nav'>首页 | 政务公开</div><p hidden>草稿</p>\n  "))
    assert code == 1
    assert "no readable text" in _failed_as(out, "empty")


def test_scripts_styles_and_form_fields_in_a_table_cell_are_not_read(tmp_path):
    table = ("<table><tr><th>项目</th><th>全年预算数</th></tr>"
             "<tr><td>基本支出<script>document.write('99999 万元')</script></td>"
             "<td>128.50万元<noscript>88888 万元</noscript><textarea>77777 万元</textarea>"
             "<style>td { width: 66666px }</style></td></tr></table>")
    code, out = _ingest(tmp_path, _page(f"<h1>{TITLE}</h1><p>一、基本情况</p>{table}"))
    assert code == 0
    text = _text(out)
    assert "基本支出\t128.50万元" in text
    assert not any(figure in text for figure in ("99999", "88888", "77777", "66666"))
    assert "999990000.00" not in _amounts(out)


def test_a_page_laid_out_as_one_table_leaves_out_its_menu_footer_and_css(tmp_path):
    layout = ("<table width='100%'><tr><td class='nav'>首页 | 政务公开 | 全年预算数 4444 万元</td></tr>"
              f"<tr><td><style>/* 全年预算数 5555 万元 */ .t {{ font-size: 14px }}</style><h1>{TITLE}</h1></td></tr>"
              "<tr><td><p>一、基本情况</p></td></tr><tr><td><p>全年预算数 128.50 万元。</p></td></tr>"
              "<tr id='footer'><td>网站主办：某县人民政府办公室 全年预算数 3333 万元</td></tr></table>")
    code, out = _ingest(tmp_path, _page(layout))
    _read_as_the_report(code, out)
    text = _text(out)
    assert not any(word in text for word in ("首页", "网站主办", "5555", "font-size"))


@pytest.mark.parametrize("hiding", [
    "hidden", 'aria-hidden="true"', 'style="display:none"', 'style="color: red; VISIBILITY: hidden !important"',
])
def test_hidden_text_is_not_read(tmp_path, hiding):
    body = f"{REPORT}<div {hiding}><p>全年执行数 7777 万元。</p></div>"
    _read_as_the_report(*_ingest(tmp_path, _page(body)))


def test_the_body_is_read_whatever_its_class_or_style(tmp_path):
    """A body's class names the page's layout (a sidebar beside the article), and a display:none on it
    is undone by the page's scripts: neither is a site part or hidden text."""
    page = _page(REPORT).replace("<body>", "<body class='has-sidebar' style='display:none'>")
    _read_as_the_report(*_ingest(tmp_path, page))


@pytest.mark.parametrize("charset", ["undefined", "x-no-such-charset"])
def test_a_gbk_page_declaring_a_charset_python_does_not_know_is_detected(tmp_path, charset):
    body = REPORT + "<p>本局认真贯彻落实县委县政府决策部署，全面加强水利工程建设管理，预算执行总体较好。</p>"
    page = _page(body, head=f"<meta charset={charset}>").encode("gbk")
    _read_as_the_report(*_ingest(tmp_path, page))
