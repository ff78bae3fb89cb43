"""What the home page shows about an index: counts per language (and year, format), the newest
documents and example queries drawn from the words of its titles."""

from __future__ import annotations

from typing import Any

import tantivy
from tantivy import Query

from ...analysis.analyzers import Analyzers
from ...search.parse import ParsedQuery
from ...search.request import EXAMPLE_QUERIES, FacetValue, SearchRequest, facet_size
from . import compile as q
from . import ordering
from .schema import PLAIN_FIELD

EXAMPLE_MIN_LEN = 5  # letters in an example word
COMMON_SHARE = 0.5  # words in more than this share of the titles say nothing (an index of 10+)


def counts(searcher: tantivy.Searcher, fields: tuple[str, ...]) -> dict[str, list[FacetValue]]:
    """Documents per value of each field (the most frequent first; years newest first)."""
    if not searcher.num_docs:
        return {f: [] for f in fields}
    aggs = {f: {"terms": {"field": f, "size": facet_size(f)}} for f in fields}
    found: dict[str, Any] = searcher.aggregate(Query.all_query(), aggs)
    out: dict[str, list[FacetValue]] = {}
    for name in fields:
        buckets = found.get(name, {}).get("buckets", [])
        if name == "year":
            buckets = sorted(buckets, key=lambda b: b["key"], reverse=True)
        out[name] = [
            FacetValue(str(int(b["key"])) if name == "year" else str(b["key"]), b["doc_count"])
            for b in buckets if str(b["key"]) != ""
        ]
    return out


def recent(searcher: tantivy.Searcher, ctx: q.QueryContext, k: int) -> list[tuple[Any, Any]]:
    """The k newest documents' hits (same dates: ids in natural order)."""
    if not searcher.num_docs:
        return []
    req = SearchRequest(sort="date", page_size=k)
    return ordering.top(searcher, Query.all_query(), req, ctx, ParsedQuery())[1]


def examples(
    searcher: tantivy.Searcher, analyzers: Analyzers, langs: tuple[str, ...],
    k: int = EXAMPLE_QUERIES,
) -> list[str]:
    """Up to k words of the titles worth searching: alphabetic, at least EXAMPLE_MIN_LEN
    letters, no stop words, in several titles but not in most of them (most frequent first)."""
    n = searcher.num_docs
    if not n:
        return []
    out = _ranked(searcher.terms_with_prefix("title", "", limit=None), analyzers, langs, n)
    if len(out) < k:  # titles made from the text are not indexed: the bodies' words then
        body: list[tuple[str, int]] = []
        for name in ("body", PLAIN_FIELD):
            try:
                body += searcher.terms_with_prefix(name, "", limit=None)
            except ValueError:  # an index built before body_plain
                pass
        out += [t for t in _ranked(body, analyzers, langs, n) if t not in out]
    return out[:k]


def _ranked(
    terms: list[tuple[str, int]], analyzers: Analyzers, langs: tuple[str, ...], n: int
) -> list[str]:
    ranked = sorted(
        ((t, int(df)) for t, df in terms
         if t.isalpha() and len(t) >= EXAMPLE_MIN_LEN and not analyzers.is_stopword(t, langs)),
        key=lambda td: (-td[1], td[0]),
    )
    if n >= 10:
        ranked = [td for td in ranked if td[1] <= COMMON_SHARE * n] or ranked
    return [t for t, _ in ranked]
