"""Spelling variants made one before the accent-free (folded and stemmed) fields' analyzers, at
index and query time alike (the exact field and the stored text keep the original).

- Turkish dotted capital İ: Unicode lowercases it to i + U+0307 COMBINING DOT ABOVE, which the
  exact/fold/stem analyzers kept (or split at), so `İstanbul` never matched `istanbul`;
- Devanagari nukta (U+093C, also inside क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़, which NFC decomposes): typed or not,
  and tantivy's simple tokenizer split words at it (क़ानून -> क + ानून);
- Devanagari as Lucene's HindiNormalizer (Hindi, Marathi, Nepali: no stemmer, folded field):
  dead n (न्) -> anusvara, chandrabindu -> anusvara, virama deleted (tantivy's simple tokenizer
  also split words at it: प्रस्ताव -> प + रस + ताव), nukta letters -> plain ones, chandra and
  long vowels -> short ones (ई -> इ, ी -> ि, ू -> ु, ै -> े, ौ -> ो, ...): spellings that vary;
- Persian yeh and keheh (ی ک) -> Arabic yeh and kaf (ي ك): the same letters from the other
  keyboard (Arabic-script text from either side matches);
- Arabic script as Lucene's ArabicNormalizer and PersianNormalizer: alef with hamza or madda
  (أ إ آ) -> alef, alef maksura ى -> yeh, teh marbuta ة -> heh, heh yeh / heh goal (ۀ ە) -> heh,
  tatweel, harakat and hamza above removed (Snowball Arabic stemmed مستشفى and مستشفي, القرآن
  and القران apart).

A word of MAX_TOKEN_LEN bytes or more (UTF-8) is dropped by every analyzer (`remove_long`, as
Lucene's length filter: it keeps hashes and base64 out of the term dictionary). A word of
letters only that long (from LONG_WORD: 50 Latin letters, or 50 bytes of another script) is cut
into pieces below it (`split_long_words`, as Lucene's StandardTokenizer cuts a token at its
maximum length): a
63-letter German law stays findable in the accent-free fields, typed whole (its pieces, a
phrase), without its umlauts, or by its beginning (a prefix of the first piece). The index and
the query side cut the same way, at places that do not depend on diacritics.

`unmarked` is a word as typed without diacritics (every combining mark dropped after NFD, and
Turkish dotless ı typed as i): the stemmed fields also index the unmarked spelling of each word
whose stem it changes (Analyzers.stem_variants), because Snowball stems before folding
(Turkish `olduğunu` -> `olduk`, typed `oldugunu` -> `oldugu`).

Measured with eval/ntrex_known_item.py (eval/RESULTS.md).
"""

from __future__ import annotations

import re
import unicodedata

_TABLE = str.maketrans({
    "\u0130": "i",  # İ
    "\u093c": None,  # Devanagari nukta
    "\u06cc": "\u064a",  # Persian yeh -> Arabic yeh
    "\u06a9": "\u0643",  # keheh -> kaf
})
# Lucene HindiNormalizer (org.apache.lucene.analysis.hi), after dead n -> anusvara.
_DEVANAGARI = {
    "\u0901": "\u0902",  # chandrabindu -> anusvara
    "\u094d": None,  # virama
    "\u0929": "\u0928", "\u0931": "\u0930", "\u0934": "\u0933",  # nukta letters
    "\u0945": "\u0947", "\u0946": "\u0947", "\u0949": "\u094b", "\u094a": "\u094b",
    "\u090d": "\u090f", "\u090e": "\u090f", "\u0911": "\u0913", "\u0912": "\u0913",
    "\u0972": "\u0905",
    "\u0906": "\u0905", "\u0908": "\u0907", "\u090a": "\u0909", "\u0960": "\u090b",
    "\u0961": "\u090c", "\u0910": "\u090f", "\u0914": "\u0913",  # long -> short vowels
    "\u0940": "\u093f", "\u0942": "\u0941", "\u0944": "\u0943", "\u0963": "\u0962",
    "\u0948": "\u0947", "\u094c": "\u094b",  # long -> short vowel signs
}
# Lucene ArabicNormalizer + PersianNormalizer (org.apache.lucene.analysis.ar, .fa).
_ARABIC = {
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627",  # آ أ إ -> ا
    "\u0649": "\u064a",  # alef maksura -> yeh
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u06c0": "\u0647", "\u06c1": "\u0647", "\u06d5": "\u0647",  # heh yeh, heh goal, ae
    "\u0640": None,  # tatweel
    **{chr(c): None for c in range(0x064B, 0x0653)},  # harakat, shadda, sukun
    "\u0654": None,  # hamza above
}
_TABLE.update(str.maketrans(_DEVANAGARI))
_TABLE.update(str.maketrans(_ARABIC))
_NEEDS_RE = re.compile("[\u0130\u0622-\u0629\u0640-\u0654\u06a9\u06c0-\u06d5\u0900-\u097f]")

