"""Where in a long text the query's best passage is, without analysing the whole text per hit.

A short text is matched whole (matching.find_matches). In a long one (a 1,000-page PDF, a 5 MB
book), each query form is first looked for as a plain substring (`str.find`) of a lowercased,
folded copy of the text that keeps every character at its position (made once per text and
remembered); the places where the most distinct forms meet are then checked exactly, with
find_matches over a few hundred characters around each, and the best checked region wins.
The substring step only proposes places; every mark shown comes from the exact step. A form
it cannot see (a letter folding to two, ß -> ss) leaves the head of the text, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..analysis.analyzers import Analyzers
from .matching import MatchSpec, _table, find_matches

WHOLE_TEXT_CHARS = 30_000  # texts up to this length are matched whole
REGION_CHARS = 600  # characters checked exactly on each side of a proposed place
MAX_PER_FORM = 256  # occurrences of one form looked at (a frequent word: its first ones)
MAX_REGIONS = 8  # proposed places checked exactly per text
WINDOW_CHARS = 240  # forms this close together count as one passage
COPY_BUDGET_CHARS = 20_000_000  # folded copies remembered per process (live search re-asks)

# Copies are found by (length, hash) of their text, so the texts themselves are not kept alive:
# a collision could only propose wrong places, which the exact step then finds empty.
_copies: OrderedDict[tuple[int, int], _Copy] = OrderedDict()
_copied_chars = 0
_lock = threading.Lock()
_SEARCH_TABLES: dict[int, dict[int, str]] = {}
_LOOKUPS: dict[int, np.ndarray] = {}
VECTOR_CHARS = 100_000  # longer non-ASCII texts are folded by one numpy table lookup (3x faster)
MEMO_NEEDLES = 512  # substrings whose places are remembered per copy (typing repeats them)


class _Copy:
    """A folded copy of a text, with the places of the substrings already looked for in it."""

    __slots__ = ("text", "found")

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, tuple[list[int], bool]] = {}  # needle -> (places, more unseen)

    def places(self, needle: str) -> tuple[list[int], bool]:
        """The first MAX_PER_FORM places of needle, and whether it occurs more often."""
        got = self.found.get(needle)
        if got is None:
            places: list[int] = []
            at = self.text.find(needle)
            while at != -1 and len(places) < MAX_PER_FORM:
                places.append(at)
                at = self.text.find(needle, at + 1)
            got = (places, at != -1)
            if len(self.found) >= MEMO_NEEDLES:
                self.found.clear()
            self.found[needle] = got
        return got


def _search_table(az: Analyzers) -> dict[int, str]:
    """The fast path's fold table, plus lowercasing for every other cased BMP character."""
    got = _SEARCH_TABLES.get(id(az))
    if got is None:
        got = dict(_table(az)[0])
        for cp in range(0x250, 0x10000):
            if cp not in got:
                low = chr(cp).lower()
                if len(low) == 1 and low != chr(cp):
                    got[cp] = low
        _SEARCH_TABLES[id(az)] = got
    return got


def _folded(text: str, az: Analyzers) -> str:
    """text.translate(_search_table(az)), vectorised for long texts."""
    if text.isascii() or len(text) < VECTOR_CHARS:  # CPython translates ASCII fast itself
        return text.translate(_search_table(az))
    lookup = _LOOKUPS.get(id(az))
    if lookup is None:
        lookup = np.arange(0x10000, dtype=np.uint32)
        for cp, ch in _search_table(az).items():
            lookup[cp] = ord(ch)
        _LOOKUPS[id(az)] = lookup
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if int(codes.max()) >= len(lookup):  # characters beyond the BMP: left as they are
        return text.translate(_search_table(az))
    return lookup[codes].tobytes().decode("utf-32-le", "surrogatepass")


def search_copy(text: str, az: Analyzers) -> _Copy:
    """text lowercased and folded char by char (same length, same positions); remembered."""
    global _copied_chars
    key = (len(text), hash(text))
    with _lock:
        got = _copies.get(key)
        if got is not None:
            _copies.move_to_end(key)
            return got
    copy = _Copy(_folded(text, az))
    if len(text) * 2 > COPY_BUDGET_CHARS:
        return copy
    with _lock:
        if key not in _copies:
            _copies[key] = copy
            _copied_chars += len(text)
            while _copied_chars > COPY_BUDGET_CHARS and _copies:
                _, old = _copies.popitem(last=False)
                _copied_chars -= len(old.text)
    return copy


