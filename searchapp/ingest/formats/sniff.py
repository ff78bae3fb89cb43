"""Encodings told by the bytes themselves: a BOM, UTF-16/32 without a BOM (their zero bytes),
ISO-2022 (its escape sequences).

UTF-16 text without a BOM has a zero byte in every unit of ASCII (spaces, newlines, digits,
Latin letters): in the odd bytes for little-endian, the even ones for big-endian, and almost
never in the other half.  UTF-32 has zeros in the two high bytes of nearly every unit.  A binary
file has zeros in no such pattern, and what it decodes to is no script's text (checked too).
ISO-2022-JP/KR is 7-bit, so it is valid UTF-8 and was indexed raw (`$B$N3+H/`): its ESC $
sequences name it.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections import Counter

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 65536


def bom(data: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when data starts with a byte order mark."""
    for mark, enc in BOMS:
        if data.startswith(mark):
            return enc, len(mark)
    return None


def _zeros(sample: bytes, width: int) -> list[int]:
    """How many units of `width` bytes have a zero at each position."""
    return [sample[i::width].count(0) for i in range(width)]


def wide_unicode(data: bytes) -> str | None:
    """'utf-32-le/-be' or 'utf-16-le/-be' when the zero bytes follow that pattern, else None."""
    sample = data[: _SAMPLE - _SAMPLE % 4]
    sample = sample[: len(sample) - len(sample) % 4]
    units = len(sample) // 4
    if units >= 2:
        z = _zeros(sample, 4)
        if z[2] >= 0.9 * units and z[3] >= 0.95 * units and z[0] <= 0.05 * units:
            return _checked(data, "utf-32-le")
        if z[1] >= 0.9 * units and z[0] >= 0.95 * units and z[3] <= 0.05 * units:
            return _checked(data, "utf-32-be")
    units = len(sample) // 2
    if units >= 2:
        even, odd = _zeros(sample, 2)
        if odd >= max(1, 0.02 * units) and even <= odd / 8:
            return _checked(data, "utf-16-le")
        if even >= max(1, 0.02 * units) and odd <= even / 8:
            return _checked(data, "utf-16-be")
    return None


def _checked(data: bytes, enc: str) -> str | None:
    """enc if data's head decodes to plausible text."""
    width = 4 if "32" in enc else 2
    head = data[: _SAMPLE - _SAMPLE % width]
    head = head[: len(head) - len(head) % width]
    try:
        text = head.decode(enc, errors="strict")
    except UnicodeDecodeError:
        if len(data) > len(head):  # cut inside a surrogate pair: the shorter head decides
            try:
                text = head[:-width].decode(enc, errors="strict")
            except UnicodeDecodeError:
                return None
        else:
            return None
    return enc if plausible(text) else None


_EAST_ASIAN = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"}


def _script(c: str) -> str:
    word = unicodedata.name(c, "?").split(" ")[0]
    return "CJK" if word in _EAST_ASIAN else word


def plausible(text: str) -> bool:
    """Text, not noise: almost no control characters, letters mostly from three scripts at most
    (Han, kana and Hangul count as one)."""
    if not text:
        return False
    controls = sum(1 for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn")
                   and c not in "\t\n\r\f\v")
    if controls > 0.01 * len(text):
        return False
    scripts = Counter(_script(c) for c in text if c.isalpha())
    letters = sum(scripts.values())
    top = sum(n for _s, n in scripts.most_common(3))
    return letters == 0 or top >= 0.85 * letters


def iso2022(data: bytes) -> str | None:
    """The ISO-2022 codec that decodes 7-bit data with ESC $ designations, else None."""
    if b"\x1b$" not in data[:_SAMPLE] or not data.isascii():
        return None
    order = ("iso2022_kr",) if b"\x1b$)C" in data[:_SAMPLE] else ()
    for enc in (*order, "iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_3"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc
    return None
