"""Tune the fusion of keyword and meaning results offline, over the lists eval/fusion_dump.py saved.

    python eval/fusion_tune.py --work DIR [--sets ...] [--grid rrf,convex,z] [--show N]

Every candidate function (search/fusion.py's, with its parameters) is scored on the questions
whose id hashes to the 'tune' half (semantic_xquad.in_half) of every set; the ranking of the
candidates is by the smallest margin over the better of keyword-only and meaning-only across the
sets, then by the mean margin. The best few are shown on the 'test' half and on all questions.
Measures as semantic_xquad.py: nDCG@10 (XQuAD-R pairs), nDCG@10 and MAP@100 (CACM), mAP@20
(LAReQA), computed here in plain Python (trec_eval's definitions, binary judgements).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))

from semantic_xquad import in_half  # noqa: E402

from searchapp.search import fusion  # noqa: E402

Ranked = list[str]


def ndcg(ranked: Ranked, rel: dict[str, int], k: int = 10) -> float:
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def ap(ranked: Ranked, rel: dict[str, int], k: int) -> float:
    hits, total = 0, 0.0
    for i, d in enumerate(ranked[:k]):
        if rel.get(d, 0) > 0:
            hits += 1
            total += hits / (i + 1)
    n = sum(1 for g in rel.values() if g > 0)
    return total / n if n else 0.0


def measures(name: str) -> list[tuple[str, Callable[[Ranked, dict[str, int]], float]]]:
    if name == "cacm":
        return [("nDCG@10", ndcg), ("MAP", lambda r, q: ap(r, q, 100))]
    if name.startswith("lareqa-"):
        return [("mAP@20", lambda r, q: ap(r, q, 20))]
    return [("nDCG@10", ndcg)]


Fuser = Callable[[dict], Ranked]  # type: ignore[type-arg]


def words_only(q: dict) -> Ranked:  # type: ignore[type-arg]
    return [d for d, _ in q["words"]]


def meaning_only(q: dict) -> Ranked:  # type: ignore[type-arg]
    return [d for d, _ in q["meaning"]]


def rrf_fuser(k: float, power: float, floor: float, meaning_weight: float = 1.0) -> Fuser:
    def run(q: dict) -> Ranked:  # type: ignore[type-arg]
        meaning = [d for d, s in q["meaning"] if s >= floor]
        fused = fusion.rrf([d for d, _ in q["words"]], meaning, k=int(k),
                           words_weight=q["share"] ** power / meaning_weight)
        return [f.id for f in fused]
    return run


def convex_fuser(alpha: float, power: float, low: float, floor: float, norm: str) -> Fuser:
    def run(q: dict) -> Ranked:  # type: ignore[type-arg]
        a = alpha * q["share"] ** power
        words = q["words"]
        meaning = [(d, s) for d, s in q["meaning"] if s >= floor]
        return [f.id for f in fusion.convex(words, meaning, a, low=low, norm=norm)]
    return run


def chosen(q: dict) -> Ranked:  # type: ignore[type-arg]
    """search/fusion.fuse as searches run it (the similarity floor applied by the meaning side;
    a document's language from its id in the LAReQA pool, `vi:a1p2s3`; one language elsewhere)."""
    floor = 0.73  # the bundled model's (embed/bundled.MIN_SIMILARITY)
    meaning = [(d, s) for d, s in q["meaning"] if s >= floor]
    langs = {d: d.split(":")[0] for d, _ in [*q["words"], *meaning] if ":" in d}
    return [f.id for f in fusion.fuse(q["words"], meaning, q["share"], langs)]


def load(work: Path, names: Iterable[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    return {n: json.loads((work / "dumps" / f"{n}.json").read_text(encoding="utf-8"))
            for n in names}


def score(data: dict, fn: Fuser, half: str | None) -> dict[str, float]:  # type: ignore[type-arg]
    out: dict[str, float] = {}
    qs = [q for q in data["questions"] if in_half(q["id"], half)]
    for mname, m in measures(data["set"]):
        vals = [m(fn(q), data["qrels"].get(q["id"], {})) for q in qs]
        out[mname] = sum(vals) / max(1, len(vals))
    return out


def baselines(sets: dict, half: str | None) -> dict[tuple[str, str], float]:  # type: ignore[type-arg]
    """The better of keyword-only and meaning-only per (set, measure)."""
    best = {}
    for name, data in sets.items():
        w, m = score(data, words_only, half), score(data, meaning_only, half)
        for k in w:
            best[(name, k)] = max(w[k], m[k])
    return best


def margins(sets: dict, fn: Fuser, half: str | None,  # type: ignore[type-arg]
            best: dict[tuple[str, str], float]) -> tuple[float, float, dict[tuple[str, str], float]]:
    got = {}
    for name, data in sets.items():
        for k, v in score(data, fn, half).items():
            got[(name, k)] = v
    diffs = [got[key] - best[key] for key in got]
    return min(diffs), sum(diffs) / len(diffs), got


def candidates(grids: list[str]) -> list[tuple[str, Fuser]]:
    out: list[tuple[str, Fuser]] = [("rrf today k=60 p=4 floor=0.73", rrf_fuser(60, 4, 0.73)),
                                    ("chosen: search/fusion.fuse", chosen)]
    if "rrf" in grids:
        for k, p, f, mw in itertools.product((30, 60), (2, 4), (0.0, 0.73), (1.0, 2.0)):
            out.append((f"rrf k={k} p={p} floor={f} meaning_w={mw}", rrf_fuser(k, p, f, mw)))
    if "convex" in grids:  # theoretical min-max: the keyword score from 0, similarity from the floor
        for a, p, f in itertools.product((0.3, 0.4, 0.5), (2, 3, 4), (0.73, 0.76)):
            out.append((f"convex theoretical a={a} p={p} low=floor={f}",
                        convex_fuser(a, p, f, f, "theoretical")))
    if "minmax" in grids:
        for a, p in itertools.product((0.3, 0.4), (2, 4)):
            out.append((f"convex minmax a={a} p={p} floor=0.73", convex_fuser(a, p, 0.0, 0.73, "minmax")))
    if "z" in grids:
        for a, p, f in itertools.product((0.2, 0.3, 0.4, 0.5), (1, 2, 4), (0.0, 0.73)):
            out.append((f"convex z a={a} p={p} floor={f}", convex_fuser(a, p, 0.0, f, "z")))
    return out


def main() -> int:
    ap_ = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap_.add_argument("--work", type=Path, required=True)
    ap_.add_argument("--sets", default="en-en,vi-vi,de-de,zh-zh,cacm,en-vi,en-zh,en-de,"
                                       "lareqa-en,lareqa-vi,lareqa-de,lareqa-zh")
    ap_.add_argument("--grid", default="rrf,convex,minmax,z")
    ap_.add_argument("--show", type=int, default=10)
    args = ap_.parse_args()
    names = [n for n in args.sets.split(",") if (args.work / "dumps" / f"{n}.json").exists()]
    sets = load(args.work, names)
    best_tune = baselines(sets, "tune")
    results = []
    for label, fn in candidates(args.grid.split(",")):
        lo, mean, _ = margins(sets, fn, "tune", best_tune)
        results.append((lo, mean, label, fn))
    results.sort(key=lambda r: (-r[0], -r[1]))
    for lo, mean, label, _ in results[: args.show]:
        print(f"tune: min {lo:+.4f} mean {mean:+.4f}  {label}")
    today = next(r for r in results if r[2].startswith("rrf today"))
    print(f"tune: min {today[0]:+.4f} mean {today[1]:+.4f}  {today[2]}")
    final = next(r for r in results if r[2].startswith("chosen"))
    print(f"tune: min {final[0]:+.4f} mean {final[1]:+.4f}  {final[2]}")
    for half in ("test", None):
        best = baselines(sets, half)
        print(f"\n## {half or 'all'} questions: set, measure, words, meaning, then each fusion")
        final = next(r for r in results if r[2].startswith("chosen"))
        shown = [today, final, *results[:2]]
        rows = {key: [] for key in best}
        for _, _, _, fn in shown:
            _, _, got = margins(sets, fn, half, best)
            for key in rows:
                rows[key].append(got[key])
        for name, k in rows:
            w = score(sets[name], words_only, half)[k]
            m = score(sets[name], meaning_only, half)[k]
            cells = " | ".join(f"{v:.4f}" for v in rows[(name, k)])
            print(f"| {name} | {k} | {w:.4f} | {m:.4f} | {cells} |")
        print("columns: " + " ; ".join(r[2] for r in shown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
