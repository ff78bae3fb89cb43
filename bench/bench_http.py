"""HTTP benchmark against the production server (`searchapp serve`, gunicorn) with wrk.

    .venv/bin/python bench/bench_http.py                     # index 35,440 articles, 30 s per run
    .venv/bin/python bench/bench_http.py --sentences         # ~693k sentences
    .venv/bin/python bench/bench_http.py --index-dir IDX     # an existing index root
    .venv/bin/python bench/bench_http.py --smoke             # 300 docs, 2 s per run (CI)
    .venv/bin/python bench/bench_http.py --index-dir IDX --streams "" --open-loop 50,100,250,500
                                            # the typing stream at constant arrival rates (vegeta)
    .venv/bin/python bench/bench_http.py --index-dir IDX --streams typing --soak 10
                                            # typing rows only, then 10 minutes of typing
                                            # at 8 connections, memory read every minute

Starts `.venv/bin/searchapp serve --host 127.0.0.1 --port <free> --index-dir <index>` with
SEARCHAPP_RATELIMIT=off, waits for /health, then runs wrk (Debian package `wrk`) with a Lua script
walking a list of URLs, for `/search?q=` with `HX-Request: true` (the htmx fragment) and
`/api/search?q=`, at 1, 8 and 32 connections. Loopback only, bounded in time. Two query streams:

- `mixed`: the 37 queries of bench_core (rare/common words, phrases, no diacritics, typing),
  cycled. With the server's result cache off (SEARCHAPP_SEARCH_CACHE=0) every request is a full
  search, the cold cost; with it on, every request after the first pass is a repeat, which
  measures the web layer alone (HTTP, Flask, template) as an upper bound.
- `typing`: people typing into the live search box: 4,000 sessions, each a query of 1-4 words
  taken from a random article title (half typed without diacritics), sent one more character at
  a time (every keystroke, more than htmx's 200 ms debounce sends), with `HX-Trigger: q` as
  the search box sends, so the results come without facets; where a session ends, the request
  for its facets (`/search/facets`, which the page sends once typing pauses) follows. The API
  rows send the keystrokes only (every JSON answer has facets). Each wrk thread starts at
  its own offset, so no request is a replay of another thread's. Repeats come only from what
  the sessions share (mostly their first letters); the table shows the share of requests that
  repeat an earlier URL, the most the result cache can answer. Run with the cache on and off.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import (
    DEFAULT_CORPUS,
    QUERIES,
    REPO,
    loadavg,
    machine_info,
    prepare_subset,
    table,
)

SMOKE_DOCS = 300
# Issue #20's targets (~700k documents, typing stream with facets, 2 cores).
P95_TARGET_MS = 10.0
P99_TARGET_MS = 25.0
P99_TARGET_1CONN_MS = 15.0
RPS_TARGET = 500.0
RSS_TARGET_MB = 300.0

LUA = r"""
local paths = {%(paths)s}
local i = 0
local counter = 0
%(hx)s
setup = function(thread)
  thread:set("start", counter)
  counter = counter + 1
end
init = function(args)
  -- each thread walks the list from its own offset: threads never replay each other's requests
  i = math.floor((start or 0) * #paths / %(threads)d)
end
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
"""

# wrk's done() hook: the summary as one JSON line, which run_wrk reads (%% escaped for the
# templates it ends).
WRK_DONE = r"""
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
LUA += WRK_DONE


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


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) the server tree has used so far: its processes' own and
    their ended children's. Divided by the requests of a run, it is what a request costs the
    server, a figure a shared machine disturbs far less than latencies."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in tree_pids(root):
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in f[11:15])  # utime stime cutime cstime
    return total / tick