MAX_TOKEN_LEN = 60  # bytes (UTF-8): a longer token is dropped by every analyzer (remove_long)
# Scripts written without spaces are left whole: their runs are sentences, which the cjk and seg
# fields (and the bigrams of analysis/text.fold_marks) cut.
_SPACELESS = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
              "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff")
LONG_WORD = 50  # a word is cut from 50 Latin letters, or 50 bytes of another script's
# A word of letters only (hashes and base64 have digits: they stay out of the index), of 13 or
# more (at most 4 bytes each).
_RUN_RE = re.compile(f"(?<![^\\W_])[^\\W\\d_{_SPACELESS}]{{13,}}(?![^\\W_])")
# A quick look at the bytes first: LONG_WORD letters or non-ASCII bytes in a row.
_LONG_BYTES_RE = re.compile(rb"[A-Za-z\x80-\xff]{%d,}" % LONG_WORD)


def _is_latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


def _size(ch: str) -> int:
    """ch's length for deciding to cut: 1 for a Latin letter, accented or not (a few accents
    more or less must not change where a word is cut), else its UTF-8 bytes (2, 3 or 4)."""
    return 1 if _is_latin(ch) else len(ch.encode("utf-8"))


def _most(ch: str) -> int:
    """The most UTF-8 bytes ch or its unaccented spelling takes: pieces are cut by it."""
    return 3 if "\u1e00" <= ch <= "\u1eff" else 2 if ch < "\u0800" else len(ch.encode("utf-8"))


def _cut(m: re.Match[str]) -> str:
    word = m.group(0)
    if sum(map(_size, word)) < LONG_WORD:
        return word
    pieces, piece, size = [], "", 0
    for ch in word:
        n = _most(ch)
        if size + n >= MAX_TOKEN_LEN:
            pieces.append(piece)
            piece, size = "", 0
        piece += ch
        size += n
    pieces.append(piece)
    return " ".join(pieces)


def split_long_words(text: str) -> str:
    """text with each long word of letters (LONG_WORD) cut into pieces shorter than
    MAX_TOKEN_LEN bytes, at places that do not depend on its diacritics."""
    if len(text) < 13 or _LONG_BYTES_RE.search(text.encode("utf-8")) is None:
        return text
    return _RUN_RE.sub(_cut, text)


def normalize_derived(text: str) -> str:
    """text with the variants above made one and over-long words cut (cheap when it has none)."""
    text = split_long_words(text)
    if _NEEDS_RE.search(text) is None:
        return text
    if re.search("[\u0958-\u095f]", text):  # precomposed nukta letters (NFC never makes them)
        text = unicodedata.normalize("NFC", text)
    if "\u0928\u094d" in text:
        text = text.replace("\u0928\u094d", "\u0902")  # dead n -> anusvara
    return text.translate(_TABLE)


_UNMARKED_TABLE = str.maketrans({"\u0131": "i"})  # Turkish dotless ı, typed as i


def unmarked(word: str) -> str:
    """word as typed without diacritics: combining marks dropped (NFD), ı -> i."""
    if word.isascii():
        return word
    nfd = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in nfd if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).translate(_UNMARKED_TABLE)
