"""The second-stage BM25 of long queries on OpenSearch (backends/bm25.py, as on tantivy).

The top RERANK_DEPTH hits come back with their `_source`; their title and body are re-analysed
with our analyzers (the cluster's analyzers hold the very same tokens: mapping.py). What Lucene
itself used, in one `_msearch` (with the cluster-wide statistics of dfs_query_then_fetch when the
backend ranks with them): a field's BM25 parameters, average length and number of documents
from the explanation of one `term` query's first hit, once per field and serving version; each
term's document frequency from a `term` query's count. Lucene's field statistics already count only the documents that hold a field, so the
family share correction of the tantivy backend (fieldstats.py) is not needed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...search.parse import ParsedQuery
from ..bm25 import RERANK_DEPTH, RERANK_MAX_CHARS, Counts, TermStat, counts, delta, idf
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


@dataclass(frozen=True)
class FieldStat:
    """How Lucene scores a field: read once per serving version from one explanation."""

    boost: float  # applied to a query of boost 1: k1 + 1 with OpenSearch's legacy BM25
    k1: float
    b: float
    avgdl: float
    docs: int  # documents that have the field (Lucene's N)


def explain_line(field: str, token: str) -> dict[str, Any]:
    """A term query whose first hit's explanation holds the field's statistics and the
    term's document frequency."""
    return {"size": 1, "_source": False, "explain": True, "track_total_hits": True,
            "query": {"term": {field: token}}}


def count_line(field: str, token: str) -> dict[str, Any]:
    """A term query counting the documents that hold the term (its document frequency)."""
    return {"size": 0, "track_total_hits": True, "query": {"term": {field: token}}}


def read_field(resp: dict[str, Any]) -> FieldStat | None:
    """The field statistics in an explain_line's answer; None when no document holds its term."""
    hits = resp.get("hits", {}).get("hits", [])
    if not hits or "_explanation" not in hits[0]:
        return None
    expl = hits[0]["_explanation"]
    values = {key: _find(expl, key) for key in ("boost", "k1", "b", "avgdl", "N")}
    if any(v is None for v in values.values()):
        return None
    return FieldStat(values["boost"], values["k1"], values["b"],  # type: ignore[arg-type]
                     values["avgdl"], int(values["N"]))  # type: ignore[arg-type]


def read_count(resp: dict[str, Any]) -> int:
    return int(resp.get("hits", {}).get("total", {}).get("value", 0))


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


def term_stats(terms: list[Key], fields: Mapping[str, FieldStat],
               df: Mapping[tuple[str, str], int]) -> dict[Key, TermStat]:
    """Per (field, token, boost): Lucene's scoring of it and the wanted one (same scale)."""
    out: dict[Key, TermStat] = {}
    for fname, token, boost in terms:
        fs, n = fields.get(fname), df.get((fname, token), 0)
        if fs is None or not n:
            continue
        # Lucene: score = boost * idf * freq / (freq + norm) = w * bm25_tf (with k1 + 1)
        w = boost * fs.boost * idf(fs.docs, n) / (fs.k1 + 1)
        out[(fname, token, boost)] = TermStat(w, fs.k1, fs.b, fs.avgdl, w, fs.avgdl)
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
