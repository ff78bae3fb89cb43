"""The embedded Tantivy backend: opens the serving version, runs compiled queries, reads stored
documents back.

The backend re-opens the index when the CURRENT pointer changes (a new build was switched in),
so a long-running server always serves the newest complete version without a restart.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from ...analysis.analyzers import Analyzers
from ...analysis.language import STEMMERS
from ...index.layout import IndexLayout, IndexMissing
from ...search.parse import ParsedQuery
from ...search.request import (
    LEAD_BODY_CHARS,
    RECENT_DOCS,
    Matches,
    Overview,
    SearchRequest,
    StoredDoc,
)
from . import compile as q
from . import overview as ov
from .facets import (
    MATCHED_AGG,
    aggs_for,
    facet_counts,
    facet_names,
    matched,
    request_filters,
)
from .fieldstats import FieldShares
from .integrity import segment_ids, verify_version
from .ordering import Docs, sort_value, top
from .schema import (
    FORMAT_FIELD,
    PLAIN_FIELD,
    exact_fields,
    has_field,
    open_index,
)
from .stored import by_ids, every, hit_doc, preview, related, stored

log = logging.getLogger(__name__)
# Check every segment file's checksum when a version is opened (SEARCHAPP_VERIFY_INDEX=0: not).
VERIFY = os.environ.get("SEARCHAPP_VERIFY_INDEX", "1") not in ("0", "false", "no")


@dataclass
class Opened:
    """One opened index version and what queries need from it."""

    index: tantivy.Index
    version: str
    stamp: tuple[int, int] | None
    ctx: q.QueryContext
    num_docs: int
    problem: str = ""  # why an older version serves instead of CURRENT's (logged)
    examples: list[str] | None = None  # example queries, computed at the first overview


class TantivyBackend:
    """Searches the versions under one index root; safe to share between threads."""

    name = "tantivy"

    def __init__(self, index_root: Path, analyzers: Analyzers) -> None:
        self.root = Path(index_root)
        self.layout = IndexLayout(self.root)
        self.analyzers = analyzers
        self._lock = threading.Lock()
        self._open: Opened | None = None
        self._failed: tuple[tuple[int, int] | None, IndexMissing] | None = None

    # ------------------------------------------------------------------ the serving version
    def _load(self) -> Opened:
        """The serving version; when it is damaged (or CURRENT is missing or broken), the newest
        intact complete version, with the problem logged and kept in Opened.problem."""
        if (self.root / "meta.json").exists():  # a bare version directory (validation)
            return self._open_version(self.root)
        named = self.layout.named_version()
        # CURRENT's version, else the newest intact one (after a rollback: older ones first)
        complete = self.layout.complete_versions()
        older = [n for n in complete if named is None or n < named]
        newer = [n for n in complete if named is not None and n > named]
        candidates = ([named] if named else []) + older[::-1] + newer[::-1]
        problems = [] if named else [f"CURRENT in {self.root} is missing, empty or unreadable"]
        for name in candidates:
            try:
                opened = self._open_version(self.layout.versions / name)
            except BaseException as exc:  # tantivy panics are BaseException
                if not (isinstance(exc, Exception) or type(exc).__name__ == "PanicException"):
                    raise
                log.error("index version %s cannot be opened: %s", name, exc)
                problems.append(f"version {name} is damaged ({str(exc)[:200]})")
                continue
            if problems:
                opened.problem = "; ".join(problems) + f": serving version {name} instead"
                log.error("index %s: %s", self.root, opened.problem)
            return opened
        if problems and candidates:
            raise IndexMissing(f"no intact index version in {self.root}: {'; '.join(problems)}")
        raise IndexMissing(f"no index in {self.root}: run `searchapp index` first")

    def _open_version(self, path: Path) -> Opened:
        if not (path / "meta.json").exists():
            raise ValueError(f"{path.name} has no meta.json")
        if VERIFY:
            verify_version(path, segment_ids(path))
        index = open_index(path)
        searcher = index.searcher()
        langs: tuple[str, ...] = ()
        counts: dict[str, int] = {}
        if searcher.num_docs:
            agg = searcher.aggregate(
                Query.all_query(), {"l": {"terms": {"field": "lang", "size": 1000}}}
            )
            counts = {str(b["key"]): int(b["doc_count"]) for b in agg["l"]["buckets"]}
            langs = tuple(sorted(k for k in counts if k in STEMMERS))
        ctx = q.QueryContext(
            index.schema, self.analyzers, langs,
            plain_field=has_field(index.schema, PLAIN_FIELD),  # not in indexes built before it
            shares=FieldShares.from_languages(counts),
        )
        if searcher.num_docs:  # the stored documents can be read back
            searcher.doc(searcher.search(Query.all_query(), 1).hits[0][1])
        return Opened(index, path.name, self.layout.current_stamp(), ctx, searcher.num_docs)

    def current(self) -> Opened:
        """The open serving version, re-opened when CURRENT has changed (a failure is kept until
        then too: a damaged index is not re-checked, nor logged, at every request)."""
        opened = self._open
        stamp = self.layout.current_stamp()
        if opened is not None and opened.stamp == stamp:
            return opened
        with self._lock:
            if self._open is None or self._open.stamp != stamp:
                if self._failed is not None and self._failed[0] == stamp:
                    raise self._failed[1]
                try:
                    self._open = self._load()
                except IndexMissing as exc:
                    self._failed = (stamp, exc)
                    raise
                self._open.stamp = stamp
                self._failed = None
            return self._open

    def serving(self) -> object:
        return self.current()

    def serving_key(self) -> tuple[str, tuple[int, int] | None]:
        opened = self.current()
        return opened.version, opened.stamp

    def version(self) -> str:
        return self.current().version

    def stem_langs(self) -> tuple[str, ...]:
        return self.current().ctx.stem_langs

    def available(self) -> bool:
        try:
            self.current()
        except (IndexMissing, ValueError):
            return False
        return True

    def stats(self) -> dict[str, object]:
        o = self.current()
        o.index.reload()
        searcher = o.index.searcher()
        formats: dict[str, int] = {}
        if searcher.num_docs and has_field(o.ctx.schema, FORMAT_FIELD):
            agg = searcher.aggregate(Query.all_query(), {"f": {"terms": {
                "field": FORMAT_FIELD, "size": 100, "missing": "?"}}})
            formats = {str(b["key"]): int(b["doc_count"]) for b in agg["f"]["buckets"]}
        return {"version": o.version, "documents": searcher.num_docs, "formats": formats,
                "problem": o.problem, "backend": self.name}

    # ------------------------------------------------------------------ searching
    def _context(self, req: SearchRequest) -> tuple[tantivy.Searcher, q.QueryContext, list[Query]]:
        opened = self.current()
        searcher = opened.index.searcher()
        ctx = replace(opened.ctx, searcher=searcher, num_docs=searcher.num_docs)
        return searcher, ctx, request_filters(ctx, req)

    def run(self, req: SearchRequest, pq: ParsedQuery, match_all_words: bool) -> Matches | None:
        """The page of documents req asks for, the total and (if req.facets) the facets;
        None when the query has nothing to search."""
        searcher, ctx, extra = self._context(req)
        query = q.build(ctx, pq, prefix_last=req.prefix_last, match_all_words=match_all_words,
                        extra_filters=extra)
        if query is None:
            return None
        read = Docs(searcher)
        total, hits = top(searcher, query, req, ctx, pq, read)
        facets = {}
        if total and req.facets:
            facets = facet_counts(searcher, ctx, pq, req, query, not match_all_words)
        docs = [hit_doc(read(addr), sort_value(score)) for score, addr in hits]
        return Matches(total, docs, facets)

    def facet_counts(
        self, req: SearchRequest, pq: ParsedQuery, match_all_words: bool
    ) -> tuple[int, dict[str, list]] | None:  # type: ignore[type-arg]
        """(documents matched, facets) in one aggregation pass; None: nothing to search."""
        searcher, ctx, extra = self._context(req)
        query = q.build(ctx, pq, prefix_last=req.prefix_last, match_all_words=match_all_words,
                        extra_filters=extra)
        if query is None:
            return None
        agg = searcher.aggregate(query, {**aggs_for(facet_names(ctx.schema)), **MATCHED_AGG})
        total = matched(agg)
        if not total:
            return 0, {}
        return total, facet_counts(searcher, ctx, pq, req, query, not match_all_words, agg)

    def browse(self, req: SearchRequest) -> Matches:
        """Every document the request's filters let through, in its sort order (no words)."""
        searcher, ctx, extra = self._context(req)
        pq = ParsedQuery()
        query = q.build(ctx, pq, extra_filters=extra) or Query.all_query()
        read = Docs(searcher)
        total, hits = top(searcher, query, req, ctx, pq, read)
        facets = {}
        if total and req.facets:
            facets = facet_counts(searcher, ctx, pq, req, query, False)
        return Matches(total, [hit_doc(read(a), sort_value(s), LEAD_BODY_CHARS)
                               for s, a in hits], facets)

    def overview(self, recent: int = RECENT_DOCS) -> Overview:
        """Counts per language, year and format, the newest documents, example queries."""
        opened = self.current()
        searcher = opened.index.searcher()
        names = ("lang", "year") + tuple(n for n in facet_names(opened.ctx.schema)
                                         if n == "format")
        counted = ov.counts(searcher, names)
        newest = [preview(searcher.doc(addr)) for _, addr in ov.recent(searcher, opened.ctx, recent)]
        examples = opened.examples
        if examples is None:  # once per opened version
            examples = opened.examples = ov.examples(searcher, self.analyzers,
                                                     opened.ctx.stem_langs)
        return Overview(searcher.num_docs, counted["lang"], newest, list(examples),
                        counted["year"], counted.get("format", []))

    # ------------------------------------------------------------------ documents
    def document(self, doc_id: str, k: int = 5) -> tuple[StoredDoc, list[StoredDoc]] | None:
        """A stored document and up to k related ones, or None if the id is unknown."""
        opened = self.current()
        searcher = opened.index.searcher()
        found = searcher.search(Query.term_query(opened.ctx.schema, "id", doc_id), 1)
        if not found.hits:
            return None
        addr = found.hits[0][1]
        doc = searcher.doc(addr)
        return stored(doc), related(searcher, opened.ctx.schema, addr, doc, k)

    def documents(self, ids: list[str]) -> list[StoredDoc]:
        """The stored documents with these ids, in that order (unknown ids left out)."""
        opened = self.current()
        return by_ids(opened.index.searcher(), opened.ctx.schema, ids)

    def every_document(self) -> Iterator[StoredDoc]:
        """Every stored document of the serving version (the embed job reads them)."""
        return every(self.current().index.searcher())

    # ------------------------------------------------------------------ did-you-mean
    def vocabulary(self) -> list[tuple[str, int]]:
        """Exact title and body terms with their document frequencies."""
        opened = self.current()
        searcher = opened.index.searcher()
        terms = list(searcher.terms_with_prefix("body", "", limit=None))
        terms += searcher.terms_with_prefix("title", "", limit=None)
        if opened.ctx.plain_field:
            terms += searcher.terms_with_prefix(PLAIN_FIELD, "", limit=None)
        return terms

    def pair_count(self, first: str, second: str) -> int:
        """Documents holding the two exact (lowercase) words side by side in title or body."""
        opened = self.current()
        schema = opened.ctx.schema
        query = Query.boolean_query(
            [
                (Occur.Should, Query.phrase_query(schema, f, [first, second]))
                for f in ("title", *exact_fields("body", opened.ctx.plain_field))
            ]
        )
        try:
            found = opened.index.searcher().search(query, 1, count=True)
            return int(found.count or 0)  # type: ignore[attr-defined]
        except ValueError:
            return 0
