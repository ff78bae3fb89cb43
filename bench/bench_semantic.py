"""The semantic layer at archive size: title-and-lead vectors of the shared articles built in the
background while keyword search serves, then fused searches on Enter, through HTTP.

    .venv/bin/python bench/bench_semantic.py                  # all 35,440 baomoi articles
    .venv/bin/python bench/bench_semantic.py --articles 2000  # a smaller run
    .venv/bin/python bench/bench_semantic.py --index-dir IDX  # an existing index root

Needs the `[semantic]` extra. Steps, all through the real CLI and server:
1. `searchapp index` the first N articles (skipped when --index-dir already serves);
2. `searchapp serve` with SEARCHAPP_SEMANTIC=1 and SEARCHAPP_SEMANTIC_PASSAGES (default 1: the
   title and lead of every document), which starts the background embed job; while it runs, a
   live-search keystroke (`/search?q=`, HX-Request) every PROBE_S seconds, timed, so the table
   shows keyword search serving throughout; the job's CPU time is read from /proc;
3. once the job says done: QUERIES fused searches (`/api/search?semantic=1`, one connection,
   each query new to the server) and the same queries keyword-only (semantic=0), p50/p95/p99;
4. the server's memory (master + workers, the embed job excluded) with the vectors loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import FACETS_MARK, Server, tree_rss_mb, typing_stream  # noqa: E402
from peers import DEFAULT_CORPUS, REPO, loadavg, machine_info, prepare_subset  # noqa: E402

PROBE_S = 0.5
QUERIES = 200
WARM_UP = 20  # queries per kind sent first, not measured
# What a reader of a Vietnamese news archive might type in English (found only by meaning).
ENGLISH = ["flood damage in the central provinces", "football match result", "traffic accident",
           "rice export prices", "new school year", "fire at a factory", "stock market falls",
           "hospital overcrowding", "typhoon warning", "corruption trial of officials",
           "petrol price increase", "tourists visit the bay", "land dispute with farmers",
           "vaccination campaign for children", "drought in the Mekong delta",
           "high speed railway project", "national team coach", "real estate market",
           "smuggling at the border", "university entrance exam"]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def get_ms(url: str, headers: dict[str, str] | None = None) -> tuple[float, int]:
    t0 = time.perf_counter()
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return (time.perf_counter() - t0) * 1000, status


def cpu_s(pid: int) -> float | None:
    """user+sys CPU seconds of a live process (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status(root: Path) -> dict:
    try:
        return dict(json.loads((root / "embed.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def build(root: Path, articles: int, work: Path) -> float:
    data = work / "articles"
    data.mkdir(parents=True, exist_ok=True)
    prepare_subset(DEFAULT_CORPUS, articles, data / "corpus.jsonl")
    exe = REPO / ".venv" / "bin" / "searchapp"
    t0 = time.perf_counter()
    subprocess.run([str(exe), "index", str(data), "--index-dir", str(root), "--quiet"],
                   check=True, env=dict(os.environ, SEARCHAPP_SEMANTIC="0"))
    return time.perf_counter() - t0


def embed_phase(server: Server, root: Path, keystrokes: list[str], limit_s: float) -> dict:
    """Probe live search until the embed job is done; the job's wall and CPU time."""
    lat: list[float] = []
    errors = 0
    t0 = time.time()
    job_cpu = 0.0
    last_print = 0.0
    i = 0
    st: dict = {}
    while time.time() - t0 < limit_s:
        st = status(root)
        pid = int(st.get("pid") or 0)
        c = cpu_s(pid) if pid else None
        if c is not None:
            job_cpu = c
        if st.get("state") in ("done", "failed"):
            break
        q = keystrokes[i % len(keystrokes)]
        i += 1
        ms, code = get_ms(server.base + "/search?q=" + urllib.parse.quote(q),
                          {"HX-Request": "true", "HX-Trigger": "q"})
        lat.append(ms)
        errors += code != 200
        if time.time() - last_print > 60:
            last_print = time.time()
            print(f"... {time.time() - t0:.0f} s: {st.get('phase')} {st.get('embedded')}/"
                  f"{st.get('passages')} ({st.get('rate', 0):.1f}/s), job CPU {job_cpu:.0f} s, "
                  f"load {loadavg()}", file=sys.stderr, flush=True)
        time.sleep(PROBE_S)
    return {"wall": time.time() - t0, "cpu": job_cpu, "state": st, "probe": lat,
            "errors": errors}


def searches(base: str, queries: list[str], semantic: int) -> tuple[list[float], int]:
    lat, errors = [], 0
    for q in queries:
        ms, code = get_ms(f"{base}/api/search?semantic={semantic}&q=" + urllib.parse.quote(q))
        lat.append(ms)
        errors += code != 200
    return lat, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=35_440)
    ap.add_argument("--index-dir", type=Path, default=None)
    ap.add_argument("--passages", default="1", help="SEARCHAPP_SEMANTIC_PASSAGES (1: title+lead)")
    ap.add_argument("--queries", type=int, default=QUERIES)
    ap.add_argument("--limit-min", type=float, default=90.0, help="give up after this long")
    args = ap.parse_args()
    info = machine_info()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; load {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench_semantic_") as tmp:
        work = Path(tmp)
        root = args.index_dir or work / "index"
        if not (root / "CURRENT").exists():
            print(f"keyword index of {args.articles:,} articles: {build(root, args.articles, work):.1f} s")
        stream = typing_stream(DEFAULT_CORPUS, sessions=4000, seed=3)
        keystrokes = [q for q in stream if not q.startswith(FACETS_MARK)]
        finals = list(dict.fromkeys(q[len(FACETS_MARK):] for q in stream
                                    if q.startswith(FACETS_MARK)))
        fused_queries = ENGLISH + finals[: max(0, args.queries - len(ENGLISH))]
        env = {"SEARCHAPP_SEMANTIC": "1", "SEARCHAPP_SEMANTIC_PASSAGES": args.passages,
               "SEARCHAPP_SEARCH_CACHE": "0"}
        server = Server(root, env=env)
        try:
            e = embed_phase(server, root, keystrokes, args.limit_min * 60)
            st = e["state"]
            print(f"embed job: {st.get('state')}, {st.get('embedded', 0):,}/"
                  f"{st.get('passages', 0):,} passages of {st.get('documents', 0):,} documents, "
                  f"{st.get('new', 0):,} embedded now, in {e['wall'] / 60:.1f} min wall, "
                  f"{e['cpu'] / 60:.1f} min CPU ({st.get('rate', 0):.1f} passages/s), load {loadavg()}")
            p = e["probe"]
            print(f"live search meanwhile: {len(p)} keystrokes, p50 {pct(p, 50):.1f} ms, p95 "
                  f"{pct(p, 95):.1f} ms, p99 {pct(p, 99):.1f} ms, max {max(p, default=0):.0f} ms, "
                  f"{e['errors']} errors")
            # every worker loads the model and maps the did-you-mean files on its first searches:
            # warm both with queries that are not measured
            warm = [q for q in finals[args.queries:args.queries + WARM_UP]]
            for sem in (0, 1):
                searches(server.base, warm, sem)
            time.sleep(2)
            rows = []
            for name, sem in (("keyword-only (semantic=0)", 0), ("fused (semantic=1)", 1)):
                lat, err = searches(server.base, fused_queries, sem)
                rows.append(f"| {name} | {len(lat)} | {statistics.median(lat):.1f} | "
                            f"{pct(lat, 95):.1f} | {pct(lat, 99):.1f} | {err} |")
            print("| /api/search, 1 connection | queries | p50 ms | p95 ms | p99 ms | errors |\n"
                  "|---|---|---|---|---|---|\n" + "\n".join(rows))
            embed_pid = int(st.get("pid") or 0)
            rss, _hwm, pss, anon = tree_rss_mb(server.proc.pid, exclude={embed_pid})
            print(f"server memory with the vectors loaded (master + workers): RSS {rss:.0f} MB, "
                  f"PSS {pss:.0f} MB (heap {anon:.0f} MB); vectors on disk "
                  f"{sum(f.stat().st_size for f in root.rglob('matrix.npy')) / 2**20:.0f} MB; "
                  f"load {loadavg()}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
