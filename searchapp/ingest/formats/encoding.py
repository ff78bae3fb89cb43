"""Bytes of a plain-text file to NFC text: BOM, strict UTF-8, then charset-normalizer.

Legacy encodings (Windows-125x, ISO-8859-x, KOI8-R, GB18030, Big5, Shift-JIS, EUC-JP/KR) are
guessed by charset-normalizer, which decodes with every plausible codec and keeps the one whose
text has the least "chaos" (mojibake) and the most coherent letter frequencies.  On short texts
several codecs can tie on that measure (e.g. Polish in cp1250 also decodes cleanly-looking as
cp1257 with '³' for 'ł').  The tie-break among the candidates whose chaos is close to the best:
(1) fewest mojibake signs (symbols, digits or foreign-script letters glued inside words), then
(2) the candidate whose charset-normalizer language agrees with py3langid (the project's language
identifier) on the candidate text, then (3) the text py3langid finds most probable as a language
(the highest normalised probability), then (4) charset-normalizer's own order.  Windows-1258 Vietnamese spells tones as combining marks, so the result is NFC'ed to
precomposed letters.
"""

from __future__ import annotations

import codecs
import math
import unicodedata
from functools import cache
from typing import Any

from searchapp.ingest.extracted import SkipFile

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\x1b"}
_CHAOS_MARGIN = 0.05
_RELAXED_THRESHOLD = 0.5


def _looks_binary(data: bytes) -> bool:
    head = data[:65536]
    return b"\x00" in head


def _control_share(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = sum(
        1 for c in sample if unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in
        _ALLOWED_CONTROLS
    )
    return bad / len(sample)


_LANG_CODES = {
    "English": "en", "German": "de", "French": "fr", "Dutch": "nl", "Italian": "it",
    "Polish": "pl", "Spanish": "es", "Russian": "ru", "Japanese": "ja", "Portuguese": "pt",
    "Swedish": "sv", "Chinese": "zh", "Ukrainian": "uk", "Norwegian": "no", "Finnish": "fi",
    "Vietnamese": "vi", "Czech": "cs", "Hungarian": "hu", "Korean": "ko", "Indonesian": "id",
    "Turkish": "tr", "Romanian": "ro", "Farsi": "fa", "Arabic": "ar", "Danish": "da",
    "Serbian": "sr", "Lithuanian": "lt", "Slovene": "sl", "Slovak": "sk", "Hebrew": "he",
    "Bulgarian": "bg", "Croatian": "hr", "Hindi": "hi", "Estonian": "et", "Thai": "th",
    "Greek": "el", "Tamil": "ta", "Kazakh": "kk",
}


@cache
def _identifier() -> Any:
    """py3langid's shared identifier (the model ships in the wheel; loaded once per process,
    the same instance searchapp.language uses)."""
    from py3langid import langid

    return langid._get_identifier()


def _likelihood(text: str) -> float:
    """py3langid's probability of its top language: softmax of the raw log-likelihoods at
    temperature sqrt(bytes), as py3langid's own norm_probs computes it."""
    sample = text[:2000]
    ranked = _identifier().rank(sample)
    if not ranked:
        return 0.0
    temperature = math.sqrt(len(sample.encode("utf-8")) or 1)
    top = float(ranked[0][1])
    return 1.0 / sum(
        math.exp(min(0.0, (float(score) - top) / temperature)) for _lang, score in ranked
    )


_EAST_ASIAN = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"}
_DEBRIS = {"So", "No", "Sc", "Sk", "Sm", "Co", "Cn"}  # symbols, superscripts, unassigned
_WORD_PUNCT = set("…¿¡‰′″")  # other punctuation ('Po') that does touch words in real text


def _is_debris(c: str, cat: str) -> bool:
    if cat in _DEBRIS:
        return True
    # '¶', '§', '·' and the like glued to a letter are debris; CJK/fullwidth punctuation is not.
    code = ord(c)
    return cat == "Po" and c not in _WORD_PUNCT and not (
        0x3000 <= code < 0x3040 or 0xFF00 <= code < 0xFFF0 or 0x2010 <= code < 0x2030
    )


def _script(c: str) -> str:
    """Script of a letter from its Unicode name; Han, kana and Hangul count as one (they mix)."""
    name = unicodedata.name(c, "")
    word = name.split(" ")[0] if name else ""
    return "CJK" if word in _EAST_ASIAN else word


def mojibake_signs(text: str) -> int:
    """Count characters that look like wrong-codec debris inside words.

    A non-ASCII symbol, superscript, stray punctuation (e.g. '³', '¹', '±', '¤', '¶') with a
    letter on either side, or a non-ASCII letter whose script differs from both neighbouring letters'.
    """
    signs = 0
    padded = f" {text} "
    for i in range(1, len(padded) - 1):
        c = padded[i]
        if ord(c) < 128:
            continue
        prev, nxt = padded[i - 1], padded[i + 1]
        cat = unicodedata.category(c)
        if _is_debris(c, cat):
            if prev.isalpha() or nxt.isalpha():
                signs += 1
        elif prev.isalpha() and nxt.isalpha():
            script = _script(c)
            if script != _script(prev) and script != _script(nxt):
                signs += 1
    return signs


def _agrees(match: Any, text: str) -> bool:
    code = _LANG_CODES.get(str(match.language).rstrip("—"), "")
    return bool(code) and _identifier().classify(text[:2000])[0] == code


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    if not results:
        # Kanji-dense Japanese scores above the default chaos threshold (0.2); look again, wider.
        results = from_bytes(data, threshold=_RELAXED_THRESHOLD)
    best = results.best()
    if best is None:
        raise SkipFile("binary file (no text encoding fits)")
    if len(results) < 2:
        return str(best)
    ranked: list[tuple[int, int, float, int, str]] = []
    seen: set[str] = set()
    for order, match in enumerate(list(results)[:8]):
        if match.chaos > best.chaos + _CHAOS_MARGIN:
            continue
        text = str(match)
        if text in seen:
            continue
        seen.add(text)
        ranked.append(
            (mojibake_signs(text), 0 if _agrees(match, text) else 1, -_likelihood(text), order, text)
        )
    return min(ranked)[4] if ranked else str(best)


def decode_text(data: bytes) -> str:
    """Decode the bytes of a text file to NFC text; SkipFile('binary file') for binaries."""
    text: str | None = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError:
                text = data[len(bom):].decode(enc, errors="replace")
            break
    if text is None:
        if _looks_binary(data):
            raise SkipFile("binary file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess(data)
    if _control_share(text) > 0.05:
        raise SkipFile("binary file")
    return unicodedata.normalize("NFC", text)
