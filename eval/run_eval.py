"""Relevance evaluation through the app's own indexer and search path.

    python eval/run_eval.py [--collections cacm,xquad-en,...] [--limit N] [--write-results]
    python eval/run_eval.py --backend opensearch     # the same on a cluster (SEARCHAPP_OPENSEARCH_URL)

Each collection is indexed with searchapp's normal indexer, every query runs through
Engine.search exactly as the web app runs it (query parsing, all-words matching with its
fallback, ranking), and ir-measures computes nDCG@10, MAP and Recall@100. Vietnamese queries
are also run with every diacritic stripped, as typed on a plain keyboard.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import ir_measures
from ir_measures import MAP, R, nDCG

from searchapp.backends import discard
from searchapp.index.build import build_index
from searchapp.index.layout import IndexLayout
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest

CORPORA = Path(os.environ.get("SEARCHAPP_CORPORA", REPO.parent / "shared" / "corpora"))
MEASURES = [nDCG @ 10, MAP, R @ 100]
DEPTH = 100


@dataclass(frozen=True)
class Collection:
    name: str
    folder: str
    lang: str


COLLECTIONS = {
    "cacm": Collection("cacm", "cacm", "en"),
    "xquad-en": Collection("xquad-en", "xquad-r/en", "en"),
    "xquad-vi": Collection("xquad-vi", "xquad-r/vi", "vi"),
    "xquad-de": Collection("xquad-de", "xquad-r/de", "de"),
    "xquad-zh": Collection("xquad-zh", "xquad-r/zh", "zh"),
}


def strip_marks(text: str) -> str:
    """Every diacritic removed, đ -> d: a query typed without Vietnamese input method."""
    nfd = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in nfd if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", bare).replace("đ", "d").replace("Đ", "D")


def read_queries(path: Path, limit: int | None = None) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            qid, text = line.split("\t", 1)
            out[qid] = text
    return dict(list(out.items())[:limit]) if limit else out


def judged(qrels_path: Path) -> list[ir_measures.Qrel]:
    return list(ir_measures.read_trec_qrels(str(qrels_path)))


def run_queries(engine: Engine, queries: dict[str, str], transform=None) -> list[ir_measures.ScoredDoc]:  # type: ignore[no-untyped-def]
    run = []
    for qid, text in queries.items():
        page = engine.search(
            SearchRequest(query=transform(text) if transform else text, page_size=DEPTH, prefix_last=False)
        )
        n = len(page.hits)
        for rank, hit in enumerate(page.hits):
            run.append(ir_measures.ScoredDoc(qid, hit.id, float(n - rank)))
    return run


def evaluate(name: str, work: Path, limit: int | None = None) -> list[dict[str, object]]:
    """Rows of figures for one collection (and its diacritic-free variant for Vietnamese)."""
    coll = COLLECTIONS[name]
    folder = CORPORA / coll.folder
    index_root = work / name
    if os.environ.get("SEARCHAPP_BACKEND") == "opensearch":  # an alias per collection
        os.environ["SEARCHAPP_OPENSEARCH_INDEX"] = f"eval-{name}"
    started = time.perf_counter()
    if not (index_root / "CURRENT").exists():
        build_index(index_root, [folder / "corpus.jsonl"])
    index_s = time.perf_counter() - started
    engine = Engine(index_root)
    qrels = judged(folder / "qrels.txt")
    queries = read_queries(folder / "queries.tsv", limit)
    judged_ids = {q.query_id for q in qrels}
    queries = {k: v for k, v in queries.items() if k in judged_ids}
    variants = [("", None)] + ([("no diacritics", strip_marks)] if coll.lang == "vi" else [])
    rows = []
    for label, transform in variants:
        t0 = time.perf_counter()
        run = run_queries(engine, queries, transform)
        q_ms = (time.perf_counter() - t0) * 1000 / max(1, len(queries))
        agg = ir_measures.calc_aggregate(MEASURES, [q for q in qrels if q.query_id in queries], run)
        rows.append(
            {
                "collection": name + (f" ({label})" if label else ""),
                "queries": len(queries),
                "nDCG@10": agg[nDCG @ 10],
                "MAP": agg[MAP],
                "R@100": agg[R @ 100],
                "ms/query": q_ms,
                "index_s": index_s,
            }
        )
    return rows


def table(rows: list[dict[str, object]]) -> str:
    head = "| collection | queries | nDCG@10 | MAP | R@100 | ms/query |\n|---|---|---|---|---|---|"
    lines = [
        f"| {r['collection']} | {r['queries']} | {r['nDCG@10']:.4f} | {r['MAP']:.4f} | "
        f"{r['R@100']:.4f} | {r['ms/query']:.1f} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--collections", default=",".join(COLLECTIONS))
    ap.add_argument("--limit", type=int, default=None, help="first N queries of each collection")
    ap.add_argument("--work", type=Path, default=None, help="keep indexes here (default: temp)")
    ap.add_argument("--backend", choices=("tantivy", "opensearch"), default=None,
                    help="search backend (default: SEARCHAPP_BACKEND, else tantivy)")
    args = ap.parse_args()
    if args.backend:
        os.environ["SEARCHAPP_BACKEND"] = args.backend
    if not CORPORA.exists():
        print(f"skipped: {CORPORA} not found (the corpora live beside the repository)")
        return 0
    os.environ.setdefault("RUST_BACKTRACE", "0")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        rows = []
        for name in args.collections.split(","):
            rows.extend(evaluate(name.strip(), work, args.limit))
            print(table(rows[-2:] if name.endswith("vi") else rows[-1:]).splitlines()[-1], flush=True)
            if args.work is None:  # a cluster keeps its indexes: drop the temporary ones
                discard(work / name, IndexLayout(work / name).list_versions(), serving_too=True)
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
