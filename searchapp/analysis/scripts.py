"""Whether a declared language can be the text's: its script against the letters of the text.

Documents declare languages their templates chose (`<html lang="en">` on an Arabic article,
`lang: en` in the front matter of Thai notes): trusted blindly, such a document was filed under
English, analysed as English and, for Thai, failed the build's canary query.  A declaration is
kept unless most letters of the text's beginning (all but SHARE) are outside the script CLDR gives
the language (likely subtags, through Babel); then it is detected as for an undeclared text.  The
test is one regex search on ordinary text (no letter outside the script: done).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Unicode blocks of the scripts CLDR's likely subtags name (Han, kana and Hangul are one family:
# Japanese and Korean mix them, and Chinese declared Hans may be written Hant).
_RANGES = {
    "Latn": "A-Za-z\u00aa\u00ba\u00c0-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff5a",
    "Cyrl": "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f",
    "Grek": "\u0370-\u03ff\u1f00-\u1fff",
    "Arab": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
    "Hebr": "\u0590-\u05ff\ufb1d-\ufb4f",
    "Thai": "\u0e00-\u0e7f",
    "Deva": "\u0900-\u097f\ua8e0-\ua8ff",
    "Hani": "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
            "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f",
}
_HAN_FAMILY = {"Hans", "Hant", "Jpan", "Kore", "Hang", "Hira", "Kana"}
SAMPLE = 300  # characters of the text's beginning looked at
MIN_LETTERS = 20  # fewer letters than this: the declaration stands
# The declared script's share of the letters under which the declaration is dropped, a Han,
# kana or Hangul character counting as HAN_WEIGHT letters: measured on NTREX, each text
# declared its own language, 2 of 37,943 sentences (a Chinese and a Thai one that are mostly
# English names) and none of 2,337 articles are dropped; Thai notes with English names declared
# `en` (a fifth of their letters Latin) are.
SHARE = 0.25
HAN_WEIGHT = 3
_LETTER = re.compile(r"[^\W\d_]")
_HAN = re.compile(f"[{_RANGES['Hani']}]")


@lru_cache(maxsize=256)
def _script(code: str) -> str:
    """The script CLDR expects a language to be written in ('Latn', 'Hani'...), '' if unknown."""
    from babel.core import get_global

    likely = get_global("likely_subtags").get(code.replace("-", "_"), "")
    parts = likely.split("_")
    script = parts[1] if len(parts) > 2 else ""
    return "Hani" if script in _HAN_FAMILY else script if script in _RANGES else ""


@lru_cache(maxsize=16)
def _patterns(script: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a character outside the script and ASCII/Latin-1/general punctuation, a letter outside
    the script, a letter inside it). The first is ranges only (no Unicode category per
    character): on ordinary text it finds nothing, 4x faster than the second."""
    ranges = _RANGES[script]
    quick = re.compile(f"[^\\x00-\\x40\\x5b-\\x60\\x7b-\\xbf\\u2000-\\u206f\\u20a0-\\u20cf{ranges}]")
    return quick, re.compile(rf"[^\W\d_{ranges}]"), re.compile(f"[{ranges}]")


def fits_script(code: str, text: str) -> bool:
    """Whether text can be in the language code declares (see the module's docstring)."""
    script = _script(code)
    if not script:
        return True
    quick, outside, inside = _patterns(script)
    if quick.search(text, 0, SAMPLE) is None:
        return True
    sample = text[:SAMPLE]
    if outside.search(sample) is None:
        return True
    han = len(_HAN.findall(sample)) * (HAN_WEIGHT - 1)  # a Han character is a word or syllable
    letters = len(_LETTER.findall(sample)) + han
    held = len(inside.findall(sample)) * (HAN_WEIGHT if script == "Hani" else 1)
    return letters < MIN_LETTERS or held >= SHARE * letters
