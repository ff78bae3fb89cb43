"""The second-stage BM25 of long queries on OpenSearch (backends/bm25.py, as on tantivy).

The top RERANK_DEPTH hits come back with their `_source`; their title and body are re-analysed
with our analyzers (the cluster's analyzers hold the very same tokens: mapping.py). Each term's
document frequency, the documents that have its field and the field's average length are what
Lucene itself used: read from the explanation of one `term` query per (field, token), all in one
`_msearch` (with the cluster-wide statistics of dfs_query_then_fetch when the backend ranks with
them). Lucene's field statistics already count only the documents that hold a field, so the
family share correction of the tantivy backend (fieldstats.py) is not needed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...search.parse import ParsedQuery
from ..bm25 import RERANK_DEPTH, RERANK_MAX_CHARS, Counts, TermStat, counts, delta
from ..tantivy.weights import LONG_QUERY_WORDS, W_EXACT, W_EXACT_MARKED
from .compile import QueryContext, _informative, has_marks
from .mapping import stem_langs

Key = tuple[str, str, float]  # (field, token, boost)
STEMMED = frozenset(stem_langs())
# Lucene stores a field's length in one byte (SmallFloat.intToByte4): exact below 24 tokens
_FREE = 24


def scoring_terms(ctx: QueryContext, pq: ParsedQuery) -> list[Key]:
    """(field, token, boost) of every one-token term query `compile.build` makes on the exact
    and accent-free fields of a long query's informative words."""
    az = ctx.analyzers
    marked = has_marks(ctx, pq)
    w_exact = W_EXACT_MARKED if marked else W_EXACT
    clauses = pq.positive
    if len(clauses) >= LONG_QUERY_WORDS:
        clauses = [c for c in clauses if _informative(ctx, c)] or clauses
    out: list[Key] = []
    for clause in clauses:
        for t in clause.terms:
            if t.phrase:
                continue
            exact = az.exact(t.text)
            families = ctx.families(t.text, marked)
            bases = ("title",) if t.field == "title" else ("title", "body")
            for w, base in enumerate(bases):
                if len(exact) == 1:
                    out.append((base, exact[0], w_exact[w]))
                for suffix, tokens, weights in families:
                    if len(tokens) == 1:
                        out.append((f"{base}_{suffix}", tokens[0], weights[w]))
    return list(dict.fromkeys(out))


def stats_queries(terms: list[Key]) -> list[tuple[str, str]]:
    """The distinct (field, token) pairs whose statistics are asked."""
    return list(dict.fromkeys((f, t) for f, t, _ in terms))


def stat_line(field: str, token: str) -> dict[str, Any]:
    return {"size": 1, "_source": False, "explain": True, "query": {"term": {field: token}}}


def read_stat(resp: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """(boost * idf, k1, b, avgdl) of a term from the explanation of its first hit (boost as
    Lucene applied it to a query of boost 1: k1 + 1 with OpenSearch's legacy BM25); None
    when no document holds the term."""
    hits = resp.get("hits", {}).get("hits", [])
    if not hits or "_explanation" not in hits[0]:
        return None
    expl = hits[0]["_explanation"]
    values = {key: _find(expl, key) for key in ("boost", "idf", "k1", "b", "avgdl")}
    if any(v is None for v in values.values()):
        return None
    return (values["boost"] * values["idf"], values["k1"], values["b"],  # type: ignore[operator]
            values["avgdl"])  # type: ignore[return-value]


def _find(node: dict[str, Any], key: str) -> float | None:
    desc = str(node.get("description", ""))
    if desc == key or desc.startswith(key + ",") or desc.startswith(key + " "):
        return float(node["value"])
    for child in node.get("details") or []:
        if (v := _find(child, key)) is not None:
            return v
    return None


def lucene_length(n: int) -> int:
    """A field length as Lucene decodes it from its one-byte norm."""
    if n < _FREE:
        return n
    i = n - _FREE
    bits = i.bit_length()
    if bits >= 4:
        shift = bits - 4
        i = ((i >> shift) & 0x07 | 0x08) << shift
    return _FREE + i


def term_stats(terms: list[Key], read: Callable[[str, str], tuple[float, float, float, float] | None]
               ) -> dict[Key, TermStat]:
    """Per (field, token, boost): Lucene's scoring of it and the wanted one (same scale)."""
    out: dict[Key, TermStat] = {}
    for fname, token, boost in terms:
        got = read(fname, token)
        if got is None:
            continue
        weight, k1, b, avgdl = got
        w = boost * weight / (k1 + 1)  # score = w * bm25_tf: (k1 + 1) * freq / (freq + norm)
        out[(fname, token, boost)] = TermStat(w, k1, b, avgdl, w, avgdl)
    return out


def rerank(az: Any, terms: list[Key], stats: dict[Key, TermStat],
           hits: list[tuple[float, dict[str, Any]]]) -> list[tuple[float, dict[str, Any]]]:
    """hits [(score, _source)] with the first RERANK_DEPTH rescored and re-sorted (az: the
    Analyzers)."""
    top = hits[:RERANK_DEPTH]
    if not terms or not stats or not top:
        return hits
    if sum(len(s.get("title") or "") + len(s.get("body") or "") for _, s in top) > RERANK_MAX_CHARS:
        return hits
    wanted = {f for f, _, _ in terms}
    out = []
    for score, src in top:
        lang = src.get("lang") or ""
        family = f"stem_{lang}" if lang in STEMMED else "fold"
        got: dict[str, tuple[Any, int]] = {}
        for base in ("title", "body"):
            text = src.get(base) or ""
            if not text:
                continue
            if base in wanted:
                got[base] = counts(az.exact(text))
            if f"{base}_{family}" in wanted:
                got[f"{base}_{family}"] = counts(
                    az.stem(lang, text) if lang in STEMMED else az.fold(text))
        cnt: Counts = got
        stored = {f: float(lucene_length(n)) for f, (_, n) in got.items()}
        out.append((score + delta(terms, cnt, stats, stored), src))
    out.sort(key=lambda h: -h[0])
    return out + hits[RERANK_DEPTH:]
