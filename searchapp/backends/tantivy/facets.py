"""Facet counts (language, source, year, format) from tantivy's terms aggregations."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import tantivy
from tantivy import Occur, Query

from ...search.parse import ParsedQuery
from ...search.request import FACETS, OPTIONAL_FACETS, FacetValue, SearchRequest, facet_size
from . import compile as q
from .schema import FORMAT_FIELD, has_field

FACET_AGGS = {
    name: {"terms": {"field": name, "size": facet_size(name)}} for name in FACETS + OPTIONAL_FACETS
}
# Documents matched, from the facet pass itself: every document has a lang value ("" if unknown).
MATCHED_AGG = {"_matched": {"terms": {"field": "lang", "size": 1, "missing": ""}}}


def request_filters(ctx: q.QueryContext, req: SearchRequest) -> list[Query]:
    """The request's facet and date filters as queries."""
    schema = ctx.schema
    out: list[Query] = []
    if req.lang:
        out.append(Query.term_set_query(schema, "lang", list(req.lang)))
    if req.source:
        out.append(Query.term_set_query(schema, "source", list(req.source)))
    if req.format:
        if has_field(schema, FORMAT_FIELD):
            out.append(Query.term_set_query(schema, FORMAT_FIELD, list(req.format)))
        else:  # an index built before formats were stored: no document has one
            out.append(Query.boolean_query([(Occur.MustNot, Query.all_query())]))
    if req.year:
        years = [Query.range_query(schema, "year", tantivy.FieldType.Integer, y, y) for y in req.year]
        out.append(Query.boolean_query([(Occur.Should, y) for y in years]))
    if req.date_from or req.date_to:
        out.extend(q.filter_queries(ctx, ParsedQuery(date_from=req.date_from, date_to=req.date_to)))
    return out


def facet_names(schema: tantivy.Schema) -> tuple[str, ...]:
    """The facets this index can count: FACETS, and each of OPTIONAL_FACETS it has a field for."""
    return FACETS + tuple(name for name in OPTIONAL_FACETS if has_field(schema, name))


def aggs_for(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: FACET_AGGS[name] for name in names}


def facet_counts(  # noqa: PLR0913 - the pieces of one search
    searcher: tantivy.Searcher,
    ctx: q.QueryContext,
    pq: ParsedQuery,
    req: SearchRequest,
    query: Query,
    relaxed: bool,
    agg: dict[str, Any] | None = None,
) -> dict[str, list[FacetValue]]:
    """Counts per language, source and year (agg: the query's aggregation, if already run).
    A facet the request filters on is counted without its own filter (as in
    Meilisearch/Algolia), so other values stay choosable."""
    names = facet_names(ctx.schema)
    if agg is None:
        agg = searcher.aggregate(query, aggs_for(names))
    for name in names:
        if not getattr(req, name):
            continue
        without = replace(req, **{name: ()})  # type: ignore[arg-type]
        other = q.build(
            ctx, pq, prefix_last=req.prefix_last, match_all_words=not relaxed,
            extra_filters=request_filters(ctx, without),
        )
        if other is None:  # no words and no other filter: every document (browsing)
            other = Query.all_query()
        agg[name] = searcher.aggregate(other, {name: FACET_AGGS[name]})[name]
    out: dict[str, list[FacetValue]] = {}
    for name in names:
        buckets = agg.get(name, {}).get("buckets", [])
        if name == "year":
            buckets = sorted(buckets, key=lambda b: b["key"], reverse=True)
        out[name] = [
            FacetValue(str(int(b["key"])) if name == "year" else str(b["key"]), b["doc_count"])
            for b in buckets
            if str(b["key"]) != ""
        ]
    return out


def matched(agg: dict[str, Any]) -> int:
    """Documents counted by the MATCHED_AGG terms aggregation (its buckets and the rest)."""
    terms = agg["_matched"]
    return sum(b["doc_count"] for b in terms["buckets"]) + terms.get("sum_other_doc_count", 0)
