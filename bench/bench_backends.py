"""The OpenSearch backend beside the embedded index: indexing docs/s and live-search latency.

    .venv/bin/python bench/bench_backends.py                    # 35,440 baomoi-vi articles
    .venv/bin/python bench/bench_backends.py --docs 5000        # the first 5,000 only
    .venv/bin/python bench/bench_backends.py --urls http://h1:9200,http://h2:9200   # a running cluster

Without --urls a local two-node cluster is started (opensearch/cluster.py, loaded by path;
--heap per node, C2 JIT on) and stopped by PID at the end. For each backend: `build_index` of
the subset (the whole CLI path: reading, language identification, analysis or JSON + bulk
requests, commit; for OpenSearch also the replicas reaching green, validation and the alias),
then a real `searchapp serve` (1 worker, 4 threads, result cache off, rate limit off) answers
the live search box's keystroke stream of bench_http.py (`/search?q=` with HX-Request and
HX-Trigger: q, results without facets) from 1 and 8 client threads for --duration seconds
each; latency percentiles are per request, measured by the client (Python http.client,
keep-alive; wrk is not installed here).
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import prepare_subset  # noqa: E402
from bench_http import Server, typing_stream  # noqa: E402
from peers import DEFAULT_CORPUS, REPO, loadavg, machine_info  # noqa: E402

sys.path.insert(0, str(REPO))
from searchapp.backends import discard  # noqa: E402
from searchapp.index.build import build_index  # noqa: E402
from searchapp.index.layout import IndexLayout  # noqa: E402


def load_cluster_module() -> Any:
    spec = importlib.util.spec_from_file_location("searchapp_opensearch_cluster",
                                                  REPO / "opensearch" / "cluster.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def live_search(base: str, queries: list[str], clients: int, duration: float) -> dict[str, float]:
    host, port = base.removeprefix("http://").split(":")
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration
    paths = ["/search?q=" + urllib.parse.quote(q) for q in queries if not q.startswith("\x00")]

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        i = k * len(paths) // clients
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"HX-Request": "true", "HX-Trigger": "q"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
            mine.append((time.perf_counter() - t0) * 1000)
            bad += not ok
        with lock:
            lat.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    return {"requests": len(lat), "rps": len(lat) / secs, "p50": pct(lat, 50),
            "p95": pct(lat, 95), "p99": pct(lat, 99), "errors": errors[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=None)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--clients", default="1,8")
    ap.add_argument("--urls", default="", help="a running cluster (default: start two nodes)")
    ap.add_argument("--heap", default="1g")
    ap.add_argument("--backends", default="tantivy,opensearch")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"skipped: corpus not found ({args.corpus})")
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-backends-"))
    cluster = None
    results: dict[str, dict[str, Any]] = {}
    try:
        docs, nbytes = prepare_subset(args.corpus, args.docs, work / "corpus.jsonl")
        queries = typing_stream(args.corpus)
        urls = args.urls
        if "opensearch" in args.backends and not urls:
            mod = load_cluster_module()
            cluster = mod.start(nodes=2, heap=args.heap, timeout=300, quick_jit=False,
                                base_dir=work / "cluster")
            urls = ",".join(cluster.urls)
        for backend in args.backends.split(","):
            os.environ["SEARCHAPP_BACKEND"] = backend
            os.environ["SEARCHAPP_OPENSEARCH_URL"] = urls
            os.environ["SEARCHAPP_OPENSEARCH_INDEX"] = f"bench-{os.getpid()}"
            root = work / f"index-{backend}"
            print(f"{backend}: indexing {docs:,} docs (load {loadavg()})", flush=True)
            t0 = time.perf_counter()
            result = build_index(root, [work / "corpus.jsonl"],
                                 max_bytes=(work / "corpus.jsonl").stat().st_size + 1)
            secs = time.perf_counter() - t0
            row: dict[str, Any] = {"docs": result.documents, "index_s": secs,
                                   "docs_per_s": result.documents / secs}
            print(f"  {result.documents:,} docs in {secs:.1f} s = {row['docs_per_s']:.0f} docs/s",
                  flush=True)
            server = Server(root, cache=False)
            try:
                live_search(server.base, queries[:200], 2, 5)  # warm-up
                for n in (int(c) for c in args.clients.split(",")):
                    r = live_search(server.base, queries, n, args.duration)
                    row[f"c{n}"] = r
                    print(f"  {n} client(s): {r['requests']} requests, {r['rps']:.0f}/s, p50 "
                          f"{r['p50']:.1f} p95 {r['p95']:.1f} p99 {r['p99']:.1f} ms, "
                          f"{r['errors']} errors (load {loadavg()})", flush=True)
            finally:
                server.stop()
            if backend == "opensearch":
                discard(root, IndexLayout(root).list_versions(), serving_too=True)
            results[backend] = row
        print(json.dumps({"machine": machine_info(), "docs": docs, "mb": nbytes / 1e6,
                          "load": loadavg(), "results": results}, indent=1, default=str))
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
