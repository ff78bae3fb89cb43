"""Each field family's analyzer as data (a tokenizer, then filters), engine-neutral: every
backend builds them in its engine (backends/tantivy/tokenizers.py; the OpenSearch mapping,
backends/opensearch/mapping.py, spells the same chains in its own analysis settings)."""

from __future__ import annotations

from dataclasses import dataclass

from .language import STEMMERS
from .stopwords import STOPWORDS
from .text import (
    CJK,
    CJK_PATTERN,
    EXACT,
    EXACT_PLAIN,
    FOLD,
    MAX_TOKEN_LEN,
    SEG,
    STOPWORD_LANGS,
    WORD_PATTERN,
    stem_analyzer_name,
)

# Tokenizers: WORDS cuts WORD_PATTERN's runs (the offsets highlighting reads); SIMPLE cuts runs of
# letters and digits (2.5x faster, the same words for Latin text: analysis/text.is_plain); CHARS
# one Han, Kana or Hangul character per token; WHITESPACE splits pre-segmented text.
WORDS, SIMPLE, CHARS, WHITESPACE = "words", "simple", "chars", "whitespace"


@dataclass(frozen=True)
class Filter:
    """One token filter: remove_long (arg: the byte limit), lowercase, ascii_fold, stemmer
    (arg: the Snowball language name), stopword (arg: a Snowball list name) or
    custom_stopword (words: the list)."""

    kind: str
    arg: str | int = ""
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chain:
    """An analyzer: a tokenizer (WORDS, SIMPLE, CHARS or WHITESPACE), its pattern, then filters."""

    tokenizer: str
    filters: tuple[Filter, ...]
    pattern: str = ""


LONG = Filter("remove_long", MAX_TOKEN_LEN)
LOWER = Filter("lowercase")
FOLDING = Filter("ascii_fold")


def words(*filters: Filter, fast: bool = False) -> Chain:
    """Words, lowercased, then filters: the regex words, or the simple tokenizer's when fast."""
    if fast:
        return Chain(SIMPLE, (LONG, LOWER, *filters))
    return Chain(WORDS, (LONG, LOWER, *filters), WORD_PATTERN)


def chains() -> dict[str, Chain]:
    """Every field family's analyzer, by the name the schema gives it."""
    out = {
        EXACT: words(),
        EXACT_PLAIN: words(fast=True),
        FOLD: words(FOLDING, fast=True),
        CJK: Chain(CHARS, (LOWER,), CJK_PATTERN),
        SEG: Chain(WHITESPACE, (LOWER,)),
    }
    for lang, name in STEMMERS.items():
        out[stem_analyzer_name(lang)] = words(Filter("stemmer", name), FOLDING, fast=True)
    return out


def stopword_chain(lang: str) -> Chain | None:
    """Words with lang's stop words removed: the engine's Snowball list, else ours
    (analysis/stopwords.py); None when there is neither."""
    if name := STOPWORD_LANGS.get(lang):
        return words(Filter("stopword", name))
    if lang in STOPWORDS:
        return words(Filter("custom_stopword", words=tuple(sorted(STOPWORDS[lang]))))
    return None
