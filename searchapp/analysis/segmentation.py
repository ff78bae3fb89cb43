"""Word segmentation for scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer,
Burmese) with ICU's dictionary-based word break iterator — the same algorithm as
Elasticsearch's icu_tokenizer. Mixed-script text is segmented correctly whatever the locale."""

from __future__ import annotations

from functools import cache

from .language import SPACELESS_RE


@cache
def _locale():  # type: ignore[no-untyped-def]
    from icu4py.locale import Locale

    return Locale("en")


def has_spaceless(text: str) -> bool:
    """True when text holds a script that is written without spaces between words."""
    return SPACELESS_RE.search(text) is not None


def spaceless_words(text: str) -> list[str]:
    """The dictionary words of every spaceless-script run in text, in order."""
    from icu4py.breakers import WordBreaker

    return [w for w in WordBreaker(text, _locale()) if SPACELESS_RE.search(w)]


def segment_for_index(text: str) -> str:
    """Space-joined spaceless-script words of text ('' when it has none)."""
    if not has_spaceless(text):
        return ""
    return " ".join(spaceless_words(text))
