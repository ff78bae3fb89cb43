"""Search by meaning on XQuAD-R, CACM and LAReQA's pooled task: keyword-only vs by meaning vs fused.

    python eval/semantic_xquad.py [--limit N] [--articles N] [--sets en-vi,cacm,lareqa-en] [--work DIR]
                                  [--half tune|test]

Sets:
- Q-D: the questions of XQuAD-R language Q (first N) against the sentences of language D (all of
  them: ~1,200, one document each, indexed by searchapp's indexer), judged by XQuAD-R's qrels of
  D (the sentence holding the answer). Measure: nDCG@10.
- cacm: CACM's 52 judged queries against its 3,204 documents. nDCG@10 and MAP (depth 100).
  Vectors of each document's title and lead only (CACM_PASSAGES).
- lareqa-Q: LAReQA's own task (Roy et al. 2020): the sentences of en, vi, de and zh in ONE pool
  (ids prefixed by language, `vi:a12p3s4`), the questions of Q, the answer sentence in every
  one of the four languages relevant. Measure: mAP@20 (average precision over the top 20,
  divided by the number of relevant sentences, 4: trec_eval's map_cut_20).
The vectors are computed by the real embed job (`index/embedjob.run_embed`, the bundled model,
every passage; the pool reuses the per-language vector caches, so it embeds nothing new) and the
three runs go through the real Engine: keyword-only (semantic=False), by meaning alone
(search/semantic.py, no similarity floor) and fused (semantic=True, the default floor).
Query vectors are kept in DIR/queries.npz (QueryCache): a question is embedded once for every
set and run (eval/fusion_dump.py shares the file). `--half tune|test` keeps the questions whose id hashes to that half (the split the fusion was
tuned on, eval/fusion_tune.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))

import ir_measures  # noqa: E402
import numpy as np  # noqa: E402
import run_eval  # noqa: E402
from ir_measures import AP, MAP, nDCG  # noqa: E402

from searchapp.embed import Embedder, SemanticSettings, open_embedder  # noqa: E402
from searchapp.embed.store import CACHE_DIR  # noqa: E402
from searchapp.index.build import build_index  # noqa: E402
from searchapp.index.embedjob import run_embed  # noqa: E402
from searchapp.search.engine import Engine  # noqa: E402
from searchapp.search.parse import parse  # noqa: E402
from searchapp.search.request import SearchRequest  # noqa: E402
from searchapp.search.semantic import SemanticIndex  # noqa: E402

POOL = ("en", "vi", "de", "zh")
# CACM's abstracts are embedded by their title and lead only (the first passage of each, what a
# new index has first): every passage (6,239) took longer than the machine had (eval/RESULTS.md)
CACM_PASSAGES = 1
XQUAD = run_eval.CORPORA / "xquad-r"


def measures(name: str) -> list:  # type: ignore[type-arg]
    """What a set is judged by."""
    if name == "cacm":
        return [nDCG @ 10, MAP]
    if name.startswith("lareqa-"):
        return [AP @ 20]
    return [nDCG @ 10]


def depth(name: str) -> int:
    return 100 if name == "cacm" else 20 if name.startswith("lareqa-") else 10


def in_half(qid: str, half: str | None) -> bool:
    """A fixed split of the questions by a hash of their id: 'tune' or 'test' (None: all)."""
    if half is None:
        return True
    odd = hashlib.blake2b(qid.encode(), digest_size=2).digest()[0] & 1
    return (half == "tune") == (odd == 0)


def in_articles(doc_id: str, articles: int | None) -> bool:
    """a12p3s4 is in article 12: kept when articles is None or 12 < articles."""
    return articles is None or int(doc_id.split(":")[-1][1:].split("p")[0]) < articles


def _corpus(work: Path, name: str, articles: int | None) -> Path:
    """The corpus file of an index root: XQuAD-R sentences of one language (of the first
    `articles` articles), the pool of four languages, or CACM."""
    if name == "cacm":
        return run_eval.CORPORA / "cacm" / "corpus.jsonl"
    langs = POOL if name == "pool" else (name,)
    if articles is None and name != "pool":
        return XQUAD / name / "corpus.jsonl"
    out = work / f"{name}-corpus" / "corpus.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for lang in langs:
            for line in (XQUAD / lang / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
                doc = json.loads(line)
                if not in_articles(doc["id"], articles):
                    continue
                if name == "pool":
                    doc["id"] = f"{lang}:{doc['id']}"
                fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return out


def _seed_pool_cache(work: Path) -> None:
    """The pool's vector cache: copies of the per-language caches (the same sentences)."""
    n = 0
    for lang in POOL:
        for model in sorted((work / lang / CACHE_DIR).glob("*")):
            dest = work / "pool" / CACHE_DIR / model.name
            dest.mkdir(parents=True, exist_ok=True)
            for f in sorted(model.glob("[0-9]*.npz")):
                n += 1
                shutil.copy(f, dest / f"{n:06d}.npz")


