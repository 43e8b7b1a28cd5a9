"""HTML (.html, .htm): reports published as web pages, saved by the analyst. The article's visible
text in document order, a line for each block (paragraph, heading, list item, line break); tables as
tab-separated rows, a merged cell (colspan, rowspan) repeated in every slot it covers, as the PDF and
Word loaders write them. The site's menus and footer around the article, scripts, styles and forms
are left out; the page is one page."""
from __future__ import annotations

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
HEADINGS = frozenset("h1 h2 h3".split())
# Parts of a site's page around the article, by the words of their class or id (class="footer",
# id="top-nav", class="crumb_box"): left out wherever they are.
SITE_PARTS = frozenset("nav navbar menu footer foot breadcrumb crumb sidebar copyright share".split())
_NAME_WORDS = regex.compile(r"[A-Za-z]+")
# The article is the part of the page holding at least this share of its text (see _article).
ARTICLE_SHARE = 0.8
# A colspan or rowspan beyond these is a page's layout trick, not a table's structure.
MAX_COLSPAN, MAX_ROWSPAN = 50, 500


@loader(".html", ".htm")
def load_html(path: str, data: bytes, sha256: str) -> LoadedFile:
    warnings: list[str] = []
    text = _decode(path, data, warnings)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))
    except (etree.ParserError, ValueError) as exc:
        raise IngestError("load", "corrupt", f"{path}: not a readable web page ({exc})") from exc
    lines = _Lines()
    body = root.find("body")
    _walk(_article(body if body is not None else root), lines)
    lines.end()
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
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: detect instead
    return decode_text(path, data, warnings)


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


def _walk(element, lines: _Lines) -> None:
    tag = element.tag if isinstance(element.tag, str) else None  # comments and processing instructions
    if tag is None or tag in LEFT_OUT or tag in ("nav", "aside") or _site_part(element):
        return
    if tag == "table":
        lines.add_lines(grid_text(_grid(element)))
        return
    if tag == "br":
        lines.end()
        return
    if tag in BLOCKS:
        lines.end()
    lines.add(element.text)
    for child in element:
        _walk(child, lines)
        lines.add(child.tail)
    if tag in BLOCKS:
        lines.end()


def _site_part(element) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return any(word in SITE_PARTS for word in _NAME_WORDS.findall(names))


def _article(element):
    """From <body> down into the child that holds nearly all the text (ARTICLE_SHARE), as long as
    nothing beside it holds a heading (a title above the article's text stays in): the site's
    menus, breadcrumbs and footer are left outside."""
    size = _text_size(element)
    while True:
        children = [c for c in element if isinstance(c.tag, str) and c.tag not in LEFT_OUT]
        if not children or element.tag == "table":
            return element
        sizes = [_text_size(c) for c in children]
        k = max(range(len(children)), key=sizes.__getitem__)
        if sizes[k] < ARTICLE_SHARE * size:
            return element
        if any(h.tag in HEADINGS for j, c in enumerate(children) if j != k for h in c.iter()):
            return element
        element, size = children[k], sizes[k]


def _text_size(element) -> int:
    return sum(len(text.strip()) for text in element.itertext())


def _grid(table) -> list[list[str]]:
    """Every slot's text, a merged cell's text in each slot it covers; rows of nested tables are the
    nested tables' own (their text stays in the cell that holds them)."""
    rows = [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]
    slots: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in slots:
                c += 1
            text = cell_text("".join(cell.itertext()))
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


def _span(value: str | None, most: int) -> int:
    try:
        return max(1, min(most, int(value or 1)))
    except ValueError:
        return 1
