"""OpenSearch responses read back as the engine-neutral records: stored documents, facets;
and the request's sort and facet filters as query DSL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...ingest.titles import guess_title
from ...search.request import (
    FACETS,
    OPTIONAL_FACETS,
    RELATED_PREVIEW_CHARS,
    FacetValue,
    SearchRequest,
    StoredDoc,
    facet_size,
)
from . import compile as q


def facet_parts(req: SearchRequest) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(the facet filters, aggregations counting each facet without its own filter)."""
    names = FACETS + OPTIONAL_FACETS
    filters = {name: f for name in names if (f := q.facet_filter(req, name)) is not None}
    aggs: dict[str, Any] = {}
    for name in FACETS + OPTIONAL_FACETS:
        terms = {"terms": {"field": name, "size": facet_size(name)}}
        others = [f for n, f in filters.items() if n != name]
        aggs[name] = {"filter": {"bool": {"filter": others}} if others else {"match_all": {}},
                      "aggs": {"v": terms}}
    return list(filters.values()), aggs


def preview(d: StoredDoc) -> StoredDoc:
    """d with its body cut to a short preview (the home page's newest documents)."""
    return replace(d, body=" ".join(d.body[: RELATED_PREVIEW_CHARS * 4].split())[:RELATED_PREVIEW_CHARS])


def sort_clause(req: SearchRequest) -> list[Any]:
    """Relevance, newest or oldest first; ties newest first, then by id."""
    if req.sort == "date":
        return [{"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    if req.sort == "date_asc":
        return [{"date": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
    return ["_score", {"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]


def read_facets(aggs: dict[str, Any]) -> dict[str, list[FacetValue]]:
    out: dict[str, list[FacetValue]] = {}
    for name in FACETS + OPTIONAL_FACETS:
        buckets = aggs.get(name, {}).get("v", {}).get("buckets", [])
        if name == "year":
            buckets = sorted(buckets, key=lambda b: b["key"], reverse=True)
        out[name] = [
            FacetValue(str(int(b["key"])) if name == "year" else str(b["key"]), int(b["doc_count"]))
            for b in buckets if str(b["key"]) != ""
        ]
    return out


def stored_doc(src: dict[str, Any], score: float = 0.0) -> StoredDoc:
    body = src.get("body") or ""
    doc_id = src.get("id") or ""
    return StoredDoc(
        id=doc_id,
        title=src.get("title") or guess_title(body[:2000], doc_id),
        body=body,
        lang=src.get("lang") or "",
        date=src.get("date") or None,
        source=src.get("source") or "",
        url=src.get("url") or "",
        score=score,
        format=src.get("format") or "",
        pages=tuple(int(p) for p in src.get("pages") or ()),
        author=src.get("author") or "",
        parent=src.get("parent") or "",
        boilerplate=tuple((src.get("boilerplate") or "").split("\n")) if src.get("boilerplate") else (),
    )
