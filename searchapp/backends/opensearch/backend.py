"""The OpenSearch backend: runs compiled queries on the cluster and reads stored documents back.

Which version serves is read from the local index root's CURRENT (the source of truth for the
lock, jobs, history and manifests), re-read when it changes, exactly as the Tantivy backend does;
searches go to that version's physical index (`activate` keeps the alias on the same one, for
other readers of the cluster). An index root that is itself a version directory (the validation
of a new build) searches that version's index."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...analysis.analyzers import Analyzers
from ...index.layout import IndexLayout, IndexMissing
from ...search.parse import ParsedQuery
from ...search.request import (
    EXAMPLE_QUERIES,
    FACET_VALUES,
    MAX_RESULT_WINDOW,
    RECENT_DOCS,
    RELATED_PREVIEW_CHARS,
    FacetValue,
    Matches,
    Overview,
    SearchRequest,
    StoredDoc,
    facet_size,
)
from .. import bm25
from ..base import BackendUnavailable
from . import compile as q
from . import rerank as second
from .connection import OpenSearchSettings, call, check_shards, client
from .mapping import stem_langs
from .results import facet_parts, preview, read_facets, sort_clause, stored_doc
from .writer import MARKER, doc_key, physical_of

log = logging.getLogger(__name__)

SOURCE_FIELDS = ["id", "title", "body", "lang", "date", "source", "url", "format", "pages",
                 "author", "parent", "boilerplate"]
DF_MEMO = 50_000
VOCAB_PAGE = 10_000


@dataclass
class Opened:
    index: str
    version: str
    stamp: tuple[int, int] | None
    stem_langs: tuple[str, ...]
    num_docs: int
    df: OrderedDict[str, int] = field(default_factory=OrderedDict)
    # the second-stage BM25's statistics (rerank.py): per field, per (field, token) its df
    fields: dict[str, second.FieldStat] = field(default_factory=dict)
    terms: OrderedDict[tuple[str, str], int] = field(default_factory=OrderedDict)


class OpenSearchBackend:
    """Searches the serving version of one index root on the cluster; shared by threads."""

    name = "opensearch"

    def __init__(self, index_root: Path, analyzers: Analyzers) -> None:
        self.root = Path(index_root)
        self.settings = OpenSearchSettings.from_env()
        self.client = client(self.settings)
        self.analyzers = analyzers
        self.fixed = (self.root / MARKER).exists()  # a version directory
        self.layout = IndexLayout(self.root)
        self._lock = threading.Lock()
        self._open: Opened | None = None
        self.dfs = self.settings.dfs
        # a search gives up (503) when the cluster has not answered within about this long
        self.budget = self.settings.timeout

    # ------------------------------------------------------------------ the serving version
    def _stamp(self) -> tuple[int, int] | None:
        return None if self.fixed else self.layout.current_stamp()

    def _load(self) -> Opened:
        if self.fixed:
            version, index = self.root.name, physical_of(self.root, self.settings)
        else:
            version = self.layout.current_version() or ""
            if not version:
                raise IndexMissing(f"no index in {self.root}: run `searchapp index` first")
            index = physical_of(self.layout.versions / version, self.settings)
        resp = self._search(index, {"size": 0, "track_total_hits": True,
                                    "aggs": {"l": {"terms": {"field": "lang", "size": 200}}}})
        supported = set(stem_langs())
        langs = tuple(sorted(b["key"] for b in resp["aggregations"]["l"]["buckets"]
                             if b["key"] in supported))
        total = int(resp["hits"]["total"]["value"])
        return Opened(index, version, self._stamp(), langs, total)

    def current(self) -> Opened:
        opened = self._open
        if opened is not None and opened.stamp == self._stamp():
            return opened
        with self._lock:
            if self._open is None or self._open.stamp != self._stamp():
                self._open = self._load()
            return self._open

    def serving(self) -> object:
        return self.current()

    def serving_key(self) -> tuple[str, object]:
        o = self.current()
        return o.version, o.stamp

    def version(self) -> str:
        return self.current().version

    def stem_langs(self) -> tuple[str, ...]:
        return self.current().stem_langs

    def available(self) -> bool:
        """False when nothing was built; BackendUnavailable when the cluster cannot answer."""
        try:
            self.current()
        except IndexMissing:
            return False
        return True

    def cluster_health(self, index: str | None = None) -> dict[str, Any]:
        """The cluster's health, or one index's (its status: red when a shard has no copy)."""
        c = self.client
        return call(lambda: c.cluster.health(index=index, request_timeout=5), "cluster health",
                    self.budget)

    def stats(self) -> dict[str, object]:
        o = self.current()
        # the serving index's status: another index of a shared cluster going red does not
        # take this application out of its load balancer
        health = self.cluster_health(o.index)
        c = self.client
        count = call(lambda: c.count(index=o.index), "count", self.budget)["count"]
        return {"version": o.version, "documents": int(count), "backend": self.name,
                "index": o.index, "cluster": health.get("cluster_name"),
                "cluster_status": health.get("status"),
                "nodes": health.get("number_of_nodes")}

    # ------------------------------------------------------------------ searching
    def _search(self, index: str, body: dict[str, Any], dfs: bool = False) -> dict[str, Any]:
        c = self.client
        params = {"search_type": "dfs_query_then_fetch"} if dfs else {}
        return call(lambda: check_shards(c.search(index=index, body=body, params=params)),
                    "search", self.budget)

    def _ctx(self, o: Opened) -> q.QueryContext:
        return q.QueryContext(self.analyzers, o.stem_langs, o.num_docs,
                              lambda text: self._doc_freq(o, text))

    def _doc_freq(self, o: Opened, text: str) -> int:
        found = o.df.get(text)
        if found is None:
            self._prefetch(o, [text])
            found = o.df.get(text, 0)
        return found

    def _df_query(self, o: Opened, text: str) -> dict[str, Any] | None:
        ctx = q.QueryContext(self.analyzers, o.stem_langs)
        subs = [{"term": {f"{base}_{suffix}": tokens[0]}}
                for suffix, tokens, _ in ctx.families(text) if len(tokens) == 1
                for base in ("title", "body")]
        return {"bool": {"should": subs}} if subs else None

    def _prefetch(self, o: Opened, texts: list[str]) -> None:
        """Document frequencies of query words (in an accent-free family), in one msearch."""
        todo = [t for t in dict.fromkeys(texts) if t not in o.df]
        lines: list[dict[str, Any]] = []
        asked = []
        for t in todo:
            qq = self._df_query(o, t)
            if qq is None:
                o.df[t] = 0
                continue
            lines += [{"index": o.index}, {"size": 0, "track_total_hits": True, "query": qq}]
            asked.append(t)
        if not asked:
            return
        c = self.client
        resp = call(lambda: c.msearch(body=lines), "document frequencies", self.budget)
        for t, r in zip(asked, resp["responses"], strict=True):
            if "error" in r:
                raise BackendUnavailable(f"document frequency: {r['error']}")
            o.df[t] = int(r["hits"]["total"]["value"])
        while len(o.df) > DF_MEMO:
            o.df.popitem(last=False)

    def _query(self, o: Opened, req: SearchRequest, pq: ParsedQuery, match_all_words: bool,
               extra: list[dict[str, Any]]) -> dict[str, Any] | None:
        ctx = self._ctx(o)
        texts = q.fuzzy_candidates(ctx, pq, req.prefix_last)
        if texts:
            self._prefetch(o, texts)
        return q.build(ctx, pq, prefix_last=req.prefix_last, match_all_words=match_all_words,
                       extra_filters=extra)

    def run(self, req: SearchRequest, pq: ParsedQuery, match_all_words: bool) -> Matches | None:
        o = self.current()
        facet_filters, aggs = facet_parts(req)
        extra = q.date_filter(req) + ([] if req.facets else facet_filters)
        query = self._query(o, req, pq, match_all_words, extra)
        if query is None:
            return None
        ranked = pq if req.sort == "relevance" and bm25.applies(pq) else None
        return self._execute(o, req, query, facet_filters, aggs, ranked)

    def browse(self, req: SearchRequest) -> Matches:
        """Every document the request's filters let through, in its sort order (no words)."""
        o = self.current()
        facet_filters, aggs = facet_parts(req)
        extra = q.date_filter(req) + ([] if req.facets else facet_filters)
        query: dict[str, Any] = {"bool": {"filter": extra}} if extra else {"match_all": {}}
        return self._execute(o, req, query, facet_filters, aggs)

    def _execute(self, o: Opened, req: SearchRequest, query: dict[str, Any],
                 facet_filters: list[dict[str, Any]], aggs: dict[str, Any],
                 ranked: ParsedQuery | None = None) -> Matches:
        """One page of matches (ranked: a long query whose top hits are rescored)."""
        offset = (req.page - 1) * req.page_size
        size = max(0, min(req.page_size, MAX_RESULT_WINDOW - offset))
        start, count = (offset if size else 0), size
        if ranked is not None and size and offset < bm25.RERANK_DEPTH:
            start, count = 0, max(offset + size, bm25.RERANK_DEPTH)  # the top hits, then cut
        else:
            ranked = None
        body: dict[str, Any] = {
            "query": query, "track_total_hits": True, "from": start,
            "size": count, "_source": SOURCE_FIELDS, "sort": sort_clause(req),
        }
        if req.facets:
            if facet_filters:
                body["post_filter"] = {"bool": {"filter": facet_filters}}
            body["aggs"] = aggs
        resp = self._search(o.index, body, dfs=self.dfs and req.sort == "relevance")
        total = int(resp["hits"]["total"]["value"])
        found = [(float(h.get("_score") or 0.0), h["_source"]) for h in resp["hits"]["hits"]]
        if ranked is not None:
            found = self._rerank(o, ranked, found)[offset:offset + size]
        docs = [stored_doc(src, score) for score, src in found]
        facets = read_facets(resp.get("aggregations", {})) if total and req.facets else {}
        return Matches(total, docs, facets)

    def _rerank(self, o: Opened, pq: ParsedQuery, hits: list[tuple[float, dict[str, Any]]]
                ) -> list[tuple[float, dict[str, Any]]]:
        """The long query's top hits rescored by the second-stage BM25 (rerank.py)."""
        terms = second.scoring_terms(self._ctx(o), pq)
        if not terms or not hits:
            return hits
        self._term_stats(o, list(dict.fromkeys((f, t) for f, t, _ in terms)))
        stats = second.term_stats(terms, o.fields, o.terms)
        return second.rerank(self.analyzers, terms, stats, hits)

    def _term_stats(self, o: Opened, pairs: list[tuple[str, str]]) -> None:
        """Lucene's statistics not yet known, in one msearch: a field's from an explanation
        (once per field), each term's document frequency from a count."""
        todo = [(f, t) for f, t in pairs
                if (f, t) not in o.terms or (f not in o.fields and o.terms[(f, t)])]
        if not todo:
            return
        lines: list[dict[str, Any]] = []
        for f, t in todo:
            line = second.count_line(f, t) if f in o.fields else second.explain_line(f, t)
            lines += [{"index": o.index}, line]
        c = self.client
        params = {"search_type": "dfs_query_then_fetch"} if self.dfs else {}
        resp = call(lambda: c.msearch(body=lines, params=params), "term statistics", self.budget)
        for (f, t), r in zip(todo, resp["responses"], strict=True):
            if "error" in r:
                raise BackendUnavailable(f"term statistics: {r['error']}")
            o.terms[(f, t)] = second.read_count(r)
            if f not in o.fields and (fs := second.read_field(r)) is not None:
                o.fields[f] = fs
        while len(o.terms) > DF_MEMO:
            o.terms.popitem(last=False)

    def overview(self, recent: int = RECENT_DOCS) -> Overview:
        """Counts per language and year, the newest documents, example queries (the most
        frequent title-worthy words of the index)."""
        o = self.current()
        body: dict[str, Any] = {
            "size": recent, "track_total_hits": True, "_source": SOURCE_FIELDS,
            "query": {"match_all": {}}, "sort": sort_clause(SearchRequest(sort="date")),
            "aggs": {
                "lang": {"terms": {"field": "lang", "size": facet_size("lang")}},
                "year": {"terms": {"field": "year", "size": FACET_VALUES}},
                "format": {"terms": {"field": "format", "size": FACET_VALUES}},
                "words": {"terms": {"field": "words", "size": 500}},
            },
        }
        resp = self._search(o.index, body)
        n = int(resp["hits"]["total"]["value"])
        aggs = resp.get("aggregations", {})
        counted = read_facets({k: {"v": aggs.get(k, {})} for k in ("lang", "year", "format")})
        newest = [preview(stored_doc(h["_source"])) for h in resp["hits"]["hits"]]
        words = [(str(b["key"]), int(b["doc_count"])) for b in aggs.get("words", {}).get("buckets", [])]
        langs = o.stem_langs
        ranked = [(w, df) for w, df in words if w.isalpha() and len(w) >= 5
                  and not self.analyzers.is_stopword(w, langs) and (n < 10 or df <= 0.5 * n)]
        return Overview(n, counted.get("lang", []), newest, [w for w, _ in ranked[:EXAMPLE_QUERIES]],
                        counted.get("year", []), counted.get("format", []))

    def facet_counts(
        self, req: SearchRequest, pq: ParsedQuery, match_all_words: bool
    ) -> tuple[int, dict[str, list[FacetValue]]] | None:
        o = self.current()
        facet_filters, aggs = facet_parts(req)
        query = self._query(o, req, pq, match_all_words, q.date_filter(req))
        if query is None:
            return None
        body: dict[str, Any] = {"query": query, "size": 0, "track_total_hits": True, "aggs": aggs}
        if facet_filters:
            body["post_filter"] = {"bool": {"filter": facet_filters}}
            # the number matched has every filter: count it in the aggregations too
            body["aggs"]["_matched"] = {"filter": {"bool": {"filter": facet_filters}}}
        resp = self._search(o.index, body)
        aggs_out = resp.get("aggregations", {})
        total = (int(aggs_out["_matched"]["doc_count"]) if facet_filters
                 else int(resp["hits"]["total"]["value"]))
        if not total:
            return 0, {}
        return total, read_facets(aggs_out)

    # ------------------------------------------------------------------ documents
    def document(self, doc_id: str, k: int = 5) -> tuple[StoredDoc, list[StoredDoc]] | None:
        o = self.current()
        c = self.client
        key = doc_key(doc_id)
        got = call(lambda: c.get(index=o.index, id=key, _source_includes=SOURCE_FIELDS,
                                 ignore=[404]), "get", self.budget)
        if not got.get("found"):
            return None
        doc = stored_doc(got["_source"])
        return doc, self._related(o, key, k)

    def _related(self, o: Opened, key: str, k: int) -> list[StoredDoc]:
        if k <= 0:
            return []
        body = {
            "size": k,
            "_source": SOURCE_FIELDS,
            "query": {"more_like_this": {
                "fields": ["title", "body"], "like": [{"_index": o.index, "_id": key}],
                "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 30,
                "min_word_length": 3, "max_word_length": 40,
            }},
        }
        try:
            resp = self._search(o.index, body)
        except BackendUnavailable:
            raise
        except Exception:  # related documents are optional
            log.exception("more-like-this failed for %r", key)
            return []
        out = []
        for h in resp["hits"]["hits"]:
            d = stored_doc(h["_source"], float(h.get("_score") or 0.0))
            body_text = " ".join(d.body[: RELATED_PREVIEW_CHARS * 4].split())
            preview = body_text[:RELATED_PREVIEW_CHARS] + (
                "…" if len(body_text) > RELATED_PREVIEW_CHARS else "")
            out.append(replace(d, body=preview))
        return out[:k]

    # ------------------------------------------------------------------ did-you-mean
    def vocabulary(self) -> list[tuple[str, int]]:
        """Every document's distinct exact words with their document frequencies (a composite
        terms aggregation over the `words` keyword field, paged)."""
        o = self.current()
        out: list[tuple[str, int]] = []
        after: dict[str, Any] | None = None
        while True:
            comp: dict[str, Any] = {"size": VOCAB_PAGE,
                                    "sources": [{"w": {"terms": {"field": "words"}}}]}
            if after:
                comp["after"] = after
            resp = self._search(o.index, {"size": 0, "aggs": {"v": {"composite": comp}}})
            agg = resp["aggregations"]["v"]
            out.extend((b["key"]["w"], int(b["doc_count"])) for b in agg["buckets"])
            after = agg.get("after_key")
            if not after or len(agg["buckets"]) < VOCAB_PAGE:
                return out

    def pair_count(self, first: str, second: str) -> int:
        o = self.current()
        text = f"{first} {second}"
        query = {"bool": {"should": [{"match_phrase": {f: text}} for f in ("title", "body")]}}
        c = self.client
        return int(call(lambda: c.count(index=o.index, body={"query": query}), "count",
                        self.budget)["count"])
