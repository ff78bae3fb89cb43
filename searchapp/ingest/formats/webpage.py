"""HTML pages: main content by trafilatura (offline), metadata from the page's own tags.

trafilatura drops navigation, footers, cookie banners and sidebars by its content heuristics
(with jusText/readability fallbacks); tables are kept.  The heading and lead it may drop are put
back (lead.py).  When it finds no main content, the page's visible text (selectolax,
scripts/styles/nav/footer removed) is used instead.  The title is og:title, <title> or <h1>,
never script or template text, the one agreeing with the <h1> when they differ (titles.py).
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import as_date, check_size, guarded, lang_code, one_line, tidy
from searchapp.ingest.formats.boilerplate import strip
from searchapp.ingest.formats.encoding import decode_text
from searchapp.ingest.formats.html import check_nesting
from searchapp.ingest.formats.labelled import decode_labelled
from searchapp.ingest.formats.lead import recall_pass, with_lead
from searchapp.ingest.titles import choose_title

SUFFIXES = {".html", ".htm", ".xhtml"}
_DATE_META = (
    'meta[property="article:published_time"]', 'meta[name="date"]', 'meta[name="dc.date"]',
    'meta[name="DC.date"]', 'meta[itemprop="datePublished"]', 'meta[name="pubdate"]',
)
_NOISE = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg"

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def _meta(tree: HTMLParser, selector: str, attr: str = "content") -> str:
    node = tree.css_first(selector)
    value = node.attributes.get(attr) if node is not None else None
    return one_line(value) if value else ""


def _heading(tree: HTMLParser) -> tuple[str, bool]:
    """The page's first <h1> outside navigation and footers, and whether it is in the page's
    own <header> (a site's logo): one outside it first."""
    banner = ""
    for node in tree.css("h1"):
        parent, inside, header, content = node.parent, False, False, False
        while parent is not None and not inside:
            inside = parent.tag in ("nav", "footer", "aside", "script", "template")
            header = header or parent.tag == "header"
            content = content or parent.tag in ("article", "main")
            parent = parent.parent
        text = one_line(node.text())
        if text and not inside:
            if not header or content:
                return text, False
            banner = banner or text
    return banner, bool(banner)


def visible_text(html: str) -> str:
    """All the text a reader of the page sees (scripts, styles and templates left out)."""
    check_nesting(html)  # every HTML a reader parses goes through the one guard (html.py)
    return _visible_text(HTMLParser(html), "script, style, noscript, template, iframe, svg")


def _visible_text(tree: HTMLParser, noise: str = _NOISE) -> str:
    body = tree.body or tree.root
    if body is None:
        return ""
    for node in body.css(noise):
        node.decompose()
    return body.text(separator="\n", strip=True)


_XML_DECL = re.compile(rb"\A\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_FIGURE = re.compile(r"<(/?)(figure|figcaption)\b", re.IGNORECASE)


def _figures_kept(html: str) -> str:
    """<figure> as <div>, <figcaption> as <p>: trafilatura drops a figure whole, and with it
    the caption a reader sees under a photo."""
    if "<fig" not in html.lower():
        return html
    return _FIGURE.sub(lambda m: f"<{m[1]}{'div' if len(m[2]) == 6 else 'p'}", html)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def decode_html(data: bytes) -> str:
    """An HTML or XHTML document's text: its byte-order mark, else the charset its XML
    declaration or its <meta> states when the bytes fit it, else the one detected."""
    if data.startswith(_BOMS):
        return decode_text(data)
    head = data[:4096].lower()
    stated: list[str] = []
    xml = _XML_DECL.match(head)
    if xml:  # XHTML files and EPUB chapters state it here (Shift_JIS, EUC-KR, GB2312...)
        stated.append(xml[1].decode("ascii"))
    if b"charset" in head:
        for node in HTMLParser(data[:4096]).css("meta"):
            cs = node.attributes.get("charset")
            content = node.attributes.get("content") or ""
            if not cs and "charset=" in content.lower():
                cs = content.lower().split("charset=")[-1].split(";")[0].strip()
            if cs:
                stated.append(cs)
                break
    if stated:  # as stated when it fits (labelled.py), else detected
        return decode_labelled(data, stated[0])
    return decode_text(data)


def _stated(html: str, found: datetime.date | None) -> datetime.date | None:
    """found, unless it is 1 January guessed from a bare year ("Report (1996)"): htmldate's
    extensive search turns a lone year into YYYY-01-01; the page's markup must say it too."""
    if found is None or (found.month, found.day) != (1, 1):
        return found
    from htmldate import find_date

    try:
        marked = find_date(html, extensive_search=False, original_date=True)
    except Exception:  # noqa: BLE001 - htmldate raises assorted errors on odd markup
        return None
    return found if marked and as_date(marked) == found else None


def extract_html(html: str, limits: Limits, fmt: str = "html") -> Extracted:
    """Main text and metadata of one HTML document already decoded to str."""
    import trafilatura

    check_nesting(html)  # pages and e-mail bodies alike (html.py)
    tree = HTMLParser(html)
    html_node = tree.css_first("html")
    lang = lang_code(html_node.attributes.get("lang") if html_node is not None else "")
    url = _meta(tree, 'link[rel="canonical"]', "href") or _meta(tree, 'meta[property="og:url"]')
    heading, banner = _heading(tree)
    node = tree.css_first("title")
    title = choose_title(_meta(tree, 'meta[property="og:title"]'),
                         one_line(node.text()) if node is not None else "",
                         "" if banner else heading)  # a logo does not pick the title
    date = None
    for selector in _DATE_META:
        date = as_date(_meta(tree, selector))
        if date:
            break
    body = ""
    article = _figures_kept(html)
    try:
        doc = trafilatura.bare_extraction(
            article, favor_precision=True, include_tables=True, include_comments=False,
            with_metadata=True, deduplicate=False,
        )
    except Exception:  # noqa: BLE001 - trafilatura raises assorted errors on odd markup
        doc = None
    if doc is not None:
        fields: dict[str, Any] = doc if isinstance(doc, dict) else doc.as_dict()
        body = fields.get("text") or ""
        date = date or _stated(html, as_date(fields.get("date") or ""))
        title = title or choose_title(one_line(fields.get("title")))
    visible = _visible_text(HTMLParser(html), _NOISE.replace(" header,", ""))
    body = with_lead(recall_pass(article, body, visible), visible, heading)
    if not body.strip():
        body = _visible_text(tree)
    body, removed = strip(body)
    body = tidy(body, limits)
    return Extracted(body=body, title=title, date=date, lang=lang, format=fmt, url=url,
                     boilerplate=tuple(removed))


@guarded("HTML")
def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    check_size(data, limits)
    html = decode_html(data)
    doc = extract_html(html, limits)
    if not doc.body:
        raise SkipFile("no text in HTML page")
    return [doc]
