"""User query text -> an engine-neutral ParsedQuery, leniently: problems become warnings, never
exceptions. Each backend compiles a ParsedQuery into its own query (backends/tantivy/compile.py).

Syntax: words; "exact phrases"; -word / -"phrase" / NOT word to exclude; a OR b; AND (the
default between words); title:word; lang:vi and source:name filters; date:2024,
date:2024-05, date:2024-01-01..2024-06-30, date:>=2024-01-01, date:<2025; a trailing * for a
prefix. Every word must match (Google/Meilisearch style); the last word typed also matches as
a prefix, for search-as-you-type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

from ..analysis.language import SPACELESS_RE, normalize_code
from ..analysis.segmentation import spaceless_words
from ..analysis.text import nfc, typed_form

MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
FUZZY_MIN_LEN = 5  # a word of this many letters absent from the index may match with one typo

DATE_MIN, DATE_MAX = date(1, 1, 1), date(9999, 12, 31)

FILTER_FIELDS = {"lang", "language", "source", "date", "year"}
TEXT_FIELDS = {"title", "body", "text"}


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word or a phrase, optionally limited to a field."""

    text: str
    phrase: bool = False
    field: str | None = None  # "title" or None (all text)
    prefix: bool = False


@dataclass(frozen=True)
class Clause:
    """Alternatives joined by OR (usually just one), required or excluded."""

    terms: tuple[Term, ...]
    negated: bool = False


@dataclass
class ParsedQuery:
    """The structure of a query plus its filters and the problems found parsing it."""

    clauses: list[Clause] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    def words(self) -> list[Term]:
        """Every positive term, in order (for highlighting and suggestions)."""
        return [t for c in self.positive for t in c.terms]

    def typed_prefix(self, clause: Clause, term: Term, prefix_last: bool) -> bool:
        """True for the word being typed (search as you type): the last term of the last
        positive clause, not a phrase, when the last word is matched as a prefix."""
        if not prefix_last or clause.negated or term.phrase or term is not clause.terms[-1]:
            return False
        positive = self.positive
        return bool(positive) and clause is positive[-1]


