"""The order of a result page: by score (or by date), and ties broken the same way everywhere.

Sorted by date (newest or oldest first), undated documents come last, in id order.
Hits with the same score (or, sorted by date, the same date) come out newest first, then by
their ids in natural order (1, 2, 11; not 1, 11, 2). tantivy itself breaks ties by its document
address, which follows indexing order, so up to MAX_TIE_EXTRA hits past the page are fetched
with it and the tie group at the page's lower edge is sorted whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import tantivy
from tantivy import Order, Query

from ...search.parse import ParsedQuery
from ...search.request import SearchRequest, natural_key
from . import compile as q
from . import rerank

# Hits fetched beyond the page to complete a tie group at its lower edge (each tied hit's stored
# document is read: ~200 reads cost a few ms). Queries without words (every score equal) are
# sorted by date instead (Engine), so only real ties of scores or dates come here.
MAX_TIE_EXTRA = 200

Hit = tuple[Any, Any]  # (score or sort value, DocAddress)


class Docs:
    """Stored documents read once per search: those a tie needed are not read again for the
    page (a date-sorted page of 100 read most of its documents twice)."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher
        self.read: dict[tuple[int, int], tantivy.Document] = {}

    def __call__(self, addr: Any) -> tantivy.Document:
        key = (addr.segment_ord, addr.doc)
        doc = self.read.get(key)
        if doc is None:
            doc = self.read[key] = self.searcher.doc(addr)
        return doc


def top(
    searcher: tantivy.Searcher, query: Query, req: SearchRequest, ctx: q.QueryContext,
    pq: ParsedQuery, docs: Docs | None = None,
) -> tuple[int, list[Hit]]:
    """(total, the requested page of hits) in the request's order, ties broken (the documents
    read for that kept in `docs`)."""
    docs = docs or Docs(searcher)
    offset = (req.page - 1) * req.page_size
    want = offset + req.page_size
    if req.sort == "relevance" and rerank.applies(pq) and offset < rerank.RERANK_DEPTH:
        # long queries: the first RERANK_DEPTH hits rescored (rerank.py)
        res = searcher.search(query, max(rerank.RERANK_DEPTH, want), count=True)
        hits = rerank.rerank(ctx, searcher, pq, res.hits)
        total = res.count or 0  # type: ignore[attr-defined]
        return total, break_ties(docs, hits, False)[offset:want]
    kwargs: dict[str, Any] = {}
    if req.sort in ("date", "date_asc"):
        kwargs = {"order_by_field": "date",
                  "order": Order.Asc if req.sort == "date_asc" else Order.Desc}
    # One search fetches the page and room for a tie group across its last place: tantivy
    # visits every match to count them anyway, so a longer top-k costs little (700k sentences:
    # 11 vs 211 hits within noise), while re-searching on a tie (27 % of keystrokes) doubled them.
    res = searcher.search(query, want + MAX_TIE_EXTRA, count=True, **kwargs)
    count = res.count or 0  # type: ignore[attr-defined]
    hits = _through_tie(list(res.hits), want)
    return count, break_ties(docs, hits, bool(kwargs))[offset:want]


def sort_value(value: Any) -> float:
    """A hit's score, or its date when sorted by date (an undated document has none: 0)."""
    return 0.0 if value is None else float(value)


def _through_tie(hits: list[Hit], want: int) -> list[Hit]:
    """hits up to the page's last place and the rest of the tie group there."""
    end = min(want, len(hits))
    while 0 < end < len(hits) and hits[end][0] == hits[end - 1][0]:
        end += 1
    return hits[:end]


def break_ties(docs: Docs, hits: list[Hit], by_date: bool) -> list[Hit]:
    """hits reordered within each run of equal scores: newest first, then natural id order
    (hits sorted by date: by natural id order within a date). Only tied hits are read."""
    out: list[Hit] = []
    i = 0
    while i < len(hits):
        j = i + 1
        while j < len(hits) and hits[j][0] == hits[i][0]:
            j += 1
        group = hits[i:j]
        if len(group) > 1:
            group.sort(key=lambda h: _tie_key(docs(h[1]), by_date))
        out.extend(group)
        i = j
    return out


def _tie_key(doc: tantivy.Document, by_date: bool) -> tuple[float, tuple[Any, ...]]:
    value = doc.get_first("date")
    newest = -value.timestamp() if isinstance(value, datetime) and not by_date else 0.0
    return newest, natural_key(doc.get_first("id") or "")
