"""Which words of a text match a query, in every family: exact, folded (diacritics optional),
prefix, stem and one-typo forms, and CJK/Thai words found as substrings.

The text is tokenised with the index's own exact analyzer (char offsets) and each token is
compared to the query's words; a compiled regex over folded text finds most matches faster.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from ..analysis.analyzers import Analyzers
from ..analysis.language import SPACELESS_RE
from ..analysis.text import EXACT, MAX_TOKEN_LEN
from .parse import FUZZY_MIN_LEN, ParsedQuery


@dataclass
class MatchSpec:
    """Every form of the query's words that counts as a match, per family."""

    exact: set[str] = field(default_factory=set)
    folded: dict[str, str] = field(default_factory=dict)  # folded form -> key
    prefixes: list[str] = field(default_factory=list)
    stems: dict[str, set[str]] = field(default_factory=dict)  # lang -> stems
    fuzzy: list[str] = field(default_factory=list)
    needles: list[str] = field(default_factory=list)  # substrings (CJK, Thai, ...)
    # per-spec memo of the fast path's compiled pattern (built on first use)
    _compiled: tuple[re.Pattern[str] | None] | None = field(default=None, repr=False, compare=False)

    def empty(self) -> bool:
        return not (self.exact or self.folded or self.prefixes or self.needles)


def match_spec(
    pq: ParsedQuery, az: Analyzers, stem_langs: tuple[str, ...], prefix_last: bool = True
) -> MatchSpec:
    """The MatchSpec of a parsed query (positive words only)."""
    spec = MatchSpec()
    words = pq.words()
    for i, term in enumerate(words):
        text = term.text
        if SPACELESS_RE.search(text) or any("\uac00" <= ch <= "\ud7af" for ch in text):
            spec.needles.extend(w for w in [text.lower()] if w.strip())
        exact = az.exact(text)
        folded = az.fold(text)
        spec.exact.update(exact)
        for f in folded:
            spec.folded.setdefault(f, f)
        for lang in stem_langs:
            spec.stems.setdefault(lang, set()).update(az.stem(lang, text))
        is_last = i == len(words) - 1
        if len(folded) == 1 and not term.phrase:
            if term.prefix or (prefix_last and is_last):
                spec.prefixes.append(folded[0])
            elif len(folded[0]) >= FUZZY_MIN_LEN:
                spec.fuzzy.append(folded[0])
    return spec


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (
            i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        )
    return a[i:] == b[i + 1 :]


# Fast path of find_matches: one regex over a lowercased, folded copy of the text that keeps
# every character at its position. It is taken only when it gives exactly the spans of the
# token-by-token path: every character of the text is in _FOLD_TABLE (characters whose
# tokenizer class is the same for Python's re and the index's word pattern, and which lowercase
# and fold to exactly one character), and the spec has no stems for the language (stemmed
# forms need the stemmer, token by token). Everything else takes the token path.
_WORD = r"[^\W_]"


def _fold_table(az: Analyzers) -> dict[int, str]:
    table: dict[int, str] = {}
    # tab, line feed, vertical tab, form feed, carriage return: every multi-line text has some
    ranges = [(0x09, 0x0E), (0x20, 0x7F), (0xA0, 0x250), (0x1E00, 0x1F00), (0x2000, 0x2070)]
    exact = az.by_name[EXACT]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            ch = chr(cp)
            is_word = re.fullmatch(_WORD, ch) is not None
            toks = exact.pre_tokenize(ch).tokens
            if is_word != bool(toks):
                continue  # Python and the index disagree on this character: token path
            if not is_word:
                table[cp] = ch
                continue
            low, folded = ch.lower(), az.fold_token(ch)
            if len(low) == 1 and len(folded) == 1 and toks[0].text == low:
                table[cp] = folded
    return table


_TABLES: dict[int, tuple[dict[int, str], re.Pattern[str]]] = {}


def _table(az: Analyzers) -> tuple[dict[int, str], re.Pattern[str]]:
    got = _TABLES.get(id(az))
    if got is None:
        table = _fold_table(az)
        outside = "".join(
            f"{re.escape(chr(lo))}-{re.escape(chr(hi - 1))}" for lo, hi in _runs(sorted(table))
        )
        got = _TABLES[id(az)] = (table, re.compile(f"[^{outside}]"))
    return got


