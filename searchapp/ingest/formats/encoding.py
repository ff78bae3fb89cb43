"""Bytes of a plain-text file to NFC text: what the bytes tell (sniff.py: BOM, ISO-2022
escapes, UTF-16/32 zero bytes), strict UTF-8, then charset-normalizer.

Legacy encodings (Windows-125x, ISO-8859-x, KOI8-R, GB18030, Big5, Shift-JIS, EUC-JP/KR) are
guessed by charset-normalizer, which decodes with every plausible codec and keeps the one whose
text has the least "chaos" (mojibake) and the most coherent letter frequencies.  On short texts
several codecs can tie on that measure (e.g. Polish in cp1250 also decodes cleanly-looking as
cp1257 with '³' for 'ł').  The tie-break among the candidates whose chaos is close to the best:
(1) fewest mojibake signs (symbols, digits or foreign-script letters glued inside words, capitals
inside small letters, marks without a letter), then (2) a code page common for the script of the
candidate text (Windows, ISO, KOI8, the national CJK standards) over DOS, Mac and rarer pages,
then (3) the candidate whose charset-normalizer language agrees with py3langid (the project's
language identifier) on the candidate text, then (4) the text py3langid finds most probable as a language
(the highest normalised probability), then (5) charset-normalizer's own order.  Windows-1258
Vietnamese spells tones as combining marks, so the result is NFC'ed to precomposed letters.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from typing import Any

from searchapp.ingest.extracted import SkipFile
from searchapp.ingest.formats import sniff

_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\x1b"}
_OVERSTRIKE = re.compile(r"[^\x00-\x1f]\x08(?=[^\x00-\x1f])")
_CHAOS_MARGIN = 0.05
_RELAXED_THRESHOLD = 0.5


def _control_share(text: str) -> float:
    sample = text[:65536]
    if "\x08" in sample:  # nroff's overstrikes ("N\bN" bold, "_\bN" underlined) are text
        sample = _OVERSTRIKE.sub("", sample)
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


# Halfwidth katakana is its own: KOI8-R read as Shift-JIS is a run of it after a kanji.
_EAST_ASIAN = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH", "IDEOGRAPHIC"}
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
    letter on either side, a non-ASCII letter whose script differs from both neighbouring
    letters', a non-ASCII capital between a letter and a small letter, a combining mark with no
    letter of its script before it, a CJK character glued to a Latin letter, a Greek final
    sigma inside a word.
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
        elif cat == "Mn":  # a combining mark needs a letter (of its script) to sit on
            script = _script(c)
            if not prev.isalpha() or script not in ("COMBINING", _script(prev)):
                signs += 1
        elif c == "ς" and nxt.isalpha():  # Greek final sigma inside a word
            signs += 1
        elif c.isalpha() and (prev.isascii() and prev.isalpha() or nxt.isascii() and nxt.isalpha()
                              ) and _script(c) == "CJK":
            signs += 1  # a CJK character glued to a Latin letter: 'un 騁ud', '凷unday'
        elif c.isalpha() and prev.isalpha() and nxt.isalpha():
            script = _script(c)
            if script != _script(prev) and script != _script(nxt):
                signs += 1
            elif c.isupper() and nxt.islower():  # 'DÚclaration', 'LÆķtķ': a capital mid-word
                signs += 1
    return signs


def _agrees(match: Any, text: str) -> bool:
    code = _LANG_CODES.get(str(match.language).rstrip("—"), "")
    return bool(code) and _identifier().classify(text[:2000])[0] == code


# The code pages legacy text of each script was really written in (Windows, ISO, KOI8, the
# national CJK standards). On a short text many others decode without a visible flaw: these
# win a tie against the DOS, Mac and rarer pages ('Dťclaration' was mac_latin2 for cp1252).
_COMMON = {
    "LATIN": {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1254", "iso8859_9",
              "cp1257", "iso8859_13", "cp1258"},
    "CYRILLIC": {"cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866"},
    "GREEK": {"cp1253", "iso8859_7"},
    "HEBREW": {"cp1255", "iso8859_8"},
    "ARABIC": {"cp1256", "iso8859_6"},
    "THAI": {"cp874", "tis_620", "iso8859_11"},
    "CJK": {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "shift_jis", "cp932",
            "euc_jp", "euc_kr", "cp949", "hz"},
}
_ANY_COMMON = set().union(*_COMMON.values())
_SCRIPT_SAMPLE = 4000


def _main_script(text: str) -> str:
    """The script of most non-ASCII letters of text ('' when there is none)."""
    counts: dict[str, int] = {}
    for c in text[:_SCRIPT_SAMPLE]:
        if ord(c) >= 128 and c.isalpha():
            script = _script(c)
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


def _rare(names: set[str], text: str) -> int:
    """0 when one of the code pages is a common one for the script of the text."""
    script = _main_script(text)
    # No letter outside ASCII (only quotes, dashes): any script's common pages will do.
    common = _COMMON.get(script, set()) if script else _ANY_COMMON
    return 0 if names & common else 1


# Short texts: charset-normalizer may leave out the right page (KOI8-R Russian came back as
# Shift-JIS halfwidth katakana): these are tried too.
_SHORT = 4096
_ALSO = ("cp1252", "cp1250", "cp1251", "koi8_r", "koi8_u", "cp1254")
Rank = tuple[int, int, int, float, int, str, str]


def _rank(text: str, names: set[str], agrees: bool, order: int, codec: str) -> Rank:
    return (mojibake_signs(text[:20000]), _rare(names, text), 0 if agrees else 1,
            -_likelihood(text), order, text, codec)


def _guess(data: bytes) -> tuple[str, str]:
    """(text, codec) of bytes that are not UTF-8, by charset-normalizer and the tie-break."""
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    if not results:
        # Kanji-dense Japanese scores above the default chaos threshold (0.2); look again, wider.
        results = from_bytes(data, threshold=_RELAXED_THRESHOLD)
    # Wide Unicode was checked by its zero bytes before: without them it is a wrong guess.
    matches = [m for m in results if not str(m.encoding).startswith(("utf_16", "utf_32"))]
    best = min((m.chaos for m in matches), default=0.0)
    ranked: list[Rank] = []
    seen: set[str] = set()
    for order, match in enumerate(matches[:24]):
        text = str(match)
        if match.chaos > best + _CHAOS_MARGIN or text in seen:
            continue
        seen.add(text)
        names = {str(match.encoding), *(str(e) for e in match.could_be_from_charset)}
        ranked.append(_rank(text, names, _agrees(match, text), order, str(match.encoding)))
    if len(data) <= _SHORT:
        for order, codec in enumerate(_ALSO, start=len(ranked)):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if text not in seen and _control_share(text) == 0:
                seen.add(text)
                ranked.append(_rank(text, {codec}, False, order, codec))
    if not ranked:
        raise SkipFile("binary file (no text encoding fits)")
    top = min(ranked)
    return top[5], top[6]


def detect(data: bytes) -> tuple[str, str]:
    """(NFC text, codec name) of the bytes of a text file; SkipFile('binary file') for binaries."""
    text: str | None = None
    marked = sniff.bom(data)
    if marked is not None:
        enc, skip = marked
        text = data[skip:].decode(enc, errors="replace")
    elif (enc := sniff.iso2022(data) or "") and enc:
        text = data.decode(enc)
    elif b"\x00" in data[:65536]:
        enc = sniff.wide_unicode(data) or ""
        if not enc:
            raise SkipFile("binary file")
        text = data.decode(enc, errors="replace")
    else:
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = _guess(data)
    if _control_share(text) > 0.05:
        raise SkipFile("binary file")
    return unicodedata.normalize("NFC", text), enc


def decode_text(data: bytes) -> str:
    """Decode the bytes of a text file to NFC text; SkipFile('binary file') for binaries."""
    return detect(data)[0]
