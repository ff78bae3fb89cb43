"""Boilerplate across a source: lines repeated in many of its documents (a site's menu in scraped
text files, a mail signature, "print version") are taken out of the body before indexing.

A full build counts, per source, the short lines of every document (SourceLines, the same rule
as formats/boilerplate.repeated_lines), then cleans each document with its source's set plus the
known-furniture patterns at the text's edges (boilerplate.strip); the share is lower than
repeated_lines' default because one folder often mixes several sites. The sets are saved in the
manifest so an incremental update cleans a changed file the same way. A paged document is
cleaned page by page, and its page offsets recomputed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .formats.boilerplate import MAX_LINE, _norm, _worth, strip
from .records import Document
from .titles import clip, guess_title

MIN_DOCS = 3
# A folder may mix several sites: each site's menu is then in only a share of its documents.
# A short line verbatim in 5% of a source's documents (and at least 3) is furniture there.
MIN_SHARE = 0.05


class SourceLines:
    """Counts, per source, in how many documents each short line appears."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.docs: Counter[str] = Counter()

    def add(self, doc: Document) -> None:
        lines = {n for n in (_norm(x) for x in doc.body.splitlines()) if n and len(n) <= MAX_LINE}
        self.counts.setdefault(doc.source, Counter()).update(lines)
        self.docs[doc.source] += 1

    def furniture(self) -> dict[str, set[str]]:
        """Per source, the lines in at least MIN_DOCS and MIN_SHARE of its documents."""
        out: dict[str, set[str]] = {}
        for source, counts in self.counts.items():
            need = max(MIN_DOCS, int(MIN_SHARE * self.docs[source] + 0.999))
            found = {line for line, n in counts.items() if n >= need and _worth(line)}
            if found:
                out[source] = found
        return out


def clean(doc: Document, lines: set[str] | frozenset[str] = frozenset()) -> Document:
    """doc without its furniture lines (kept aside in doc.boilerplate, shown dimmed); a title
    made from the text is made again from the cleaned text."""
    if doc.format == "json":
        return doc
    if doc.pages:
        bounds = [*doc.pages, len(doc.body)]
        parts: list[str] = []
        removed: list[str] = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            text, gone = strip(doc.body[a:b], lines)
            parts.append(text)
            removed += gone
        pages, offset = [], 0
        for text in parts:
            pages.append(offset)
            offset += len(text) + 2
        body = "\n\n".join(parts)
        new_pages = tuple(pages)
    else:
        body, removed = strip(doc.body, lines)
        new_pages = ()
    if not removed:
        return doc
    if not body.strip():  # only furniture: keep the document as it was rather than lose it
        return doc
    title, given = doc.title, doc.title_given
    dropped = {_norm(r) for r in removed}
    if given and (_norm(title) in dropped or _norm(title) in lines):
        given = False  # a menu line taken for a heading: the title comes from the text instead
    if not given:
        title = clip(guess_title(body, doc.id.rsplit("/", 1)[-1]))
    kept = tuple(dict.fromkeys([*doc.boilerplate, *(r for r in removed if r)]))
    return replace(doc, body=body, pages=new_pages, title=title, title_given=given,
                   boilerplate=kept)
