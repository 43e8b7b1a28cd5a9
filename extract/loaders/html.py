"""HTML (.html, .htm): reports published as web pages, saved by the analyst. The article's visible
text in document order, a line for each block (paragraph, heading, list item, line break); tables as
tab-separated rows, a merged cell (colspan, rowspan) repeated in every slot it covers, as the PDF and
Word loaders write them; the page is one page.

Only what a browser shows as the article is read, wherever it is (in the page, the article picker's
counts, a table's cells): scripts, styles, <noscript>, templates, form fields and select lists (a
footer's statistics script or list of friend links would otherwise outweigh the article, and a
document.write in a cell become a figure), hidden elements (the hidden attribute, aria-hidden="true",
an inline display:none or visibility:hidden: drafts and duplicates a reader never sees), and the
site's menus and footer (by tag, class or id) are left out. Deep nesting and inline images past
libxml2's default limits are read (huge_tree); a page past even those is an error, as is a page with
nothing to read: `needs_javascript` for a frameset or a page its scripts fill in, else `empty`."""
from __future__ import annotations

from typing import Callable, Iterator

import lxml.html
import regex
from lxml import etree

from ..errors import IngestError
from ..model import LoadedFile
from . import loader
from .tables import cell_text, despace_cjk, grid_text
from .text import GB_FAMILY, decode_text

# The charset a page declares, in its first bytes (<meta charset="gb2312">, content="text/html; charset=gbk").
_DECLARED_CHARSET = regex.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", regex.IGNORECASE)
_XML_DECLARATION = regex.compile(r"^\s*<\?xml[^>]*>")
_BLANKS = regex.compile(r"\s+")
BLOCKS = frozenset("""p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer nav main aside
blockquote pre address figure figcaption center caption form fieldset""".split())
LEFT_OUT = frozenset("script style noscript template iframe svg object select option button textarea input head".split())
# Elements with no content of their own: being empty is no sign of a page its scripts fill in.
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
HEADINGS = frozenset("h1 h2 h3".split())
# Parts of a site's page around the article, by the words of their class or id (class="footer",
# id="top-nav", class="crumb_box"): left out wherever they are.
SITE_PARTS = frozenset("nav navbar menu footer foot breadcrumb crumb sidebar copyright share".split())
SITE_PART_TAGS = frozenset(("nav", "aside"))
# An inline style that hides its element; rules in a stylesheet are not followed.
_HIDDEN_STYLE = regex.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", regex.IGNORECASE)
_NAME_WORDS = regex.compile(r"[A-Za-z]+")
# The article is the part of the page holding at least this share of its text (see _article).
ARTICLE_SHARE = 0.8
# A colspan or rowspan beyond these is a page's layout trick, not a table's structure.
MAX_COLSPAN, MAX_ROWSPAN = 50, 500


@loader(".html", ".htm")
def load_html(path: str, data: bytes, sha256: str) -> LoadedFile:
    warnings: list[str] = []
    root = _parse(path, _decode(path, data, warnings))
    body = root.find("body")
    content = body if body is not None else root  # a frameset page has no body
    lines = _Lines()
    _walk(_article(content), lines)
    lines.end()
    if not lines.done:
        raise _nothing_to_read(path, root, content)
    return LoadedFile(path=path, file_type="html", sha256=sha256, pages=["\n".join(lines.done)], warnings=warnings)


def _decode(path: str, data: bytes, warnings: list[str]) -> str:
    """The page's text in the charset it declares (GB2312 and GBK read as their superset GB18030),
    else as a text file is decoded."""
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared:
        encoding = declared.group(1).decode("ascii").lower()
        encoding = "gb18030" if encoding in GB_FAMILY else encoding
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeError):  # UnicodeError: Python's codec named "undefined" refuses all
            pass  # a wrong declaration: detect instead
    return decode_text(path, data, warnings)


def _parse(path: str, text: str):
    """The page's tree. libxml2 drops everything past its default limits (255 levels of nesting, 10 MB
    in one text or attribute: a page saved with an inline image), so they are raised (huge_tree); a
    page past even the raised ones is refused rather than read in part."""
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise IngestError("load", "corrupt", f"{path}: not a readable web page ({exc})") from exc
    except etree.XMLSyntaxError as exc:  # libxml2 out of memory says no more than "unknown error"
        raise IngestError("load", "corrupt", f"{path}: the HTML parser gave up ({exc}); "
                          "a very large page may need a higher --max-memory") from exc
    stops = [error for error in parser.error_log if error.level >= etree.ErrorLevels.FATAL]
    if stops:
        reason = _BLANKS.sub(" ", stops[0].message).strip()
        raise IngestError("load", "corrupt",
                          f"{path}: the HTML parser stopped part way, the rest of the page would be lost ({reason})")
    return root


def _nothing_to_read(path: str, root, content) -> IngestError:
    if root.find(".//frameset") is not None:
        return IngestError("load", "needs_javascript",
                           f"{path}: a frameset page, its text is in the pages of its frames: save those instead")
    if _filled_in_by_scripts(root, content):
        return IngestError("load", "needs_javascript", f"{path}: no text, the page's scripts write it in a browser: "
                           "save the page from the browser once it has loaded, or print it to PDF")
    return IngestError("load", "empty",
                       f"{path}: no readable text (nothing shown but the site's menus, hidden parts or blanks)")


def _filled_in_by_scripts(root, content) -> bool:
    """A page saved before its scripts ran: it has scripts, and shows nothing but them or holds an empty
    element for them to fill in."""
    if root.find(".//script") is None:
        return False
    shown = [item for kind, item in _visible_parts(content) if kind == "open" and item is not content]
    return not shown or any(_empty_mount(element) for element in shown)