_TOKEN_RE = re.compile(
    r"""(?P<ws>\s+)
      | (?P<paren>[()])
      | (?P<neg>[-−!](?=["\w]))?
        (?:(?P<field>[A-Za-z_]+):(?=[^\s]))?
        (?: "(?P<phrase>[^"]*)(?P<close>")?
          | (?P<word>[^\s"()]+) )
      | (?P<stray>["])
    """,
    re.VERBOSE,
)
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def _parse_date(text: str, end: bool) -> date | None:
    m = _DATE_RE.match(text.strip())
    if not m:
        return None
    y, mo, d = int(m[1]), m[2], m[3]
    try:
        if d:
            return date(y, int(mo), int(d))
        if mo:
            month = int(mo)
            if not end:
                return date(y, month, 1)
            nxt = date(y + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(y, 12, 31) if end else date(y, 1, 1)
    except ValueError:
        return None


def date_bound(text: str, end: bool) -> date | None:
    """2024, 2024-05 or 2024-05-17 as the first (end=False) or last day it covers; None when
    unreadable (the date range control's from/to values)."""
    try:
        return _parse_date(text.strip(), end)
    except ValueError:
        return None


def _apply_date(pq: ParsedQuery, value: str) -> None:
    v = value.strip()
    lo = hi = None
    ok = True
    if ".." in v:
        a, _, b = v.partition("..")
        lo = _parse_date(a, False) if a else None
        hi = _parse_date(b, True) if b else None
        ok = (lo is not None or not a) and (hi is not None or not b)
    elif v[:2] in (">=", "<="):
        d = _parse_date(v[2:], v[0] == "<")
        lo, hi, ok = (d, None, d is not None) if v[0] == ">" else (None, d, d is not None)
    elif v[:1] in (">", "<"):
        # Strict: date:<2025 ends before 2025 begins; date:>2025 starts after it ends.
        d = _parse_date(v[1:], v[0] == ">")
        if d is not None:
            d = date.fromordinal(d.toordinal() + (1 if v[0] == ">" else -1))
        lo, hi, ok = (d, None, d is not None) if v[0] == ">" else (None, d, d is not None)
    else:
        lo, hi = _parse_date(v, False), _parse_date(v, True)
        ok = lo is not None
    if not ok:
        pq.warnings.append(
            f"Could not read the date “{value}”: use date:2024, date:2024-05, "
            "date:2024-01-01..2024-06-30 or date:>=2024-01-01."
        )
        return
    pq.date_from = lo or pq.date_from
    pq.date_to = hi or pq.date_to


def parse(text: str) -> ParsedQuery:
    """Parse query text leniently into clauses, filters and warnings."""
    pq = ParsedQuery()
    text = nfc(text or "").replace("\x00", " ")
    text = typed_form(text)  # as documents are read (analysis/text.py)
    if len(text) > MAX_QUERY_CHARS:
        pq.warnings.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
        text = text[:MAX_QUERY_CHARS]
    pending_or = False
    pending_not = False
    saw_paren = False
    for m in _TOKEN_RE.finditer(text):
        if m["ws"]:
            continue
        if m["paren"]:
            saw_paren = True
            continue
        if m["stray"]:
            continue
        negated = bool(m["neg"]) or pending_not
        pending_not = False
        fname = (m["field"] or "").lower() or None
        phrase = m["phrase"]
        word = m["word"]
        if phrase is not None and m["close"] is None:
            pq.warnings.append("A closing quote was missing: the rest was searched as a phrase.")
        if fname is None and phrase is None and word in ("AND", "OR", "NOT", "&&", "||"):
            if word in ("OR", "||"):
                pending_or = bool(pq.clauses)
            elif word == "NOT":
                pending_not = True
            continue
        value = phrase if phrase is not None else word or ""
        if fname in FILTER_FIELDS:
            _apply_filter(pq, fname, value)
            continue
        if fname is not None and fname not in TEXT_FIELDS:
            pq.warnings.append(f"There is no field “{fname}”: searched “{value}” as words.")
            fname = None
        if fname in ("body", "text"):
            fname = None
        terms = _terms(value, phrase is not None, fname)
        if not terms:
            continue
        if pending_or and not negated and pq.clauses and not pq.clauses[-1].negated:
            last = pq.clauses.pop()
            pq.clauses.append(Clause(last.terms + tuple(terms)))
        else:
            pq.clauses.extend(Clause((t,), negated) for t in terms)
        pending_or = False
    if saw_paren:
        pq.warnings.append("Parentheses are not supported: the words inside were searched.")
    if len(pq.clauses) > MAX_TERMS:
        pq.warnings.append(f"Only the first {MAX_TERMS} words were searched.")
        del pq.clauses[MAX_TERMS:]
    return pq


PHRASE_FALLBACK_WORDS = 4  # a quoted phrase of this many words that matches nothing -> its words


def phrases_as_words(pq: ParsedQuery, min_words: int = PHRASE_FALLBACK_WORDS) -> ParsedQuery | None:
    """pq with each positive quoted phrase of min_words or more words searched as its words
    (as if typed without the quotes); None when it has no such phrase. What a user pasting a
    sentence that holds quotation marks expects when the exact phrase is nowhere (typed without
    diacritics, or quoted in another form)."""
    clauses: list[Clause] = []
    changed = False
    for c in pq.clauses:
        t = c.terms[0]
        if c.negated or len(c.terms) != 1 or not t.phrase or len(t.text.split()) < min_words:
            clauses.append(c)
            continue
        changed = True
        for word in t.text.split():
            clauses.extend(Clause((w,)) for w in _terms(word, False, t.field))
    if not changed:
        return None
    return replace(pq, clauses=clauses[:MAX_TERMS], warnings=list(pq.warnings))


def _apply_filter(pq: ParsedQuery, fname: str, value: str) -> None:
    if fname in ("lang", "language"):
        for v in value.split(","):
            if code := normalize_code(v):
                pq.langs.append(code)
            elif v.strip():
                pq.warnings.append(f"“{v.strip()[:40]}” is not a language code (en, vi, de…): "
                                   "not filtered by it.")
    elif fname == "source":
        pq.sources.extend(v for v in value.split(",") if v)
    else:
        _apply_date(pq, value)


def _terms(value: str, is_phrase: bool, fname: str | None) -> list[Term]:
    """Terms for one token of input; a spaceless-script run splits into its words."""
    if is_phrase:
        return [Term(value, phrase=True, field=fname)] if value.strip() else []
    prefix = value.endswith("*") and len(value.rstrip("*")) > 0
    value = value.strip("*")
    if not value or not re.search(r"\w", value):
        return []
    if SPACELESS_RE.search(value):
        words = [w for w in spaceless_split(value) if re.search(r"\w", w)]
        return [Term(w, field=fname) for w in words]
    return [Term(value, field=fname, prefix=prefix)]


def spaceless_split(value: str) -> list[str]:
    """Split a token at script changes; spaceless runs into ICU words. Combining marks stay
    inside their run (Python's \\w has no Mn: Thai vowel and tone marks split every word)."""
    out: list[str] = []
    for run in letter_runs(value) or [value]:
        out.extend(spaceless_words(run) if SPACELESS_RE.search(run) else [run])
    return out


def letter_runs(value: str) -> list[str]:
    """Runs of letters with their combining marks (spaceless scripts apart from the others),
    runs of digits, and other word characters."""
    out: list[str] = []
    kind_prev = ""
    for ch in value:
        cat = unicodedata.category(ch)
        if cat[0] == "M" and kind_prev in ("L", "S"):
            kind = kind_prev
        elif cat[0] in "LM":
            kind = "S" if SPACELESS_RE.match(ch) else "L"
        else:
            kind = "N" if cat == "Nd" else "W" if ch.isalnum() or ch == "_" else ""
        if kind and kind == kind_prev:
            out[-1] += ch
        elif kind:
            out.append(ch)
        kind_prev = kind
    return out