def _runs(cps: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for cp in cps:
        if runs and runs[-1][1] == cp:
            runs[-1] = (runs[-1][0], cp + 1)
        else:
            runs.append((cp, cp + 1))
    return runs


def _edits(z: str) -> set[str]:
    """Regex alternatives for every string within one edit of z (as _within_one_edit counts)."""
    e = re.escape
    alts = {e(z)}
    for i in range(len(z)):
        alts.add(e(z[:i] + z[i + 1 :]))
        alts.add(e(z[:i]) + _WORD + e(z[i + 1 :]))
    for i in range(len(z) + 1):
        alts.add(e(z[:i]) + _WORD + e(z[i:]))
    for i in range(len(z) - 1):
        alts.add(e(z[:i] + z[i + 1] + z[i] + z[i + 2 :]))
    return alts


def _compile(spec: MatchSpec, az: Analyzers) -> re.Pattern[str] | None:
    """The fast path's pattern for a spec, or None when only the token path is exact."""
    if spec._compiled is not None:
        return spec._compiled[0]
    pattern = None
    words = [w for w in spec.folded if w]
    ok = all(az.fold_token(t) in spec.folded for t in spec.exact)  # exact ⊆ folded
    table, outside = _table(az)
    every = [*words, *spec.prefixes, *spec.fuzzy]
    ok = ok and all(w and not outside.search(w) and w == w.translate(table) for w in every)
    if ok and every:
        parts = []
        if words:
            alts = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
            parts.append(f"(?P<w>{alts})(?!{_WORD})")
        if spec.prefixes:
            parts.append(f"(?P<p>(?:{'|'.join(map(re.escape, spec.prefixes))}){_WORD}*)")
        if spec.fuzzy:
            alts = "|".join(sorted(set().union(*map(_edits, spec.fuzzy)), key=len, reverse=True))
            parts.append(f"(?P<z>(?:{alts}))(?!{_WORD})")
        pattern = re.compile(f"(?<!{_WORD})(?:{'|'.join(parts)})")
    spec._compiled = (pattern,)
    return pattern


_FOLDED_CACHE: OrderedDict[str, str | None] = OrderedDict()
_FOLDED_CACHE_SIZE = 2048  # texts; live search re-highlights the same top documents
_FOLDED_CACHE_TEXT = 32_768  # longer texts are not remembered (at most ~2048 x 64 KB)
_FOLDED_LOCK = threading.Lock()


def _folded_text(text: str, az: Analyzers) -> str | None:
    """text lowercased and folded char by char (positions kept), or None when it holds a
    character the fast path does not cover. Recently used texts are remembered."""
    with _FOLDED_LOCK:
        if text in _FOLDED_CACHE:
            _FOLDED_CACHE.move_to_end(text)
            return _FOLDED_CACHE[text]
    table, outside = _table(az)
    folded = None if outside.search(text) else text.translate(table)
    if len(text) > _FOLDED_CACHE_TEXT:  # a document page's part: not kept (memory)
        return folded
    with _FOLDED_LOCK:
        _FOLDED_CACHE[text] = folded
        if len(_FOLDED_CACHE) > _FOLDED_CACHE_SIZE:
            _FOLDED_CACHE.popitem(last=False)
    return folded


def _fast_spans(
    text: str, spec: MatchSpec, az: Analyzers, lang: str
) -> list[tuple[int, int, str]] | None:
    """find_matches' word spans via one regex, or None when the token path is needed."""
    if spec.stems.get(lang):
        return None
    pattern = _compile(spec, az)
    if pattern is None:
        return None
    folded = _folded_text(text, az)
    if folded is None:
        return None
    spans: list[tuple[int, int, str]] = []
    for m in pattern.finditer(folded):
        tok = m.group()
        if len(text[m.start() : m.end()].encode()) >= MAX_TOKEN_LEN:
            continue  # dropped by the analyzer's remove_long
        group = m.lastgroup
        if group == "w":
            key = tok
        elif group == "p":
            key = next(p for p in spec.prefixes if tok.startswith(p))
        else:
            key = next(z for z in spec.fuzzy if abs(len(z) - len(tok)) <= 1 and _within_one_edit(z, tok))
        spans.append((m.start(), m.end(), key))
    return spans


def _token_spans(text: str, spec: MatchSpec, az: Analyzers, lang: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    stems = spec.stems.get(lang, set())
    for tok in az.by_name[EXACT].pre_tokenize(text).tokens:
        t = tok.text
        key = None
        if t in spec.exact:
            key = az.fold_token(t)
        else:
            f = az.fold_token(t)
            if f in spec.folded:
                key = f
            elif stems and az.stem_token(lang, t) in stems:
                key = az.stem_token(lang, t)
            else:
                for p in spec.prefixes:
                    if f.startswith(p):
                        key = p
                        break
                else:
                    for z in spec.fuzzy:
                        if abs(len(z) - len(f)) <= 1 and _within_one_edit(z, f):
                            key = z
                            break
        if key is not None:
            spans.append((tok.char_offset_from, tok.char_offset_to, key))
    return spans


def find_matches(text: str, spec: MatchSpec, az: Analyzers, lang: str) -> list[tuple[int, int, str]]:
    """(start, end, key) char spans of text that match the spec, sorted and non-overlapping."""
    if spec.empty() or not text:
        return []
    spans = _fast_spans(text, spec, az, lang)
    if spans is None:
        spans = _token_spans(text, spec, az, lang)
    if spec.needles:
        lower = text.lower()
        if len(lower) == len(text):  # offsets stay valid
            for needle in spec.needles:
                start = lower.find(needle)
                while start != -1:
                    spans.append((start, start + len(needle), needle))
                    start = lower.find(needle, start + len(needle))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for s in spans:
        if merged and s[0] < merged[-1][1]:
            if s[1] > merged[-1][1]:
                merged[-1] = (merged[-1][0], s[1], merged[-1][2])
            continue
        merged.append(s)
    return merged
