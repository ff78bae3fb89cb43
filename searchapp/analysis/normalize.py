"""Spelling variants made one before the accent-free (folded and stemmed) fields' analyzers, at
index and query time alike (the exact field and the stored text keep the original).

- Turkish dotted capital İ: Unicode lowercases it to i + U+0307 COMBINING DOT ABOVE, which the
  exact/fold/stem analyzers kept (or split at), so `İstanbul` never matched `istanbul`;
- Devanagari nukta (U+093C, also inside क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़, which NFC decomposes): typed or not,
  and tantivy's simple tokenizer split words at it (क़ानून -> क + ानून);
- Persian yeh and keheh (ی ک) -> Arabic yeh and kaf (ي ك): the same letters from the other
  keyboard (Arabic-script text from either side matches).

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
_NEEDS_RE = re.compile("[\u0130\u093c\u06cc\u06a9\u0958-\u095f]")


def normalize_derived(text: str) -> str:
    """text with the variants above made one (cheap when it has none)."""
    if _NEEDS_RE.search(text) is None:
        return text
    if re.search("[\u0958-\u095f]", text):  # precomposed nukta letters (NFC never makes them)
        text = unicodedata.normalize("NFC", text)
    return text.translate(_TABLE)


_UNMARKED_TABLE = str.maketrans({"\u0131": "i"})  # Turkish dotless ı, typed as i


def unmarked(word: str) -> str:
    """word as typed without diacritics: combining marks dropped (NFD), ı -> i."""
    if word.isascii():
        return word
    nfd = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in nfd if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).translate(_UNMARKED_TABLE)
