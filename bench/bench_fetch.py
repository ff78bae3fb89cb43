"""Web sources: pages/s fetched and indexed from a local site, and the cost of a re-fetch that
finds nothing changed (issue #25's bench line).

    .venv/bin/python bench/bench_fetch.py                # 1,000 pages of baomoi articles
    .venv/bin/python bench/bench_fetch.py --pages 200    # fewer
    .venv/bin/python bench/bench_fetch.py --smoke        # 50 generated pages, no corpus

A ThreadingHTTPServer on 127.0.0.1 serves N HTML pages (articles of the shared baomoi corpus
when present, else generated text) with ETags, listed by one sitemap without lastmod (so the
second run asks every page again, conditionally, and gets 304s: the worst case for a no-change
re-fetch). `searchapp fetch` runs as a real process with SEARCHAPP_FETCH_DELAY=0. Prints wall
and CPU seconds (children included) of each run and the requests the server saw.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "baomoi-vi" / "corpus.jsonl.gz"


def pages(n: int, smoke: bool) -> list[tuple[str, str]]:
    if not smoke and CORPUS.exists():
        out = []
        with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                out.append((rec["title"], rec["text"]))
                if len(out) >= n:
                    break
        return out
    return [(f"Generated page {i}", f"Page {i} text about topic{i % 37} and subject{i}. " * 40)
            for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    n = 50 if args.smoke else args.pages
    site: dict[str, bytes] = {}
    for i, (title, text) in enumerate(pages(n, args.smoke)):
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
        site[f"/a/{i}.html"] = (
            f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>"
            f"{html.escape(title)}</title></head><body><nav>Menu Trang chủ</nav><main><h1>"
            f"{html.escape(title)}</h1>{paras}</main><footer>Bản quyền</footer></body></html>"
        ).encode()
    hits: Counter[int] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = site.get(self.path)
            if self.path == "/robots.txt" or body is None:
                hits[404] += 1
                self.send_response(404)
                self.end_headers()
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                hits[304] += 1
                self.send_response(304)
                self.end_headers()
                return
            hits[200] += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/xml" if self.path.endswith(".xml")
                             else "text/html; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site["/sitemap.xml"] = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/"
                            "sitemap/0.9'>" + "".join(f"<url><loc>{base}{p}</loc></url>"
                                                      for p in site) + "</urlset>").encode()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**os.environ, "SEARCHAPP_FETCH_ALLOW_PRIVATE": "1", "SEARCHAPP_FETCH_DELAY": "0"}
    exe = [sys.executable, "-m", "searchapp.cli"]
    print(f"# bench_fetch: {n} pages, load average {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        idx = Path(tmp) / "idx"
        subprocess.run([*exe, "source", "add", "--index-dir", str(idx), f"{base}/sitemap.xml",
                        "--kind", "sitemap"], check=True, env=env, capture_output=True)
        for label in ("first fetch + full build", "re-fetch, nothing changed"):
            hits.clear()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            out = subprocess.run([*exe, "fetch", "--quiet", "--index-dir", str(idx)], env=env,
                                 capture_output=True, text=True)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            assert out.returncode == 0, out.stdout + out.stderr
            print(f"{label:28} wall {wall:7.2f} s  cpu {cpu:7.2f} s  {n / wall:7.1f} pages/s  "
                  f"requests 200={hits[200]} 304={hits[304]} 404={hits[404]}")
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
