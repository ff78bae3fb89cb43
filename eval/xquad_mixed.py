"""XQuAD paragraphs of five languages mixed in ONE index: ranking across translations.

    python eval/xquad_mixed.py [--limit N] [--langs en,vi,de,zh,ro] [--work DIR] [--failures en]

The 240 XQuAD paragraphs in en, vi, de, zh (../shared/corpora/xquad-r: its sentences joined
back into their paragraph, a<article>p<paragraph>) and ro (../shared/corpora/xquad-ro) — the
same paragraphs translated, sharing names and numbers — go into one index built by searchapp's
indexer (1,200 documents). Each language's 1,190 questions are searched as /api/search runs
them (web/params.search_request, then Engine.search: prefix matching of the last word as the
API does) and judged against the paragraph in the question's own language only; a translation
ranked above it is a miss. Measures: nDCG@10 and success@1 (ir-measures).

Plain: tantivy with its default tokenizer, one field, words OR-ed by parse_query
(eval/ntrex_known_item.Plain) over the same 1,200 documents.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))

import ir_measures  # noqa: E402
import run_eval  # noqa: E402
from ir_measures import RR, Success, nDCG  # noqa: E402
from ntrex_known_item import Plain  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from searchapp.web.params import search_request  # noqa: E402

LANGS = ("en", "vi", "de", "zh", "ro")
MEASURES = [nDCG @ 10, Success @ 1, RR @ 10]
K = 10
_SENTENCE = re.compile(r"s\d+$")


@dataclass(frozen=True)
class Mixed:
    """The documents of every language and, per language, its questions and judgements."""

    docs: list[dict[str, str]]
    queries: dict[str, dict[str, str]]  # lang -> {query id: text}
    qrels: dict[str, list[ir_measures.Qrel]]  # lang -> judgements on "<lang>-<paragraph>"


def folder(lang: str) -> Path:
    return run_eval.CORPORA / ("xquad-ro" if lang == "ro" else f"xquad-r/{lang}")


def available(langs: tuple[str, ...] = LANGS) -> bool:
    return all((folder(lang) / "corpus.jsonl").exists() for lang in langs)


def paragraph(doc_id: str) -> str:
    """The paragraph id of an XQuAD-R sentence id (a0p0s3 -> a0p0); a paragraph id unchanged."""
    return _SENTENCE.sub("", doc_id)


def load(langs: tuple[str, ...] = LANGS, limit: int | None = None) -> Mixed:
    """One document per paragraph and language (id `<lang>-<paragraph>`, text only: xquad-ro's
    titles are English article names the other languages do not have), the questions and the
    judgements of each language."""
    docs: list[dict[str, str]] = []
    queries: dict[str, dict[str, str]] = {}
    qrels: dict[str, list[ir_measures.Qrel]] = {}
    for lang in langs:
        parts: dict[str, list[str]] = {}
        for line in (folder(lang) / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            parts.setdefault(paragraph(d["id"]), []).append(d["text"].strip())
        sep = "" if lang == "zh" else " "
        docs.extend({"id": f"{lang}-{p}", "lang": lang, "title": "", "text": sep.join(t)}
                    for p, t in parts.items())
        judged = {q.query_id: q for q in run_eval.judged(folder(lang) / "qrels.txt")}
        qs = {k: v for k, v in run_eval.read_queries(folder(lang) / "queries.tsv").items()
              if k in judged}
        queries[lang] = dict(list(qs.items())[:limit]) if limit else qs
        qrels[lang] = [ir_measures.Qrel(q, f"{lang}-{paragraph(judged[q].doc_id)}", 1)
                       for q in queries[lang]]
    return Mixed(docs, queries, qrels)


def write_corpus(mixed: Mixed, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for d in mixed.docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


class Ours:
    """searchapp's index of the mixed documents; questions as /api/search runs them."""

    name = "ours"

    def __init__(self, root: Path, mixed: Mixed) -> None:
        if not (root / "CURRENT").exists():
            result = run_eval.build_index(root, [write_corpus(mixed, root.parent / "mixed" / "corpus.jsonl")])
            if result.skipped or result.documents != len(mixed.docs):
                raise SystemExit(f"the build indexed {result.documents} of {len(mixed.docs)} documents")
        self.engine = run_eval.Engine(root)

    def top(self, query: str, k: int = K) -> list[str]:
        req = search_request(MultiDict({"q": query, "page_size": str(k)}))
        return [h.id for h in self.engine.search(req).hits]


def run(top: Callable[[str, int], list[str]], queries: dict[str, str]) -> list[ir_measures.ScoredDoc]:
    out = []
    for qid, text in queries.items():
        ids = top(text, K)
        out.extend(ir_measures.ScoredDoc(qid, d, float(len(ids) - i)) for i, d in enumerate(ids))
    return out


def figures(engine: Ours | Plain, mixed: Mixed, lang: str) -> dict[str, float]:
    agg = ir_measures.calc_aggregate(MEASURES, mixed.qrels[lang], run(engine.top, mixed.queries[lang]))
    return {"nDCG@10": agg[nDCG @ 10], "S@1": agg[Success @ 1], "MRR@10": agg[RR @ 10]}


def failures(engine: Ours, mixed: Mixed, lang: str, n: int = 15) -> list[str]:
    want = {q.query_id: q.doc_id for q in mixed.qrels[lang]}
    out = []
    for qid, text in mixed.queries[lang].items():
        ids = engine.top(text)
        if ids[:1] != [want[qid]]:
            rank = ids.index(want[qid]) if want[qid] in ids else -1
            out.append(f"{rank:3d} {want[qid]} top={ids[:3]} {text[:100]}")
            if len(out) >= n:
                break
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--limit", type=int, default=None, help="first N questions per language")
    ap.add_argument("--work", type=Path, default=None, help="keep the indexes here (default: temp)")
    ap.add_argument("--no-plain", action="store_true")
    ap.add_argument("--failures", default="", help="print failed questions of these languages")
    args = ap.parse_args()
    langs = tuple(x.strip() for x in args.langs.split(",") if x.strip())
    if not available(langs):
        print(f"skipped: {run_eval.CORPORA}/xquad-r and xquad-ro not found (the corpora live beside the repository)")
        return 0
    mixed = load(langs, args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        t0 = time.perf_counter()
        engines: list[Ours | Plain] = [Ours(work / "ours", mixed)]
        if not args.no_plain:
            engines.append(Plain(work / "plain", mixed.docs))
        print(f"{len(mixed.docs)} documents indexed in {time.perf_counter() - t0:.0f}s", flush=True)
        head = ["lang", "questions"] + [f"{m} {e.name}" for m in ("nDCG@10", "S@1") for e in engines]
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head), flush=True)
        sums: dict[str, list[float]] = {}
        for lang in langs:
            rows = {e.name: figures(e, mixed, lang) for e in engines}
            cells = [f"{rows[e.name][m]:.4f}" for m in ("nDCG@10", "S@1") for e in engines]
            for m in ("nDCG@10", "S@1"):
                for e in engines:
                    sums.setdefault(f"{m} {e.name}", []).append(rows[e.name][m])
            print(f"| {lang} | {len(mixed.queries[lang])} | " + " | ".join(cells) + " |", flush=True)
        print("| **mean** | | " + " | ".join(f"{sum(v) / len(v):.4f}" for v in sums.values()) + " |")
        for lang in [x for x in args.failures.split(",") if x]:
            print(f"\n## failures {lang} (rank of its own paragraph, top 3)")
            print("\n".join(failures(engines[0], mixed, lang)))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
