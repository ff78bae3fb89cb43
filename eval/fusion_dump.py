"""Dump, once per question, the two lists a fused search combines, for tuning fusion offline.

    python eval/fusion_dump.py --work DIR [--limit N] [--sets en-vi,vi-vi,cacm,lareqa-en,...]

For each set, every question's keyword top-100 (ids and scores, exactly as search/hybrid.py asks
the backend: every word required, any word when none has them all) and top-100 by meaning (ids
and best-passage cosine, no similarity floor), the share of the question's words the index holds
at all, and the judgements, go to DIR/dumps/<set>.json. The indexes and vectors are those
eval/semantic_xquad.py builds in DIR (`--work`); query vectors are kept in DIR/queries.npz so a
question is embedded once whatever the sets. eval/fusion_tune.py reads the dumps.

Sets: Q-D (questions of XQuAD-R language Q against the sentences of D), cacm, and lareqa-Q
(questions of Q against the pool of en, vi, de and zh sentences; every parallel answer relevant).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))

import semantic_xquad as sx  # noqa: E402

from searchapp.embed import SemanticSettings  # noqa: E402
from searchapp.search.engine import Engine  # noqa: E402
from searchapp.search.hybrid import known_share  # noqa: E402
from searchapp.search.request import Matches, SearchRequest  # noqa: E402
from searchapp.search.semantic import SemanticIndex  # noqa: E402

DEPTH = 100


def keyword_list(engine: Engine, text: str) -> list[tuple[str, float]]:
    """The keyword side of a fused search (hybrid.py): every word, else any word."""
    pq = engine.parse(text)
    req = SearchRequest(text, page_size=DEPTH, prefix_last=False, semantic=False, facets=False)
    found = engine.backend.run(req, pq, match_all_words=True)
    if found is not None and found.total == 0 and len(pq.positive) > 1:
        loose = engine.backend.run(req, pq, match_all_words=False)
        if loose is not None and loose.total:
            found = loose
    found = found or Matches(0, [])
    return [(d.id, round(float(d.score), 5)) for d in found.docs]


def dump_set(work: Path, name: str, cache: sx.QueryCache, limit: int | None) -> Path:
    root, queries, qrels, qlang = sx.collection(work, name, limit)
    engine = Engine(root)
    semantic = SemanticIndex(root, SemanticSettings.from_env({"SEARCHAPP_SEMANTIC_MIN_SCORE": "-1"}),
                             embedder=cache)
    version = engine.backend.version()
    langs = {}
    out = {"set": name, "qlang": qlang, "qrels": {}, "questions": []}
    for q in qrels:
        out["qrels"].setdefault(q.query_id, {})[q.doc_id] = q.relevance
    for qid, text in queries.items():
        pq = engine.parse(text)
        found = semantic.search(version, SearchRequest(text), pq, k=DEPTH) or []
        for v in found:
            langs[v.id] = v.lang
        out["questions"].append({
            "id": qid, "text": text, "share": known_share(engine, pq, semantic.word_counts),
            "words": keyword_list(engine, text),
            "meaning": [(v.id, round(v.score, 5)) for v in found],
        })
    out["langs"] = langs
    path = work / "dumps" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    cache.save()
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--sets", default="en-en,vi-vi,de-de,zh-zh,cacm,en-vi,en-zh,en-de,"
                                      "lareqa-en,lareqa-vi,lareqa-de,lareqa-zh")
    args = ap.parse_args()
    cache = sx.QueryCache(args.work / "queries.npz", floor=-1.0)
    for name in args.sets.split(","):
        print(dump_set(args.work, name, cache, args.limit), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
