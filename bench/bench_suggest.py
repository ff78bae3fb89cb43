"""Did-you-mean: the vocabulary built in memory (per process, as before) against the files
built once per version and memory-mapped (search/vocabfile.py), on one index.

    .venv/bin/python bench/bench_suggest.py --index-dir IDX [--queries 3000]

Reports the build time of each (wall and CPU), the time to open the files, the suggestion
latency per query of both over the same queries (words of the index with accents dropped, a
letter dropped or doubled: what people mistype), and how many suggestions differ (must be 0).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from searchapp.search.engine import Engine
from searchapp.search.suggest import Vocabulary


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def queries(vocab: Vocabulary, n: int, seed: int = 7) -> list[str]:
    """n queries of 1-3 words from the vocabulary, mistyped the ways people do."""
    rng = random.Random(seed)
    words = sorted(w for w, c in vocab.freq.items() if c >= 3 and len(w) >= 3)
    out = []
    for _ in range(n):
        typed = []
        for w in rng.sample(words, rng.randint(1, 3)):
            kind = rng.random()
            if kind < 0.4:
                import unicodedata

                w = "".join(c for c in unicodedata.normalize("NFD", w)
                            if not unicodedata.combining(c)).replace("đ", "d")
            elif kind < 0.7 and len(w) > 4:
                i = rng.randrange(len(w))
                w = w[:i] + w[i + 1:]
            elif kind < 0.9:
                i = rng.randrange(len(w))
                w = w[:i] + w[i] + w[i:]
            typed.append(w)
        out.append(" ".join(typed))
    return out


def timed(vocab: Vocabulary, qs: list[str], engine: Engine) -> tuple[list[str | None], list[float]]:
    got, ms = [], []
    for q in qs:
        t = time.perf_counter()
        got.append(vocab.suggest(q, engine.analyzers, typos=True))
        ms.append((time.perf_counter() - t) * 1000)
    return got, ms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--queries", type=int, default=3000)
    args = ap.parse_args(argv)
    engine = Engine(args.index_dir)
    t, c = time.perf_counter(), cpu()
    terms = engine.backend.vocabulary()
    read = (time.perf_counter() - t, cpu() - c)
    t, c = time.perf_counter(), cpu()
    memory = Vocabulary.build(terms, engine.analyzers)
    built = (time.perf_counter() - t, cpu() - c)
    tmp = Path(tempfile.mkdtemp(prefix="bench_suggest_"))
    try:
        t, c = time.perf_counter(), cpu()
        memory.write(tmp / "suggest", "bench")
        written = (time.perf_counter() - t, cpu() - c)
        size = sum(p.stat().st_size for p in (tmp / "suggest").iterdir()) / 1e6
        t = time.perf_counter()
        mapped = Vocabulary.open(tmp / "suggest")
        opened = (time.perf_counter() - t) * 1000
        qs = queries(memory, args.queries)
        rounds = [timed(v, qs, engine) for v in (memory, mapped, memory, mapped)]
        differ = sum(a != b for a, b in zip(rounds[0][0], rounds[1][0], strict=True))
        changed = sum(a is not None for a in rounds[0][0])
        mem_ms = rounds[0][1] + rounds[2][1]
        map_ms = rounds[1][1] + rounds[3][1]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def q(xs: list[float], p: float) -> float:
        return statistics.quantiles(xs, n=100)[int(p) - 1]

    print(f"index {args.index_dir}: {len(terms):,} terms read in {read[0]:.2f} s "
          f"(cpu {read[1]:.2f} s); {len(memory.freq):,} exact, {len(memory.forms):,} folded, "
          f"{len(memory.spell.words):,} spelled, {len(memory.spell.deletes):,} deletes")
    print(f"build in memory  {built[0]:.2f} s (cpu {built[1]:.2f} s)")
    print(f"write files      {written[0]:.2f} s (cpu {written[1]:.2f} s), {size:.1f} MB on disk; "
          f"open (map) {opened:.1f} ms")
    for name, xs in (("in memory", mem_ms), ("mapped", map_ms)):
        print(f"suggest {name:10s} mean {statistics.fmean(xs):.3f} ms  p50 {q(xs, 50):.3f}  "
              f"p95 {q(xs, 95):.3f}  p99 {q(xs, 99):.3f}  ({len(xs)} queries)")
    print(f"suggestions: {changed} of {len(qs)} queries corrected; {differ} differ between the two")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