def _empty_mount(element) -> bool:
    """An empty element named for scripts to find, <div id="app"></div> or <app-root></app-root>; an
    empty <p> is only a blank line."""
    named = element.get("id") is not None or "-" in element.tag
    return named and element.tag not in VOID and not any(isinstance(child.tag, str) for child in element)


class _Lines:
    """Text gathered into lines: inline text runs on, a block or a line break ends the line."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self._parts: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self._parts.append(text)

    def end(self) -> None:
        line = despace_cjk(_BLANKS.sub(" ", "".join(self._parts)).strip())
        if line:
            self.done.append(line)
        self._parts = []

    def add_lines(self, text: str) -> None:
        self.end()
        if text:
            self.done.append(text)


def _walk(article, lines: _Lines) -> None:
    for kind, item in _visible_parts(article, into=lambda element: element.tag != "table"):
        if kind == "text":
            lines.add(item)
        elif item.tag == "table":
            if kind == "open":
                lines.add_lines(grid_text(_grid(item)))
        elif item.tag == "br" or item.tag in BLOCKS:
            lines.end()


def _visible_parts(element, into: Callable = lambda element: True) -> Iterator[tuple[str, object]]:
    """What a reader sees of element, in document order: ("open", e) and ("close", e) around each shown
    element, ("text", s) for its text and the tails after its children. into(e) false keeps e's content
    out (a table the walk reads as a grid). A loop, not recursion: pages nest deeper than Python's stack."""
    if _left_out(element):
        return
    stack: list[tuple[str, object]] = [("open", element)]
    while stack:
        kind, item = stack.pop()
        yield kind, item
        if kind == "open":
            stack.append(("close", item))
            if into(item):
                stack.extend(reversed(_content(item)))


def _content(element) -> list[tuple[str, object]]:
    parts: list[tuple[str, object]] = [("text", element.text)] if element.text else []
    for child in element:
        if not _left_out(child):
            parts.append(("open", child))
        if child.tail:  # a left-out element's tail is outside it, and shown
            parts.append(("text", child.tail))
    return parts


def _visible_text(element) -> str:
    return "".join(item for kind, item in _visible_parts(element) if kind == "text")


def _left_out(element) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        return True  # comments and processing instructions
    if tag in LEFT_OUT or tag in SITE_PART_TAGS:
        return True
    if tag in ("html", "body"):
        return False  # the whole page: class="has-sidebar", or a display:none its scripts undo, hides none of it
    return len(element.attrib) > 0 and (_hidden(element) or _site_part(element))  # most have none: quick


def _hidden(element) -> bool:
    return (element.get("hidden") is not None or (element.get("aria-hidden") or "").strip().lower() == "true"
            or _HIDDEN_STYLE.search(element.get("style") or "") is not None)


def _site_part(element) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return any(word in SITE_PARTS for word in _NAME_WORDS.findall(names))


def _article(element):
    """From <body> down into the child that holds nearly all the text (ARTICLE_SHARE), as long as
    nothing beside it holds a heading (a title above the article's text stays in): the site's
    menus, breadcrumbs and footer are left outside. Only shown text and headings count."""
    sizes = _text_sizes(element)
    while True:
        children = [c for c in element if c in sizes]
        if not children or element.tag == "table":
            return element
        k = max(range(len(children)), key=lambda j: sizes[children[j]])
        if sizes[children[k]] < ARTICLE_SHARE * sizes[element]:
            return element
        if any(_holds_heading(c) for j, c in enumerate(children) if j != k):
            return element
        element = children[k]


def _text_sizes(element) -> dict:
    """Every shown element's amount of shown text (characters, blanks at the ends of its pieces not
    counted), in one pass."""
    sizes, open_sums = {}, []
    for kind, item in _visible_parts(element):
        if kind == "open":
            open_sums.append(0)
        elif kind == "text":
            open_sums[-1] += len(item.strip())
        else:
            sizes[item] = size = open_sums.pop()
            if open_sums:
                open_sums[-1] += size
    return sizes


def _holds_heading(element) -> bool:
    return any(kind == "open" and item.tag in HEADINGS for kind, item in _visible_parts(element))


def _grid(table) -> list[list[str]]:
    """Every slot's text, a merged cell's text in each slot it covers; rows of nested tables are the
    nested tables' own (their text stays in the cell that holds them). A left-out row or cell (hidden,
    the site's menu in a page laid out as a table) takes no place."""
    rows = _rows(table)
    slots: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th") or _left_out(cell):
                continue
            while (r, c) in slots:
                c += 1
            text = cell_text(_visible_text(cell))
            across = _span(cell.get("colspan"), MAX_COLSPAN)
            down = _span(cell.get("rowspan"), MAX_ROWSPAN)
            for dr in range(min(down, len(rows) - r)):
                for dc in range(across):
                    slots[(r + dr, c + dc)] = text
            c += across
    if not slots:
        return []
    n_columns = 1 + max(c for _, c in slots)
    return [[slots.get((r, c), "") for c in range(n_columns)] for r in range(len(rows))]


def _rows(table) -> list:
    """The table's shown rows, not those of tables inside its cells."""
    def into(element) -> bool:
        return element is table or element.tag not in ("tr", "table")
    return [item for kind, item in _visible_parts(table, into) if kind == "open" and item.tag == "tr"]


def _span(value: str | None, most: int) -> int:
    try:
        return max(1, min(most, int(value or 1)))
    except ValueError:
        return 1
