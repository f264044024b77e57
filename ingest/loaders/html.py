"""HTML via BeautifulSoup: the main content as text, never as markup.

Web pages wrap a report in navigation, banners, cookie notices and scripts; only
the main content (<main>, <article>, role=main) is kept, and page chrome is
dropped. Every block is built from text nodes, so no tag, attribute or script
can reach the index or an answer, while text that merely looks like markup
("&lt;script&gt;" in the source) stays what the author wrote: literal text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.document import LoadedDocument, doc_id_for
from ingest.loaders.common import Sections, clean_inline, first_heading, put, stem_title
from ingest.loaders.text import decode_text

_NEVER_CONTENT = (
    "script",
    "style",
    "noscript",
    "template",
    "form",
    "svg",
    "iframe",
    "object",
    "embed",
    "canvas",
    "button",
    "select",
    "input",
    "textarea",
    "nav",
    "aside",
    "head",
)
_CHROME = ("header", "footer")
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_HEADING = re.compile(r"^h([1-6])$")
# Block elements end the text before them; each gives the kind of the text inside it.
_OWN_KIND = {
    "li": "list_item",
    "dt": "paragraph",
    "dd": "paragraph",
    "figcaption": "caption",
    "caption": "caption",
    "ul": "paragraph",
    "ol": "paragraph",
    "dl": "paragraph",
}
_PROSE = {"p", "pre", "address"}  # a paragraph, unless it is the body of a list item or caption
_CONTAINERS = {"div", "section", "article", "main", "blockquote", "figure", "header", "footer", "hr"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# A page that says latin-1 or ASCII means windows-1252 in practice (the WHATWG rule browsers follow).
_WINDOWS_1252_ALIASES = {"iso8859-1", "latin-1", "ascii", "iso-8859-1", "us-ascii", "latin1"}


def load_html(path: Path, data: bytes) -> LoadedDocument:
    text, warnings = _decode(path, data)
    soup = BeautifulSoup(text, "html.parser")
    metadata = {"kind": "document"}
    put(metadata, "author", _meta(soup, "author", "dc.creator", "dcterms.creator"))
    put(metadata, "created", _meta(soup, "dcterms.created", "dc.date", "date", "article:published_time"))
    put(metadata, "description", _meta(soup, "description"))
    if soup.html is not None:
        put(metadata, "language", soup.html.get("lang"))
    page_title = clean_inline(soup.title.get_text()) if soup.title else ""
    root = _main_content(soup)
    blocks = _Walker().blocks(root) if root is not None else []
    title = page_title or first_heading(blocks) or stem_title(path)
    return LoadedDocument(
        doc_id=doc_id_for(data), source=str(path), title=title, metadata=metadata, blocks=blocks, warnings=warnings
    )


def _decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    """The declared charset if there is one and it fits; otherwise UTF-8 with the usual fallbacks."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
        return data.decode(encoding, errors="replace"), []
    head = data[:4096]
    declared = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            encoding = "cp1252" if codecs.lookup(name).name in _WINDOWS_1252_ALIASES | {"cp1252"} else name
            codecs.lookup(encoding)
            return data.decode(encoding), []
        except LookupError:
            warning = f"declared charset '{name}' is unknown"
        except UnicodeDecodeError as exc:
            warning = f"text does not match its declared charset '{name}' ({exc.reason} at byte {exc.start})"
        text, warnings = decode_text(data, path)
        return text, [warning] + warnings
    return decode_text(data, path)


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": re.compile(f"^{re.escape(name)}$", re.IGNORECASE)}) or soup.find(
            "meta", attrs={"property": name}
        )
        if tag is not None and tag.get("content"):
            return tag["content"]
    return None


def _main_content(soup: BeautifulSoup) -> Tag | None:
    for tag in soup.find_all(_NEVER_CONTENT):
        tag.decompose()
    for tag in soup.find_all(_not_content):
        tag.decompose()
    root = soup.find("main") or soup.find(attrs={"role": "main"})
    articles = soup.find_all("article")
    if root is None and len(articles) == 1:
        root = articles[0]
    if root is None:
        root = soup.body or soup
        for tag in root.find_all(_CHROME):
            tag.decompose()
    else:  # inside the content a header may hold the article's title; keep it only then
        for tag in root.find_all(_CHROME):
            if tag.name == "footer" or not tag.find(_HEADING):
                tag.decompose()
    return root


def _not_content(tag: Tag) -> bool:
    """Not shown, or page chrome by its ARIA role."""
    if tag.attrs is None:
        return False
    style = (tag.get("style") or "").replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or tag.get("role") in _CHROME_ROLES
        or "display:none" in style
        or "visibility:hidden" in style
    )


class _Walker:
    """Text nodes collected into blocks; block elements close the block before them."""

    def __init__(self) -> None:
        self.sections = Sections()
        self.out = []
        self.buffer: list[str] = []

    def blocks(self, root: Tag):
        self._walk(root, "paragraph")
        self._flush("paragraph")
        return self.out

    def _walk(self, node: Tag, kind: str) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, doctype or CDATA section
                    self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            heading = _HEADING.match(name)
            if heading:
                self._flush(kind)
                text = clean_inline(child.get_text(" "))
                if text:
                    self.out.append(self.sections.heading(text, int(heading.group(1))))
            elif name == "table":
                self._flush(kind)
                self._table(child)
            elif name == "br":
                self.buffer.append(" ")
            elif name in _OWN_KIND or name in _PROSE or name in _CONTAINERS:
                self._flush(kind)
                if name in _OWN_KIND:
                    inner = _OWN_KIND[name]
                elif name in _PROSE:
                    inner = kind if kind in ("list_item", "caption") else "paragraph"
                else:
                    inner = kind
                self._walk(child, inner)
                self._flush(inner)
            else:
                self._walk(child, kind)

    def _flush(self, kind: str) -> None:
        text = clean_inline("".join(self.buffer))
        self.buffer = []
        if text:
            self.out.append(self.sections.block(text, kind))

    def _table(self, table: Tag) -> None:
        caption = table.find("caption")
        if caption is not None:
            text = clean_inline(caption.get_text(" "))
            if text:
                self.out.append(self.sections.block(text, "caption"))
        rows = []
        for tr in table.find_all("tr"):
            if tr.find_parent("table") is not table:
                continue  # a nested table's rows are part of its cell's text
            cells = [
                clean_inline(cell.get_text(" ")).replace("|", "\\|")
                for cell in tr.find_all(("td", "th"))
                if cell.find_parent("tr") is tr
            ]
            if any(cells):
                rows.append("| " + " | ".join(cells) + " |")
        if rows:
            self.out.append(self.sections.block("\n".join(rows), "table"))
