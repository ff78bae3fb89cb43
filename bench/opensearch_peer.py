"""OpenSearch as a bench_peers peer: one local node with its defaults, bulk load, queries, wrk.

The node is OpenSearch 2.16.0 from opensearch/cluster.py (the launcher in opensearch/node, built
by Maven): one node, 1 GB heap, the C2 JIT, data under the run's temporary folder. The index has
one text field `body` with the standard analyzer (OpenSearch's default for `text`), one shard and
no replica (one node). Loading is what an OpenSearch user does for a bulk load: refresh off
(`refresh_interval: -1`), `helpers.parallel_bulk` of opensearch-py (2 threads, up to 5,000
documents or 10 MB a request), then the default refresh interval back and one `_refresh`, after
which every document is searchable. The node's CPU is read from /proc/<java pid>/stat.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from peers import QUERIES, REPO, body_of, loadavg, percentile, read_records, table

CLUSTER_PY = REPO / "opensearch" / "cluster.py"
INDEX = "bench"
HEAP = "1g"
BULK_THREADS = 2
BULK_DOCS = 5000
BULK_BYTES = 10 * 1024 * 1024
HTTP_CONNS = (1, 8)
START_TIMEOUT_S = 300.0
SETUP = (f"one node, {HEAP} heap, C2 JIT; index: 1 shard, 0 replicas, `body` text (standard "
         f"analyzer); parallel_bulk {BULK_THREADS} threads, <= {BULK_DOCS:,} docs / "
         f"{BULK_BYTES >> 20} MB a request, refresh_interval -1 during the load")

WRK_LUA = r"""
local bodies = {%(bodies)s}
local i = 0
local counter = 0
local headers = {["Content-Type"] = "application/json"}
setup = function(thread)
  thread:set("start", counter)
  counter = counter + 1
