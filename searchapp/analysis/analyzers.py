"""Analyzers: the query side and highlighting run text through the same analyzers as the index,
with memoised lookups of single terms. The analyzers are analysis/chains.py's, built by the
serving backend's engine (backends.create_analyzers): this stage defines them, it imports none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .chains import Chain, chains, stopword_chain
from .normalize import normalize_derived, unmarked
from .text import CJK, EXACT, FOLD, MEMO_MAX, fold_marks, stem_analyzer_name

NO_VARIANTS = frozenset({"ta", "de"})


@dataclass
class Analyzers:
    """Per-process analyzers for the query side and highlighting, with memoised term lookups."""

    by_name: dict[str, Any]  # analyzer name -> the engine's analyzer (a tantivy TextAnalyzer)
    build: Callable[[Chain], Any]  # a chain -> the engine's analyzer
    _fold_memo: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _stem_memo: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def create(cls, build: Callable[[Chain], Any]) -> Analyzers:
        """Every chain of analysis/chains.py, built by an engine's build function."""
        return cls({name: build(chain) for name, chain in chains().items()}, build)

    def exact(self, text: str) -> list[str]:
        return self.by_name[EXACT].analyze(text)

    def fold(self, text: str) -> list[str]:
        return self.by_name[FOLD].analyze(fold_marks(text))

    def stem(self, lang: str, text: str) -> list[str]:
        return self.by_name[stem_analyzer_name(lang)].analyze(normalize_derived(text))

    def cjk(self, text: str) -> list[str]:
        return self.by_name[CJK].analyze(text)

    def __hash__(self) -> int:
        return id(self)

    def fold_token(self, token: str) -> str:
        """Folded form of one exact token ('' if folding leaves nothing)."""
        # A plain dict: lru_cache on a method hashes self through a Python __hash__ per call.
        memo = self._fold_memo
        folded = memo.get(token)
        if folded is None:
            if len(memo) >= MEMO_MAX:
                memo.clear()
            folded = memo[token] = "".join(self.fold(token))
        return folded

    @lru_cache(maxsize=50_000)  # noqa: B019
    def is_stopword(self, word: str, langs: tuple[str, ...]) -> bool:
        """True when word is a stop word in one of langs (tantivy's Snowball lists)."""
        for lang in langs:
            key = f"sa_stop_{lang}"
            if key not in self.by_name:
                chain = stopword_chain(lang)
                self.by_name[key] = self.build(chain) if chain else None
            stop = self.by_name[key]
            if stop is None:
                continue
            tokens = self.exact(word)
            if tokens and not stop.analyze(word):
                return True
        return False

    def stem_variants(self, lang: str, text: str) -> str:
        """The unmarked spelling (normalize.unmarked) of each word of text whose stem it changes,
        space-separated ('' when none): indexed after the text in its stemmed field, so a word
        typed without diacritics finds it (Turkish `olduğunu` stems to `olduk`, `oldugunu` to
        `oldugu`). Not for Tamil, whose combining signs are vowels, nor German (under 1 % of
        its marked words diverge, and XQuAD-R de lost 0.0004 nDCG@10 with them)."""
        if lang in NO_VARIANTS or text.isascii():
            return ""
        out = []
        for token in self.exact(text):
            bare = unmarked(token)
            if bare != token and self.stem_token(lang, bare) != self.stem_token(lang, token):
                out.append(bare)
        return " ".join(out)

    def stem_indexed(self, lang: str, text: str) -> list[str]:
        """The tokens a stemmed field holds for text: its stems, then its variants' stems."""
        variants = self.stem_variants(lang, text)
        return self.stem(lang, text) + (self.stem(lang, variants) if variants else [])

    def stem_token(self, lang: str, token: str) -> str:
        """Stemmed (and folded) form of one exact token in a language."""
        memo = self._stem_memo
        stemmed = memo.get((lang, token))
        if stemmed is None:
            if len(memo) >= MEMO_MAX:
                memo.clear()
            stemmed = memo[(lang, token)] = "".join(self.stem(lang, token))
        return stemmed
