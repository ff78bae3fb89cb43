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


def normalize_derived(text: str) -> str:
    """text with the variants above made one (cheap when it has none)."""
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
