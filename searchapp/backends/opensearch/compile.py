"""A ParsedQuery -> the OpenSearch query DSL, clause for clause as backends/tantivy/compile.py
builds its tantivy query: per word, one `bool.should` over the exact, accent-free (folded or
stemmed), CJK and segmented fields with the per-family weights of backends/tantivy/weights.py,
so `quyền` ranks documents with quyền above those with only Quyên; the last word as a prefix;
one typo for long words absent from the index; proximity and adjacent-pair boosts; long queries
(natural-language questions) matched on any informative word.

Each field is searched with its own analyzer (match_phrase: a one-token text is a term query,
several tokens a phrase, as `_field_query` does), so query and index tokens always agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...analysis.analyzers import Analyzers
from ...analysis.language import CJK_RE, SPACELESS_RE
from ...analysis.normalize import split_long_words
from ...search.parse import DATE_MAX, DATE_MIN, FUZZY_MIN_LEN, Clause, ParsedQuery, Term
from ...search.request import SearchRequest
from ..tantivy.weights import (
    COMMON_MIN_DOCS,
    DROP_DF_IN_LONG,
    DROP_STOPWORDS_IN_LONG,
    LONG_QUERY_WORDS,
    MAX_PAIRS,
    MIN_SHOULD_MATCH,
    PROXIMITY_MAX_WORDS,
    W_CJK,
    W_EXACT,
    W_EXACT_MARKED,
    W_FOLD,
    W_FOLD_MARKED,
    W_FUZZY,
    W_PAIR,
    W_PAIR_MARKED,
    W_PREFIX,
    W_PROX,
    W_SEG,
    W_STEM,
)

Q = dict[str, Any]


@dataclass(frozen=True)
class QueryContext:
    analyzers: Analyzers
    stem_langs: tuple[str, ...]  # languages with stemmed documents in the serving index
    num_docs: int = 0
    doc_freq: Callable[[str], int] = lambda text: 0

    def families(self, text: str, marked: bool = False) -> list[tuple[str, list[str], tuple[float, float]]]:
        out = [("fold", self.analyzers.fold(text), W_FOLD_MARKED if marked else W_FOLD)]
        for lang in self.stem_langs:
            out.append((f"stem_{lang}", self.analyzers.stem(lang, text), W_STEM))
        return [f for f in out if f[1]]


def has_marks(ctx: QueryContext, pq: ParsedQuery) -> bool:
    az = ctx.analyzers
    return any(az.exact(t.text) != az.fold(t.text) for t in pq.words())


def _phrase(field: str, text: str, boost: float, slop: int = 0) -> Q:
    body: Q = {"query": text}
    if boost != 1.0:
        body["boost"] = boost
    if slop:
        body["slop"] = slop
    return {"match_phrase": {field: body}}


def _should(subs: list[Q], at_least: int | None = None) -> Q:
    if len(subs) == 1 and at_least is None:
        return subs[0]
    out: Q = {"bool": {"should": subs}}
    if at_least:
        out["bool"]["minimum_should_match"] = at_least
    return out


def fuzzy_candidates(ctx: QueryContext, pq: ParsedQuery, prefix_last: bool) -> list[str]:
    """Query words whose document frequency `build` will ask (one msearch for them all)."""
    out = []
    positive = pq.positive
    for clause in pq.clauses:
        for t in clause.terms:
            folded = ctx.analyzers.fold(t.text)
            typed = pq.typed_prefix(clause, t, prefix_last)
            if (len(folded) == 1 and not t.phrase and not t.prefix and not typed
                    and len(folded[0]) >= FUZZY_MIN_LEN and not folded[0].isdigit()):
                out.append(t.text)
    if len(positive) >= LONG_QUERY_WORDS and ctx.num_docs >= COMMON_MIN_DOCS:
        out.extend(c.terms[0].text for c in positive)
    return list(dict.fromkeys(out))


def term_query(ctx: QueryContext, term: Term, as_prefix: bool, marked: bool = False) -> Q | None:
    az = ctx.analyzers
    bases = ("title",) if term.field == "title" else ("title", "body")
    subs: list[Q] = []
    exact = az.exact(term.text)
    folded = az.fold(term.text)
    cjk = CJK_RE.search(term.text) is not None and bool(az.cjk(term.text))
    spaceless = SPACELESS_RE.search(term.text) is not None
    families = ctx.families(term.text, marked)
    w_exact = W_EXACT_MARKED if marked else W_EXACT
    for w, base in enumerate(bases):
        if exact:
            subs.append(_phrase(base, term.text, w_exact[w]))
        for suffix, _tokens, weights in families:
            # cut as the writer cut the field's text (a word of 60+ bytes: its pieces)
            subs.append(_phrase(f"{base}_{suffix}", split_long_words(term.text), weights[w]))
        if cjk:
            subs.append(_phrase(f"{base}_cjk", term.text, W_CJK[w]))
        if spaceless:
            subs.append(_phrase(f"{base}_seg", term.text, W_SEG[w]))
        if len(folded) == 1 and not term.phrase:
            token = folded[0]
            if as_prefix or term.prefix:
                for suffix, _, _ in families:
                    subs.append({"prefix": {f"{base}_{suffix}": {"value": token, "boost": W_PREFIX}}})
                if len(exact) == 1 and ctx.stem_langs:
                    subs.append({"prefix": {base: {"value": exact[0], "boost": W_PREFIX}}})
            elif len(token) >= FUZZY_MIN_LEN and not token.isdigit() and ctx.doc_freq(term.text) == 0:
                for suffix, tokens, _ in families:
                    if len(tokens) == 1:
                        subs.append({"fuzzy": {f"{base}_{suffix}": {
                            "value": tokens[0], "fuzziness": 1, "transpositions": True,
                            "prefix_length": 0, "boost": W_FUZZY}}})
    return _should(subs) if subs else None


def _date_range(date_from: Any, date_to: Any) -> Q:
    lo = (date_from or DATE_MIN).isoformat()
    hi = (date_to or DATE_MAX).isoformat()
    return {"range": {"date": {"gte": lo.zfill(10), "lte": hi.zfill(10), "format": "strict_date"}}}


def filter_queries(pq: ParsedQuery) -> list[Q]:
    out: list[Q] = []
    if pq.langs:
        out.append({"terms": {"lang": list(dict.fromkeys(pq.langs))}})
    if pq.sources:
        out.append({"terms": {"source": list(dict.fromkeys(pq.sources))}})
    if pq.date_from or pq.date_to:
        out.append(_date_range(pq.date_from, pq.date_to))
    return out


def facet_filter(req: SearchRequest, name: str) -> Q | None:
    """The request's filter on one facet (lang, source, year)."""
    values = getattr(req, name)
    if not values:
        return None
    return {"terms": {name: [int(v) for v in values] if name == "year" else list(values)}}


