"""Pagefind beside ours on the same HTML files: indexing time and query latency (issue #20).

    nice -n 19 .venv/bin/python bench/bench_pagefind.py               # all 35,440 baomoi-vi articles
    nice -n 19 .venv/bin/python bench/bench_pagefind.py --docs 3000   # the first 3,000
    nice -n 19 .venv/bin/python bench/bench_pagefind.py --smoke       # 50 docs, a few queries (CI)

1. Writes the articles as one HTML file each (`<title>`, `<main data-pagefind-body>` holding an
   `<h1>` title and one `<p>` per line of text) into a temporary work dir.
2. Indexes them with Pagefind (`npm install pagefind@VERSION` into ~/.cache/searchapp-bench, then
   its `pagefind --site DIR`, the command `npx pagefind` runs) and
3. with ours through the real command (`searchapp index DIR`, HTML read by trafilatura): both read
   the same files. Wall time, CPU (getrusage of the child processes) and peak RSS of each command,
   each run from its own child process.
4. Pagefind's real search: the output is served by Python's http.server (a thread) and opened in
   Debian's Chromium through Playwright; for each query the page times, with performance.now(),
   `await pagefind.search(q)` plus `Promise.all(r.results.slice(0, 10).map(x => x.data()))` (the
   first 10 results' titles and excerpts, as a results page shows them).
5. Ours on the same queries and the same index: `GET /api/search?q=` through the Flask test client
   in process (result cache off), the JSON a results page needs.

Query sets: `mixed` = bench_core's 37 queries (rare/common words, 2-3+ words, phrases, no
diacritics, as-you-type q..quyen, b..bong da) as bench_peers uses them; `typing` = bench_http's
typing stream (1-4 words of a random title of the indexed articles, half without diacritics, one
more character per query) for the first --typing-sessions sessions. Cold = the first query of a
fresh page (new browser context: empty HTTP cache) after `pagefind.init()`, and for ours the first
query of a fresh app after the index is opened; the init/open time is reported beside it.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import FACETS_MARK, typing_stream
from peers import (
    CACHE,
    DEFAULT_CORPUS,
    QUERIES,
    REPO,
    dir_size_mb,
    loadavg,
    machine_info,
    percentile,
    prepare_subset,
    read_records,
    run_script,
    table,
)

PAGEFIND_VERSION = "1.6.0"
SMOKE_DOCS = 50
SMOKE_QUERIES = ["interpol", "của", "bóng đá", '"tai nạn giao thông"', "bong da", "quy"]
CHROMIUM = shutil.which("chromium")


# --------------------------------------------------------------------------- setup


def why_not_runnable() -> str | None:
    """None when npm, Chromium and Playwright are here, else why the benchmark cannot run."""
    if shutil.which("npm") is None:
        return "npm not found (apt-get install npm): Pagefind ships as an npm package"
    if CHROMIUM is None:
        return "chromium is not on PATH (apt-get install chromium): Pagefind searches in a browser"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install -e '.[test]')"
    return None


def install_pagefind(version: str) -> tuple[Path, str]:
    """`npm install pagefind@version` into the bench cache (once); the `pagefind` launcher."""
    prefix = CACHE / f"pagefind-{version}"
    exe = prefix / "node_modules" / ".bin" / "pagefind"
    if not exe.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix",
             str(prefix), f"pagefind@{version}"],
            capture_output=True, text=True, check=False, timeout=600)
        if proc.returncode != 0 or not exe.exists():
            raise RuntimeError(f"npm install pagefind@{version} failed: "
                               f"{(proc.stdout + proc.stderr).strip()[-300:]}")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    return exe, (out.stdout.strip() or f"pagefind {version}")


def write_html(records: list[dict], site: Path) -> int:
    """One HTML file per article; returns the bytes written."""
    nbytes = 0
    for n, r in enumerate(records):
        title = html.escape(r.get("title") or "")
        paras = "".join(f"<p>{html.escape(p.strip())}</p>"
                        for p in (r.get("text") or "").split("\n") if p.strip())
        page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}'
                f"</title></head><body><main data-pagefind-body><h1>{title}</h1>{paras}</main>"
                "</body></html>")
        folder = site / str(n // 1000)
        folder.mkdir(parents=True, exist_ok=True)
        data = page.encode("utf-8")
        (folder / f"{r['id']}.html").write_bytes(data)
        nbytes += len(data)
    return nbytes


def searchapp_command() -> list[str]:
    exe = shutil.which("searchapp", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-c", "from searchapp.cli import main; main()"]


# --------------------------------------------------------------------------- child phases


def phase_run(cmd: list[str]) -> dict:
    """Run one command; wall, CPU and peak RSS of it and its descendants (this process waits
    for nothing else)."""
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    secs = time.perf_counter() - t
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed ({proc.returncode}): "
                           f"{(proc.stdout + proc.stderr).strip()[-400:]}")
    return {"seconds": secs, "user": ru.ru_utime, "sys": ru.ru_stime,
            "rss_mb": ru.ru_maxrss / 1024, "output": (proc.stdout + proc.stderr).strip()[-2000:]}


class _Quiet(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as any real static server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve_static(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


INIT_JS = """async () => {
  const t0 = performance.now();
  window.__pf = await import('/pagefind/pagefind.js');
  await window.__pf.init();
  return performance.now() - t0;
}"""

SEARCH_JS = """async (q) => {
  const t0 = performance.now();
  const r = await window.__pf.search(q);
  const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
  const ms = performance.now() - t0;
  return {ms: ms, hits: r.results.length, shown: data.length,
          first: data.length ? (data[0].meta.title || '') : ''};
}"""


def chromium_keeping_nice(work: Path) -> tuple[str, str]:
    """Chromium raises its own priority (setpriority to nice 0 and -8 for its display threads)
    when it may, i.e. as root: launched without CAP_SYS_NICE (setpriv) it keeps the nice value
    of this benchmark, so `nice -n 19` holds for the browser too."""
    assert CHROMIUM is not None
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        return CHROMIUM, "" if os.geteuid() != 0 else " (as root without setpriv: may renice itself)"
    wrapper = work / "chromium-nice.sh"
    wrapper.write_text(f'#!/bin/sh\nexec {setpriv} --bounding-set -sys_nice --inh-caps -sys_nice '
                       f'{CHROMIUM} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return str(wrapper), " (without CAP_SYS_NICE: keeps the benchmark's nice value)"


def phase_query_pagefind(work: Path, plan: dict) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.web_helpers import LAUNCH_ARGS

    server, base = serve_static(work / "serve")
    out: dict = {"cold": [], "init": [], "warm": {}, "typing": [], "hits": {}}
    try:
        with sync_playwright() as p:
            exe, how = chromium_keeping_nice(work)
            browser = p.chromium.launch(executable_path=exe, args=LAUNCH_ARGS)
            out["browser"] = f"Chromium {browser.version}{how}"

            def fresh():
                ctx = browser.new_context()  # its own, empty HTTP cache
                page = ctx.new_page()
                page.goto(base + "/index.html")
                out["init"].append(page.evaluate(INIT_JS))
                return ctx, page

            for q in plan["cold"]:
                ctx, page = fresh()
                r = page.evaluate(SEARCH_JS, q)
                out["cold"].append(r["ms"])
                out["hits"][q] = r["hits"]
                ctx.close()
            ctx, page = fresh()
            for q in plan["typing"]:
                r = page.evaluate(SEARCH_JS, q)
                out["typing"].append(r["ms"])
            ctx.close()
            ctx, page = fresh()
            out["warm"] = time_rounds(lambda q: page.evaluate(SEARCH_JS, q), plan, out["hits"],
                                      lambda r: r["ms"])
            ctx.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def time_rounds(run, plan: dict, hits: dict, ms_of) -> dict[str, list[float]]:
    """plan['warmup'] untimed rounds, then plan['reps'] shuffled timed rounds of plan['mixed']."""
    for _ in range(plan["warmup"]):
        for q in plan["mixed"]:
            r = run(q)
            hits[q] = r["hits"]
    samples: dict[str, list[float]] = {q: [] for q in plan["mixed"]}
    order = list(plan["mixed"])
    rng = random.Random(42)
    for _ in range(plan["reps"]):
        rng.shuffle(order)
        for q in order:
            samples[q].append(ms_of(run(q)))
    return samples


def phase_query_ours(work: Path, plan: dict) -> dict:
    from searchapp.web import create_app
    from searchapp.web.service import EXTENSION

    out: dict = {"cold": [], "init": [], "warm": {}, "typing": [], "hits": {}}

    def fresh():
        app = create_app({"TESTING": True, "INDEX_DIR": str(work / "ours_index"),
                          "SEARCH_CACHE": 0, "SEARCH_RATELIMIT": None})
        t = time.perf_counter()
        app.extensions[EXTENSION].engine  # noqa: B018 - open the index (lazy otherwise)
        out["init"].append((time.perf_counter() - t) * 1000)
        return app.test_client()

    def run(client, q: str) -> dict:
        t = time.perf_counter()
        resp = client.get("/api/search", query_string={"q": q})
        body = resp.get_json()
        ms = (time.perf_counter() - t) * 1000
        if resp.status_code != 200:
            raise RuntimeError(f"/api/search?q={q!r}: HTTP {resp.status_code}")
        return {"ms": ms, "hits": body["total"]}

    for q in plan["cold"]:
        r = run(fresh(), q)
        out["cold"].append(r["ms"])
        out["hits"][q] = r["hits"]
    client = fresh()
    out["typing"] = [run(client, q)["ms"] for q in plan["typing"]]
    client = fresh()
    out["warm"] = time_rounds(lambda q: run(client, q), plan, out["hits"], lambda r: r["ms"])
    return out


def run_child(args: list[str]) -> dict:
    return run_script(Path(__file__).resolve(), args, 400)


# --------------------------------------------------------------------------- report


def stats_row(label: str, what: str, vs: list[float], hits: str) -> list[str]:
    if not vs:
        return [label, what, "0", "-", "-", "-", "-", "-", hits]
    return [label, what, str(len(vs)), f"{percentile(vs, 50):.1f}", f"{percentile(vs, 95):.1f}",
            f"{percentile(vs, 99):.1f}", f"{sum(vs) / len(vs):.1f}", f"{max(vs):.1f}", hits]


def report_index(res: dict, docs: int, html_mb: float) -> list[str]:
    rows = []
    for name, r in res.items():
        if "error" in r:
            rows.append([name, "-", "-", "-", "-", "-", "-", "failed: " + r["error"]])
            continue
        cpu = r["user"] + r["sys"]
        rows.append([name, f"{r['seconds']:.1f}", f"{cpu:.1f} ({r['user']:.1f}+{r['sys']:.1f})",
                     f"{docs / r['seconds']:,.0f}", f"{html_mb / r['seconds']:.2f}",
                     f"{r['rss_mb']:.0f}", f"{r['size_mb']:.0f}", r.get("note", "")])
    return [table(["engine", "wall s", "CPU s (user+sys)", "docs/s", "HTML MB/s", "peak RSS MB",
                   "index MB", ""], rows)]


def report_query(res: dict, plan: dict) -> list[str]:
    rows, per_cat = [], []
    cats: dict[str, list[str]] = {}
    for c, q in QUERIES:
        if q in plan["mixed"]:
            cats.setdefault(c, []).append(q)
    for name, r in res.items():
        if "error" in r:
            rows.append([name, "failed: " + r["error"], "", "", "", "", "", "", ""])
            continue
        with_hits = sum(1 for q in plan["mixed"] if r["hits"].get(q, 0) > 0)
        hits = f"{with_hits}/{len(plan['mixed'])}"
        rows.append(stats_row(name, "init / open index", r["init"], ""))
        rows.append(stats_row(name, f"cold, {len(plan['cold'])} mixed", r["cold"], ""))
        warm = [v for vs in r["warm"].values() for v in vs]
        rows.append(stats_row(name, f"warm, mixed x {plan['reps']}", warm, hits))
        rows.append(stats_row(name, f"typing, {len(plan['typing'])} keystrokes", r["typing"], ""))
        per_cat.append((name, {c: [v for q in qs for v in r["warm"][q]] for c, qs in cats.items()}))
    lines = [table(["engine", "queries", "n", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms",
                    "mixed with hits"], rows)]
    if per_cat:
        cat_rows = [[c] + [f"{percentile(d[c], 50):.1f}/{percentile(d[c], 95):.1f}"
                           for _n, d in per_cat] for c in cats]
        lines += ["", "   warm p50/p95 ms per category:",
                  table(["category", *(n for n, _d in per_cat)], cat_rows)]
    hit_rows = [[q] + [str(r.get("hits", {}).get(q, "-")) for r in res.values()]
                for q in dict.fromkeys(plan["mixed"])]
    lines += ["", "   results per mixed query (pagefind: pages matched; ours: total):",
              table(["query", *res], hit_rows)]
    return lines


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=None, help="only the first N articles (default all)")
    ap.add_argument("--smoke", action="store_true",
                    help=f"{SMOKE_DOCS} docs, {len(SMOKE_QUERIES)} queries, 1 round (CI)")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--pagefind-version", default=PAGEFIND_VERSION)
    ap.add_argument("--reps", type=int, default=None, help="timed warm rounds (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed warm-up rounds (default 1)")
    ap.add_argument("--typing-sessions", type=int, default=None,
                    help="typing sessions from bench_http's stream (default 30)")
    ap.add_argument("--keep", type=Path, default=None, help="work here and keep the files")
    ap.add_argument("--_phase")
    ap.add_argument("--_work", type=Path)
    ap.add_argument("--_cmd")
    args = ap.parse_args(argv)

    if args._phase:
        sys.path.insert(0, str(REPO))
        if args._phase == "run":
            result = phase_run(json.loads(args._cmd))
        else:
            plan = json.loads((args._work / "plan.json").read_text(encoding="utf-8"))
            result = (phase_query_pagefind if args._phase == "query_pagefind"
                      else phase_query_ours)(args._work, plan)
        print(json.dumps(result))
        return 0

    corpus = (args.corpus or DEFAULT_CORPUS).expanduser()
    if not corpus.is_file():
        print(f"skipped: corpus not found ({corpus})")
        return 0
    why = why_not_runnable()
    if why:
        print(f"skipped: {why}")
        return 0
    try:
        exe, pf_version = install_pagefind(args.pagefind_version)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"skipped: {exc}")
        return 0
    reps = args.reps if args.reps is not None else (1 if args.smoke else 5)
    sessions = args.typing_sessions if args.typing_sessions is not None else (2 if args.smoke else 30)
    limit = SMOKE_DOCS if args.smoke and args.docs is None else args.docs

    info = machine_info()
    out = [
        "Pagefind beside ours: the same HTML files, indexing and query latency",
        f"machine : {info['cpu']}, {info['cores']} cores, {info['ram']} RAM",
        f"date    : {info['date']}   python {info['python']}   tantivy {info['tantivy']}"
        f"   repo {info['commit']}",
        f"peers   : {pf_version} (npm pagefind@{args.pagefind_version} in {exe.parents[2]}), "
        f"nice {os.nice(0)}",
        f"load    : {info['load']} at start (1/5/15-min; above {info['cores']} = CPUs shared)",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_pagefind_") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        docs, nbytes = prepare_subset(corpus, limit, work / "corpus.jsonl")
        site = work / "site"
        html_bytes = write_html(read_records(work / "corpus.jsonl"), site)
        html_mb = html_bytes / 1e6
        out.append(f"corpus  : {corpus.name}: {docs:,} articles, {nbytes / 1e6:.1f} MB text -> "
                   f"{docs:,} HTML files, {html_mb:.1f} MB" + ("   [smoke]" if args.smoke else ""))

        # ---- indexing: each command from its own child, the same files
        serve = work / "serve"
        serve.mkdir(exist_ok=True)
        (serve / "index.html").write_text('<!doctype html><html lang="vi"><head><meta '
                                          'charset="utf-8"><title>search</title></head><body>'
                                          "</body></html>", encoding="utf-8")
        idx: dict[str, dict] = {}
        print(f"... index pagefind ({docs:,} docs, load {loadavg()})", file=sys.stderr, flush=True)
        idx["pagefind"] = run_child(["--_phase", "run", "--_cmd", json.dumps(
            [str(exe), "--site", str(site), "--output-path", str(serve / "pagefind")])])
        if "error" not in idx["pagefind"]:
            idx["pagefind"]["size_mb"] = dir_size_mb(serve / "pagefind")
            idx["pagefind"]["note"] = "pagefind --site (index + fragments, all files)"
        print(f"... index ours ({docs:,} docs, load {loadavg()})", file=sys.stderr, flush=True)
        idx["ours"] = run_child(["--_phase", "run", "--_cmd", json.dumps(
            [*searchapp_command(), "index", "--quiet", "--index-dir", str(work / "ours_index"),
             str(site)])])
        if "error" not in idx["ours"]:
            idx["ours"]["size_mb"] = dir_size_mb(work / "ours_index")
            idx["ours"]["note"] = "searchapp index (trafilatura, whole command)"
        out += ["", f"1. Indexing the same {docs:,} HTML files (one run each; CPU = getrusage of "
                    f"the command and its children; load {loadavg()} after)"]
        out += report_index(idx, docs, html_mb)
        for name in idx:
            said = idx[name].get("output", "").strip().splitlines()
            if said:
                out.append(f"   {name} said: {said[-1][:160]}")

        # ---- queries
        mixed = ([q for _c, q in QUERIES if q in SMOKE_QUERIES] if args.smoke
                 else [q for _c, q in QUERIES])
        stream = typing_stream(work / "corpus.jsonl", sessions=sessions)
        typing = [q for q in stream if not q.startswith(FACETS_MARK)]
        plan = {"mixed": mixed, "cold": mixed[:3] if args.smoke else mixed, "typing": typing,
                "reps": reps, "warmup": args.warmup}
        (work / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        qres: dict[str, dict] = {}
        for name in ("pagefind", "ours"):
            if "error" in idx[name]:
                continue
            print(f"... query {name} (load {loadavg()})", file=sys.stderr, flush=True)
            qres[name] = run_child(["--_phase", f"query_{name}", "--_work", str(work)])
        browser = qres.get("pagefind", {}).get("browser", "Chromium")
        out += ["", f"2. Query latency (load {loadavg()}): mixed = bench_core's {len(mixed)} "
                    f"queries; typing = bench_http's typing stream, {sessions} sessions of the "
                    f"indexed titles ({len(typing)} keystroke queries, one fresh page/app, in "
                    f"order); warm = {args.warmup} untimed + {reps} shuffled rounds on one page/app"]
        out += report_query(qres, plan)
        out += [
            f"   pagefind: {browser} (Playwright), site served by Python http.server (thread, "
            "HTTP/1.1) on loopback; timed in the page with performance.now(): "
            "await pagefind.search(q) + data() of the first 10 results (URL, title, excerpt "
            "with <mark>); init = import('/pagefind/pagefind.js') + pagefind.init(); cold = "
            "first search of a new browser context (empty HTTP cache) after init",
            "   ours: Flask test client GET /api/search?q= in process, result cache off, timed "
            "around the request: parse, search, total, top 10 with highlighted title + snippet, "
            "facets, JSON; init = opening the index (Engine); cold = first request after it",
        ]
    out.append(f"load    : {loadavg()} at end; run time {time.perf_counter() - started:.0f} s "
               "(after the npm install)")
    print("\n".join(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
