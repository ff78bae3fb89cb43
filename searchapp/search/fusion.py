"""Reciprocal rank fusion of keyword and meaning results, and what a fused page counts: pure
functions over ids, engine-neutral."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .request import FACET_VALUES, FacetValue

# RRF's constant (Cormack et al. 2009; Elasticsearch, OpenSearch and Vespa use 60): a rank's
# weight is 1 / (K + rank), so the two lists' tops weigh alike and agreement wins.
RRF_K = 60


@dataclass(frozen=True)
class Fused:
    id: str
    score: float
    match: str  # "words", "meaning" or "both"


def rrf(words: list[str], meaning: list[str], k: int = RRF_K,
        words_weight: float = 1.0) -> list[Fused]:
    """Both rankings fused: each id scores the sum of weight/(k + rank) over the lists holding
    it (the keyword list weighs `words_weight`, the meaning list 1); ties keep the keyword
    order, then the meaning order."""
    score: dict[str, float] = {}
    order: dict[str, int] = {}
    kinds: dict[str, set[str]] = {}
    for kind, ranked, weight in (("words", words, words_weight), ("meaning", meaning, 1.0)):
        for rank, doc_id in enumerate(ranked, 1):
            score[doc_id] = score.get(doc_id, 0.0) + weight / (k + rank)
            order.setdefault(doc_id, len(order))
            kinds.setdefault(doc_id, set()).add(kind)
    ids = sorted(score, key=lambda d: (-score[d], order[d]))
    return [Fused(d, round(score[d], 6), "both" if len(kinds[d]) == 2 else next(iter(kinds[d])))
            for d in ids]


def by_date(words: list[tuple[str, str]], meaning: list[tuple[str, str]],
            newest_first: bool) -> list[str]:
    """Two (id, ISO date) lists merged by date (undated last), keyword results first among
    equal dates."""
    tagged = [(d, 0, i, doc) for i, (doc, d) in enumerate(words)]
    tagged += [(d, 1, i, doc) for i, (doc, d) in enumerate(meaning)]
    dated = [t for t in tagged if t[0]]
    undated = [t for t in tagged if not t[0]]
    dated.sort(key=lambda t: (t[1], t[2]))
    dated.sort(key=lambda t: t[0], reverse=newest_first)
    return [t[3] for t in dated + undated]


def add_counts(facets: dict[str, list[FacetValue]],
               extra: Mapping[str, Iterable[str]]) -> dict[str, list[FacetValue]]:
    """Keyword facets with the values of documents found only by meaning added in."""
    out: dict[str, list[FacetValue]] = {}
    for name in dict.fromkeys([*facets, *extra]):
        counts = {f.value: f.count for f in facets.get(name, [])}
        for value in extra.get(name, ()):
            if value:
                counts[value] = counts.get(value, 0) + 1
        if name == "year":
            ordered = sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
        else:
            ordered = sorted(counts.items(), key=lambda kv: -kv[1])
        out[name] = [FacetValue(v, c) for v, c in ordered[:FACET_VALUES]]
    return out
