"""The search engine façade: parse once, run on the backend, highlight, cache.

A search reads top-down: the request is normalised and its text parsed into an engine-neutral
ParsedQuery (search/parse.py); the backend runs it with every word required, and again with any
word when nothing had them all; the page's stored documents are highlighted here
(search/highlight.py), the same for every backend. Pages are cached per serving version.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from pathlib import Path

from ..analysis.analyzers import Analyzers
from ..backends import BackendUnavailable, SearchBackend, create_analyzers, open_backend
from ..backends import backend_name as backend_name  # the web layer's, exported from here
from . import hybrid
from .cache import LRUCache
from .duplicates import Groups, collapsed_page, copies_of, read_groups
from .highlight import MatchSpec, highlight_all, match_spec, snippet_at
from .parse import ParsedQuery, parse, phrases_as_words
from .parts import part_bounds, part_of, part_starts
from .request import (
    MAX_RESULT_WINDOW,
    RECENT_DOCS,
    RELATED_PREVIEW_CHARS,
    DocView,
    FacetValue,
    Hit,
    Matches,
    Overview,
    SearchPage,
    SearchRequest,
    StoredDoc,
    is_browse,
    normalized,
    page_of,
)
from .semantic import SemanticIndex
from .synonyms import Expansion, SynonymFile, Synonyms, expand

log = logging.getLogger(__name__)

RELAXED_NOTE = "No document contains all the words: showing documents that contain some of them."
PHRASE_NOTE = "No document contains the quoted phrase: showing documents with its words."
FAILED_NOTE = "The search could not be run; try simpler words."


class Engine:
    """Searches one index root; safe to share between threads of one process."""

    def __init__(
        self,
        index_root: Path,
        analyzers: Analyzers | None = None,
        cache_size: int = 0,
        backend: SearchBackend | None = None,
        synonyms: SynonymFile | None = None,
        semantic: SemanticIndex | None = None,
    ) -> None:
        self.root = Path(index_root)
        self.backend = backend or open_backend(self.root, analyzers or create_analyzers())
        self.analyzers = self.backend.analyzers
        # Recent pages by (serving version, request); 0 = off (the CLI and eval measure cold).
        self.cache: LRUCache[SearchPage] = LRUCache(cache_size, packed=True)
        self.facet_cache: LRUCache[dict[str, list[FacetValue]]] = LRUCache(cache_size, packed=True)
        # Query-time synonyms (search/synonyms.py); None or a missing file: queries as typed.
        self.synonyms = synonyms
        self._groups: tuple[object, Groups] | None = None  # near-duplicates of the serving key
        # Search by meaning fused with keywords (search/hybrid.py); None: keywords only.
        self.semantic = semantic

    # ------------------------------------------------------------------ the serving index
    def current(self):  # type: ignore[no-untyped-def]
        """The backend's opened serving index (re-opened when a new version serves)."""
        return self.backend.current()

    def serving(self) -> object:
        """A key that changes whenever the serving index does (a new version or an update)."""
        return self.backend.serving()

    def available(self) -> bool:
        return self.backend.available()

    def stats(self) -> dict[str, object]:
        return self.backend.stats()

    def duplicates(self) -> Groups:
        """The serving version's near-duplicate groups (search/duplicates.py), read once per
        serving key."""
        key = self.backend.serving_key()
        cached = self._groups
        if cached is None or cached[0] != key:
            cached = self._groups = (key, read_groups(self.root, self.backend.version()))
        return cached[1]

    def _run(self, req: SearchRequest, pq: ParsedQuery, match_all_words: bool) -> Matches | None:
        """The backend's page for req, copies of one text folded into the best-ranked one."""
        return collapsed_page(lambda r: self.backend.run(r, pq, match_all_words), req,
                              self.duplicates())

    # ------------------------------------------------------------------ queries
    def current_synonyms(self) -> Synonyms | None:
        return self.synonyms.current() if self.synonyms is not None else None

    def _synonyms_key(self) -> object:
        return self.synonyms.key() if self.synonyms is not None else None

    def expanded(self, text: str) -> tuple[ParsedQuery, list[Expansion]]:
        """The parsed query with the synonyms in force applied, and what each match became."""
        return expand(parse(text), self.current_synonyms())

    def parse(self, text: str) -> ParsedQuery:
        """The query as it is searched: parsed, then synonyms applied (without synonyms, exactly
        what parse() gives)."""
        return self.expanded(text)[0]

    def count(self, pq: ParsedQuery) -> int:
        """How many documents a parsed query matches (every word required; no synonyms)."""
        found = self.backend.run(SearchRequest(page_size=1, facets=False, prefix_last=False),
                                 pq, match_all_words=True)
        return found.total if found is not None else 0

    def overview(self, recent: int = RECENT_DOCS) -> Overview:
        """What the home page shows: counts per language and year, the newest documents,
        example queries from the index's own words."""
        return self.backend.overview(recent)

    # ------------------------------------------------------------------ searching
    def search(self, req: SearchRequest) -> SearchPage:
        """Run one search; never raises for bad input (problems come back as warnings).
        A search repeated on the same serving version comes from the cache, if there is one."""
        started = time.perf_counter()
        key = (self.backend.serving_key(), self._synonyms_key(), self._vectors_key(), req)
        if (cached := self.cache.get(key)) is not None:
            return replace(cached, elapsed_ms=_ms(started), cached=True,
                           first_ms=cached.first_ms or cached.elapsed_ms)
        page = self._search(req, started)
        if page.complete:
            self.cache.put(key, page)
        return page

    def _search(self, req: SearchRequest, started: float) -> SearchPage:
        warnings: list[str] = []
        if (max(int(req.page), 1) - 1) * max(int(req.page_size), 1) >= MAX_RESULT_WINDOW:
            warnings.append(f"Only the first {MAX_RESULT_WINDOW} results can be paged through.")
        req = normalized(req)
        if is_browse(req.query):
            return self._browse(req, started, warnings)
        pq = self.parse(req.query)
        warnings.extend(pq.warnings)
        if not pq.positive and req.sort == "relevance":  # filters only (lang:vi): all tie
            req = replace(req, sort="date")
        version = self.backend.version()
        relaxed = False
        try:
            if self._fuse(req) and hybrid.applies(self.semantic, self.backend, parse(req.query)):
                assert self.semantic is not None
                fused = hybrid.fused_search(self, self.semantic, req, pq, warnings)
                if fused is not None:
                    return SearchPage(req, fused[0], fused[1], fused[2], _ms(started), warnings,
                                      fused[3], version)
            found: Matches | None = self._run(req, pq, match_all_words=True)
            if found is None:  # nothing to search
                return SearchPage(req, [], 0, {}, _ms(started), warnings, version=version)
            if found.total == 0 and (words := phrases_as_words(pq)) is not None:
                again = self._run(req, words, match_all_words=True)
                if again is not None:  # a long quoted phrase found nowhere: its words
                    pq, found = words, again
                    warnings.append(PHRASE_NOTE)
            if found.total == 0 and len(pq.positive) > 1:
                loose = self._run(req, pq, match_all_words=False)
                if loose is not None and loose.total:
                    found, relaxed = loose, True
                    warnings.append(RELAXED_NOTE)
            hits = self._hits(found.docs, pq, req)
        except BackendUnavailable:
            raise  # not the query's fault: the web layer answers 503
        except BaseException as exc:  # tantivy panics are BaseException
            if not (isinstance(exc, Exception) or _is_panic(exc)):
                raise
            log.exception("search failed for a query of %d chars", len(req.query))
            warnings.append(FAILED_NOTE)
            return SearchPage(req, [], 0, {}, _ms(started), warnings, version=version,
                              complete=False)
        return SearchPage(req, hits, found.total, found.facets, _ms(started), warnings, relaxed,
                          version)

    def _vectors_key(self) -> object:
        """Which vectors serve (None without the semantic layer): new vectors, new pages."""
        if self.semantic is None:
            return None
        try:
            return self.semantic.stamp(self.backend.version())
        except Exception:  # noqa: BLE001 - no index yet: search() says so
            return None

    def _fuse(self, req: SearchRequest) -> bool:
        """Whether this search is fused with results by meaning (semantic=1/0, else the
        setting's default)."""
        if self.semantic is None:
            return False
        return req.semantic if req.semantic is not None else self.semantic.settings.default_on

    def _browse(self, req: SearchRequest, started: float, warnings: list[str]) -> SearchPage:
        """No words (an empty query, or `*`): every document the filters let through; newest
        first unless oldest first was asked for."""
        if req.sort == "relevance":
            req = replace(req, sort="date")
        version = self.backend.version()
        found = collapsed_page(self.backend.browse, req, self.duplicates())
        assert found is not None  # browse always answers
        hits = self._hits(found.docs, ParsedQuery(), req)
        return SearchPage(req, hits, found.total, found.facets, _ms(started), warnings,
                          version=version)

    def facets(self, req: SearchRequest) -> dict[str, list[FacetValue]]:
        """The facets `search(req)` would show, without ranking, paging or snippets: one pass over
        the matches instead of two. Empty when nothing matches or the search fails (never
        raises for bad input)."""
        req = replace(normalized(req), page=1, facets=True)
        key = (self.backend.serving_key(), self._synonyms_key(), req)
        if (cached := self.facet_cache.get(key)) is not None:
            return cached
        if is_browse(req.query):
            browsed = self.backend.browse(replace(req, page_size=1, sort="date")).facets
            self.facet_cache.put(key, browsed)
            return browsed
        pq = self.parse(req.query)
        out: dict[str, list[FacetValue]] = {}
        try:
            for match_all in (True, False):  # all the words, else any of them (as search does)
                if not match_all and len(pq.positive) < 2:
                    break
                counted = self.backend.facet_counts(req, pq, match_all_words=match_all)
                if counted is None:
                    break
                if counted[0]:
                    out = counted[1]
                    break
        except BackendUnavailable:
            raise
        except BaseException as exc:  # tantivy panics are BaseException
            if not (isinstance(exc, Exception) or _is_panic(exc)):
                raise
            log.exception("facets failed for a query of %d chars", len(req.query))
            return {}
        self.facet_cache.put(key, out)
        return out

    def _spec(self, pq: ParsedQuery, prefix_last: bool) -> MatchSpec:
        return match_spec(pq, self.analyzers, self.backend.stem_langs(), prefix_last)

    def _hits(self, docs: list[StoredDoc], pq: ParsedQuery, req: SearchRequest) -> list[Hit]:
        spec = self._spec(pq, req.prefix_last)
        az = self.analyzers
        groups = self.duplicates()
        hits = []
        for d in docs:
            # the body after a copy of its title (an offset: a 5 MB body is not copied)
            html, at = snippet_at(d.body, spec, az, d.lang, skip=title_end(d.body, d.title),
                                  offset=bool(d.pages))
            hits.append(Hit(
                id=d.id, title=d.title, title_html=highlight_all(d.title, spec, az, d.lang),
                lang=d.lang, date=d.date, source=d.source, url=d.url,
                score=d.score if req.sort == "relevance" else 0.0,
                snippet_html=html, format=d.format, page=page_of(d.pages, at),
                copies=copies_of(d.id, groups),
            ))
        return hits

    # ------------------------------------------------------------------ documents
    def document(self, doc_id: str, query: str = "", part: int | None = None) -> DocView | None:
        """One document with the query's matches marked, or None if the id is unknown. A long
        body is shown in parts (search/parts.py): `part`, else the one holding the best match;
        its near-duplicates are listed first among the related documents."""
        copies = copies_of(doc_id, self.duplicates())
        found = self.backend.document(doc_id, RELATED + len(copies))
        if found is None:
            return None
        doc, related = found
        ids = {c for c, _ in copies}
        related = self._copies(copies) + [d for d in related if d.id not in ids][:RELATED]
        spec = self._spec(self.parse(query), prefix_last=True)
        az = self.analyzers
        starts = part_starts(doc.body)
        at = None
        if part is None or len(starts) == 1:
            at = snippet_at(doc.body, spec, az, doc.lang)[1] if query.strip() else None
            part = part_of(starts, at) if at is not None else 1
        lo, hi = part_bounds(doc.body, starts, part)
        part = part_of(starts, lo)
        body = doc.body[lo:hi]
        if at is None and query.strip():  # the best match of the part asked for
            inside = snippet_at(body, spec, az, doc.lang)[1]
            at = lo + inside if inside is not None else None
        pages = _page_parts(doc.pages, lo, hi)  # a paged body is marked page by page
        body_pages = tuple((n, highlight_all(doc.body[a:b], spec, az, doc.lang))
                           for n, a, b in pages)
        return DocView(
            id=doc_id,
            title=doc.title,
            title_html=highlight_all(doc.title, spec, az, doc.lang),
            body_html="".join(h for _, h in body_pages) if body_pages
            else highlight_all(body, spec, az, doc.lang),
            body_pages=body_pages,
            lang=doc.lang, date=doc.date, source=doc.source, url=doc.url,
            related=[_related_hit(d) for d in related],
            format=doc.format, page=page_of(doc.pages, at), pages=len(doc.pages),
            author=doc.author, parent=doc.parent, tags=doc.tags, boilerplate=doc.boilerplate,
            part=part, parts=len(starts), part_start=lo, part_end=hi, length=len(doc.body),
            copies=copies,
        )

    def _copies(self, copies: tuple[tuple[str, str], ...]) -> list[StoredDoc]:
        """The stored copies of a document (the related list starts with them)."""
        out = []
        for doc_id, _ in copies:
            if (found := self.backend.document(doc_id, 0)) is not None:
                d = found[0]
                body = " ".join(d.body[:RELATED_PREVIEW_CHARS * 4].split())
                out.append(replace(d, body=body[:RELATED_PREVIEW_CHARS], pages=()))
        return out

    # ------------------------------------------------------------------ did-you-mean
    def vocabulary_source(self) -> tuple[object, list[tuple[str, int]]]:
        """(a key that changes whenever the serving index does, exact title+body terms with
        document frequencies) for did-you-mean."""
        return self.backend.serving(), self.backend.vocabulary()

    def pair_count(self, first: str, second: str) -> int:
        """Documents holding the two exact (lowercase) words side by side in title or body."""
        return self.backend.pair_count(first, second)