def index_root(work: Path, name: str, articles: int | None = None) -> tuple[Path, dict[str, float]]:
    """The index root of `name` (a language, cacm or pool), built and embedded if needed."""
    root = work / name
    if not (root / "CURRENT").exists():
        if name == "pool":
            for lang in POOL:
                index_root(work, lang, articles)
            _seed_pool_cache(work)
        build_index(root, [_corpus(work, name, articles)])
    passages = str(CACM_PASSAGES) if name == "cacm" else "0"
    settings = SemanticSettings.from_env({"SEARCHAPP_SEMANTIC_PASSAGES": passages})
    t0 = time.perf_counter()
    prog = run_embed(root, settings)
    return root, {"sentences": prog.documents, "embedded": prog.new,
                  "embed_s": time.perf_counter() - t0}


def collection(work: Path, name: str, limit: int | None, articles: int | None = None,
               half: str | None = None) -> tuple[Path, dict[str, str], list[ir_measures.Qrel], str]:
    """(index root, questions, judgements, question language) of a set."""
    if name == "cacm":
        folder, qlang, root_name = run_eval.CORPORA / "cacm", "en", "cacm"
        qrels = run_eval.judged(folder / "qrels.txt")
        qfile = folder / "queries.tsv"
    elif name.startswith("lareqa-"):
        qlang, root_name = name.split("-", 1)[1], "pool"
        qrels = [ir_measures.Qrel(q.query_id, f"{lang}:{q.doc_id}", q.relevance)
                 for lang in POOL for q in run_eval.judged(XQUAD / lang / "qrels.txt")
                 if in_articles(q.doc_id, articles)]
        qfile = XQUAD / qlang / "queries.tsv"
    else:
        qlang, root_name = name.split("-")
        qrels = [q for q in run_eval.judged(XQUAD / root_name / "qrels.txt")
                 if in_articles(q.doc_id, articles)]
        qfile = XQUAD / qlang / "queries.tsv"
    root, _ = index_root(work, root_name, articles)
    judged = {q.query_id for q in qrels}
    queries = {k: v for k, v in run_eval.read_queries(qfile, None).items()
               if k in judged and in_half(k, half)}
    if limit:
        queries = dict(list(queries.items())[:limit])
    return root, queries, [q for q in qrels if q.query_id in queries], qlang


