"""BM25 statistics of the accent-free fields as if each counted only the documents that hold it.

tantivy computes a field's average length and a term's idf over ALL documents of the index
(Lucene over the documents that have the field). Each language with a stemmer has its own
`*_stem_<lang>` field and the other languages share `*_fold`, so in an index mixing languages a
field is held by a share s of the documents only: its average length is s times the real one
(NTREX, 19 languages: title_stem_en 0.55 tokens, title_fold 5.9, for titles of ~10 words) and
length normalisation then crushes the documents of small-share languages. An English title
query found the Thai, Chinese or Indonesian translation of its article first (sharing only the
names), because those sit in the larger `fold` share.

`weight` turns a clause's boost into the boost that gives, for a term matched once in a field of
average length, the BM25 score Lucene's per-field statistics would give:

    tantivy:  idf_all  * (k1 + 1) / (1 + k1 * (1 - b + b / s))
    wanted:   idf_field * (k1 + 1) / (1 + k1)

In an index of one language every field family it uses has s = 1 and nothing changes. The
shares come from the per-language document counts read when a version is opened. The
correction is exact for a document of average length; the BM25 rerank of long queries
(rerank.py) recomputes each term's score from the family's own statistics for its top hits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ...analysis.language import STEMMERS
from .weights import W_FOLD, W_STEM

K1, B = 1.2, 0.75  # tantivy's BM25 (fixed in the Python bindings)
FOLD = "fold"
# In an index holding both stemmed and folded documents, a clause on `fold` weighs as much as
# one on a stemmed field (weights.W_STEM / W_FOLD): a name in a Vietnamese or Indonesian document
# then counts as in an English one (XQuAD in 5 languages, eval/RESULTS.md phase 3). An index of
# one family keeps the weights tuned on it.
FOLD_PARITY = W_STEM[1] / W_FOLD[1]
SEG_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my", "wuu", "yue"})
CJK_LANGS = frozenset({"zh", "ja", "ko", "wuu", "yue"})


@dataclass(frozen=True)
class FieldShares:
    """Documents per accent-free family (field suffix: `fold`, `stem_<lang>`) of an index."""

    total: int = 0
    docs: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_languages(cls, counts: Mapping[str, int]) -> FieldShares:
        """Shares from the documents per language code (the `lang` field): a language with a
        stemmer has its own family, the others share `fold`; documents in a language written
        without spaces hold `seg`, in Chinese, Japanese or Korean `cjk`."""
        total = sum(counts.values())
        docs: dict[str, int] = {}
        for lang, n in counts.items():
            keys = [f"stem_{lang}" if lang in STEMMERS else FOLD]
            keys += ["seg"] * (lang in SEG_LANGS) + ["cjk"] * (lang in CJK_LANGS)
            for key in keys:
                docs[key] = docs.get(key, 0) + n
        return cls(total, docs)

    def share(self, suffix: str) -> float:
        """The share of the index's documents in a family (1.0 when unknown)."""
        n = self.docs.get(suffix, 0)
        if not self.total or n <= 0 or n >= self.total:
            return 1.0
        return n / self.total

    def family_docs(self, suffix: str) -> int:
        return self.docs.get(suffix, 0) or self.total

    def length_factor(self, suffix: str) -> float:
        """How much tantivy's average length (s times the real one) lowers a term's score."""
        s = self.share(suffix)
        return 1.0 if s >= 1.0 else (1 + K1 * (1 - B + B / s)) / (1 + K1)

    def idf_factor(self, suffix: str, df: int) -> float:
        """idf over the family's documents / tantivy's idf over all documents."""
        s = self.share(suffix)
        if s >= 1.0 or df <= 0:
            return 1.0
        n = self.family_docs(suffix)
        df = min(df, n)
        return idf(n, df) / idf(self.total, df)

    def mixed_families(self) -> bool:
        """True when the index holds both stemmed and folded documents."""
        return FOLD in self.docs and any(k.startswith("stem_") for k in self.docs)

    def weight(self, suffix: str, boost: float, df: int | None = None) -> float:
        """boost of a clause on a family's field, corrected for the family's share (df: the
        term's document frequency in that field, for a one-term clause)."""
        factor = self.length_factor(suffix)
        if suffix == FOLD and FOLD_PARITY != 1.0 and self.mixed_families():
            factor *= FOLD_PARITY
        if df is not None:
            factor *= self.idf_factor(suffix, df)
        return boost * factor


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