def _page_parts(pages: tuple[int, ...], lo: int, hi: int) -> list[tuple[int, int, int]]:
    """(1-based page, start, end) of each page's share of body[lo:hi]; [] when not paged."""
    if not pages:
        return []
    first = page_of(pages, lo) or 1
    starts = [lo] + [p for p in pages[first:] if lo < p < hi]
    return [(first + i, a, b) for i, (a, b) in enumerate(zip(starts, [*starts[1:], hi],
                                                              strict=True))]


def _related_hit(d: StoredDoc) -> Hit:
    from html import escape

    return Hit(id=d.id, title=d.title, title_html=escape(d.title), lang=d.lang, date=d.date,
               source=d.source, url=d.url, score=d.score, snippet_html=escape(d.body),
               format=d.format)


RELATED = 5  # related documents shown besides a document's copies
TITLE_LEAD = 200  # characters before a title the snippet may skip along with it


def without_title(body: str, title: str) -> str:
    """The body without a copy of the title near its start (a snippet need not repeat the title
    shown above it); the body itself when that would leave nothing."""
    return body[title_end(body, title):]


def title_end(body: str, title: str) -> int:
    """Where the body goes on after a copy of the title near its start (0: no such copy, or
    nothing after it)."""
    if not title or len(title) < 3:
        return 0
    at = body.find(title, 0, len(title) + TITLE_LEAD)
    if at == -1:
        return 0
    end = at + len(title)
    return end if _NON_SPACE.search(body, end) else 0


_NON_SPACE = re.compile(r"\S")


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
