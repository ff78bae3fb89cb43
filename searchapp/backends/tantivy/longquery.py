"""Long queries (natural-language questions): any word may match; stop words and words found in
most documents are left out of matching and of the rerank."""

from __future__ import annotations

import math

from tantivy import Occur, Query

from ...search.parse import Clause, ParsedQuery
from .context import QueryContext, has_marks
from .schema import exact_fields
from .weights import (
    COMMON_MIN_DOCS,
    DROP_DF_IN_LONG,
    DROP_STOPWORDS_IN_LONG,
    LONG_QUERY_WORDS,
    MIN_SHOULD_MATCH,
    W_EXACT,
    W_EXACT_MARKED,
)


def any_of(queries: list[Query], at_least: int | None = None) -> Query:
    return Query.boolean_query([(Occur.Should, q) for q in queries], at_least)


def required(
    ctx: QueryContext, sources: list[Clause], clauses: list[Query]
) -> list[tuple[Occur, Query]]:
    """Every word must match in short queries. A long query (LONG_QUERY_WORDS or more words,
    typically a natural-language question) matches documents with any of its words, ranked by
    how many and how rare; its stop words and words found in most documents are left out."""
    if len(clauses) < LONG_QUERY_WORDS:
        return [(Occur.Must, q) for q in clauses]
    keep = [q for c, q in zip(sources, clauses, strict=True) if _informative(ctx, c)] or clauses
    need = math.ceil(MIN_SHOULD_MATCH * len(keep))
    return [(Occur.Must, any_of(keep, need if need > 1 else None))]


def kept_clauses(ctx: QueryContext, pq: ParsedQuery) -> list[Clause]:
    """The positive clauses a long query is scored on (stop words and very common words left
    out, as in `required`); every positive clause of a short one."""
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
