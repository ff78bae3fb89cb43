"""Run searches against the serving index: ranked hits, totals, facets, snippets, warnings.

The Engine re-opens the index when the CURRENT pointer changes (a new build was switched in),
so a long-running server always serves the newest complete version without a restart.
"""

from __future__ import annotations

import logging
from html import escape
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import tantivy
from tantivy import Occur, Order, Query

from . import query as q
from . import rerank
from .analysis import Analyzers
from .cache import LRUCache
from .documents import guess_title
from .highlight import highlight_all, match_spec, snippet
from .language import STEMMERS
from .store import (
    PLAIN_FIELD, IndexLayout, IndexMissing, exact_field_of, exact_fields, has_field, open_index,
    resolve, stored_text,
)

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000  # deepest result reachable by paging, as in Elasticsearch
FACETS = ("lang", "source", "year")
FACET_VALUES = 20  # values shown per facet: the most frequent (years then newest first)
_FACET_AGGS = {
    name: {"terms": {"field": name, "size": FACET_VALUES}} for name in FACETS
}
# Documents matched, from the facet pass itself: every document has a lang value ("" if unknown).
_MATCHED_AGG = {"_matched": {"terms": {"field": "lang", "size": 1, "missing": ""}}}
RELATED_PREVIEW_CHARS = 180