def date_filter(req: SearchRequest) -> list[Q]:
    return [_date_range(req.date_from, req.date_to)] if (req.date_from or req.date_to) else []


def _informative(ctx: QueryContext, clause: Clause) -> bool:
    if DROP_STOPWORDS_IN_LONG and ctx.analyzers.is_stopword(clause.terms[0].text, ctx.stem_langs):
        return False
    if DROP_DF_IN_LONG >= 1.0 or ctx.num_docs < COMMON_MIN_DOCS:
        return True
    return ctx.doc_freq(clause.terms[0].text) <= DROP_DF_IN_LONG * ctx.num_docs


def build(
    ctx: QueryContext,
    pq: ParsedQuery,
    *,
    prefix_last: bool = True,
    match_all_words: bool = True,
    extra_filters: list[Q] | None = None,
) -> Q | None:
    """The query for a parsed query; None when there is nothing to search."""
    must: list[Q] = []
    must_not: list[Q] = []
    should: list[Q] = []
    word_clauses: list[Q] = []
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
        q = _should(alts)
        if clause.negated:
            must_not.append(q)
        else:
            word_clauses.append(q)
            word_sources.append(clause)
    if word_clauses:
        if len(word_clauses) == 1:
            must.append(word_clauses[0])
        elif not match_all_words:
            must.append({"bool": {"should": word_clauses}})
        elif len(word_clauses) < LONG_QUERY_WORDS:
            must.extend(word_clauses)
        else:
            keep = [q for c, q in zip(word_sources, word_clauses, strict=True)
                    if _informative(ctx, c)] or word_clauses
            need = int(-(-MIN_SHOULD_MATCH * len(keep) // 1))
            must.append(_should(keep, need if need > 1 else None) if len(keep) > 1
                        else keep[0])
    if word_clauses:
        if (prox := _proximity(ctx, pq)) is not None:
            should.append(prox)
        if len(word_clauses) > 1 and (pairs := _pairs(ctx, pq)) is not None:
            should.append(pairs)
    filters = filter_queries(pq) + (extra_filters or [])
    if not word_clauses:
        if not filters and not must_not:
            return None
        must.append({"match_all": {}})
    body: Q = {"must": must}
    if should:
        body["should"] = should
    if must_not:
        body["must_not"] = must_not
    if filters:
        body["filter"] = filters
    return {"bool": body}


def _words(pq: ParsedQuery) -> list[Term]:
    return [c.terms[0] for c in pq.positive if len(c.terms) == 1 and not c.terms[0].phrase]


def _suffixes(ctx: QueryContext, words: list[Term]) -> list[str]:
    seen: dict[str, int] = {}
    for t in words:
        for suffix, tokens, _ in ctx.families(t.text):
            seen[suffix] = seen.get(suffix, 0) + len(tokens)
    return [s for s, n in seen.items() if n >= 2]


def _proximity(ctx: QueryContext, pq: ParsedQuery) -> Q | None:
    words = [t for c in pq.positive if len(c.terms) == 1 for t in c.terms if not t.phrase]
    if not 2 <= len(words) <= PROXIMITY_MAX_WORDS or len(words) != len(pq.positive):
        return None
    text = " ".join(t.text for t in words)
    subs = [
        _phrase(f"{base}_{suffix}", text, boost, slop)
        for suffix in _suffixes(ctx, words)
        for base, slop, boost in (("title", 2, W_PROX[0]), ("body", 1, W_PROX[1]))
        if boost
    ]
    return {"bool": {"should": subs}} if subs else None


def _pairs(ctx: QueryContext, pq: ParsedQuery) -> Q | None:
    weights = W_PAIR_MARKED if has_marks(ctx, pq) else W_PAIR
    if not any(weights):
        return None
    words = _words(pq)
    pairs = list(dict.fromkeys(
        f"{a.text} {b.text}" for a, b in zip(words, words[1:], strict=False)))[:MAX_PAIRS]
    subs = [
        _phrase(f"{base}_{suffix}", text, boost)
        for suffix in _suffixes(ctx, words)
        for text in pairs
        for base, boost in (("title", weights[0]), ("body", weights[1]))
        if boost
    ]
    return {"bool": {"should": subs}} if subs else None
