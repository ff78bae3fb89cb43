"""What a search is asked and what it answers: engine-neutral records shared by every backend,
the web layer, the CLI and eval/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000  # deepest result reachable by paging, as in Elasticsearch
FACETS = ("lang", "source", "year")
# Shown only when the index has such a field (the file format, once formats beyond text are read).
OPTIONAL_FACETS = ("format",)
BROWSE_QUERIES = ("", "*")  # no words: every document (with the filters), newest first
RECENT_DOCS = 5
EXAMPLE_QUERIES = 5
FACET_VALUES = 20  # values shown per facet: the most frequent (years then newest first)
LANG_VALUES = 1000  # every language is listed (the rare ones folded under "more" by the page)


def facet_size(name: str) -> int:
    """How many values of a facet are counted: every language, else FACET_VALUES."""
    return LANG_VALUES if name == "lang" else FACET_VALUES
RELATED_PREVIEW_CHARS = 180
# A hit found by its words keeps its whole body: the snippet is the best passage wherever it
# is (search/locate.py). Browsing needs only the head of it:
LEAD_BODY_CHARS = 4_000  # browsing (no words): the snippet is the body's lead, the title may
# be guessed from its first 2,000 characters

# "date": newest first; "date_asc": oldest first. Ties: newest first, then ids in natural order.
Sort = Literal["relevance", "date", "date_asc"]
SORTS: tuple[Sort, ...] = ("relevance", "date", "date_asc")


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search can be asked for; values are clamped by `normalized()`."""

    query: str = ""
    lang: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    format: tuple[str, ...] = ()  # the stored field "format" (pdf, docx, ...), when indexed
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort = "relevance"
    page: int = 1
    page_size: int = 10
    prefix_last: bool = True
    # False: the page comes without facets, which `Engine.facets` gives on their own (the live
    # search box asks for them once typing pauses: one pass over the matches per keystroke, not two)
    facets: bool = True
    # Keyword results fused with results by meaning (search/hybrid.py); None: the default
    # (SEARCHAPP_SEMANTIC_DEFAULT, when the serving version has vectors)
    semantic: bool | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    title_html: str
    lang: str
    date: str | None
    source: str
    url: str
    score: float
    snippet_html: str
    format: str = ""
    page: int | None = None  # 1-based page of the snippet's match, for paged formats
    match: str = "words"  # found by its "words", by "meaning" (another language...), or "both"
    copies: tuple[tuple[str, str], ...] = ()  # near-duplicates folded into it: (id, format)

    @property
    def duplicates(self) -> list[str]:
        """The ids of the other copies of this text."""
        return [doc_id for doc_id, _ in self.copies]


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    request: SearchRequest
    hits: list[Hit]
    total: int
    facets: dict[str, list[FacetValue]]
    elapsed_ms: float
    warnings: list[str] = field(default_factory=list)
    relaxed: bool = False  # no document had every word: any-word results are shown
    version: str = ""
    complete: bool = True  # False when the search failed (such a page is never cached)
    cached: bool = False  # answered from the result cache: elapsed_ms is the lookup's time
    first_ms: float = 0.0  # how long the search took when it was run (cached pages)
    corrected_from: str = ""  # nothing matched this query: the page shows its correction

    @property
    def browsing(self) -> bool:
        return is_browse(self.request.query)

    @property
    def pages(self) -> int:
        reachable = min(self.total, MAX_RESULT_WINDOW)
        return max(1, -(-reachable // self.request.page_size))


@dataclass(frozen=True)
class DocView:
    id: str
    title: str
    title_html: str
    body_html: str
    lang: str
    date: str | None
    source: str
    url: str
    related: list[Hit] = field(default_factory=list)
    format: str = ""
    page: int | None = None  # 1-based page of the query's best match, for paged formats
    pages: int = 0  # how many pages a paged document has
    author: str = ""
    parent: str = ""
    tags: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()  # furniture lines kept out of matching (shown dimmed)
    part: int = 1  # the part of a long body shown (search/parts.py), 1-based
    parts: int = 1  # how many parts the body has
    part_start: int = 0  # char offsets of the part shown in the body
    part_end: int = 0
    length: int = 0  # chars in the whole body
    body_pages: tuple[tuple[int, str], ...] = ()  # paged formats: (page number, its body_html)
    copies: tuple[tuple[str, str], ...] = ()  # near-duplicates of it: (id, format)

    @property
    def duplicates(self) -> list[str]:
        """The ids of the other copies of this text."""
        return [doc_id for doc_id, _ in self.copies]


@dataclass(frozen=True)
class StoredDoc:
    """A document as a backend returns it: stored fields, before highlighting."""

    id: str
    title: str  # the stored title, or one made from the body's first meaningful line
    body: str
    lang: str
    date: str | None
    source: str
    url: str
    score: float = 0.0
    format: str = ""
    pages: tuple[int, ...] = ()  # char offsets of page starts in body (paged formats)
    author: str = ""
    parent: str = ""
    tags: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()


def page_of(pages: tuple[int, ...], offset: int | None) -> int | None:
    """The 1-based page holding char offset of the body; None when not paged or unknown."""
    if not pages or offset is None:
        return None
    from bisect import bisect_right

    return max(1, bisect_right(pages, offset))


@dataclass(frozen=True)
class Overview:
    """What the home page shows about the serving index."""

    documents: int
    languages: list[FacetValue]
    recent: list[StoredDoc]
    examples: list[str]  # queries drawn from the index's own words
    years: list[FacetValue] = field(default_factory=list)
    formats: list[FacetValue] = field(default_factory=list)


@dataclass
class Matches:
    """One run of a query on a backend: the total, the requested page, facets if asked."""

    total: int
    docs: list[StoredDoc]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


def normalized(req: SearchRequest) -> SearchRequest:
    size = min(max(int(req.page_size), 1), MAX_PAGE_SIZE)
    page = max(int(req.page), 1)
    if (page - 1) * size >= MAX_RESULT_WINDOW:
        page = MAX_RESULT_WINDOW // size
    sort: Sort = req.sort if req.sort in SORTS else "relevance"
    return replace(req, page=page, page_size=size, sort=sort, query=req.query or "")


def is_browse(query: str) -> bool:
    """An empty query or `*`: every document (with the request's filters)."""
    return query.strip() in BROWSE_QUERIES


def natural_key(doc_id: str) -> tuple[tuple[int, int | str], ...]:
    """Ids in natural order: 1, 2, 11 (not 1, 11, 2)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in _DIGITS.split(doc_id) if part)


_DIGITS = re.compile(r"(\d+)")
