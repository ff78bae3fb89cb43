"""Text analysis shared by the index and the query side.

Every piece of text passes NFC normalisation (NFD input would split Vietnamese words). Then,
per field family:

- exact: words (letters, digits, combining marks) lowercased, diacritics kept; a body in
         Latin script only goes to body_plain, the same tokens cut by a faster tokenizer;
- fold:  the same words with diacritics removed (quyền -> quyen, đ -> d, ß -> ss; also Greek
         tonos, Cyrillic breve, Arabic harakat, Hebrew points), so unaccented queries match;
- stem_<lang>: Snowball stem for the document's language, then folded (18 languages);
- cjk:   Han, Kana and Hangul one character per token with positions: a multi-character query
         word becomes an exact phrase, so any substring is found, in order;
- seg:   ICU dictionary words of spaceless scripts (Chinese, Japanese, Thai, ...), for ranking
         by whole words.

Custom analyzers are not saved inside a tantivy index: `register_all` must run on every Index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from tantivy import Filter, Index, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

from .analysis_normalize import normalize_derived
from .language import STEMMERS

# A word: letters, digits and combining marks, except scripts written without spaces
# (those are handled by the cjk and seg fields).
WORD_PATTERN = (
    r"[\p{L}\p{N}\p{M}--\p{Han}--\p{Hiragana}--\p{Katakana}--\p{Thai}--\p{Lao}"
    r"--\p{Khmer}--\p{Myanmar}]+"
)
CJK_PATTERN = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"
MAX_TOKEN_LEN = 60
MEMO_MAX = 200_000  # entries per term memo of Analyzers (cleared when full)

EXACT = "sa_exact"
EXACT_PLAIN = "sa_exact_plain"
FOLD = "sa_fold"
CJK = "sa_cjk"
SEG = "sa_seg"


def stem_analyzer_name(lang: str) -> str:
    """Analyzer name of the stemmed field for a language code."""
    return f"sa_stem_{lang}"


# Combining marks folded away before tantivy's ascii_fold (which handles Latin, incl. đ->d):
# Latin/Greek/Cyrillic diacritics, Cyrillic titlo, Hebrew points, Arabic harakat and tatweel.
_MARKS_RE = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]"
)
_NEEDS_MARK_FOLD_RE = re.compile("[\u0370-\u052f\u0590-\u06ff]")


def nfc(text: str) -> str:
    """NFC-normalise text (cheap when it already is)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def fold_marks(text: str) -> str:
    """Strip diacritics that ascii_fold does not know (Greek, Cyrillic, Hebrew, Arabic)."""
    text = normalize_derived(text)
    if not _NEEDS_MARK_FOLD_RE.search(text):
        return text
    return unicodedata.normalize("NFC", _MARKS_RE.sub("", unicodedata.normalize("NFD", text)))


def _words(*filters: Filter, fast: bool = False) -> TextAnalyzer:
    """Words, lowercased, then filters. `fast` uses tantivy's simple tokenizer (2.5x faster
    than the regex one, measured on Vietnamese news); it also splits words at non-letter
    combining marks (Devanagari virama) and keeps CJK runs whole, which is harmless in the
    derived fields because queries pass the same analyzer (a split word becomes a phrase).
    The exact field keeps the regex tokenizer: highlighting reads its offsets."""
    tokenizer = Tokenizer.simple() if fast else Tokenizer.regex(WORD_PATTERN)
    builder = TextAnalyzerBuilder(tokenizer)
    for f in (Filter.remove_long(MAX_TOKEN_LEN), Filter.lowercase(), *filters):
        builder = builder.filter(f)
    return builder.build()


# Characters on which tantivy's simple tokenizer (+ lowercase) gives exactly the exact field's
# tokens: Latin (with Vietnamese), general punctuation, symbols, number forms. Checked for every
# code point in tests/test_fast_paths.py. Excluded: combining marks for symbols (U+20D0-20FF)
# and circled letters (U+24B6-24E9), which the regex keeps inside words.
_NOT_PLAIN_RE = re.compile("[^\x00-\u02ff\u1e00-\u1eff\u2000-\u20cf\u2100-\u24b5\u24ea-\u2bff]")


def is_plain(text: str) -> bool:
    """True when the simple tokenizer splits text exactly as the exact field's regex does, so
    its body can be indexed in the `body_plain` field: the regex tokenizer runs at ~12 MB/s
    whatever the pattern (tantivy's per-token cost), the simple one at ~19-24 MB/s."""
    return _NOT_PLAIN_RE.search(text) is None


def build_analyzers() -> dict[str, TextAnalyzer]:
    """Every analyzer the schema names, by name."""
    analyzers = {
        EXACT: _words(),
        EXACT_PLAIN: _words(fast=True),
        FOLD: _words(Filter.ascii_fold(), fast=True),
        CJK: TextAnalyzerBuilder(Tokenizer.regex(CJK_PATTERN)).filter(Filter.lowercase()).build(),
        SEG: TextAnalyzerBuilder(Tokenizer.whitespace()).filter(Filter.lowercase()).build(),
    }
    for lang, name in STEMMERS.items():
        analyzers[stem_analyzer_name(lang)] = _words(
            Filter.stemmer(name), Filter.ascii_fold(), fast=True
        )
    return analyzers


# Snowball stop-word lists tantivy ships (language code -> tantivy name).
STOPWORD_LANGS = {
    "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french",
    "de": "german", "hu": "hungarian", "it": "italian", "no": "norwegian", "pt": "portuguese",
    "ru": "russian", "es": "spanish", "sv": "swedish",
}


def register_all(index: Index) -> None:
    """Register every custom analyzer on an Index (needed after each open)."""
    for name, analyzer in build_analyzers().items():
        index.register_tokenizer(name, analyzer)


@dataclass
class Analyzers:
    """Per-process analyzers for the query side and highlighting, with memoised term lookups."""

    by_name: dict[str, TextAnalyzer]
    _fold_memo: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _stem_memo: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def create(cls) -> Analyzers:
        return cls(build_analyzers())

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
            name = STOPWORD_LANGS.get(lang)
            if name is None:
                continue
            key = f"sa_stop_{lang}"
            if key not in self.by_name:
                self.by_name[key] = _words(Filter.stopword(name))
            tokens = self.exact(word)
            if tokens and not self.by_name[key].analyze(word):
                return True
        return False

    def stem_token(self, lang: str, token: str) -> str:
        """Stemmed (and folded) form of one exact token in a language."""
        memo = self._stem_memo
        stemmed = memo.get((lang, token))
        if stemmed is None:
            if len(memo) >= MEMO_MAX:
                memo.clear()
            stemmed = memo[(lang, token)] = "".join(self.stem(lang, token))
        return stemmed
