"""What query compilation needs from the open index, per search."""

from __future__ import annotations

from dataclasses import dataclass, field

import tantivy

from ...analysis.analyzers import Analyzers
from ...search.parse import ParsedQuery
from .fieldstats import FieldShares
from .weights import W_FOLD, W_FOLD_MARKED, W_STEM


@dataclass(frozen=True)
class QueryContext:
    """What query building needs from the open index."""

    schema: tantivy.Schema
    analyzers: Analyzers
    stem_langs: tuple[str, ...]  # languages with a stem field that holds documents
    searcher: tantivy.Searcher | None = None  # for document frequencies
    plain_field: bool = False  # the index has body_plain (schema.PLAIN_FIELD)
    num_docs: int = 0
    # Per opened index: figures read once (the reranker's average field lengths, the most
    # frequent completions of 1-2 letter prefixes); shared by the copies `dataclasses.replace`
    # makes per search.
    stats: dict = field(default_factory=dict, compare=False, hash=False)  # type: ignore[type-arg]
    # Documents per accent-free family: its clauses are weighted as if BM25 counted only the
    # documents holding its field (fieldstats.py).
    shares: FieldShares = field(default_factory=FieldShares, compare=False, hash=False)

    def share(self, suffix: str) -> float:
        return self.shares.share(suffix)

    def length_factor(self, suffix: str) -> float:
        return self.shares.length_factor(suffix)

    def weight(self, base: str, suffix: str, tokens: list[str], boost: float) -> float:
        """boost of a clause on field `<base>_<suffix>` with its family's share corrected."""
        if not self.shares.total:
            return boost
        df = None  # only a family that is part of the index needs its idf corrected
        if len(tokens) == 1 and self.searcher is not None and self.shares.share(suffix) < 1.0:
            df = self.searcher.doc_freq(f"{base}_{suffix}", tokens[0])
        return self.shares.weight(suffix, boost, df)

    def families(
        self, text: str, marked: bool = False
    ) -> list[tuple[str, list[str], tuple[float, float]]]:
        """(field suffix, tokens, weights) of text in each accent-free family of the index."""
        out = [("fold", self.analyzers.fold(text), W_FOLD_MARKED if marked else W_FOLD)]
        for lang in self.stem_langs:
            out.append((f"stem_{lang}", self.analyzers.stem(lang, text), W_STEM))
        return [f for f in out if f[1]]

    def doc_freq(self, text: str) -> int:
        """Documents holding a one-token word in an accent-free family (0 without a searcher)."""
        if self.searcher is None:
            return 0
        best = 0
        for suffix, tokens, _ in self.families(text):
            if len(tokens) == 1:
                for base in ("title", "body"):
                    best = max(best, self.searcher.doc_freq(f"{base}_{suffix}", tokens[0]))
        return best


def has_marks(ctx: QueryContext, pq: ParsedQuery) -> bool:
    """True when some query word carries diacritics (typed with an input method)."""
    az = ctx.analyzers
    return any(az.exact(t.text) != az.fold(t.text) for t in pq.words())
