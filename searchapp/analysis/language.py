"""Language identification and script detection.

Language identification uses py3langid (langid.py's naive-Bayes model over byte n-grams, 97
languages, the model ships inside the wheel; nothing is downloaded). It was chosen over lingua
(more accurate on very short strings but ~1 GB resident with all models loaded and 2-5x slower)
and fastText-based detectors (their full model is fetched from the internet). Measured on
../shared/corpora/ntrex: 984/984 articles and 99.4 % of 3,000 sentences correct.

A short text is not given a language the model is unsure of ("JUnit test message" is not
Kabyle): under RELIABLE_LETTERS letters and MIN_CONFIDENCE probability it is undetermined
(`und`), and the indexer gives it its context's language (LanguageContext: the other parts of
its file, its folder, its source), else `und`. A text without letters is `zxx`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from typing import TypeVar

from .scripts import fits_script

# Scripts written without spaces between words: they need dictionary word segmentation (ICU).
SPACELESS_RE = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Kana, Han
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]"  # Thai, Lao, Myanmar, Khmer
)
# Han, Kana and Hangul: indexed one character per token as well, for substring-exact recall.
CJK_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
KANA_RE = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
HANGUL_RE = re.compile("[\uac00-\ud7af\u1100-\u11ff]")

# ISO 639-1 code -> tantivy's Snowball stemmer name (the 18 languages tantivy ships).
STEMMERS: dict[str, str] = {
    "ar": "arabic", "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish",
    "fr": "french", "de": "german", "el": "greek", "hu": "hungarian", "it": "italian",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}

# Codes the detector emits that we fold into one (Norwegian variants, Chinese script variants).
# Wu Chinese: the model's name for many Mandarin sentences in Han script (23 of NTREX's).
_ALIASES = {"nb": "no", "nn": "no", "zh-hans": "zh", "zh-hant": "zh", "wuu": "zh"}
# 3-letter codes seen in corpora (ISO 639-2/3) -> 639-1.
_ISO3 = {
    "eng": "en", "vie": "vi", "rus": "ru", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr",
    "zho": "zh", "chi": "zh", "cmn": "zh", "jpn": "ja", "arb": "ar", "ara": "ar", "spa": "es",
    "por": "pt", "ita": "it", "nld": "nl", "dut": "nl", "kor": "ko", "tha": "th", "hin": "hi",
    "tur": "tr", "pol": "pl", "ukr": "uk", "ell": "el", "gre": "el", "swe": "sv", "dan": "da",
    "fin": "fi", "hun": "hu", "ron": "ro", "rum": "ro", "nor": "no", "nob": "no", "tam": "ta",
    "ind": "id", "heb": "he", "ces": "cs", "cze": "cs", "fas": "fa", "per": "fa",
}

SAMPLE_CHARS = 2000
UNDETERMINED = "und"  # ISO 639-2: a language that could not be determined
NO_LANGUAGE = "zxx"  # ISO 639-2: no linguistic content (numbers, codes)
# A guess is kept from RELIABLE_LETTERS letters on, or when its probability reaches
# MIN_CONFIDENCE. Measured on 6,950 NTREX sentences in 19 languages: 88 (1.3 %) become `und`, 54
# of them wrong guesses; kept guesses right 99.2 % (98.4 % before; the rest is Malay for
# Indonesian).
RELIABLE_LETTERS = 50
MIN_CONFIDENCE = 0.5
_LETTER_RE = re.compile(r"[^\W\d_]")
_TAG_RE = re.compile(r"[a-z]{2,8}")


def normalize_code(code: str | None) -> str:
    """Map a language tag ('vie', 'en-US', 'zh-Hans') to a lowercase ISO 639-1 code, or ''."""
    if not code:
        return ""
    return _normalize_code(code)


@lru_cache(maxsize=1024)  # called once per indexed document, on a handful of distinct tags
def _normalize_code(code: str) -> str:
    c = code.strip().lower().replace("_", "-")
    if c in _ALIASES:
        return _ALIASES[c]
    base = c.split("-")[0]
    base = _ISO3.get(base, base)
    code = _ALIASES.get(base, base)
    # a tag is letters (ISO 639: 2-3, BCP 47 allows up to 8): a record's "lang": "<svg …>"
    # is no language (the caller detects one) rather than a facet value "<svg onl"
    return code if _TAG_RE.fullmatch(code) else ""


def detectable_languages() -> list[str]:
    """The ISO 639-1 codes detect_language can return."""
    codes = {normalize_code(c) for c in _identifier().nb_classes} | {"ja", "ko"}
    return sorted(c for c in codes if len(c) == 2)


@cache
def _identifier():  # type: ignore[no-untyped-def]
    """Load the shipped langid model once per process (about 40 ms), with probabilities."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def guess_language(text: str) -> tuple[str, bool]:
    """(ISO 639-1 code of text's main language, whether the guess is sure enough to keep);
    ('', True) without text, ('zxx', True) without letters."""
    sample = text[:SAMPLE_CHARS]
    if not sample.strip():
        return "", True
    # Scripts that settle the question outright (the model confuses short CJK snippets).
    if KANA_RE.search(sample):
        return "ja", True
    if HANGUL_RE.search(sample) and not CJK_RE.search(re.sub("[\uac00-\ud7af]", "", sample)):
        return "ko", True
    letters = len(_LETTER_RE.findall(sample, 0, RELIABLE_LETTERS * 8))
    if not letters:
        return NO_LANGUAGE, True
    code, prob = _identifier().classify(sample)
    sure = letters >= RELIABLE_LETTERS or prob >= MIN_CONFIDENCE
    return normalize_code(code), sure


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the main language of text; 'und' when a short text's guess is
    unsure, 'zxx' without letters, '' without text."""
    code, sure = guess_language(text)
    return code if sure else UNDETERMINED


T = TypeVar("T")
MAX_PENDING = 1000  # unsure documents held back at most, waiting for their context


class LanguageContext:
    """The languages found so far per file, folder and source of a build: an unsure guess takes
    the majority language of its nearest context, else 'und'."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], Counter[str]] = {}

    def decided(
        self, items: Iterable[T], declared: Callable[[T], str], text: Callable[[T], str],
        where: Callable[[T], tuple[str, str, str]],
    ) -> Iterator[tuple[T, str]]:
        """(item, language) for each item: declared (when the text's letters can be in it),
        else detected, else the context's; unsure items come after the sure ones of the same
        run (at most MAX_PENDING wait)."""
        pending: list[tuple[T, tuple[str, str, str]]] = []
        for item in items:
            code = normalize_code(declared(item))
            if code and fits_script(code, text(item)):  # not `lang="en"` on Arabic (scripts.py)
                yield item, code
                continue
            code, sure = guess_language(text(item))
            keys = where(item)
            if sure:
                self._note(keys, code)
                yield item, code
                continue
            pending.append((item, keys))
            if len(pending) >= MAX_PENDING:
                yield from ((it, self.of(k)) for it, k in pending)
                pending = []
        yield from ((it, self.of(k)) for it, k in pending)

    def _note(self, keys: tuple[str, str, str], code: str) -> None:
        if code in ("", NO_LANGUAGE):
            return
        for kind, key in zip(("file", "folder", "source"), keys, strict=True):
            self.seen.setdefault((kind, key), Counter())[code] += 1

    def of(self, keys: tuple[str, str, str]) -> str:
        """The majority language of the nearest context that has one, else 'und'."""
        for kind, key in zip(("file", "folder", "source"), keys, strict=True):
            if (counts := self.seen.get((kind, key))) is not None:
                return counts.most_common(1)[0][0]
        return UNDETERMINED


def stemmer_for(lang: str) -> str | None:
    """Name of tantivy's Snowball stemmer for a language code, or None."""
    return STEMMERS.get(lang)
