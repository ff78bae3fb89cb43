"""User query text -> a tantivy Query, leniently: problems become warnings, never exceptions.

Syntax: words; "exact phrases"; -word / -"phrase" / NOT word to exclude; a OR b; AND (the
default between words); title:word; lang:vi and source:name filters; date:2024,
date:2024-05, date:2024-01-01..2024-06-30, date:>=2024-01-01, date:<2025; a trailing * for a
prefix. Every word must match (Google/Meilisearch style); the last word typed also matches as
a prefix, for search-as-you-type.

Per word, one clause over several fields is built, so that the exact spelling scores on every
field family it appears in (exact + folded + stemmed) while a different-diacritics match scores
only on the folded one: `quyền` ranks documents with quyền above those with only Quyên.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import tantivy
from tantivy import Occur, Query

from .analysis import Analyzers, nfc
from .language import CJK_RE, SPACELESS_RE, normalize_code
from .segmentation import spaceless_words
from .store import exact_fields

MAX_QUERY_CHARS = 2000
MAX_TERMS = 64

# Ranking weights, (title, body) per field family. Tuned with eval/run_eval.py on CACM and
# XQuAD-R en/vi/de/zh at once (eval/RESULTS.md). Every document has an exact family and one
# accent-free family: stemmed for the 18 languages with a Snowball stemmer, else folded. The
# exact family adds a little on top, so the exact spelling ranks first (quyền above Quyên).
W_EXACT = (0.5, 0.25)
W_FOLD = (2.0, 1.0)  # documents in languages without a stemmer
# When the query was typed with diacritics (some word differs from its folded form)
# (Vietnamese: an unmarked syllable is then meant unmarked, so the exact spelling counts more
# and adjacent pairs less; XQuAD-R vi 0.845 -> 0.847, queries without diacritics unchanged).
W_EXACT_MARKED = (1.0, 0.5)
W_FOLD_MARKED = (2.0, 1.0)
W_PAIR_MARKED = (0.0, 0.3)
W_STEM = (3.0, 1.5)  # documents in a language with a stemmer (stemmed and folded)
W_CJK = (2.0, 1.0)
W_SEG = (2.0, 1.0)
W_PREFIX = 0.3  # last word typed, as a prefix (constant score)
# A prefix of 1 or 2 letters completes to its 4 most frequent words only (see prefix_query).
SHORT_PREFIX_EXPANSIONS = {1: 4, 2: 4}
W_FUZZY = 0.15  # one typo, for words of FUZZY_MIN_LEN+ letters absent from the index
FUZZY_MIN_LEN = 5
W_PROX = (1.0, 0.0)  # all words of a short query close together, in order
PROXIMITY_MAX_WORDS = 8
W_PAIR = (0.0, 0.5)  # each pair of adjacent words side by side
MAX_PAIRS = 12
# Long queries (natural-language questions): any word may match; stop words and words in
# more than DROP_DF_IN_LONG of the documents (in an index of COMMON_MIN_DOCS+) are left out.
LONG_QUERY_WORDS = 5
MIN_SHOULD_MATCH = 0.0
DROP_STOPWORDS_IN_LONG = True
DROP_DF_IN_LONG = 0.35
COMMON_MIN_DOCS = 500

DATE_MIN, DATE_MAX = date(1, 1, 1), date(9999, 12, 31)
# tantivy stores dates as i64 nanoseconds: bounds outside this range are refused.
_TANTIVY_MIN = datetime(1677, 9, 22, tzinfo=UTC)
_TANTIVY_MAX = datetime(2262, 4, 11, tzinfo=UTC)

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


_TOKEN_RE = re.compile(
    r"""(?P<ws>\s+)
      | (?P<paren>[()])
      | (?P<neg>[-−!](?=["\w]))?
        (?:(?P<field>[A-Za-z_]+):(?=[^\s]))?
        (?: "(?P<phrase>[^"]*)(?P<close>")?
          | (?P<word>[^\s"()]+) )
      | (?P<stray>["])
    """,
    re.X,
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


def _apply_filter(pq: ParsedQuery, fname: str, value: str) -> None:
    if fname in ("lang", "language"):
        for v in value.split(","):
            if code := normalize_code(v):
                pq.langs.append(code)
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


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class QueryContext:
    """What query building needs from the open index."""

    schema: tantivy.Schema
    analyzers: Analyzers
    stem_langs: tuple[str, ...]  # languages with a stem field that holds documents
    searcher: tantivy.Searcher | None = None  # for document frequencies
    plain_field: bool = False  # the index has body_plain (store.PLAIN_FIELD)
    num_docs: int = 0
    # Per opened index: figures the reranker reads once (average field lengths); shared by
    # the copies `dataclasses.replace` makes per search.
    stats: dict = field(default_factory=dict, compare=False, hash=False)  # type: ignore[type-arg]

    def families(
        self, text: str, marked: bool = False
    ) -> list[tuple[str, list[str], tuple[float, float]]]:
        """(field suffix, tokens, weights) of text in each accent-free family of the index."""
        out = [("fold", self.analyzers.fold(text), W_FOLD_MARKED if marked else W_FOLD)]
        for lang in self.stem_langs:
            out.append((f"stem_{lang}", self.analyzers.stem(lang, text), W_STEM))
        return [f for f in out if f[1]]

    def doc_freq(self, text: str) -> int:
        """Documents holding a one-token word in an accent-free family (0 without a searcher)."""
        if self.searcher is None:
            return 0
        best = 0
        for suffix, tokens, _ in self.families(text):
            if len(tokens) == 1:
                for base in ("title", "body"):
                    best = max(best, self.searcher.doc_freq(f"{base}_{suffix}", tokens[0]))
        return best


def _field_query(schema: tantivy.Schema, fieldname: str, tokens: list[str], boost: float) -> Query:
    if len(tokens) == 1:
        q = Query.term_query(schema, fieldname, tokens[0])
    else:
        q = Query.phrase_query(schema, fieldname, tokens)
    return q if boost == 1.0 else Query.boost_query(q, boost)


def prefix_query(ctx: QueryContext, fieldname: str, prefix: str) -> Query | None:
    """Documents with a word that starts with prefix in fieldname (constant score); None when
    no word does.

    A prefix of one or two letters has thousands of completions in a large index, and tantivy
    merges the postings of every one of them (20-30 ms for `t` on 700k sentences, on each
    keystroke). Like Typesense (max_candidates, 4 by default) and Elasticsearch
    (max_expansions), such a prefix is completed with its most frequent words only; from three
    letters on, with all of them. Measured on 700k sentences, 2,641 keystroke searches: one-letter
    last words 27.9 -> 13.8 ms mean, two-letter 13.4 -> 9.3 ms."""
    limit = SHORT_PREFIX_EXPANSIONS.get(len(prefix))
    if ctx.searcher is None or limit is None:
        return Query.fuzzy_term_query(ctx.schema, fieldname, prefix, 0, True, True)
    found = ctx.searcher.terms_with_prefix(fieldname, prefix, limit=limit)
    if not found:
        return None
    return Query.term_set_query(ctx.schema, fieldname, [t for t, _ in found])


def has_marks(ctx: QueryContext, pq: ParsedQuery) -> bool:
    """True when some query word carries diacritics (typed with an input method)."""
    az = ctx.analyzers
    return any(az.exact(t.text) != az.fold(t.text) for t in pq.words())


def term_query(
    ctx: QueryContext, term: Term, as_prefix: bool, marked: bool = False
) -> Query | None:
    """One word or phrase over every field family; None when it has no searchable token.
    `marked`: the query was typed with diacritics."""
    az = ctx.analyzers
    schema = ctx.schema
    bases = ("title",) if term.field == "title" else ("title", "body")
    weight = {"title": 0, "body": 1}
    subs: list[Query] = []
    exact = az.exact(term.text)
    folded = az.fold(term.text)
    cjk = az.cjk(term.text) if CJK_RE.search(term.text) else []
    families = ctx.families(term.text, marked)
    w_exact = W_EXACT_MARKED if marked else W_EXACT
    for base in bases:
        w = weight[base]
        if exact:
            for fname in exact_fields(base, ctx.plain_field):
                subs.append(_field_query(schema, fname, exact, w_exact[w]))
        for suffix, tokens, weights in families:
            subs.append(_field_query(schema, f"{base}_{suffix}", tokens, weights[w]))
        if cjk:
            subs.append(_field_query(schema, f"{base}_cjk", cjk, W_CJK[w]))
            if SPACELESS_RE.search(term.text):
                segs = [s.lower() for s in spaceless_words(term.text)]
                if segs:
                    subs.append(_field_query(schema, f"{base}_seg", segs, W_SEG[w]))
        elif SPACELESS_RE.search(term.text):  # Thai, Lao, Khmer, Burmese
            segs = [s.lower() for s in spaceless_words(term.text)]
            if segs:
                subs.append(_field_query(schema, f"{base}_seg", segs, W_SEG[w]))
        if len(folded) == 1 and not term.phrase:
            token = folded[0]
            if as_prefix or term.prefix:
                # The folded prefix on every accent-free family, and the typed prefix on the
                # exact field (a stem is often shorter than what was typed: "conventi").
                for suffix, _, _ in families:
                    if (fq := prefix_query(ctx, f"{base}_{suffix}", token)) is not None:
                        subs.append(Query.boost_query(fq, W_PREFIX))
                if len(exact) == 1 and ctx.stem_langs:
                    for fname in exact_fields(base, ctx.plain_field):
                        if (fq := prefix_query(ctx, fname, exact[0])) is not None:
                            subs.append(Query.boost_query(fq, W_PREFIX))
            elif len(token) >= FUZZY_MIN_LEN and not token.isdigit() and ctx.doc_freq(term.text) == 0:
                for suffix, tokens, _ in families:
                    if len(tokens) == 1:
                        fq = Query.fuzzy_term_query(
                            schema, f"{base}_{suffix}", tokens[0], 1, True, False
                        )
                        subs.append(Query.boost_query(fq, W_FUZZY))
    if not subs:
        return None
    return subs[0] if len(subs) == 1 else Query.boolean_query([(Occur.Should, s) for s in subs])


def filter_queries(ctx: QueryContext, pq: ParsedQuery) -> list[Query]:
    """Filters from the query text (lang:, source:, date:) as required clauses."""
    out: list[Query] = []
    schema = ctx.schema
    if pq.langs:
        out.append(Query.term_set_query(schema, "lang", list(dict.fromkeys(pq.langs))))
    if pq.sources:
        out.append(Query.term_set_query(schema, "source", list(dict.fromkeys(pq.sources))))
    if pq.date_from or pq.date_to:
        lo = datetime(*(pq.date_from or DATE_MIN).timetuple()[:3], tzinfo=UTC)
        hi = datetime(*(pq.date_to or DATE_MAX).timetuple()[:3], 23, 59, 59, tzinfo=UTC)
        lo = min(max(lo, _TANTIVY_MIN), _TANTIVY_MAX)
        hi = max(min(hi, _TANTIVY_MAX), _TANTIVY_MIN)
        out.append(Query.range_query(schema, "date", tantivy.FieldType.Date, lo, hi))
    return out


def build(
    ctx: QueryContext,
    pq: ParsedQuery,
    *,
    prefix_last: bool = True,
    match_all_words: bool = True,
    extra_filters: list[Query] | None = None,
) -> Query | None:
    """The tantivy query for a parsed query; None when there is nothing to search."""
    positive = pq.positive
    last_word_clause = positive[-1] if positive else None
    must: list[tuple[Occur, Query]] = []
    word_clauses: list[Query] = []
    word_sources: list[Clause] = []
    marked = has_marks(ctx, pq)
    for clause in pq.clauses:
        alts = []
        for t in clause.terms:
            as_prefix = (
                prefix_last
                and not clause.negated
                and clause is last_word_clause
                and t is clause.terms[-1]
                and not t.phrase
            )
            q = term_query(ctx, t, as_prefix, marked)
            if q is not None:
                alts.append(q)
        if not alts:
            continue
        q = alts[0] if len(alts) == 1 else Query.boolean_query([(Occur.Should, a) for a in alts])
        if clause.negated:
            must.append((Occur.MustNot, q))
        else:
            word_clauses.append(q)
            word_sources.append(clause)
    if word_clauses:
        if len(word_clauses) == 1:
            must.append((Occur.Must, word_clauses[0]))
        elif not match_all_words:
            must.append((Occur.Must, _any(word_clauses)))
        else:
            must.extend(_required(ctx, word_sources, word_clauses))
    proximity = _proximity(ctx, pq)
    if proximity is not None and word_clauses:
        must.append((Occur.Should, proximity))
    pairs = _pairs(ctx, pq) if len(word_clauses) > 1 else None
    if pairs is not None:
        must.append((Occur.Should, pairs))
    filters = filter_queries(ctx, pq) + (extra_filters or [])
    must.extend((Occur.Must, f) for f in filters)
    if not word_clauses:
        if not filters and not any(o == Occur.MustNot for o, _ in must):
            return None
        must.append((Occur.Must, Query.all_query()))
    return Query.boolean_query(must)


def _any(queries: list[Query], at_least: int | None = None) -> Query:
    return Query.boolean_query([(Occur.Should, q) for q in queries], at_least)


def _required(
    ctx: QueryContext, sources: list[Clause], clauses: list[Query]
) -> list[tuple[Occur, Query]]:
    """Every word must match in short queries. A long query (LONG_QUERY_WORDS or more words,
    typically a natural-language question) matches documents with any of its words, ranked by
    how many and how rare; its stop words and words found in most documents are left out."""
    if len(clauses) < LONG_QUERY_WORDS:
        return [(Occur.Must, q) for q in clauses]
    keep = [q for c, q in zip(sources, clauses, strict=True) if _informative(ctx, c)] or clauses
    need = math.ceil(MIN_SHOULD_MATCH * len(keep))
    return [(Occur.Must, _any(keep, need if need > 1 else None))]


def kept_clauses(ctx: QueryContext, pq: ParsedQuery) -> list[Clause]:
    """The positive clauses a long query is scored on (stop words and very common words left
    out, as in `_required`); every positive clause of a short one."""
    clauses = pq.positive
    if len(clauses) < LONG_QUERY_WORDS:
        return clauses
    return [c for c in clauses if _informative(ctx, c)] or clauses


def _informative(ctx: QueryContext, clause: Clause) -> bool:
    """False for a long query's stop words and words found in most documents."""
    if DROP_STOPWORDS_IN_LONG and ctx.analyzers.is_stopword(clause.terms[0].text, ctx.stem_langs):
        return False
    return not _too_common(ctx, clause)


def scoring_terms(ctx: QueryContext, pq: ParsedQuery) -> list[tuple[str, str, float]]:
    """(field, token, boost) of every one-token term query `build` makes on the exact and
    accent-free fields (what a BM25 rerank can recompute from the stored text)."""
    az = ctx.analyzers
    marked = has_marks(ctx, pq)
    w_exact = W_EXACT_MARKED if marked else W_EXACT
    out: list[tuple[str, str, float]] = []
    for clause in kept_clauses(ctx, pq):
        for t in clause.terms:
            if t.phrase:
                continue
            exact = az.exact(t.text)
            families = ctx.families(t.text, marked)
            bases = ("title",) if t.field == "title" else ("title", "body")
            for w, base in enumerate(bases):
                if len(exact) == 1:
                    out.extend((f, exact[0], w_exact[w]) for f in exact_fields(base, ctx.plain_field))
                for suffix, tokens, weights in families:
                    if len(tokens) == 1:
                        out.append((f"{base}_{suffix}", tokens[0], weights[w]))
    return out


def _too_common(ctx: QueryContext, clause: Clause) -> bool:
    """A word in more than DROP_DF_IN_LONG of a large index's documents."""
    if DROP_DF_IN_LONG >= 1.0 or ctx.num_docs < COMMON_MIN_DOCS:
        return False
    return ctx.doc_freq(clause.terms[0].text) > DROP_DF_IN_LONG * ctx.num_docs


def _family_tokens(ctx: QueryContext, words: list[Term]) -> dict[str, list[str]]:
    """Per accent-free family (field suffix), the tokens of words in order."""
    out: dict[str, list[str]] = {}
    for t in words:
        for suffix, tokens, _ in ctx.families(t.text):
            out.setdefault(suffix, []).extend(tokens)
    return out


def _proximity(ctx: QueryContext, pq: ParsedQuery) -> Query | None:
    """Reward documents where the words stand together, in order (accent-free, small slop)."""
    words = [t for c in pq.positive if len(c.terms) == 1 for t in c.terms if not t.phrase]
    if not 2 <= len(words) <= PROXIMITY_MAX_WORDS or len(words) != len(pq.positive):
        return None
    subs = [
        Query.boost_query(
            Query.phrase_query(ctx.schema, f"{base}_{suffix}", tokens, slop), boost
        )
        for suffix, tokens in _family_tokens(ctx, words).items()
        if len(tokens) >= 2
        for base, slop, boost in (("title", 2, W_PROX[0]), ("body", 1, W_PROX[1]))
    ]
    return Query.boolean_query([(Occur.Should, s) for s in subs]) if subs else None


def _pairs(ctx: QueryContext, pq: ParsedQuery) -> Query | None:
    """Reward each pair of adjacent query words found side by side (accent-free)."""
    weights = W_PAIR_MARKED if has_marks(ctx, pq) else W_PAIR
    if not any(weights):
        return None
    words = [c.terms[0] for c in pq.positive if len(c.terms) == 1 and not c.terms[0].phrase]
    subs = []
    for suffix, tokens in _family_tokens(ctx, words).items():
        for a, b in list(dict.fromkeys(zip(tokens, tokens[1:])))[:MAX_PAIRS]:
            for base, boost in (("title", weights[0]), ("body", weights[1])):
                if boost:
                    q = Query.phrase_query(ctx.schema, f"{base}_{suffix}", [a, b], 0)
                    subs.append((Occur.Should, Query.boost_query(q, boost)))
    return Query.boolean_query(subs) if subs else None
