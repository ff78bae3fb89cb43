"""Highlighting: escaped HTML with <mark> around every form that matched.

tantivy's SnippetGenerator marks only exact terms (not folded, prefix, fuzzy or stemmed
matches), so snippets are built here: the text is tokenised with the index's own exact analyzer
(char offsets), each token is compared to the query's words in every family (exact, folded,
prefix, stem, typo), and CJK/Thai words are found as substrings. The densest window is shown.
Everything from the document is escaped; only our own <mark> tags are added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from .analysis import EXACT, Analyzers
from .language import SPACELESS_RE
from .query import FUZZY_MIN_LEN, ParsedQuery

SNIPPET_CHARS = 240
SCAN_CHARS = 30_000  # snippets look at the head of very long documents only
FULL_TEXT_CHARS = 2_000_000


@dataclass
class MatchSpec:
    """Every form of the query's words that counts as a match, per family."""

    exact: set[str] = field(default_factory=set)
    folded: dict[str, str] = field(default_factory=dict)  # folded form -> key
    prefixes: list[str] = field(default_factory=list)
    stems: dict[str, set[str]] = field(default_factory=dict)  # lang -> stems
    fuzzy: list[str] = field(default_factory=list)
    needles: list[str] = field(default_factory=list)  # substrings (CJK, Thai, ...)

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


def find_matches(text: str, spec: MatchSpec, az: Analyzers, lang: str) -> list[tuple[int, int, str]]:
    """(start, end, key) char spans of text that match the spec, sorted and non-overlapping."""
    spans: list[tuple[int, int, str]] = []
    if spec.empty() or not text:
        return spans
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


def _best_window(spans: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """The window of `width` chars holding the most distinct keys, then the most matches."""
    best = (-1, -1)
    best_at = (spans[0][0], spans[0][1])
    j = 0
    for i in range(len(spans)):
        while spans[i][1] - spans[j][0] > width:
            j += 1
        window = spans[j : i + 1]
        score = (len({k for _, _, k in window}), len(window))
        if score > best:
            best = score
            best_at = (window[0][0], window[-1][1])
    return best_at


def render(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None) -> str:
    """Escaped text[start:end] with <mark> around the spans inside it."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e, _ in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def _clean(text: str) -> str:
    return " ".join(text.split())


def snippet(text: str, spec: MatchSpec, az: Analyzers, lang: str, width: int = SNIPPET_CHARS) -> str:
    """The best fragment of text as HTML: escaped, matches marked, or a leading excerpt."""
    head = _clean(text[:SCAN_CHARS])
    spans = find_matches(head, spec, az, lang)
    if not spans:
        cut = head[:width]
        if len(head) > width:
            cut = cut[: cut.rfind(" ")] if " " in cut[width // 2 :] else cut
            return escape(cut) + "…"
        return escape(cut)
    s, e = _best_window(spans, width)
    pad = max(0, (width - (e - s)) // 2)
    lo = max(0, s - pad)
    hi = min(len(head), max(e, lo + width))
    if lo > 0:
        sp = head.find(" ", lo, s)
        lo = sp + 1 if sp != -1 else lo
    if hi < len(head):
        sp = head.rfind(" ", e, hi)
        hi = sp if sp != -1 else hi
    html = render(head, spans, lo, hi)
    return ("…" if lo > 0 else "") + html + ("…" if hi < len(head) else "")


def highlight_all(text: str, spec: MatchSpec, az: Analyzers, lang: str) -> str:
    """The whole text as escaped HTML with every match marked (document pages, titles)."""
    text = text[:FULL_TEXT_CHARS]
    return render(text, find_matches(text, spec, az, lang))
