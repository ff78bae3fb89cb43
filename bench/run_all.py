"""Run every benchmark and print all tables: core, peers (35k articles), HTTP, and the scale curve.

    .venv/bin/python bench/run_all.py            # full: about 35-45 minutes on 2 cores
    .venv/bin/python bench/run_all.py --smoke    # a few hundred docs, about a minute (CI)
    .venv/bin/python bench/run_all.py --no-scale # skip the ~35k/~200k/~700k sentence curve

Each script prints "skipped: ..." and exits 0 when ../shared/corpora is absent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--no-scale", action="store_true")
    ap.add_argument("--duration", type=int, default=30, help="seconds per wrk run (default 30)")
    args = ap.parse_args()
    smoke = ["--smoke"] if args.smoke else []
    runs = [
        ["bench_core.py", *smoke],
        ["bench_peers.py", *smoke],
        ["bench_http.py", *smoke, "--duration", str(args.duration)],
    ]
    if not args.no_scale:
        runs.append(["bench_peers.py", "--scale", "--no-xquad", *smoke, "--duration", str(args.duration)])
    rc = 0
    for run in runs:
        print(f"\n$ {Path(sys.executable).name} bench/{' '.join(run)}", flush=True)
        rc |= subprocess.run([sys.executable, str(BENCH / run[0]), *run[1:]], check=False).returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