def tree_rss_mb(root: int, exclude: set[int] | None = None) -> tuple[float, float, float, float]:
    """(current RSS, sum of per-process peak RSS, current PSS, current PSS of anonymous memory)
    of the server tree, MB.

    RSS counts the memory-mapped index pages once per worker that touched them; PSS (proportional
    set size, /proc/<pid>/smaps_rollup) splits shared pages between the processes sharing them,
    so its sum is the memory the server as a whole holds. Anonymous memory is the heap (Python
    objects, caches, tantivy's own buffers); the rest is index files mapped from the page cache,
    which the kernel can drop and read again."""
    rss = hwm = pss = anon = 0
    for pid in tree_pids(root):
        if exclude and pid in exclude:
            continue
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Pss_Anon:"):
                    anon += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, hwm / 1024, pss / 1024, anon / 1024


# Which WSGI server runs the app: `searchapp serve` (gunicorn, gthread) or granian (--server).
SERVER_KIND = "gunicorn"


class Server:
    def __init__(self, index_root: Path, cache: bool = True,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        exe = REPO / ".venv" / "bin" / "searchapp"
        cmd = [str(exe) if exe.exists() else "searchapp", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--index-dir", str(index_root)]
        env = dict(os.environ, SEARCHAPP_RATELIMIT="off", **(env or {}))
        self.metrics = None
        if SERVER_KIND == "granian":  # the same app under granian, for --server granian
            self.metrics = tempfile.mkdtemp(prefix="bench_metrics_")
            env.update(SEARCHAPP_INDEX_DIR=str(Path(index_root).resolve()),
                       PROMETHEUS_MULTIPROC_DIR=self.metrics)
            cmd = [str(REPO / ".venv" / "bin" / "granian"), "--interface", "wsgi", "--host",
                   "127.0.0.1", "--port", str(self.port), "--workers",
                   env.get("SEARCHAPP_WORKERS", "2"), "--blocking-threads",
                   env.get("SEARCHAPP_THREADS", "2"), "--no-ws", "--log-level", "warning",
                   "--factory", "searchapp.web:create_app"]
        if not cache:
            env["SEARCHAPP_SEARCH_CACHE"] = "0"
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
        if self.metrics:
            shutil.rmtree(self.metrics, ignore_errors=True)


WRK_THREADS = 2
TYPING_SESSIONS = 4000


def strip_marks(text: str) -> str:
    nfd = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in nfd if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", bare).replace("đ", "d").replace("Đ", "D")


# A typing stream entry that stands for the facets request of a session's last query (the
# htmx page asks /search/facets once typing pauses; the JSON API returns facets every time).
FACETS_MARK = "\x00facets:"


def typing_stream(corpus: Path, sessions: int = TYPING_SESSIONS, seed: int = 7) -> list[str]:
    """Queries as the live search box sends them: for each session, a 1-4 word query from a
    random article title (half without diacritics), one more character per request."""
    rng = random.Random(seed)
    titles: list[str] = []
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as src:
        for line in src:
            if line.strip():
                title = (json.loads(line).get("title") or "").strip()
                if len(title.split()) >= 2:
                    titles.append(title)
            if len(titles) >= 50_000:
                break
    out: list[str] = []
    for _ in range(sessions):
        words = [w for w in rng.choice(titles).lower().split() if any(c.isalnum() for c in w)]
        if not words:
            continue
        n = min(len(words), rng.choice((1, 2, 2, 3, 3, 4)))
        start = rng.randrange(0, len(words) - n + 1)
        query = " ".join(words[start:start + n])
        if rng.random() < 0.5:
            query = strip_marks(query)
        out.extend(query[:k] for k in range(1, len(query) + 1) if not query[:k].endswith(" "))
        out.append(FACETS_MARK + query)  # typing stops: the page loads the facets of the query
    return out


def stream(name: str, corpus: Path) -> list[str]:
    if name == "mixed":
        return [q for _c, q in QUERIES]
    return typing_stream(corpus)


def request_paths(kind: str, queries: list[str]) -> list[str]:
    """URLs for a stream: htmx keystrokes, plus /search/facets where a typing session ends;
    /api/search (which returns facets with every answer) for the API."""
    if kind != "htmx":
        return ["/api/search?q=" + urllib.parse.quote(q) for q in queries
                if not q.startswith(FACETS_MARK)]
    return [("/search/facets?q=" + urllib.parse.quote(q[len(FACETS_MARK):]))
            if q.startswith(FACETS_MARK) else "/search?q=" + urllib.parse.quote(q)
            for q in queries]


def lua_script(kind: str, queries: list[str], dest: Path, keystrokes: bool = False) -> Path:
    """wrk script walking the stream's URLs; htmx requests carry HX-Request, and keystrokes
    HX-Trigger: q as the search box sends (its results then leave the facets to their own URL)."""
    paths = ", ".join(json.dumps(p) for p in request_paths(kind, queries))
    hx = 'wrk.headers["HX-Request"] = "true"' if kind == "htmx" else ""
    if kind == "htmx" and keystrokes:
        hx += '\nwrk.headers["HX-Trigger"] = "q"'
    dest.write_text(LUA % {"paths": paths, "threads": WRK_THREADS, "hx": hx}, encoding="utf-8")
    return dest


def repeat_share(queries: list[str], sent: int, threads: int = WRK_THREADS) -> float:
    """Share of the first `sent` requests (split over the threads' offsets) that repeat an
    earlier URL: the most a result cache can answer."""
    per = max(1, sent // threads)
    seen: set[str] = set()
    repeats = total = 0
    n = len(queries)
    for t in range(threads):
        start = t * n // threads
        for k in range(per):
            q = queries[(start + k) % n]
            total += 1
            if q in seen:
                repeats += 1
            seen.add(q)
    return repeats / total if total else 0.0


def run_wrk(base: str, script: Path, conns: int, duration: int) -> dict:
    threads = min(conns, WRK_THREADS)
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{duration}s", "--timeout", "10s",
           "--latency", "-s", str(script), base + "/"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=duration + 60)
    for line in proc.stdout.splitlines():
        if line.startswith("JSON "):
            r = json.loads(line[5:])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            return r
    raise RuntimeError(f"wrk failed: {proc.stdout[-300:]} {proc.stderr[-300:]}")


# (endpoint, stream, result cache) in the order they run; each at every connection count.
PLAN = (
    ("htmx", "mixed", False),
    ("htmx", "mixed", True),  # every request a repeat after the first pass: the web layer alone
    ("htmx", "typing", False),
    ("htmx", "typing", True),
    ("api", "typing", True),
)


def http_matrix(
    index_root: Path, duration: int, connections: str, corpus: Path,
    streams_wanted: tuple[str, ...] = ("mixed", "typing"),
) -> tuple[list[str], list[dict]]:
    """Start the server (cache off, then on) on index_root and run wrk for each PLAN row."""
    if shutil.which("wrk") is None:
        return ["not run: wrk not found (apt-get install -y wrk)"], []
    conns = [int(c) for c in connections.split(",") if c.strip()]
    plan = [row for row in PLAN if row[1] in streams_wanted
            and (row[1] == "mixed" or corpus.is_file())]  # typing needs titles
    streams = {name: stream(name, corpus) for name in {row[1] for row in plan}}
    rows: list[dict] = []
    idle = {}
    for cache in (False, True):
        server = Server(index_root, cache=cache)
        try:
            idle[cache] = tree_rss_mb(server.proc.pid)
            with tempfile.TemporaryDirectory(prefix="bench_http_") as tmp:
                for kind, name, with_cache in plan:
                    if with_cache != cache:
                        continue
                    queries = streams[name]
                    script = lua_script(kind, queries, Path(tmp) / f"{kind}-{name}.lua",
                                        keystrokes=name == "typing")
                    # a short unmeasured pass on other URLs so every worker has opened the index
                    warm = lua_script(kind, [q[::-1] for _c, q in QUERIES[:6]],
                                      Path(tmp) / "warm.lua")
                    run_wrk(server.base, warm, 4, 2)
                    for c in conns:
                        cpu = tree_cpu_s(server.proc.pid)
                        r = run_wrk(server.base, script, c, duration)
                        r["cpu_ms"] = 1000 * (tree_cpu_s(server.proc.pid) - cpu) / max(1, r["requests"])
                        (r["rss_mb"], r["hwm_mb"], r["pss_mb"],
                         r["anon_mb"]) = tree_rss_mb(server.proc.pid)
                        r["repeats"] = repeat_share(request_paths(kind, queries), r["requests"],
                                                    min(c, WRK_THREADS))
                        r.update(kind=kind, stream=name, cache=cache, conns=c, load=loadavg())
                        rows.append(r)
        finally:
            server.stop()
    table_rows = [[("/search (HX-Request)" if r["kind"] == "htmx" else "/api/search"), r["stream"],
                   "on" if r["cache"] else "off", str(r["conns"]),
                   f"{r['rps']:.0f}", f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['p99']:.2f}",
                   f"{r['max']:.1f}", str(r["errors"] + r["non2xx"]),
                   f"{r['cpu_ms']:.2f}", f"{100 * r['repeats']:.0f}%",
                   f"{r['rss_mb']:.0f}", f"{r['pss_mb']:.0f}", f"{r['anon_mb']:.0f}",
                   f"{r['hwm_mb']:.0f}",
                   r["load"].split()[0]] for r in rows]
    typing = streams.get("typing", [])
    sessions = sum(q.startswith(FACETS_MARK) for q in typing)
    lines = [
        f"   wrk {WRK_THREADS} threads, {duration} s per run; server = gunicorn master + workers "
        f"(defaults); mixed = {len(QUERIES)} queries cycled; typing = {len(typing) - sessions:,} keystroke "
        f"requests from {sessions:,} sessions ({len(set(typing)) - sessions:,} distinct), each "
        f"followed by its facets request on the htmx rows",
        f"   idle after start: RSS {idle.get(True, (0, 0, 0, 0))[0]:.0f} MB, PSS "
        f"{idle.get(True, (0, 0, 0, 0))[2]:.0f} MB (server tree); repeats = requests repeating an "
        f"earlier URL (the most the cache can answer); heap = PSS of anonymous memory (the rest "
        f"is index pages mapped from the page cache)",
        table(["endpoint", "stream", "cache", "conns", "req/s", "p50 ms", "p95 ms", "p99 ms",
               "max ms", "errors", "CPU ms/req", "repeats", "RSS MB", "PSS MB", "heap MB", "peak RSS MB",
               "load1"],
              table_rows),
    ]
    peak_pss = max((r["pss_mb"] for r in rows), default=0.0)
    peak_anon = max((r["anon_mb"] for r in rows), default=0.0)
    peak_rss = max((r["hwm_mb"] for r in rows), default=0.0)
    for name, cache in (("mixed", False), ("mixed", True), ("typing", False), ("typing", True)):
        h8 = next((r for r in rows if r["kind"] == "htmx" and r["stream"] == name
                   and r["cache"] == cache and r["conns"] == 8), None)
        h1 = next((r for r in rows if r["kind"] == "htmx" and r["stream"] == name
                   and r["cache"] == cache and r["conns"] == 1), None)
        if h8:
            lines.append(
                f"targets (meant for ~700k docs), /search {name}, cache {'on' if cache else 'off'}, "
                f"8 clients: p95 <= {P95_TARGET_MS:.0f} ms: {h8['p95']:.1f} {_met(h8['p95'] <= P95_TARGET_MS)}; "
                f"p99 <= {P99_TARGET_MS:.0f} ms: {h8['p99']:.1f} {_met(h8['p99'] <= P99_TARGET_MS)}; "
                f">= {RPS_TARGET:.0f} req/s: {h8['rps']:.0f} {_met(h8['rps'] >= RPS_TARGET)}; "
                f"errors {h8['errors'] + h8['non2xx']}")
        if h1:
            lines.append(
                f"targets, /search {name}, cache {'on' if cache else 'off'}, 1 client: p99 <= "
                f"{P99_TARGET_1CONN_MS:.0f} ms: {h1['p99']:.1f} {_met(h1['p99'] <= P99_TARGET_1CONN_MS)}")
    if rows:
        lines.append(
            f"target server memory <= {RSS_TARGET_MB:.0f} MB: PSS peak {peak_pss:.0f} "
            f"{'met' if peak_pss <= RSS_TARGET_MB else 'MISSED'}, of which heap {peak_anon:.0f} "
            f"(sum of per-process peak RSS {peak_rss:.0f}, counting shared index pages once per "
            f"worker)")
    return lines, rows


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def soak(index_root: Path, minutes: int, corpus: Path, conns: int = 8) -> list[str]:
    """The production server (result cache on) under the typing stream for `minutes`, one wrk
    run a minute, each continuing the stream where the last one stopped (so the cache sees
    only what a longer stream would repeat); latency and memory after every minute."""
    if shutil.which("wrk") is None or not corpus.is_file():
        return ["soak not run: wrk or the corpus is missing"]
    queries = typing_stream(corpus, sessions=TYPING_SESSIONS * 4, seed=11)
    paths = request_paths("htmx", queries)
    rows: list[list[str]] = []
    server = Server(index_root, cache=True)
    offset = 0
    try:
        idle = tree_rss_mb(server.proc.pid)
        with tempfile.TemporaryDirectory(prefix="bench_soak_") as tmp:
            for minute in range(1, minutes + 1):
                turned = queries[offset:] + queries[:offset]
                script = lua_script("htmx", turned, Path(tmp) / "soak.lua", keystrokes=True)
                r = run_wrk(server.base, script, conns, 60)
                offset = (offset + r["requests"]) % len(paths)
                rss, hwm, pss, anon = tree_rss_mb(server.proc.pid)
                rows.append([str(minute), f"{r['rps']:.0f}", f"{r['p50']:.2f}", f"{r['p95']:.2f}",
                             f"{r['p99']:.2f}", f"{r['max']:.1f}", str(r["errors"] + r["non2xx"]),
                             f"{rss:.0f}", f"{pss:.0f}", f"{anon:.0f}", f"{pss - anon:.0f}",
                             loadavg().split()[0]])
                print(f"... soak minute {minute}: {rows[-1]}", file=sys.stderr, flush=True)
    finally:
        server.stop()
    last = rows[-1] if rows else None
    lines = [
        f"soak: /search typing stream (HX keystrokes + facets), result cache on, {conns} "
        f"connections, {minutes} x 60 s; idle after start PSS {idle[2]:.0f} MB, heap {idle[3]:.0f} MB",
        table(["minute", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "RSS MB",
               "PSS MB", "heap MB", "mapped MB", "load1"], rows),
    ]
    if last:
        lines.append(f"target PSS <= {RSS_TARGET_MB:.0f} MB after {minutes} min: {last[8]} MB "
                     f"{_met(float(last[8]) <= RSS_TARGET_MB)} (heap {last[9]} MB "
                     f"{_met(float(last[9]) <= RSS_TARGET_MB)}, index pages mapped {last[10]} MB)")
    return lines


# Issue #29's open-loop targets: keystrokes/s -> p99 ms (700k sentences, the typing stream).
OPEN_LOOP_P99_MS = {100: 30.0, 250: 60.0}
OPEN_LOOP_WARMUP_S = 10


def vegeta_path() -> str | None:
    """vegeta (`go install github.com/tsenart/vegeta/v12@latest`), on PATH or in ~/go/bin."""
    found = shutil.which("vegeta")
    home = Path.home() / "go" / "bin" / "vegeta"
    return found or (str(home) if home.exists() else None)


def vegeta_targets(base: str, queries: list[str], dest: Path) -> Path:
    """The typing stream as vegeta's HTTP targets: keystrokes with HX-Request and HX-Trigger: q
    (as the search box sends), the facets request where a session ends with HX-Request only."""
    blocks = []
    for path in request_paths("htmx", queries):
        headers = "HX-Request: true" + ("\nHX-Trigger: q" if path.startswith("/search?") else "")
        blocks.append(f"GET {base}{path}\n{headers}\n")
    dest.write_text("\n".join(blocks), encoding="utf-8")
    return dest


def run_vegeta(exe: str, targets: Path, rate: int, duration: int) -> dict:
    """One constant-rate attack (open loop: requests leave on schedule whatever the answers
    take); latencies in ms, errors = failed requests and non-2xx answers."""
    attack = subprocess.Popen(
        [exe, "attack", f"-targets={targets}", f"-rate={rate}/s", f"-duration={duration}s",
         "-timeout=10s", "-max-workers=2000"], stdout=subprocess.PIPE)
    report = subprocess.run([exe, "report", "-type=json"], stdin=attack.stdout,
                            capture_output=True, text=True, check=False, timeout=duration + 120)
    assert attack.stdout is not None
    attack.stdout.close()
    attack.wait(timeout=60)
    r = json.loads(report.stdout)
    lat = {k: v / 1e6 for k, v in r["latencies"].items() if isinstance(v, (int, float))}
    codes = r.get("status_codes") or {}
    ok = sum(n for code, n in codes.items() if code.startswith("2"))
    return {"rate": r.get("rate", 0.0), "throughput": r.get("throughput", 0.0),
            "requests": r.get("requests", 0), "errors": r.get("requests", 0) - ok,
            "p50": lat.get("50th", 0.0), "p95": lat.get("95th", 0.0), "p99": lat.get("99th", 0.0),
            "max": lat.get("max", 0.0)}


def drain(base: str, limit_s: float = 60.0) -> None:
    """Wait until the server answers /health within 0.5 s again (its queue has drained)."""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        started = time.time()
        try:
            with urllib.request.urlopen(base + "/health", timeout=5) as r:
                if r.status == 200 and time.time() - started < 0.5:
                    return
        except OSError:
            pass
        time.sleep(0.5)


def open_loop(index_root: Path, rates: list[int], duration: int, corpus: Path) -> list[str]:
    """The production server (result cache on) under the typing stream at constant arrival
    rates (people typing, not connections waiting on answers): p50/p95/p99 per rate. Each rate
    continues the stream where the last stopped; a short warm-up at the first rate goes first."""
    exe = vegeta_path()
    if exe is None or not corpus.is_file():
        return ["open loop not run: vegeta (go install github.com/tsenart/vegeta/v12@latest) or "
                "the corpus is missing"]
    queries = typing_stream(corpus, sessions=TYPING_SESSIONS * 4, seed=13)
    rows: list[list[str]] = []
    checks: list[str] = []
    server = Server(index_root, cache=True)
    offset = 0
    try:
        with tempfile.TemporaryDirectory(prefix="bench_open_") as tmp:
            plan = [(rates[0], min(OPEN_LOOP_WARMUP_S, duration), False)] + [(r, duration, True) for r in rates]
            for rate, secs, shown in plan:
                turned = queries[offset:] + queries[:offset]
                targets = vegeta_targets(server.base, turned, Path(tmp) / "targets.txt")
                cpu = tree_cpu_s(server.proc.pid)
                r = run_vegeta(exe, targets, rate, secs)
                cpu_ms = 1000 * (tree_cpu_s(server.proc.pid) - cpu) / max(1, r["requests"])
                offset = (offset + r["requests"]) % len(queries)
                drain(server.base)  # an overloaded rate leaves a queue the next must not inherit
                if not shown:
                    continue
                rows.append([str(rate), f"{r['throughput']:.0f}", f"{r['p50']:.2f}",
                             f"{r['p95']:.2f}", f"{r['p99']:.2f}", f"{r['max']:.1f}",
                             str(r["errors"]), f"{cpu_ms:.2f}", loadavg().split()[0]])
                print(f"... open loop {rate}/s: {rows[-1]}", file=sys.stderr, flush=True)
                if rate in OPEN_LOOP_P99_MS:
                    target = OPEN_LOOP_P99_MS[rate]
                    checks.append(f"{rate}/s p99 <= {target:.0f} ms: {r['p99']:.1f} ms "
                                  f"{_met(r['p99'] <= target and r['errors'] == 0)}")
    finally:
        server.stop()
    return [
        f"open loop: /search typing stream (HX keystrokes + facets) at constant arrival rates "
        f"(vegeta), result cache on, {duration} s per rate after a {min(OPEN_LOOP_WARMUP_S, duration)} s warm-up",
        table(["keystrokes/s", "answered/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
               "server CPU ms/req", "load1"], rows),
        *(["targets: " + "; ".join(checks)] if checks else []),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, default=None, help="existing index root to serve")
    ap.add_argument("--docs", type=int, default=None)
    ap.add_argument("--sentences", action="store_true")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--duration", type=int, default=30, help="seconds per wrk run (default 30)")
    ap.add_argument("--connections", default="1,8,32")
    ap.add_argument("--smoke", action="store_true", help=f"{SMOKE_DOCS} docs, 2 s runs")
    ap.add_argument("--streams", default="mixed,typing", help="streams of the matrix")
    ap.add_argument("--soak", type=int, default=0, metavar="MINUTES",
                    help="then the typing stream at 8 connections for MINUTES, memory each minute")
    ap.add_argument("--server", choices=("gunicorn", "granian"), default="gunicorn",
                    help="the WSGI server: `searchapp serve` (gunicorn) or granian (pip install "
                         "granian) running the same app with the same workers and threads")
    ap.add_argument("--open-loop", default="", metavar="RATES",
                    help="then the typing stream at these constant keystrokes/s (vegeta), e.g. "
                    "50,100,250,500; --duration seconds each")
    args = ap.parse_args(argv)
    global SERVER_KIND
    SERVER_KIND = args.server
    if args.smoke:
        args.duration = 2
    info = machine_info()
    out = [
        f"searchapp HTTP benchmark (wrk/vegeta against the app under {args.server})",
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
            from searchapp.index.build import build_index

            limit = SMOKE_DOCS if args.smoke and args.docs is None else args.docs
            path = Path(tmp) / "corpus.jsonl"
            docs, nbytes = prepare_subset(corpus, limit, path, args.sentences)
            print(f"... indexing {docs:,} docs", file=sys.stderr, flush=True)
            t = time.perf_counter()
            build_index(Path(tmp) / "index", [path], max_bytes=path.stat().st_size + 1)
            root = Path(tmp) / "index"
            out.append(f"index   : {docs:,} {'sentences' if args.sentences else 'articles'} of "
                       f"{corpus.name} ({nbytes / 1e6:.0f} MB), built in {time.perf_counter() - t:.1f} s")
        corpus = (args.corpus or DEFAULT_CORPUS).expanduser()
        wanted = tuple(x.strip() for x in args.streams.split(",") if x.strip())
        if wanted:
            lines, _rows = http_matrix(root, args.duration, args.connections, corpus, wanted)
            out += lines
        if args.soak:
            out += soak(root, args.soak, corpus)
        if args.open_loop:
            rates = [int(x) for x in args.open_loop.split(",") if x.strip()]
            out += open_loop(root, rates, args.duration, corpus)
    out.append(f"load    : {loadavg()} at end")
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
