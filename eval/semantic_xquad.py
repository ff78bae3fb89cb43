"""Cross-language and same-language retrieval on XQuAD-R: keyword-only vs by meaning vs fused.

    python eval/semantic_xquad.py [--limit N] [--articles N] [--pairs en-vi,en-zh] [--work DIR]

For each pair Q-D, the questions of language Q (first N) are searched against the sentences of
language D (all of them: ~1,200, one document each, indexed by searchapp's indexer), judged by
XQuAD-R's qrels of D (the sentence holding the answer). The vectors are computed by the real
embed job (`index/embedjob.run_embed`, the bundled model) and the three runs go through the real
Engine: keyword-only (semantic=False), by meaning alone (search/semantic.py, no similarity floor)
and fused (semantic=True, the default floor). Measure: nDCG@10 (ir-measures).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))

import ir_measures  # noqa: E402
import run_eval  # noqa: E402
from ir_measures import nDCG  # noqa: E402

from searchapp.embed import SemanticSettings  # noqa: E402
from searchapp.index.build import build_index  # noqa: E402
from searchapp.index.embedjob import run_embed  # noqa: E402
from searchapp.search.engine import Engine  # noqa: E402
from searchapp.search.parse import parse  # noqa: E402
from searchapp.search.request import SearchRequest  # noqa: E402
from searchapp.search.semantic import SemanticIndex  # noqa: E402

K = 10


def ranked(search, queries: dict[str, str]) -> list[ir_measures.ScoredDoc]:  # type: ignore[no-untyped-def]
    out = []
    for qid, text in queries.items():
        ids = search(text)[:K]
        out.extend(ir_measures.ScoredDoc(qid, d, float(len(ids) - i)) for i, d in enumerate(ids))
    return out


def in_articles(doc_id: str, articles: int | None) -> bool:
    """a12p3s4 is in article 12: kept when articles is None or 12 < articles."""
    return articles is None or int(doc_id[1:].split("p")[0]) < articles


def corpus(folder: Path, work: Path, dlang: str, articles: int | None) -> Path:
    """The sentences of the first `articles` XQuAD articles (all of them by default)."""
    if articles is None:
        return folder / "corpus.jsonl"
    out = work / f"{dlang}-corpus" / "corpus.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(x for x in lines if in_articles(json.loads(x)["id"], articles))
                   + "\n", encoding="utf-8")
    return out


def pair(work: Path, qlang: str, dlang: str, limit: int | None,
         articles: int | None = None) -> dict[str, float]:
    folder = run_eval.CORPORA / "xquad-r" / dlang
    root = work / dlang
    if not (root / "CURRENT").exists():
        build_index(root, [corpus(folder, work, dlang, articles)])
    settings = SemanticSettings.from_env({"SEARCHAPP_SEMANTIC_PASSAGES": "0"})
    t0 = time.perf_counter()
    prog = run_embed(root, settings)
    embed_s = time.perf_counter() - t0
    qrels = [q for q in run_eval.judged(folder / "qrels.txt") if in_articles(q.doc_id, articles)]
    queries = run_eval.read_queries(run_eval.CORPORA / "xquad-r" / qlang / "queries.tsv", limit)
    queries = {k: v for k, v in queries.items() if k in {q.query_id for q in qrels}}
    qrels = [q for q in qrels if q.query_id in queries]
    fused_engine = Engine(root, semantic=SemanticIndex(root, settings))
    floorless = SemanticIndex(root, SemanticSettings.from_env({"SEARCHAPP_SEMANTIC_MIN_SCORE": "-1"}))
    version = fused_engine.backend.version()

    def words(text: str) -> list[str]:
        req = SearchRequest(text, page_size=K, prefix_last=False, semantic=False)
        return [h.id for h in fused_engine.search(req).hits]

    def meaning(text: str) -> list[str]:
        found = floorless.search(version, SearchRequest(text), parse(text), k=K) or []
        return [v.id for v in found]

    def fused(text: str) -> list[str]:
        req = SearchRequest(text, page_size=K, prefix_last=False, semantic=True)
        return [h.id for h in fused_engine.search(req).hits]

    out: dict[str, float] = {"questions": len(queries), "sentences": prog.documents,
                             "embedded": prog.new, "embed_s": embed_s}
    for name, fn in (("words", words), ("meaning", meaning), ("fused", fused)):
        t0 = time.perf_counter()
        agg = ir_measures.calc_aggregate([nDCG @ K], qrels, ranked(fn, queries))
        out[name] = agg[nDCG @ K]
        out[f"{name}_ms"] = (time.perf_counter() - t0) * 1000 / max(1, len(queries))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", default="en-vi,en-zh,en-de")
    ap.add_argument("--limit", type=int, default=None, help="first N questions")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--articles", type=int, default=None,
                    help="only the sentences (and questions) of the first N of the 48 articles")
    args = ap.parse_args()
    if not (run_eval.CORPORA / "xquad-r").exists():
        print("skipped: ../shared/corpora/xquad-r not found")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        print("| questions → sentences | questions | nDCG@10 words | meaning | fused | "
              "ms/q words | fused | sentences embedded (s) |\n|---|---|---|---|---|---|---|---|",
              flush=True)
        for p in args.pairs.split(","):
            q, d = p.split("-")
            r = pair(work, q, d, args.limit, args.articles)
            print(f"| {q} → {d} | {r['questions']:.0f} | {r['words']:.3f} | {r['meaning']:.3f} | "
                  f"{r['fused']:.3f} | {r['words_ms']:.1f} | {r['fused_ms']:.1f} | "
                  f"{r['embedded']:.0f} ({r['embed_s']:.0f}) |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
