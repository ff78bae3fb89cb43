"""Ranking regression: a subset of the evaluation collections, with floors a little under the
figures measured by eval/run_eval.py (eval/RESULTS.md). Runs through the normal search path."""

from __future__ import annotations

import json
from pathlib import Path

import ir_measures
import pytest

from eval.run_eval import COLLECTIONS, CORPORA, judged, read_queries, run_queries, strip_marks
from searchapp.index.build import build_index
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest

from .conftest import corpus_path

SUBSET = 300
# (collection, variant) -> floor for nDCG@10 on the first SUBSET judged queries.
FLOORS = {  # measured on this subset: 0.4915, 0.8581, 0.8752, 0.8805, 0.7772, 0.8374
    ("cacm", ""): 0.48,
    ("xquad-en", ""): 0.845,
    ("xquad-vi", ""): 0.86,
    ("xquad-vi", "no diacritics"): 0.865,
    ("xquad-de", ""): 0.76,
    ("xquad-zh", ""): 0.82,
}
CACM_MAP_FLOOR = 0.325  # measured 0.3319; published Lucene BM25 0.3123


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Engine]:
    corpus_path("xquad-r", "en", "corpus.jsonl")  # skip cleanly without ../shared
    root = tmp_path_factory.mktemp("relevance")
    engines = {}
    for name in {c for c, _ in FLOORS}:
        build_index(root / name, [CORPORA / COLLECTIONS[name].folder / "corpus.jsonl"])
        engines[name] = Engine(root / name)
    return engines


def measure(engine: Engine, name: str, transform=None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    folder = CORPORA / COLLECTIONS[name].folder
    qrels = judged(folder / "qrels.txt")
    ids = {q.query_id for q in qrels}
    queries = {k: v for k, v in read_queries(folder / "queries.tsv").items() if k in ids}
    queries = dict(list(queries.items())[:SUBSET])
    run = run_queries(engine, queries, transform)
    measures = [ir_measures.nDCG @ 10, ir_measures.AP]
    return ir_measures.calc_aggregate(measures, [q for q in qrels if q.query_id in queries], run)


@pytest.mark.parametrize(("name", "variant"), sorted(FLOORS))
def test_ndcg_floor(indexes: dict[str, Engine], name: str, variant: str) -> None:
    agg = measure(indexes[name], name, strip_marks if variant else None)
    ndcg = agg[ir_measures.nDCG @ 10]
    assert ndcg >= FLOORS[(name, variant)], f"{name} {variant}: nDCG@10 {ndcg:.4f}"
    if name == "cacm":
        assert agg[ir_measures.AP] >= CACM_MAP_FLOOR, f"CACM MAP {agg[ir_measures.AP]:.4f}"


def test_answers_do_not_depend_on_file_split(indexes: dict[str, Engine], tmp_path: Path) -> None:
    """The same documents as one .jsonl file or spread over many files rank the same."""
    src = CORPORA / COLLECTIONS["xquad-en"].folder / "corpus.jsonl"
    lines = src.read_text(encoding="utf-8").splitlines()
    split = tmp_path / "split"
    (split / "sub").mkdir(parents=True)
    for line in lines[:40]:  # some as single-record .json files, in a subfolder
        doc = json.loads(line)
        (split / "sub" / f"{doc['id']}.json").write_text(json.dumps(doc), "utf-8")
    rest = lines[40:]
    for i in range(0, len(rest), 97):
        (split / f"part{i:05d}.jsonl").write_text("\n".join(rest[i : i + 97]) + "\n", "utf-8")
    build_index(tmp_path / "idx", [split])
    split_engine = Engine(tmp_path / "idx")
    folder = CORPORA / COLLECTIONS["xquad-en"].folder
    queries = list(read_queries(folder / "queries.tsv").values())[:100]
    same = 0
    for text in queries:
        a = indexes["xquad-en"].search(SearchRequest(text, prefix_last=False)).hits
        b = split_engine.search(SearchRequest(text, prefix_last=False)).hits
        # Equal scores may swap places (documents are spread over indexing threads), so the
        # scores must agree and so must the documents above the lowest score shown.
        sa, sb = [round(h.score, 4) for h in a], [round(h.score, 4) for h in b]
        cut = min(sa[-1:] + sb[-1:], default=0.0)
        above_a = {(round(h.score, 4), h.id) for h in a if round(h.score, 4) > cut}
        above_b = {(round(h.score, 4), h.id) for h in b if round(h.score, 4) > cut}
        same += sa == sb and above_a == above_b
    assert same == len(queries), f"only {same}/100 queries rank the same"
