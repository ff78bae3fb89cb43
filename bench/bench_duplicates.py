"""Near-duplicate detection's cost: a full build of the 35,440 baomoi-vi articles with the code
of two commits, interleaved (A B A B ...), each build in its own child process.

    nice -n 19 .venv/bin/python bench/bench_duplicates.py --before 393d311 --rounds 2

Each commit's searchapp/ is exported (git archive) to a temporary directory and put first on the
child's sys.path; the child runs build_index on the corpus as one JSON-lines file. Wall and CPU
(user+sys of the child) seconds are printed per build, then the medians. Corpus: as
bench_core.py (../shared/corpora/baomoi-vi/corpus.jsonl.gz); absent: prints skipped, exits 0.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "baomoi-vi" / "corpus.jsonl.gz"

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import searchapp
assert searchapp.__file__.startswith(sys.argv[1]), searchapp.__file__
from searchapp.index.build import build_index
from pathlib import Path
corpus = Path(sys.argv[2])
r = build_index(Path(sys.argv[3]), [corpus], max_bytes=corpus.stat().st_size + 1)
print(json.dumps({"docs": r.documents}))
"""


def export(commit: str, into: Path) -> Path:
    """The searchapp package of a commit (HEAD's working tree for 'worktree')."""
    out = into / commit
    out.mkdir()
    if commit == "worktree":
        shutil.copytree(REPO / "searchapp", out / "searchapp")
        shutil.copytree(REPO / "templates", out / "searchapp" / "templates")
        return out
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "searchapp"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def build_once(code: Path, corpus: Path, tmp: Path) -> tuple[float, float, int]:
    root = tmp / "index"
    shutil.rmtree(root, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(code), str(corpus), str(root)],
                         check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.strip().splitlines()[-1])["docs"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="HEAD~1")
    ap.add_argument("--after", default="worktree")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--docs", type=int, default=0, help="only the first N articles")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args()
    if not args.corpus.exists():
        print(f"skipped: corpus not found ({args.corpus})")
        return
    with tempfile.TemporaryDirectory(prefix="bench-dups-") as t:
        tmp = Path(t)
        corpus = tmp / "corpus.jsonl"
        with gzip.open(args.corpus, "rt", encoding="utf-8") as src, corpus.open("w") as dst:
            for i, line in enumerate(src):
                if args.docs and i >= args.docs:
                    break
                dst.write(line)
        codes = {name: export(name, tmp) for name in (args.before, args.after)}
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in codes}
        for r in range(args.rounds):
            for name, code in codes.items():
                wall, cpu, docs = build_once(code, corpus, tmp)
                runs[name].append((wall, cpu))
                print(f"round {r + 1} {name:>10}: {docs} docs, wall {wall:6.1f} s, cpu {cpu:6.1f} s",
                      flush=True)
        for name, got in runs.items():
            print(f"median {name:>10}: wall {statistics.median(w for w, _ in got):6.1f} s, "
                  f"cpu {statistics.median(c for _, c in got):6.1f} s")


if __name__ == "__main__":
    main()
