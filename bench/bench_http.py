"""HTTP benchmark against the production server (`searchapp serve`, gunicorn) with wrk.

    .venv/bin/python bench/bench_http.py                     # index 35,440 articles, 30 s per run
    .venv/bin/python bench/bench_http.py --sentences         # ~693k sentences
    .venv/bin/python bench/bench_http.py --index-dir IDX     # an existing index root
    .venv/bin/python bench/bench_http.py --smoke             # 300 docs, 2 s per run (CI)

Starts `.venv/bin/searchapp serve --host 127.0.0.1 --port <free> --index-dir <index>` with
SEARCHAPP_RATELIMIT=off, waits for /health, then runs wrk (Debian package `wrk`) with a Lua script
cycling through the mixed query set, for `/search?q=` with `HX-Request: true` (the htmx fragment)
and `/api/search?q=`, at 1, 8 and 32 connections. Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import (  # noqa: E402
    DEFAULT_CORPUS, QUERIES, REPO, loadavg, machine_info, prepare_subset, table,
)

SMOKE_DOCS = 300
P95_TARGET_MS = 15.0
RPS_TARGET = 300.0
RSS_TARGET_MB = 300.0

LUA = r"""
local paths = {%(paths)s}
local i = 0
%(hx)s
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\"p50\": %%f, \"p95\": %%f, \"p99\": %%f, \"max\": %%f, \"requests\": %%d, " ..
    "\"duration_us\": %%d, \"errors\": %%d, \"non2xx\": %%d}\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_pids(root: int) -> list[int]:
    """root and all its descendants (gunicorn master + workers), from /proc."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    out, stack = [], [root]
    while stack:
        p = stack.pop()
        out.append(p)
        stack += children.get(p, [])
    return out


def tree_rss_mb(root: int) -> tuple[float, float]:
    """(current RSS, sum of per-process peak RSS) of the server tree, MB."""
    rss = hwm = 0
    for pid in tree_pids(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, hwm / 1024


class Server:
    def __init__(self, index_root: Path) -> None:
        self.port = free_port()
        exe = REPO / ".venv" / "bin" / "searchapp"
        cmd = [str(exe) if exe.exists() else "searchapp", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--index-dir", str(index_root)]
        env = dict(os.environ, SEARCHAPP_RATELIMIT="off")
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
                                     start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.stderr()}")
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("server did not answer /health within 60 s")
            time.sleep(0.2)

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-500:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: master + its workers
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def lua_script(kind: str, dest: Path) -> Path:
    prefix = "/search?q=" if kind == "htmx" else "/api/search?q="
    paths = ", ".join(json.dumps(prefix + urllib.parse.quote(q)) for _c, q in QUERIES)
    dest.write_text(LUA % {"paths": paths, "hx": 'wrk.headers["HX-Request"] = "true"' if kind == "htmx" else ""}, encoding="utf-8")
    return dest


def run_wrk(base: str, script: Path, conns: int, duration: int) -> dict:
    threads = min(conns, 2)
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{duration}s", "--timeout", "10s",
           "--latency", "-s", str(script), base + "/"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=duration + 60)
    for line in proc.stdout.splitlines():
        if line.startswith("JSON "):
            r = json.loads(line[5:])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            return r
    raise RuntimeError(f"wrk failed: {proc.stdout[-300:]} {proc.stderr[-300:]}")


def http_matrix(index_root: Path, duration: int, connections: str) -> tuple[list[str], list[dict]]:
    """Start the server on index_root, run wrk for both endpoints at each connection count."""
    if shutil.which("wrk") is None:
        return ["not run: wrk not found (apt-get install -y wrk)"], []
    conns = [int(c) for c in connections.split(",") if c.strip()]
    server = Server(index_root)
    rows: list[dict] = []
    try:
        idle_rss, _ = tree_rss_mb(server.proc.pid)
        with tempfile.TemporaryDirectory(prefix="bench_http_") as tmp:
            for kind in ("htmx", "api"):
                script = lua_script(kind, Path(tmp) / f"{kind}.lua")
                # one short unmeasured pass so every worker has opened the index and warmed up
                run_wrk(server.base, script, 4, 2)
                for c in conns:
                    r = run_wrk(server.base, script, c, duration)
                    r["rss_mb"], r["hwm_mb"] = tree_rss_mb(server.proc.pid)
                    r.update(kind=kind, conns=c, load=loadavg())
                    rows.append(r)
    finally:
        server.stop()
    table_rows = [[("/search (HX-Request)" if r["kind"] == "htmx" else "/api/search"), str(r["conns"]),
                   f"{r['rps']:.0f}", f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['p99']:.2f}",
                   f"{r['max']:.1f}", str(r["errors"] + r["non2xx"]), f"{r['rss_mb']:.0f}",
                   f"{r['hwm_mb']:.0f}", r["load"].split()[0]] for r in rows]
    lines = [
        f"   wrk, {duration} s per run, {len(QUERIES)} queries cycled; server = gunicorn master + "
        f"workers (defaults); RSS idle after start {idle_rss:.0f} MB",
        table(["endpoint", "conns", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
               "RSS MB", "peak RSS MB", "load1"], table_rows),
    ]
    h8 = next((r for r in rows if r["kind"] == "htmx" and r["conns"] == 8), None)
    if h8:
        peak = max(r["hwm_mb"] for r in rows)
        lines.append(
            f"targets (meant for ~700k docs): /search p95 @8 <= {P95_TARGET_MS:.0f} ms: {h8['p95']:.1f} "
            f"{'met' if h8['p95'] <= P95_TARGET_MS else 'MISSED'}; >= {RPS_TARGET:.0f} req/s @8: "
            f"{h8['rps']:.0f} {'met' if h8['rps'] >= RPS_TARGET else 'MISSED'}; server RSS <= "
            f"{RSS_TARGET_MB:.0f} MB: peak {peak:.0f} {'met' if peak <= RSS_TARGET_MB else 'MISSED'}")
    return lines, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, default=None, help="existing index root to serve")
    ap.add_argument("--docs", type=int, default=None)
    ap.add_argument("--sentences", action="store_true")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--duration", type=int, default=30, help="seconds per wrk run (default 30)")
    ap.add_argument("--connections", default="1,8,32")
    ap.add_argument("--smoke", action="store_true", help=f"{SMOKE_DOCS} docs, 2 s runs")
    args = ap.parse_args(argv)
    if args.smoke:
        args.duration = 2
    info = machine_info()
    out = [
        "searchapp HTTP benchmark (wrk against `searchapp serve`)",
        f"machine : {info['cpu']}, {info['cores']} cores, {info['ram']} RAM",
        f"date    : {info['date']}   python {info['python']}   tantivy {info['tantivy']}"
        f"   repo {info['commit']}",
        f"load    : {info['load']} at start (1/5/15-min; above {info['cores']} = CPUs shared)",
    ]
    if shutil.which("wrk"):
        v = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        out.append(f"wrk     : {(v.stdout + v.stderr).splitlines()[0] if (v.stdout + v.stderr) else '?'}")
    with tempfile.TemporaryDirectory(prefix="bench_http_idx_") as tmp:
        if args.index_dir:
            root = args.index_dir
            out.append(f"index   : {root}")
        else:
            corpus = (args.corpus or DEFAULT_CORPUS).expanduser()
            if not corpus.is_file():
                print(f"skipped: corpus not found ({corpus})")
                return 0
            from searchapp.indexer import build_index  # noqa: PLC0415

            limit = SMOKE_DOCS if args.smoke and args.docs is None else args.docs
            path = Path(tmp) / "corpus.jsonl"
            docs, nbytes = prepare_subset(corpus, limit, path, args.sentences)
            print(f"... indexing {docs:,} docs", file=sys.stderr, flush=True)
            t = time.perf_counter()
            build_index(Path(tmp) / "index", [path], max_bytes=path.stat().st_size + 1)
            root = Path(tmp) / "index"
            out.append(f"index   : {docs:,} {'sentences' if args.sentences else 'articles'} of "
                       f"{corpus.name} ({nbytes / 1e6:.0f} MB), built in {time.perf_counter() - t:.1f} s")
        lines, _rows = http_matrix(root, args.duration, args.connections)
        out += lines
    out.append(f"load    : {loadavg()} at end")
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
