"""HTML pages: the visible text and the title, through selectolax's HTML5 parser (Lexbor)."""

from __future__ import annotations

import re

from ..records import SkipFile

MAX_HTML_NESTING = 10_000
_TAG_RE = re.compile(r"<(/?)[A-Za-z]")


def _nesting_run(html: str) -> int:
    """The longest run of opening tags with no closing tag between (a cheap depth bound)."""
    run = best = 0
    for m in _TAG_RE.finditer(html):
        if m.group(1):
            run = 0
        else:
            run += 1
            best = max(best, run)
    return best


def html_to_text(html: str) -> tuple[str, str]:
    from selectolax.lexbor import LexborHTMLParser

    # The parser's time grows with the square of the nesting depth (100k nested <div> take
    # ~40 s): refuse pathological files before parsing.
    if (depth := _nesting_run(html)) > MAX_HTML_NESTING:
        raise SkipFile(f"HTML nested too deeply ({depth} levels; limit {MAX_HTML_NESTING})")
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css("script, style, noscript, template, svg, iframe, object"):
        node.decompose()
    root = tree.body or tree.root
    body = root.text(separator="\n", strip=True) if root is not None else ""
    if not title:
        h1 = tree.css_first("h1")
        title = h1.text(strip=True) if h1 else ""
    return " ".join(title.split()), body
