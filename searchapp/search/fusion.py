"""Reciprocal rank fusion of keyword and meaning results, and what a fused page counts: pure
functions over ids, engine-neutral."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .request import FACET_VALUES, FacetValue

# The fusion searches use, tuned offline on XQuAD-R (same-language, English to vi/zh/de),
# CACM and LAReQA's pool (eval/fusion_tune.py, figures in eval/RESULTS.md): a convex
# combination of standard scores (z) of the keyword scores and of the similarities; the keyword
# side weighs WORDS_SHARE times the share of the query's words the index holds, squared.
WORDS_SHARE = 0.5
WORDS_POWER = 2.0

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


def _normalised(scores: list[float], norm: str, low: float) -> list[float]:
    """A list's scores on a common scale: "minmax" (0 at the list's lowest, 1 at its best),
    "theoretical" (0 at `low`, the lowest score the measure gives, 1 at the list's best) or
    "z" (standard scores)."""
    if not scores:
        return []
    top = max(scores)
    if norm == "z":
        mean = sum(scores) / len(scores)
        sd = (sum((x - mean) ** 2 for x in scores) / len(scores)) ** 0.5
        return [(x - mean) / sd if sd else 0.0 for x in scores]
    bottom = min(scores) if norm == "minmax" else low
    span = top - bottom
    if span <= 0:  # one score (min-max: it is the best), or none above the floor
        return [1.0 if norm == "minmax" else 0.0 for _ in scores]
    return [max(0.0, (x - bottom) / span) for x in scores]


def convex(words: list[tuple[str, float]], meaning: list[tuple[str, float]], words_weight: float,
           low: float = 0.0, norm: str = "theoretical",
           judged: Callable[[str], bool] | None = None) -> list[Fused]:
    """Both rankings fused by a convex combination of their normalised scores (Bruch et al.
    2023): words_weight * keyword + (1 - words_weight) * meaning, a document missing from a
    list scoring that list's lowest; ties keep the keyword order, then the meaning order.
    `judged(id)` False: keywords cannot judge that document (it is in another language than
    the query): its keyword part is the list's average (z) or middle, found or not."""
    score: dict[str, float] = {}
    order: dict[str, int] = {}
    kinds: dict[str, set[str]] = {}
    neutral = 0.0
    for kind, ranked, weight, lo in (("words", words, words_weight, 0.0),
                                     ("meaning", meaning, 1.0 - words_weight, low)):
        normed = _normalised([s for _, s in ranked], norm, lo)
        floor = min(normed, default=0.0) if norm == "z" else 0.0
        if kind == "words":
            neutral = -floor if norm == "z" else 0.5
        for (doc_id, _), x in zip(ranked, normed, strict=True):
            part = x - floor
            if kind == "words" and judged is not None and not judged(doc_id):
                part = neutral
            score[doc_id] = score.get(doc_id, 0.0) + weight * part
            order.setdefault(doc_id, len(order))
            kinds.setdefault(doc_id, set()).add(kind)
    if judged is not None and words:
        for doc_id in score:
            if "words" not in kinds[doc_id] and not judged(doc_id):
                score[doc_id] += words_weight * neutral
    ids = sorted(score, key=lambda d: (-score[d], order[d]))
    return [Fused(d, round(score[d], 6), "both" if len(kinds[d]) == 2 else next(iter(kinds[d])))
            for d in ids]


def fold_copies(ranked: list[tuple[str, str]],
               group_of: Mapping[str, str]) -> tuple[list[tuple[str, str]], int]:
    """(id, match) ranked with the copies of one text folded into the best-ranked one, whose
    match becomes "both" when its copies were found differently; and how many were folded.
    group_of maps an id to its group's key (ids in no group are absent)."""
    out: list[tuple[str, str]] = []
    at: dict[str, int] = {}
    for doc_id, match in ranked:
        key = group_of.get(doc_id)
        if key is None:
            out.append((doc_id, match))
        elif key not in at:
            at[key] = len(out)
            out.append((doc_id, match))
        elif out[at[key]][1] != match:
            out[at[key]] = (out[at[key]][0], "both")
    return out, len(ranked) - len(out)


def fuse(words: list[tuple[str, float]], meaning: list[tuple[str, float]], share: float,
         langs: Mapping[str, str]) -> list[Fused]:
    """The fused ranking of keyword hits and hits by meaning, both (id, score) best first.
    `share`: the share of the query's words the index holds (a question in another language
    than the documents shares only names and numbers: its keyword hits are weak evidence).
    `langs`: id -> language; keywords judge only documents in the language of the best keyword
    hit (the query's, as the index sees it): in a multilingual archive a document in another
    language is ranked by meaning, its keyword part neutral rather than the lowest."""
    top = langs.get(words[0][0], "") if words else ""

    def judged(doc_id: str) -> bool:
        lang = langs.get(doc_id, "")
        return not top or not lang or lang == top

    return convex(words, meaning, WORDS_SHARE * share ** WORDS_POWER, norm="z", judged=judged)


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
