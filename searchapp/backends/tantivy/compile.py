"""A ParsedQuery -> a tantivy Query.

Per word, one clause over several fields is built, so that the exact spelling scores on every
field family it appears in (exact + folded + stemmed) while a different-diacritics match scores
only on the folded one: `quyền` ranks documents with quyền above those with only Quyên.
"""

from __future__ import annotations

from datetime import UTC, datetime

import tantivy
from tantivy import Occur, Query

from ...analysis.language import CJK_RE, SPACELESS_RE
from ...analysis.segmentation import spaceless_words
from ...search.parse import DATE_MAX, DATE_MIN, FUZZY_MIN_LEN, Clause, ParsedQuery, Term
from .context import QueryContext, has_marks
from .longquery import any_of, required
from .schema import exact_fields
from .weights import (
    MAX_PAIRS,
    PROXIMITY_MAX_WORDS,
    SHORT_PREFIX_EXPANSIONS,
    W_CJK,
    W_EXACT,
    W_EXACT_MARKED,
    W_FUZZY,
    W_PAIR,
    W_PAIR_MARKED,
    W_PREFIX,
    W_PROX,
    W_SEG,
)

__all__ = ["QueryContext", "build", "filter_queries", "has_marks", "prefix_query", "term_query"]

# tantivy stores dates as i64 nanoseconds: bounds outside this range are refused.
_TANTIVY_MIN = datetime(1677, 9, 22, tzinfo=UTC)
_TANTIVY_MAX = datetime(2262, 4, 11, tzinfo=UTC)


def _terms(tokens: list[str]) -> list[str | tuple[int, str]]:
    """tokens as phrase_query's list of terms (words, or (position, word) pairs)."""
    return list(tokens)


def _field_query(schema: tantivy.Schema, fieldname: str, tokens: list[str], boost: float) -> Query:
    if len(tokens) == 1:
        q = Query.term_query(schema, fieldname, tokens[0])
    else:
        q = Query.phrase_query(schema, fieldname, _terms(tokens))
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
    key = ("completions", fieldname, prefix)  # bounded by the index's 1-2 letter prefixes
    words = ctx.stats.get(key)
    if words is None:  # once per opened index: finding the most frequent walks every completion
        words = [t for t, _ in ctx.searcher.terms_with_prefix(fieldname, prefix, limit=limit)]
        ctx.stats[key] = words
    return Query.term_set_query(ctx.schema, fieldname, words) if words else None


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
            boost = ctx.weight(base, suffix, tokens, weights[w])
            subs.append(_field_query(schema, f"{base}_{suffix}", tokens, boost))
        if cjk:
            subs.append(_field_query(schema, f"{base}_cjk", cjk, ctx.weight(base, "cjk", cjk, W_CJK[w])))
        if SPACELESS_RE.search(term.text):  # Han, Kana; Thai, Lao, Khmer, Burmese
            segs = [s.lower() for s in spaceless_words(term.text)]
            if segs:
                boost = ctx.weight(base, "seg", segs, W_SEG[w])
                subs.append(_field_query(schema, f"{base}_seg", segs, boost))
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
    must: list[tuple[Occur, Query]] = []
    word_clauses: list[Query] = []
    word_sources: list[Clause] = []
    marked = has_marks(ctx, pq)
    for clause in pq.clauses:
        alts = []
        for t in clause.terms:
            q = term_query(ctx, t, pq.typed_prefix(clause, t, prefix_last), marked)
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
            must.append((Occur.Must, any_of(word_clauses)))
        else:
            must.extend(required(ctx, word_sources, word_clauses))
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
            Query.phrase_query(ctx.schema, f"{base}_{suffix}", _terms(tokens), slop),
            ctx.weight(base, suffix, tokens, boost),
        )
        for suffix, tokens in _family_tokens(ctx, words).items()
        if len(tokens) >= 2
        for base, slop, boost in (("title", 2, W_PROX[0]), ("body", 1, W_PROX[1]))
        if boost  # a weight of 0 would still cost a phrase match per candidate
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
        for a, b in list(dict.fromkeys(zip(tokens, tokens[1:], strict=False)))[:MAX_PAIRS]:
            for base, boost in (("title", weights[0]), ("body", weights[1])):
                if boost:
                    q = Query.phrase_query(ctx.schema, f"{base}_{suffix}", [a, b], 0)
                    w = ctx.weight(base, suffix, [a, b], boost)
                    subs.append((Occur.Should, Query.boost_query(q, w)))
    return Query.boolean_query(subs) if subs else None