class QueryCache:
    """The bundled embedder with its query vectors kept in a file (text -> vector), so a
    question is embedded once across sets and runs; `floor` is the similarity floor it
    reports (the model's by default)."""

    def __init__(self, path: Path, floor: float | None = None,
                 known: dict[str, np.ndarray] | None = None, inner: Embedder | None = None) -> None:
        self.path = path
        self.inner = inner or open_embedder(SemanticSettings.from_env())
        self.key, self.dim = self.inner.key, self.inner.dim
        self.min_similarity = self.inner.min_similarity if floor is None else floor
        self.known: dict[str, np.ndarray] = {} if known is None else known
        if known is None and path.exists():
            with np.load(path) as data:
                self.known.update(zip(data["texts"].tolist(), data["vectors"], strict=True))
        self.new = 0

    def with_floor(self, floor: float) -> QueryCache:
        """The same cache and model, reporting another similarity floor."""
        return QueryCache(self.path, floor, self.known, self.inner)

    def queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.known]
        if missing:
            for t, v in zip(missing, self.inner.queries(missing), strict=True):
                self.known[t] = v
            self.new += len(missing)
            if self.new >= 200:
                self.save()
        return np.vstack([self.known[t] for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.passages(texts)

    def save(self) -> None:
        texts = list(self.known)
        if texts:
            np.savez(self.path, texts=np.array(texts),
                     vectors=np.vstack([self.known[t] for t in texts]))
        self.new = 0


def ranked(search, queries: dict[str, str], k: int) -> list[ir_measures.ScoredDoc]:  # type: ignore[no-untyped-def]
    out = []
    for qid, text in queries.items():
        ids = search(text)[:k]
        out.extend(ir_measures.ScoredDoc(qid, d, float(len(ids) - i)) for i, d in enumerate(ids))
    return out


def evaluate(work: Path, name: str, limit: int | None, articles: int | None = None,
             half: str | None = None, cache: QueryCache | None = None) -> dict[str, float]:
    root, queries, qrels, _ = collection(work, name, limit, articles, half)
    k = depth(name)
    settings = SemanticSettings.from_env({"SEARCHAPP_SEMANTIC_PASSAGES": "0"})
    cache = cache or QueryCache(work / "queries.npz")
    fused_engine = Engine(root, semantic=SemanticIndex(root, settings, embedder=cache))
    floorless = SemanticIndex(root, settings, embedder=cache.with_floor(-1.0))
    version = fused_engine.backend.version()

    def words(text: str) -> list[str]:
        req = SearchRequest(text, page_size=k, prefix_last=False, semantic=False)
        return [h.id for h in fused_engine.search(req).hits]

    def meaning(text: str) -> list[str]:
        found = floorless.search(version, SearchRequest(text), parse(text), k=k) or []
        return [v.id for v in found]

    def fused(text: str) -> list[str]:
        req = SearchRequest(text, page_size=k, prefix_last=False, semantic=True)
        return [h.id for h in fused_engine.search(req).hits]

    out: dict[str, float] = {"questions": len(queries)}
    for run_name, fn in (("words", words), ("meaning", meaning), ("fused", fused)):
        t0 = time.perf_counter()
        agg = ir_measures.calc_aggregate(measures(name), qrels, ranked(fn, queries, k))
        for m in measures(name):
            out[f"{run_name} {m}"] = agg[m]
        out[f"{run_name}_ms"] = (time.perf_counter() - t0) * 1000 / max(1, len(queries))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", "--pairs", default="en-vi,en-zh,en-de")
    ap.add_argument("--limit", type=int, default=None, help="first N questions")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--articles", type=int, default=None,
                    help="only the sentences (and questions) of the first N of the 48 articles")
    ap.add_argument("--half", choices=("tune", "test"), default=None)
    args = ap.parse_args()
    if not XQUAD.exists():
        print("skipped: ../shared/corpora/xquad-r not found")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        print("| set | measure | questions | words | meaning | fused | ms/q words | fused |\n"
              "|---|---|---|---|---|---|---|---|", flush=True)
        cache = QueryCache(work / "queries.npz")
        for name in args.sets.split(","):
            r = evaluate(work, name, args.limit, args.articles, args.half, cache)
            cache.save()
            for m in measures(name):
                print(f"| {name} | {m} | {r['questions']:.0f} | {r[f'words {m}']:.4f} | "
                      f"{r[f'meaning {m}']:.4f} | {r[f'fused {m}']:.4f} | "
                      f"{r['words_ms']:.1f} | {r['fused_ms']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
