"""Second-stage BM25 with Lucene-like parameters for long (natural-language) queries.

tantivy's BM25 is fixed at k1=1.2, b=0.75 in the Python bindings. Lucene/Anserini use k1=0.9,
b=0.4; on short documents (sentences) and abstracts a smaller k1 and b rank better (measured in
eval/RESULTS.md: k1=0.9, b=0.55 raised every collection). The top RERANK_DEPTH hits of a long
query are rescored: each one-token term query of `compile.build` on the exact and accent-free
fields gets its BM25 recomputed with our k1/b and the difference is added to tantivy's score,
so every other signal (pairs, proximity, CJK, exact-spelling weights) is kept as it was.

Term frequencies and field lengths come from re-analysing the stored title and body with the
index's own analyzers; document frequencies from the searcher; average field lengths from
tantivy's score explanation (read once per opened index and field).
"""

from __future__ import annotations

import json
import math
from collections import Counter

import tantivy
from tantivy import Query

from ...analysis.language import STEMMERS
from ...search.parse import ParsedQuery
from .context import QueryContext
from .longquery import scoring_terms
from .schema import exact_field_of, stored_text
from .weights import LONG_QUERY_WORDS

K1 = 0.9
B = 0.55
TANTIVY_K1, TANTIVY_B = 1.2, 0.75
RERANK_DEPTH = 50  # hits rescored; the rest keep tantivy's order
# Re-analysing costs ~1 ms per news article: a query whose top hits hold more text than this
# (long documents, where b=0.75 length normalisation is also the better fit) keeps tantivy's
# order. Sentences and abstracts (the collections of eval/) stay well under it.
RERANK_MAX_CHARS = 60_000
MIN_WORDS = LONG_QUERY_WORDS  # only long queries (questions) are reranked


def applies(pq: ParsedQuery) -> bool:
    return RERANK_DEPTH > 0 and len(pq.positive) >= MIN_WORDS


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def _bm25_tf(tf: int, dl: int, avgdl: float, k1: float, b: float) -> float:
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


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
    # per (field, token): (compiled boost, tantivy's idf, wanted idf); per field: tantivy's
    # average length and the wanted one (fieldstats.py: a family counts its own documents)
    stat: dict[tuple[str, str, float], tuple[float, float, float]] = {}
    avg: dict[str, tuple[float, float]] = {}
    for fname, token, boost in terms:
        base, _, suffix = fname.partition("_")
        is_family = suffix == "fold" or suffix.startswith("stem_")
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
            stat[(fname, token, boost)] = (compiled, idf_all, own)
        if fname not in avg:
            a = average_length(ctx, searcher, fname)
            avg[fname] = (a, a / ctx.share(suffix) if is_family else a)
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
        delta = 0.0
        for base in ("title", "body"):
            text = stored_text(doc, base)
            if not text:
                continue
            counts: dict[str, tuple[Counter[str], int]] = {}
            exact = exact_field_of(doc, base)
            if exact in wanted:
                tokens = az.exact(text)
                counts[exact] = (Counter(tokens), len(tokens))
            if f"{base}_{family}" in wanted:
                tokens = az.stem_indexed(lang, text) if lang in STEMMERS else az.fold(text)
                counts[f"{base}_{family}"] = (Counter(tokens), len(tokens))
            for fname, token, boost in terms:
                got = counts.get(fname)
                if got is None or not avg.get(fname, (0.0, 0.0))[0]:
                    continue
                tf = got[0].get(token, 0)
                if tf:
                    dl, (a_all, a_own) = got[1], avg[fname]
                    compiled, idf_all, idf_own = stat[(fname, token, boost)]
                    delta += boost * idf_own * _bm25_tf(tf, dl, a_own, K1, B)
                    delta -= compiled * idf_all * _bm25_tf(tf, dl, a_all, TANTIVY_K1, TANTIVY_B)
        out.append((score + delta, addr))
    out.sort(key=lambda h: -h[0])
    return out + list(hits[RERANK_DEPTH:])
