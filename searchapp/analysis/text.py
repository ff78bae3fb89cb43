"""Text analysis shared by the index and the query side.

Every piece of text passes NFC normalisation (NFD input would split Vietnamese words). Then,
per field family:

- exact: words (letters, digits, combining marks) lowercased, diacritics kept; a body in
         Latin script only goes to body_plain, the same tokens cut by a faster tokenizer;
- fold:  the same words with diacritics removed (quyền -> quyen, đ -> d, ß -> ss; also Greek
         tonos, Cyrillic breve, Arabic harakat, Hebrew points), so unaccented queries match;
         Thai, Lao, Khmer and Burmese as the bigrams of their letters without vowel signs and
         tone marks (`bigrams`: found whether typed with the marks or not);
- stem_<lang>: Snowball stem for the document's language, then folded (18 languages);
- cjk:   Han, Kana and Hangul one character per token with positions: a multi-character query
         word becomes an exact phrase, so any substring is found, in order;
- seg:   ICU dictionary words of spaceless scripts (Chinese, Japanese, Thai, ...), for ranking
         by whole words.

Each family's analyzer is defined in analysis/chains.py and built by the backend's engine
(backends/tantivy/tokenizers.py); `Analyzers` (analysis/analyzers.py) runs them on the query side and for highlighting.
"""

from __future__ import annotations

import re
import unicodedata

from .normalize import MAX_TOKEN_LEN as MAX_TOKEN_LEN  # the limit split_long_words keeps
from .normalize import normalize_derived

# A word: letters, digits and combining marks, except scripts written without spaces
# (those are handled by the cjk and seg fields).
WORD_PATTERN = (
    r"[\p{L}\p{N}\p{M}--\p{Han}--\p{Hiragana}--\p{Katakana}--\p{Thai}--\p{Lao}"
    r"--\p{Khmer}--\p{Myanmar}]+"
)
CJK_PATTERN = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]"
MEMO_MAX = 200_000  # entries per term memo of Analyzers (cleared when full)

EXACT = "sa_exact"
EXACT_PLAIN = "sa_exact_plain"
FOLD = "sa_fold"
CJK = "sa_cjk"
SEG = "sa_seg"
# The field a Latin-only body's exact words go to (EXACT_PLAIN cuts them): a field family's
# name, the same in every backend.
PLAIN_FIELD = "body_plain"


# Hyphenation and line-break hints a reader never sees (soft hyphen, zero-width space): inside a
# word they split it for every tokenizer, so `Bundes\u00adregierung` was never found whole.
INVISIBLE_BREAKS = str.maketrans("", "", "\u00ad\u200b")
_HALF_KANA = re.compile("[\uff61-\uff9f]+")


_SPECIAL = re.compile("[\u00ad\u200b\uff61-\uff9f]")


def typed_form(text: str) -> str:
    """Document or query text as people type it: invisible break hints dropped, half-width
    katakana full-width (one scan when there is nothing to do)."""
    if _SPECIAL.search(text) is None:
        return text
    return full_width_kana(drop_invisible_breaks(text))


def drop_invisible_breaks(text: str) -> str:
    """text without soft hyphens and zero-width spaces (documents at ingest, and queries)."""
    if "\u00ad" in text or "\u200b" in text:
        return text.translate(INVISIBLE_BREAKS)
    return text


def full_width_kana(text: str) -> str:
    """Half-width katakana (JIS X 0201: legacy Shift_JIS text, bank and form exports) as the
    full-width kana everyone types: 'ﾃﾞｰﾀ' -> 'データ' (NFKC on those characters only)."""
    if _HALF_KANA.search(text) is None:
        return text
    return _HALF_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


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
    """NFC-normalise text (cheap when it already is; free when it is ASCII)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def fold_marks(text: str) -> str:
    """Strip diacritics that ascii_fold does not know (Greek, Cyrillic, Hebrew, Arabic); the
    runs of Thai, Lao, Khmer and Burmese as the bigrams of their letters (`bigrams`)."""
    text = normalize_derived(text)
    if _ABUGIDA_RE.search(text):
        text = bigrams(text)
    if not _NEEDS_MARK_FOLD_RE.search(text):
        return text
    return unicodedata.normalize("NFC", _MARKS_RE.sub("", unicodedata.normalize("NFD", text)))


# Spaceless scripts whose vowel signs and tone marks are combining marks (Mn): Thai, Lao,
# Burmese, Khmer.
_ABUGIDA_RE = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+")


def bigrams(text: str) -> str:
    """Each run of Thai, Lao, Khmer or Burmese letters, its combining marks dropped, as its
    overlapping letter bigrams (กินข้าว -> กน นข ขา าว), as Lucene's CJKBigramFilter. Typed
    without its vowel signs and tone marks, a Thai word is cut differently by ICU word
    segmentation, so the seg field misses it; the bigrams of the unmarked letters do not depend
    on segmentation nor on the marks, on the index and the query side alike (the accent-free
    field). A lone letter stays as it is."""

    def grams(m: re.Match[str]) -> str:
        run = "".join(c for c in m.group(0) if unicodedata.category(c) != "Mn")
        if len(run) < 2:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return _ABUGIDA_RE.sub(grams, text)


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


# Snowball stop-word lists tantivy ships (language code -> tantivy name).
STOPWORD_LANGS = {
    "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french",
    "de": "german", "hu": "hungarian", "it": "italian", "no": "norwegian", "pt": "portuguese",
    "ru": "russian", "es": "spanish", "sv": "swedish",
}
