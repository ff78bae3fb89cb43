"""Highlighting: escaped HTML with <mark> around every form that matched.

tantivy's SnippetGenerator marks only exact terms (not folded, prefix, fuzzy or stemmed
matches), so snippets are built here, the same for every backend: matching.py finds every form
that matched, and the densest window is shown; in a long text, locate.py finds the region that
holds it first, wherever it is.
Everything from the document is escaped; only our own <mark> tags are added.
"""

from __future__ import annotations

import re
from html import escape

from ..analysis.analyzers import Analyzers
from .locate import best_region, best_window
from .matching import MatchSpec, find_matches, match_spec

SCAN_CHARS = 30_000  # the most of a text's start that a lead without a match cleans

__all__ = [
    "MatchSpec", "find_matches", "highlight_all", "match_spec", "render", "snippet", "snippet_at",
]

SNIPPET_CHARS = 240
FULL_TEXT_CHARS = 2_000_000
_WORD = re.compile(r"\S+")


def render(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None) -> str:
    """Escaped text[start:end] with <mark> around the spans inside it."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e, _ in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def _clean(text: str) -> str:
    return " ".join(text.split())


def snippet(text: str, spec: MatchSpec, az: Analyzers, lang: str, width: int = SNIPPET_CHARS) -> str:
    """The best fragment of text as HTML: escaped, matches marked, or a leading excerpt."""
    return snippet_at(text, spec, az, lang, width)[0]


def original_offset(text: str, clean_pos: int) -> int:
    """The offset in text of position clean_pos of _clean(text) (whitespace runs collapsed)."""
    pos = 0
    for m in _WORD.finditer(text):
        length = m.end() - m.start()
        if clean_pos < pos + length:
            return m.start() + max(0, clean_pos - pos)
        pos += length + 1
    return len(text)


def snippet_at(
    text: str, spec: MatchSpec, az: Analyzers, lang: str, width: int = SNIPPET_CHARS,
    skip: int = 0,
    offset: bool = True,
) -> tuple[str, int | None]:
    """snippet() of text[skip:], and the offset in text where its best window starts (None: no
    match, or offset=False: a document without pages has no use for it); a paged document
    maps it to the page of the match."""
    if spec.empty():  # nothing to find (browsing): the lead needs only the text's start
        return _lead(text[skip:skip + SCAN_CHARS], width), None
    region = best_region(text, spec, az, lang, skip)
    start, end = region.start, region.end
    raw = text[start:end]
    head = _clean(raw)
    spans = find_matches(head, spec, az, lang)
    if not spans:
        head = _clean(text[skip : skip + width * 8])
        cut = head[:width]
        if len(head) > width:
            cut = cut[: cut.rfind(" ")] if " " in cut[width // 2 :] else cut
            return escape(cut) + "…", None
        return escape(cut), None
    s, e = best_window(spans, width, region.weights)[1]
    at = start + original_offset(raw, s) if offset else None
    pad = max(0, (width - (e - s)) // 2)
    lo = max(0, s - pad)
    hi = min(len(head), max(e, lo + width))
    if lo > 0:
        sp = head.find(" ", lo, s)
        lo = sp + 1 if sp != -1 else lo
    if hi < len(head):
        sp = head.rfind(" ", e, hi)
        hi = sp if sp != -1 else hi
    html = render(head, spans, lo, hi)
    before = lo > 0 or start > skip
    after = hi < len(head) or end < len(text)
    return ("…" if before else "") + html + ("…" if after else ""), at


def _lead(text: str, width: int) -> str:
    """What snippet_at shows without a match: the first `width` characters of the cleaned text,
    cut at a space; only as much of text is cleaned as that needs."""
    n = width * 4
    head = _clean(text[:n])
    while len(head) <= width and n < min(len(text), SCAN_CHARS):
        n *= 4
        head = _clean(text[: min(n, SCAN_CHARS)])
    cut = head[:width]
    if len(head) > width:
        cut = cut[: cut.rfind(" ")] if " " in cut[width // 2 :] else cut
        return escape(cut) + "…"
    return escape(cut)


def highlight_all(text: str, spec: MatchSpec, az: Analyzers, lang: str) -> str:
    """The whole text as escaped HTML with every match marked (document pages, titles)."""
    text = text[:FULL_TEXT_CHARS]
    return render(text, find_matches(text, spec, az, lang))