end
init = function(args)
  i = math.floor((start or 0) * #bodies / %(threads)d)
end
request = function()
  i = i + 1
  if i > #bodies then i = 1 end
  return wrk.format("POST", "/%(index)s/_search", headers, bodies[i])
end
"""


def cluster_module() -> ModuleType:
    """opensearch/cluster.py, loaded by path (opensearch-py's own `opensearch` package shadows it)."""
    name = "searchapp_opensearch_cluster"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, CLUSTER_PY)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod  # its dataclasses look the module up by name
        spec.loader.exec_module(mod)
    return sys.modules[name]


def why_not() -> str | None:
    """None when an OpenSearch node can be started here, else why not."""
    try:
        import opensearchpy  # noqa: F401
    except ImportError:
        return "opensearch-py is not installed (pip install -e .)"
    mod = cluster_module()
    if (why := mod.missing_tools()) is not None:
        return str(why)
    try:  # as the tests do: a no-op when built, else Maven builds opensearch/node
        mod.build()
    except mod.ClusterError as exc:
        return f"the OpenSearch launcher could not be built: {exc}"
    return None


def version() -> str:
    return "OpenSearch 2.16.0 (opensearch/node, Lucene 9.11.1)"


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_mem_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB, from /proc/<pid>/status."""
    rss = hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    return rss / 1024, hwm / 1024


def own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def start_node(work: Path):  # a cluster.Cluster (its module is loaded by path)
    """One node on the run's data folder (the same folder again for the query phase)."""
    mod = cluster_module()
    return mod.start(nodes=1, heap=HEAP, base_dir=work / "opensearch", cluster_name="bench-peers",
                     timeout=START_TIMEOUT_S, build_if_needed=False, quick_jit=False)


def client(cluster):  # an opensearchpy.OpenSearch
    from opensearchpy import OpenSearch

    node = cluster.nodes[0]
    return OpenSearch(hosts=[{"host": node.host, "port": node.http_port}], timeout=300,
                      pool_maxsize=BULK_THREADS + 2)


def index(work: Path) -> dict:
    """Start the node, bulk-load the corpus with refresh off, refresh; timed: load + refresh."""
    from opensearchpy import helpers

    recs = read_records(work / "corpus.jsonl")
    t = time.perf_counter()
    cluster = start_node(work)
    startup = time.perf_counter() - t
    pid = cluster.pids[0]
    try:
        es = client(cluster)
        es.indices.create(index=INDEX, body={
            "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
            "mappings": {"properties": {"body": {"type": "text"}}}})
        actions = ({"_index": INDEX, "_id": r["id"], "_source": {"body": body_of(r)}} for r in recs)
        node0, own0 = proc_cpu_s(pid), own_cpu_s()
        t = time.perf_counter()
        failed = 0
        for ok, _item in helpers.parallel_bulk(es, actions, thread_count=BULK_THREADS,
                                               chunk_size=BULK_DOCS, max_chunk_bytes=BULK_BYTES,
                                               raise_on_error=False):
            failed += not ok
        es.indices.put_settings(index=INDEX, body={"index": {"refresh_interval": None}})
        es.indices.refresh(index=INDEX)
        secs = time.perf_counter() - t
        node_cpu, client_cpu = proc_cpu_s(pid) - node0, own_cpu_s() - own0
        rss, hwm = proc_mem_mb(pid)
        count = es.count(index=INDEX)["count"]
        stats = es.indices.stats(index=INDEX, metric="store,segments")["_all"]["primaries"]
        es.close()
    finally:
        cluster.stop()
    distinct = len({r["id"] for r in recs})  # a repeated id is one document (the last)
    if failed or count != distinct:
        raise RuntimeError(f"OpenSearch: {failed} bulk items failed, {count:,} of {distinct:,} "
                           "documents searchable after the refresh")
    return {"docs": len(recs), "searchable": count, "seconds": secs, "cpu_s": node_cpu + client_cpu,
            "node_cpu_s": node_cpu,
            "client_cpu_s": client_cpu, "size_mb": stats["store"]["size_in_bytes"] / 1e6,
            "segments": stats["segments"]["count"], "rss_mb": hwm, "rss_end_mb": rss,
            "startup_s": startup,
            "timed": (f"bulk load + settings back + _refresh, until searchable (node start "
                      f"{startup:.1f} s not timed; JSON parse not timed, the client's encoding "
                      f"is); {SETUP}; CPU = node {node_cpu:.1f} s + Python client "
                      f"{client_cpu:.1f} s; peak RSS = the JVM's; store = primaries")}


def query_text(q: str) -> str:
    """simple_query_string text: phrases as typed, else the last word a prefix (as-you-type, as
    FTS5 and Whoosh are asked here)."""
    if q.count('"') >= 2:
        return q
    words = q.replace('"', " ").split()
    return " ".join(words[:-1] + [words[-1] + "*"]) if words else q


def search_body(q: str) -> dict:
    return {"query": {"simple_query_string": {"query": query_text(q), "fields": ["body"],
                                              "default_operator": "and"}},
            "size": 10, "_source": False, "highlight": {"fields": {"body": {}}}}


def wrk_script(dest: Path, threads: int) -> Path:
    bodies = ", ".join(json.dumps(json.dumps(search_body(q), ensure_ascii=False), ensure_ascii=False)
                       for _c, q in QUERIES)
    from bench_http import WRK_DONE

    dest.write_text((WRK_LUA + WRK_DONE) % {"bodies": bodies, "threads": threads, "index": INDEX},
                    encoding="utf-8")
    return dest


def closed_loop(base: str, script: Path, cpu_of: Callable[[], float], duration: int,
                conns: tuple[int, ...] = HTTP_CONNS) -> list[dict]:
    """wrk at each connection count (after a 2 s unmeasured warm-up) with the server's CPU."""
    from bench_http import run_wrk

    if shutil.which("wrk") is None:
        return []
    run_wrk(base, script, 4, 2)
    rows = []
    for c in conns:
        cpu0 = cpu_of()
        r = run_wrk(base, script, c, duration)
        r.update(conns=c, cpu_s=cpu_of() - cpu0, load=loadavg())
        rows.append(r)
    return rows


def query(work: Path, reps: int, warmup: int, duration: int,
          time_queries: Callable[..., dict]) -> dict:
    """Restart the node on the loaded index, run the query set for `duration` s (JIT warm-up),
    time it over one connection, then wrk at 1 and 8 connections for `duration` s each."""
    cluster = start_node(work)
    pid = cluster.pids[0]
    try:
        es = client(cluster)
        deadline = time.monotonic() + START_TIMEOUT_S
        while es.cluster.health(index=INDEX, wait_for_status="green")["timed_out"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"index {INDEX} not green after the restart")
        took: list[float] = []

        def run(q: str) -> int:
            r = es.search(index=INDEX, body=search_body(q))
            took.append(r["took"])
            return len(r["hits"]["hits"])

        t = time.monotonic()  # a restarted JVM: the query set until the JIT has seen it a while
        while time.monotonic() - t < duration:
            for _c, q in QUERIES:
                run(q)
        took.clear()
        node0 = proc_cpu_s(pid)
        res = time_queries(run, reps, warmup)
        n = len(QUERIES) * (reps + warmup)
        res["node_cpu_ms_per_query"] = (proc_cpu_s(pid) - node0) * 1000 / n
        res["took_p50"] = percentile(took, 50)
        with tempfile.TemporaryDirectory(prefix="bench_os_wrk_") as tmp:
            res["http"] = closed_loop(cluster.urls[0], wrk_script(Path(tmp) / "os.lua", 2),
                                      lambda: proc_cpu_s(pid), duration)
        res["node_rss_mb"], res["node_peak_rss_mb"] = proc_mem_mb(pid)
        es.close()
    finally:
        cluster.stop()
    res["note"] = ("opensearch-py search(): simple_query_string (AND, last word prefix*), top 10, "
                   f"default highlight of body, _source off; after {duration} s of the query set "
                   "to warm the restarted JVM; HTTP round trip, server-side `took` "
                   f"p50 {res['took_p50']:.0f} ms, node CPU {res['node_cpu_ms_per_query']:.2f} "
                   "ms a query")
    return res


def ours_closed_loop(index_root: Path, duration: int) -> list[dict]:
    """`searchapp serve` (result cache off) under the same wrk plan: /api/search, mixed stream."""
    from bench_http import Server, lua_script, tree_pids

    if shutil.which("wrk") is None:
        return []
    server = Server(index_root, cache=False)

    def cpu() -> float:
        total = 0.0
        for p in tree_pids(server.proc.pid):
            try:
                total += proc_cpu_s(p)
            except (OSError, IndexError, ValueError):
                pass
        return total

    try:
        with tempfile.TemporaryDirectory(prefix="bench_ours_wrk_") as tmp:
            script = lua_script("api", [q for _c, q in QUERIES], Path(tmp) / "ours.lua")
            return closed_loop(server.base, script, cpu, duration)
    finally:
        server.stop()


def http_lines(rows: dict[str, list[dict]], duration: int) -> list[str]:
    """The closed-loop table: ours' /api/search and OpenSearch's _search side by side."""
    out = []
    for name, rs in rows.items():
        for r in rs:
            out.append([name, str(r["conns"]), f"{r['rps']:.0f}", f"{r['p50']:.2f}",
                        f"{r['p95']:.2f}", f"{r['p99']:.2f}", f"{r['max']:.1f}",
                        str(r["errors"] + r["non2xx"]), f"{r['cpu_s']:.1f}",
                        f"{r['cpu_s'] * 1000 / max(1, r['requests']):.2f}", r["load"].split()[0]])
    if not out:
        return ["   not run: wrk not found (apt-get install -y wrk)"]
    return [f"   wrk, the {len(QUERIES)} queries cycled (each thread from its own offset), "
            f"{duration} s per run after a 2 s warm-up; 2 wrk threads on the same 2 cores; server "
            "CPU = user+sys from /proc (ours: gunicorn master + workers; opensearch: the JVM)",
            "   ours: `searchapp serve` defaults, GET /api/search?q= (result cache off; facets, "
            "snippets); opensearch: POST /bench/_search with the body of the 1-connection row",
            table(["server", "conns", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
                   "server CPU s", "CPU ms/req", "load1"], out)]
