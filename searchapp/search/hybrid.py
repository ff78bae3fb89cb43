"""A fused search: keyword results and results by meaning in one ranking (search/fusion.py:
a convex combination of standard scores), with the request's filters, facets, paging and sort
by date working on the fused list, and copies of one text folded into one result.

The keyword side runs as usual over a window of FUSION_WINDOW hits (or deeper, for deep pages);
the meaning side gives up to semantic.MAX_DOCS documents above the model's similarity floor.
A document found only by meaning has its best passage as snippet and says so (`match`).
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from ..backends.base import DocumentReader
from .cache import LRUCache
from .duplicates import copies_of
from .fusion import add_counts, by_date, fold_copies, fuse
from .parse import Clause, ParsedQuery
from .request import Hit, Matches, SearchRequest, StoredDoc, page_of
from .semantic import SemanticIndex, VectorHit, exact_syntax

if TYPE_CHECKING:
    from .engine import Engine

FUSION_WINDOW = 100  # keyword hits fused with the meaning side (deeper pages fetch deeper)
SNIPPET_CHARS = 320
MAX_TERMS_CHECKED = 16
RELAXED_NOTE = "No document contains all the words: showing documents that contain some of them."


def applies(semantic: SemanticIndex | None, backend: object, raw: ParsedQuery) -> bool:
    """A fused search is possible: vectors may exist, the backend reads documents by id, and the
    query asks for no exact syntax (quotes, exclusions, title:)."""
    return (semantic is not None and isinstance(backend, DocumentReader)
            and not exact_syntax(raw))


def fused_search(engine: Engine, semantic: SemanticIndex, req: SearchRequest, pq: ParsedQuery,
                 warnings: list[str]) -> tuple[list[Hit], int, dict, bool] | None:  # type: ignore[type-arg]
    """(page hits, total, facets, relaxed) of the fused ranking; None when this version has no
    vectors (the caller searches by keywords alone)."""
    backend = engine.backend
    version = backend.version()
    found = semantic.search(version, req, pq)
    if found is None:
        return None
    offset = (req.page - 1) * req.page_size
    window = max(FUSION_WINDOW, offset + req.page_size)
    wide = replace(req, page=1, page_size=window)
    words = backend.run(wide, pq, match_all_words=True)
    relaxed = False
    if words is not None and words.total == 0 and len(pq.positive) > 1:
        loose = backend.run(wide, pq, match_all_words=False)
        if loose is not None and loose.total:
            words, relaxed = loose, True
            warnings.append(RELAXED_NOTE)
    words = words or Matches(0, [])
    kw_ids = [d.id for d in words.docs]
    in_words = set(kw_ids)
    only = [v for v in found if v.id not in in_words]
    scores: dict[str, float] = {}
    if req.sort == "relevance":
        share = known_share(engine, pq, semantic.word_counts)
        langs = {**{v.id: v.lang for v in found}, **{d.id: d.lang for d in words.docs}}
        fused = fuse([(d.id, d.score) for d in words.docs], [(v.id, v.score) for v in found],
                     share, langs)
        ranked = [(f.id, f.match) for f in fused]
        scores = {f.id: f.score for f in fused}
    else:
        merged = by_date([(d.id, d.date or "") for d in words.docs],
                         [(v.id, v.date) for v in only], newest_first=req.sort == "date")
        ranked = [(i, "words" if i in in_words else "meaning") for i in merged]
    both = {v.id for v in found} & in_words
    ranked = [(i, "both" if i in both else m) for i, m in ranked]
    groups = engine.duplicates()
    ranked, folded = fold_copies(ranked, {i: g[0][0] for i, g in groups.items()})
    page = ranked[offset:offset + req.page_size]
    stored = {d.id: d for d in words.docs}
    need = [i for i, _ in page if i not in stored]
    assert isinstance(backend, DocumentReader)
    stored.update({d.id: d for d in backend.documents(need)})
    best = {v.id: v for v in found}
    hits = []
    for doc_id, match in page:
        doc = stored.get(doc_id)
        if doc is None:  # removed since the vectors were computed
            continue
        if match == "meaning":
            hits.append(replace(_meaning_hit(doc, best[doc_id]), score=scores.get(doc_id, 0.0),
                                copies=copies_of(doc_id, groups)))
        else:
            hit = engine._hits([doc], pq, req)[0]
            hits.append(replace(hit, match=match, score=scores.get(doc_id, hit.score)))
    facets: dict = {}  # type: ignore[type-arg]
    if req.facets:
        extra = {"lang": [v.lang for v in only], "source": [v.source for v in only],
                 "year": [v.date[:4] for v in only]}
        if "format" in words.facets:
            extra["format"] = [v.format for v in only]
        facets = add_counts(words.facets, extra)
    return hits, words.total + len(only) - folded, facets, relaxed


def known_share(engine: Engine, pq: ParsedQuery, counts: LRUCache[int]) -> float:
    """The share of the query's words (the first MAX_TERMS_CHECKED) found in some document;
    1.0 for a query without words. Counts are remembered per serving version."""
    terms = [t for c in pq.positive for t in c.terms][:MAX_TERMS_CHECKED]
    if not terms:
        return 1.0
    serving = engine.backend.serving_key()
    known = 0
    for t in terms:
        key = (serving, t)
        count = counts.get(key)
        if count is None:
            count = engine.count(ParsedQuery(clauses=[Clause((t,))]))
            counts.put(key, count)
        known += count > 0
    return known / len(terms)


def _meaning_hit(doc: StoredDoc, v: VectorHit) -> Hit:
    """A document found by meaning alone: its best passage as snippet."""
    text = " ".join(doc.body[v.start:v.end].split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return Hit(id=doc.id, title=doc.title, title_html=escape(doc.title), lang=doc.lang,
               date=doc.date, source=doc.source, url=doc.url,
               score=0.0,
               snippet_html=escape(text), format=doc.format, page=page_of(doc.pages, v.start),
               match="meaning")