def _forms(spec: MatchSpec, lang: str) -> list[tuple[str, str]]:
    """(substring every match of a form contains, the form's key) for each form of the spec."""
    out = [(f, f) for f in spec.folded if f]
    out += [(p, p) for p in spec.prefixes if p]
    for z in spec.fuzzy:  # one edit leaves one half of the word whole (but a swap across them)
        half = len(z) // 2
        out += [(z[:half], z), (z[half:], z)]
    for stem in spec.stems.get(lang, ()):  # a stem may end differently in the word (happi/happy)
        out.append((stem[:-1] if len(stem) > 3 else stem, stem))
    out += [(n, n) for n in spec.needles if n]
    return list(dict.fromkeys(out))


def _places(copy: _Copy, forms: list[tuple[str, str]]
            ) -> tuple[list[tuple[int, str]], dict[str, float]]:
    """(offset, key) of the first MAX_PER_FORM occurrences of each form's substring, and each
    key's weight: 1 / its occurrences (0 for a key seen more often than that), so a word the
    text holds once outweighs one it holds everywhere."""
    found: list[tuple[int, str]] = []
    counts: dict[str, int] = {}
    frequent: set[str] = set()
    for needle, key in forms:
        places, more = copy.places(needle)
        found += [(at, key) for at in places]
        counts[key] = counts.get(key, 0) + len(places)
        if more:
            frequent.add(key)
    found.sort()
    return found, {k: 0.0 if k in frequent else 1 / n for k, n in counts.items() if n}


def _proposals(places: list[tuple[int, str]], weights: dict[str, float]) -> list[int]:
    """Up to MAX_REGIONS offsets where the most distinct keys (then the rarest: every place of
    a rare key is known, and a frequent word is also near it, unseen) meet, best first, apart."""
    scored = []
    j = 0
    for i in range(len(places)):
        while places[i][0] - places[j][0] > WINDOW_CHARS:
            j += 1
        window = places[j : i + 1]
        keys = {k for _, k in window}
        scored.append((-len(keys), -sum(weights.get(k, 0.0) for k in keys), -len(window),
                       places[j][0]))
    scored.sort()
    chosen: list[int] = []
    for *_, at in scored:
        if all(abs(at - c) > REGION_CHARS for c in chosen):
            chosen.append(at)
            if len(chosen) == MAX_REGIONS:
                break
    return chosen


def _word_edge(text: str, at: int, back: bool) -> int:
    """at moved to the nearest whitespace within 64 characters (a region never cuts a word)."""
    if back:
        lo = max(0, at - 64)
        cut = max(text.rfind(" ", lo, at), text.rfind("\n", lo, at))
        return cut + 1 if cut != -1 else at
    ends = [c for c in (text.find(" ", at, at + 64), text.find("\n", at, at + 64)) if c != -1]
    return min(ends) if ends else at


def best_window(spans: list[tuple[int, int, str]], width: int,
                weights: Mapping[str, float] | None = None
                ) -> tuple[tuple[int, float, int], tuple[int, int]]:
    """The window of `width` chars holding the most distinct keys, then the rarest (weights),
    then the most matches: (its score, (start, end))."""
    best: tuple[int, float, int] = (-1, -1.0, -1)
    best_at = (spans[0][0], spans[0][1]) if spans else (0, 0)
    j = 0
    for i in range(len(spans)):
        while spans[i][1] - spans[j][0] > width:
            j += 1
        window = spans[j : i + 1]
        keys = {k for _, _, k in window}
        weight = sum(weights.get(k, 0.0) for k in keys) if weights else 0.0
        got = (len(keys), weight, len(window))
        if got > best:
            best, best_at = got, (window[0][0], window[-1][1])
    return best, best_at


@dataclass(frozen=True)
class Region:
    """Where in a text a snippet is cut from, and the weight of each key there (long texts)."""

    start: int
    end: int
    weights: Mapping[str, float] = field(default_factory=dict)


def best_region(text: str, spec: MatchSpec, az: Analyzers, lang: str, start: int = 0) -> Region:
    """The part of text[start:] a snippet is cut from: all of a short text, else the checked
    region holding the best passage (the head when no proposal holds a match)."""
    if len(text) - start <= WHOLE_TEXT_CHARS or spec.empty():
        return Region(start, min(len(text), start + WHOLE_TEXT_CHARS))
    places, weights = _places(search_copy(text, az), _forms(spec, lang))
    if start:
        places = [p for p in places if p[0] >= start]
    best: tuple[tuple[int, float, int], int, int] | None = None
    for at in _proposals(places, weights):
        lo = max(start, _word_edge(text, max(start, at - REGION_CHARS), back=True))
        hi = _word_edge(text, min(len(text), at + WINDOW_CHARS + REGION_CHARS), back=False)
        spans = find_matches(text[lo:hi], spec, az, lang)
        if spans:
            got = best_window(spans, WINDOW_CHARS, weights)[0]
            if best is None or got > best[0]:
                best = (got, lo, hi)
    if best is None:
        return Region(start, start + WHOLE_TEXT_CHARS)
    return Region(best[1], best[2], weights)
