"""Spelling variants made one before the accent-free (folded and stemmed) fields' analyzers, at
index and query time alike (the exact field and the stored text keep the original).

- Turkish dotted capital İ: Unicode lowercases it to i + U+0307 COMBINING DOT ABOVE, which the
  exact/fold/stem analyzers kept (or split at), so `İstanbul` never matched `istanbul`;
- Devanagari nukta (U+093C, also inside क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़, which NFC decomposes): typed or not,
  and tantivy's simple tokenizer split words at it (क़ानून -> क + ानून);
- Persian yeh and keheh (ی ک) -> Arabic yeh and kaf (ي ك): the same letters from the other
  keyboard (Arabic-script text from either side matches).

Measured with eval/ntrex_known_item.py (eval/RESULTS.md).
"""

from __future__ import annotations

import re

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
        import unicodedata  # noqa: PLC0415

        text = unicodedata.normalize("NFC", text)
    return text.translate(_TABLE)
