"""The engine-neutral arithmetic of the second-stage BM25 of long queries, used by both backends.

Each backend first ranks with its own BM25 (tantivy: k1=1.2, b=0.75 fixed in the Python bindings;
OpenSearch: the same defaults). The top RERANK_DEPTH hits of a long query are rescored: each
one-token term query on the exact and accent-free fields gets its BM25 recomputed with the k1/b
below (measured in eval/RESULTS.md: k1=0.9, b=0.55 raised every collection) and the difference
is added to the engine's score, so every other signal (pairs, proximity, CJK, exact-spelling
weights) is kept as it was. Term frequencies and field lengths come from re-analysing the stored
title and body with the index's own analyzers (`counts`); each backend supplies its document
frequencies and average field lengths (`TermStat`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..search.parse import ParsedQuery
from .tantivy.weights import LONG_QUERY_WORDS

K1 = 0.9
B = 0.55
RERANK_DEPTH = 50  # hits rescored; the rest keep the engine's order
# Re-analysing costs ~1 ms per news article: a query whose top hits hold more text than this
# (long documents, where b=0.75 length normalisation is also the better fit) keeps the engine's
# order. Sentences and abstracts (the collections of eval/) stay well under it.
RERANK_MAX_CHARS = 60_000
MIN_WORDS = LONG_QUERY_WORDS  # only long queries (questions) are reranked

Counts = Mapping[str, tuple[Counter[str], int]]  # field -> (token counts, field length)


@dataclass(frozen=True)
class TermStat:
    """How the engine scored one (field, token) term query and how it should be scored."""

    engine_weight: float  # the engine's score of the term is this * bm25_tf(engine's k1, b)
    engine_k1: float
    engine_b: float
    engine_avgdl: float
    weight: float  # the wanted score is this * bm25_tf(K1, B): boost * idf
    avgdl: float


def applies(pq: ParsedQuery) -> bool:
    """True for a query the rerank rescores (a long one)."""
    return RERANK_DEPTH > 0 and len(pq.positive) >= MIN_WORDS


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_tf(tf: int, dl: float, avgdl: float, k1: float, b: float) -> float:
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


def counts(tokens: Sequence[str]) -> tuple[Counter[str], int]:
    return Counter(tokens), len(tokens)


def delta(
    terms: Sequence[tuple[str, str, float]],
    got: Counts,
    stats: Mapping[tuple[str, str, float], TermStat],
    engine_dl: Mapping[str, float] | None = None,
) -> float:
    """What one document's score gains when its term queries are rescored with K1 and B (got:
    its re-analysed fields; engine_dl: a field length as the engine stores it, when lossy)."""
    out = 0.0
    for fname, token, boost in terms:
        have = got.get(fname)
        st = stats.get((fname, token, boost))
        if have is None or st is None or not st.avgdl or not st.engine_avgdl:
            continue
        tf = have[0].get(token, 0)
        if not tf:
            continue
        dl = have[1]
        edl = engine_dl.get(fname, dl) if engine_dl else dl
        out += st.weight * bm25_tf(tf, dl, st.avgdl, K1, B)
        out -= st.engine_weight * bm25_tf(tf, edl, st.engine_avgdl, st.engine_k1, st.engine_b)
    return out
