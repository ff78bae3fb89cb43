"""Second-stage BM25 with Lucene-like parameters for long (natural-language) queries, on tantivy.

The arithmetic is engine-neutral (backends/bm25.py, shared with the OpenSearch backend). Here:
term frequencies and field lengths from re-analysing the stored title and body with the index's
own analyzers; document frequencies from the searcher; average field lengths from tantivy's
score explanation (read once per opened index and field); a family's own statistics
(fieldstats.py: a family counts its own documents) for the wanted score.
"""

from __future__ import annotations

import json

import tantivy
from tantivy import Query

from ...analysis.language import STEMMERS
from ...search.parse import ParsedQuery
from ..bm25 import (  # noqa: F401  (applies, K1, B and the limits are this module's interface)
    K1,
    MIN_WORDS,
    RERANK_DEPTH,
    RERANK_MAX_CHARS,
    B,
    TermStat,
    applies,
    counts,
    delta,
    idf,
)
from .context import QueryContext
from .longquery import scoring_terms
from .schema import exact_field_of, stored_text

TANTIVY_K1, TANTIVY_B = 1.2, 0.75


def average_length(ctx: QueryContext, searcher: tantivy.Searcher, fieldname: str) -> float:
    """tantivy's average token count of a field (0.0 when the field is empty)."""
    key = ("avgdl", fieldname, searcher.num_docs)
    cached = ctx.stats.get(key)
    if cached is not None:
        return cached
    value = 0.0
    terms = searcher.terms_with_prefix(fieldname, "", limit=1)
    if terms:
        tq = Query.term_query(ctx.schema, fieldname, terms[0][0])
        found = searcher.search(tq, 1)
        if found.hits:
            value = _find(json.loads(tq.explain(searcher, found.hits[0][1]).to_json())) or 0.0
    ctx.stats[key] = value
    return value


def _find(node: dict) -> float | None:  # type: ignore[type-arg]
    if str(node.get("description", "")).startswith("avgdl"):
        return float(node["value"])
    for child in node.get("details") or []:
        if (v := _find(child)) is not None:
            return v
    return None


def rerank(
    ctx: QueryContext,
    searcher: tantivy.Searcher,
    pq: ParsedQuery,
    hits: list,  # type: ignore[type-arg]
) -> list:  # type: ignore[type-arg]
    """hits [(score, address)] with the first RERANK_DEPTH rescored and re-sorted."""
    terms = scoring_terms(ctx, pq)
    if not terms or not hits:
        return hits
    n_docs = searcher.num_docs
    # per field: tantivy's average length and the wanted one; per (field, token): tantivy's
    # weight (compiled boost, idf over all documents) and the wanted one (fieldstats.py: a family
    # counts its own documents)
    stat: dict[tuple[str, str, float], TermStat] = {}
    avg: dict[str, tuple[float, float]] = {}
    for fname, token, boost in terms:
        base, _, suffix = fname.partition("_")
        is_family = suffix == "fold" or suffix.startswith("stem_")
        if fname not in avg:
            a = average_length(ctx, searcher, fname)
            avg[fname] = (a, a / ctx.share(suffix) if is_family else a)
        if (fname, token, boost) not in stat:
            n = searcher.doc_freq(fname, token)
            idf_all = idf(n_docs, n)
            if is_family:
                compiled = ctx.weight(base, suffix, [token], boost)
                # compiled = boost * length factor * idf factor (* fold parity): what is left
                # after the length factor is the family's own idf (with the parity)
                own = idf_all * compiled / boost / ctx.length_factor(suffix) if boost else idf_all
            else:
                compiled, own = boost, idf_all
            a_all, a_own = avg[fname]
            stat[(fname, token, boost)] = TermStat(compiled * idf_all, TANTIVY_K1, TANTIVY_B,
                                                   a_all, boost * own, a_own)
    az = ctx.analyzers
    wanted = {f for f, _, _ in terms}
    docs = []
    budget = RERANK_MAX_CHARS
    for _score, addr in hits[:RERANK_DEPTH]:
        doc = searcher.doc(addr)
        budget -= len(stored_text(doc, "title")) + len(stored_text(doc, "body"))
        if budget < 0:
            return hits
        docs.append(doc)
    out = []
    for (score, addr), doc in zip(hits[:RERANK_DEPTH], docs, strict=False):
        lang = doc.get_first("lang") or ""
        family = f"stem_{lang}" if lang in STEMMERS else "fold"
        got = {}
        for base in ("title", "body"):
            text = stored_text(doc, base)
            if not text:
                continue
            exact = exact_field_of(doc, base)
            if exact in wanted:
                got[exact] = counts(az.exact(text))
            if f"{base}_{family}" in wanted:
                got[f"{base}_{family}"] = counts(
                    az.stem_indexed(lang, text) if lang in STEMMERS else az.fold(text))
        out.append((score + delta(terms, got, stat), addr))
    out.sort(key=lambda h: -h[0])
    return out + list(hits[RERANK_DEPTH:])