Sort = Literal["relevance", "date"]


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search can be asked for; values are clamped by `normalized()`."""

    query: str = ""
    lang: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort = "relevance"
    page: int = 1
    page_size: int = 10
    prefix_last: bool = True
    # False: the page comes without facets, which `Engine.facets` gives on their own (the live
    # search box asks for them once typing pauses: one pass over the matches per keystroke, not two)
    facets: bool = True


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


@dataclass
class _Open:
    """One opened index version and what queries need from it."""

    index: tantivy.Index
    version: str
    stamp: tuple[int, int] | None
    ctx: q.QueryContext
    num_docs: int


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


def _date_str(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return None


class Engine:
    """Searches one index root; safe to share between threads of one process."""

    def __init__(
        self, index_root: Path, analyzers: Analyzers | None = None, cache_size: int = 0
    ) -> None:
        self.root = Path(index_root)
        self.layout = IndexLayout(self.root)
        self.analyzers = analyzers or Analyzers.create()
        self._lock = threading.Lock()
        self._open: _Open | None = None
        # Recent pages by (serving version, request); 0 = off (the CLI and eval measure cold).
        self.cache: LRUCache[SearchPage] = LRUCache(cache_size)
        self.facet_cache: LRUCache[dict[str, list[FacetValue]]] = LRUCache(cache_size)

    # ------------------------------------------------------------------ index lifecycle
    def _load(self) -> _Open:
        path = resolve(self.root)
        index = open_index(path)
        searcher = index.searcher()
        langs: tuple[str, ...] = ()
        if searcher.num_docs:
            agg = searcher.aggregate(
                Query.all_query(), {"l": {"terms": {"field": "lang", "size": 200}}}
            )
            langs = tuple(
                sorted(b["key"] for b in agg["l"]["buckets"] if b["key"] in STEMMERS)
            )
        ctx = q.QueryContext(
            index.schema, self.analyzers, langs,
            plain_field=has_field(index.schema, PLAIN_FIELD),  # not in indexes built before it
        )
        return _Open(index, path.name, self.layout.current_stamp(), ctx, searcher.num_docs)

    def current(self) -> _Open:
        """The open serving version, re-opened when CURRENT has changed."""
        opened = self._open
        if opened is not None and opened.stamp == self.layout.current_stamp():
            return opened
        with self._lock:
            if self._open is None or self._open.stamp != self.layout.current_stamp():
                self._open = self._load()
            return self._open

    def available(self) -> bool:
        try:
            self.current()
        except (IndexMissing, ValueError):
            return False
        return True

    def stats(self) -> dict[str, object]:
        o = self.current()
        o.index.reload()
        return {"version": o.version, "documents": o.index.searcher().num_docs}

    # ------------------------------------------------------------------ searching
    def search(self, req: SearchRequest) -> SearchPage:
        """Run one search; never raises for bad input (problems come back as warnings).
        A search repeated on the same serving version comes from the cache, if there is one."""
        started = time.perf_counter()
        opened = self.current()
        key = (opened.version, opened.stamp, req)
        if (cached := self.cache.get(key)) is not None:
            return replace(cached, elapsed_ms=_ms(started))
        page = self._search(opened, req, started)
        if page.complete:
            self.cache.put(key, page)
        return page

    def _search(self, opened: _Open, req: SearchRequest, started: float) -> SearchPage:
        warnings: list[str] = []
        if (max(int(req.page), 1) - 1) * max(int(req.page_size), 1) >= MAX_RESULT_WINDOW:
            warnings.append(f"Only the first {MAX_RESULT_WINDOW} results can be paged through.")
        req = _normalized(req)
        pq = q.parse(req.query)
        warnings.extend(pq.warnings)
        searcher = opened.index.searcher()
        relaxed = False
        try:
            extra = self._request_filters(opened, req)
            ctx = replace(opened.ctx, searcher=searcher, num_docs=searcher.num_docs)
            query = q.build(ctx, pq, prefix_last=req.prefix_last, extra_filters=extra)
            if query is None:
                return SearchPage(req, [], 0, {}, _ms(started), warnings, version=opened.version)
            total, hits = self._run(searcher, query, req, ctx, pq)
            if total == 0 and len(pq.positive) > 1:
                loose = q.build(
                    ctx, pq, prefix_last=req.prefix_last, match_all_words=False,
                    extra_filters=extra,
                )
                if loose is not None:
                    total, hits = self._run(searcher, loose, req, ctx, pq)
                    if total:
                        relaxed = True
                        query = loose
                        warnings.append(
                            "No document contains all the words: showing documents that "
                            "contain some of them."
                        )
            facets = self._facets(searcher, ctx, pq, req, query, relaxed) if total and req.facets else {}
            page_hits = self._hits(searcher, hits, pq, opened, req)
        except BaseException as exc:  # tantivy panics are BaseException
            if not (isinstance(exc, Exception) or _is_panic(exc)):
                raise
            log.exception("search failed for a query of %d chars", len(req.query))
            warnings.append("The search could not be run; try simpler words.")
            return SearchPage(
                req, [], 0, {}, _ms(started), warnings, version=opened.version, complete=False
            )
        return SearchPage(
            req, page_hits, total, facets, _ms(started), warnings, relaxed, opened.version
        )

    def facets(self, req: SearchRequest) -> dict[str, list[FacetValue]]:
        """The facets `search(req)` would show, without ranking, paging or snippets: one pass over
        the matches (an aggregation) instead of two. Empty when nothing matches or the search
        fails (never raises for bad input)."""
        opened = self.current()
        req = replace(_normalized(req), page=1, facets=True)
        key = (opened.version, opened.stamp, req)
        if (cached := self.facet_cache.get(key)) is not None:
            return cached
        pq = q.parse(req.query)
        searcher = opened.index.searcher()
        try:
            extra = self._request_filters(opened, req)
            ctx = replace(opened.ctx, searcher=searcher, num_docs=searcher.num_docs)
            out: dict[str, list[FacetValue]] = {}
            for match_all in (True, False):  # all the words, else any of them (as search does)
                if not match_all and len(pq.positive) < 2:
                    break
                query = q.build(
                    ctx, pq, prefix_last=req.prefix_last, match_all_words=match_all,
                    extra_filters=extra,
                )
                if query is None:
                    break
                agg = searcher.aggregate(query, {**_FACET_AGGS, **_MATCHED_AGG})
                if _agg_total(agg["_matched"]):
                    out = self._facets(searcher, ctx, pq, req, query, not match_all, agg)
                    break
        except BaseException as exc:  # tantivy panics are BaseException
            if not (isinstance(exc, Exception) or _is_panic(exc)):
                raise
            log.exception("facets failed for a query of %d chars", len(req.query))
            return {}
        self.facet_cache.put(key, out)
        return out

    def _request_filters(self, opened: _Open, req: SearchRequest) -> list[Query]:
        return self._request_filters_for(opened.ctx, req)

    def _request_filters_for(self, ctx: q.QueryContext, req: SearchRequest) -> list[Query]:
        """The request's facet and date filters as queries."""
        schema = ctx.schema
        out: list[Query] = []
        if req.lang:
            out.append(Query.term_set_query(schema, "lang", list(req.lang)))
        if req.source:
            out.append(Query.term_set_query(schema, "source", list(req.source)))
        if req.year:
            years = [Query.range_query(schema, "year", tantivy.FieldType.Integer, y, y) for y in req.year]
            out.append(Query.boolean_query([(Occur.Should, y) for y in years]))
        if req.date_from or req.date_to:
            fake = q.ParsedQuery(date_from=req.date_from, date_to=req.date_to)
            out.extend(q.filter_queries(ctx, fake))
        return out

    def _run(self, searcher, query, req, ctx=None, pq=None):  # type: ignore[no-untyped-def]
        offset = (req.page - 1) * req.page_size
        depth = rerank.RERANK_DEPTH
        if req.sort != "date" and pq is not None and rerank.applies(pq) and offset < depth:
            # long queries: the first RERANK_DEPTH hits rescored (searchapp/rerank.py)
            res = searcher.search(query, max(depth, offset + req.page_size), count=True)
            hits = rerank.rerank(ctx, searcher, pq, res.hits)
            return res.count or 0, hits[offset : offset + req.page_size]
        if req.sort == "date":
            res = searcher.search(
                query, req.page_size, count=True, order_by_field="date", offset=offset,
                order=Order.Desc,
            )
        else:
            res = searcher.search(query, req.page_size, count=True, offset=offset)
        return res.count or 0, res.hits

    def _facets(  # noqa: PLR0913 - the pieces of one search
        self,
        searcher: tantivy.Searcher,
        ctx: q.QueryContext,
        pq: q.ParsedQuery,
        req: SearchRequest,
        query: Query,
        relaxed: bool,
        agg: dict | None = None,  # type: ignore[type-arg]
    ) -> dict[str, list[FacetValue]]:
        """Counts per language, source and year (agg: the query's aggregation, if already run).
        A facet the request filters on is counted without its own filter (as in
        Meilisearch/Algolia), so other values stay choosable."""
        if agg is None:
            agg = searcher.aggregate(query, _FACET_AGGS)
        for name in FACETS:
            if not getattr(req, name):
                continue
            without = replace(req, **{name: ()})  # type: ignore[arg-type]
            other = q.build(
                ctx, pq, prefix_last=req.prefix_last, match_all_words=not relaxed,
                extra_filters=self._request_filters_for(ctx, without),
            )
            if other is not None:
                agg[name] = searcher.aggregate(other, {name: _FACET_AGGS[name]})[name]
        out: dict[str, list[FacetValue]] = {}
        for name in FACETS:
            buckets = agg.get(name, {}).get("buckets", [])
            if name == "year":
                buckets = sorted(buckets, key=lambda b: b["key"], reverse=True)
            out[name] = [
                FacetValue(str(int(b["key"])) if name == "year" else str(b["key"]), b["doc_count"])
                for b in buckets
                if str(b["key"]) != ""
            ]
        return out

    def _hits(self, searcher, hits, pq, opened, req) -> list[Hit]:  # type: ignore[no-untyped-def]
        spec = match_spec(pq, self.analyzers, opened.ctx.stem_langs, req.prefix_last)
        out = []
        for score, addr in hits:
            doc = searcher.doc(addr)
            lang = doc.get_first("lang") or ""
            body = stored_text(doc, "body")
            title = _title(doc, body)
            out.append(
                Hit(
                    id=doc.get_first("id") or "",
                    title=title,
                    title_html=highlight_all(title, spec, self.analyzers, lang),
                    lang=lang,
                    date=_date_str(doc.get_first("date")),
                    source=doc.get_first("source") or "",
                    url=doc.get_first("url") or "",
                    score=float(score) if req.sort == "relevance" else 0.0,
                    snippet_html=snippet(body, spec, self.analyzers, lang),
                )
            )
        return out

    # ------------------------------------------------------------------ documents
    def document(self, doc_id: str, query: str = "") -> DocView | None:
        """One document with the query's matches marked, or None if the id is unknown."""
        opened = self.current()
        searcher = opened.index.searcher()
        found = searcher.search(Query.term_query(opened.ctx.schema, "id", doc_id), 1)
        if not found.hits:
            return None
        addr = found.hits[0][1]
        doc = searcher.doc(addr)
        pq = q.parse(query)
        spec = match_spec(pq, self.analyzers, opened.ctx.stem_langs, prefix_last=True)
        lang = doc.get_first("lang") or ""
        body = stored_text(doc, "body")
        title = _title(doc, body)
        return DocView(
            id=doc_id,
            title=title,
            title_html=highlight_all(title, spec, self.analyzers, lang),
            body_html=highlight_all(body, spec, self.analyzers, lang),
            lang=lang,
            date=_date_str(doc.get_first("date")),
            source=doc.get_first("source") or "",
            url=doc.get_first("url") or "",
            related=self._related(searcher, opened, addr, doc_id, doc),
        )

    def _related(self, searcher, opened, addr, doc_id, doc, k: int = 5) -> list[Hit]:  # type: ignore[no-untyped-def]
        """Up to k documents sharing the most distinctive words of doc (more-like-this)."""
        # more-like-this analyses each text with its field's analyzer and searches that field
        fields = {
            exact_field_of(doc, name): [text]
            for name in ("title", "body") if (text := stored_text(doc, name))
        }
        if not fields:
            return []
        try:
            mlt = Query.more_like_this_document_fields_query(
                opened.ctx.schema, fields, min_doc_frequency=1, min_term_frequency=1,
                max_query_terms=30, min_word_length=3, max_word_length=40,
            )
            res = searcher.search(mlt, k + 1)
        except BaseException as exc:  # tantivy panics are BaseException
            if not (isinstance(exc, Exception) or _is_panic(exc)):
                raise
            log.exception("more-like-this failed for %r", doc_id)
            return []
        out = []
        for score, other_addr in res.hits:
            if other_addr == addr:
                continue
            other = searcher.doc(other_addr)
            body = " ".join(stored_text(other, "body")[: RELATED_PREVIEW_CHARS * 4].split())
            preview = body[:RELATED_PREVIEW_CHARS] + ("…" if len(body) > RELATED_PREVIEW_CHARS else "")
            title = _title(other, body)
            out.append(
                Hit(
                    id=other.get_first("id") or "",
                    title=title,
                    title_html=escape(title),
                    lang=other.get_first("lang") or "",
                    date=_date_str(other.get_first("date")),
                    source=other.get_first("source") or "",
                    url=other.get_first("url") or "",
                    score=float(score),
                    snippet_html=escape(preview),
                )
            )
        return out[:k]

    def vocabulary_source(self) -> tuple[object, list[tuple[str, int]]]:
        """(a key that changes whenever the serving index does, exact title+body terms with
        document frequencies) for did-you-mean."""
        opened = self.current()
        searcher = opened.index.searcher()
        terms = list(searcher.terms_with_prefix("body", "", limit=None))
        terms += searcher.terms_with_prefix("title", "", limit=None)
        if opened.ctx.plain_field:
            terms += searcher.terms_with_prefix(PLAIN_FIELD, "", limit=None)
        return opened, terms

    def pair_count(self, first: str, second: str) -> int:
        """Documents holding the two exact (lowercase) words side by side in title or body."""
        opened = self.current()
        schema = opened.ctx.schema
        q = Query.boolean_query(
            [
                (Occur.Should, Query.phrase_query(schema, f, [first, second]))
                for f in ("title", *exact_fields("body", opened.ctx.plain_field))
            ]
        )
        try:
            return opened.index.searcher().search(q, 1, count=True).count or 0
        except ValueError:
            return 0

    def serving(self) -> object:
        """A key that changes whenever the serving index does (a new version or an update)."""
        return self.current()


def _title(doc: tantivy.Document, body: str) -> str:
    """The stored title, or one made from the first meaningful line of the body."""
    return doc.get_first("title") or guess_title(body[:2000], doc.get_first("id") or "")


def _agg_total(terms_agg: dict) -> int:  # type: ignore[type-arg]
    """Documents counted by a terms aggregation (its buckets and the rest)."""
    return sum(b["doc_count"] for b in terms_agg["buckets"]) + terms_agg.get("sum_other_doc_count", 0)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _normalized(req: SearchRequest) -> SearchRequest:
    size = min(max(int(req.page_size), 1), MAX_PAGE_SIZE)
    page = max(int(req.page), 1)
    if (page - 1) * size >= MAX_RESULT_WINDOW:
        page = MAX_RESULT_WINDOW // size
    sort: Sort = "date" if req.sort == "date" else "relevance"
    return replace(req, page=page, page_size=size, sort=sort, query=req.query or "")
