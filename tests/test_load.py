"""A bounded load test on loopback: 16 client threads for 60 s against a real server (rate limit
off) while `searchapp index` rebuilds the same index every few seconds. Zero errors, and the
server's memory (RSS of the gunicorn master and workers) stays flat.

SEARCHAPP_LOAD_SECONDS changes the duration (the memory check needs at least 30 s)."""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from searchapp.index.build import build_index
from tests.test_admin import COMMON, env, make_docs
from tests.web_helpers import running_server

THREADS = 16
SECONDS = float(os.environ.get("SEARCHAPP_LOAD_SECONDS") or 60)
DOCS = 400
REINDEX_EVERY = 5.0  # seconds between the end of one reindex and the start of the next
SAMPLE_EVERY = 2.0
WORDS = ["river", "mountain", "ocean forest", "market village", '"harbor garden"', "bridge -tower",
         "station OR library", "museum theater school", "serial17", "nothing-here", "rivr",
         COMMON, "report", "title:report", "lang:en river"]


def server_pids(index: Path) -> list[int]:
    """The gunicorn master and workers serving `index` (found by their command line)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmd and str(index).encode() in cmd:
            pids.append(int(entry.name))
    return pids


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


@pytest.mark.slow
def test_sixteen_clients_for_a_minute_during_reindexes(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", DOCS)
    index = tmp_path / "index"
    build_index(index, [docs])
    stop = threading.Event()
    lock = threading.Lock()
    counts = {"ok": 0, "reindex": 0}
    errors: list[str] = []
    samples: list[tuple[float, float]] = []

    with env(SEARCHAPP_RATELIMIT="off"), running_server(index, tmp_path / "server.log") as base:
        parts = urlsplit(base)
        pids = server_pids(index)
        assert len(pids) >= 2, pids  # master + worker

        def client(seed: int) -> None:
            rng = random.Random(seed)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            while not stop.is_set():
                kind = rng.random()
                word = rng.choice(WORDS)
                if kind < 0.5:
                    target = f"/api/search?q={quote(word)}&page={rng.randint(1, 3)}"
                elif kind < 0.8:
                    target = f"/search?q={quote(word)}"
                elif kind < 0.95:
                    target = f"/doc/d{rng.randrange(DOCS):05d}.txt?q={quote(word)}"
                else:
                    target = "/health"
                try:
                    conn.request("GET", target)
                    r = conn.getresponse()
                    body = r.read()
                    err = "" if r.status == 200 else f"{target}: {r.status} {body[:200]!r}"
                    if not err and word == COMMON and target.startswith("/api/search"):
                        total = json.loads(body)["total"]
                        err = "" if total == DOCS else f"{target}: total {total}"
                except (OSError, http.client.HTTPException) as exc:
                    err = f"{target}: {exc!r}"
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                with lock:
                    if err:
                        errors.append(err)
                    else:
                        counts["ok"] += 1
            conn.close()

        def reindex() -> None:
            while not stop.wait(REINDEX_EVERY):
                out = subprocess.run([sys.executable, "-m", "searchapp.cli", "index", "--quiet",
                                      "--index-dir", str(index), str(docs)],
                                     capture_output=True, text=True, timeout=120)
                with lock:
                    if out.returncode:
                        errors.append(f"reindex: {out.stderr[-500:]}")
                    else:
                        counts["reindex"] += 1

        workers = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
        workers.append(threading.Thread(target=reindex))
        started = time.monotonic()
        for t in workers:
            t.start()
        try:
            while (elapsed := time.monotonic() - started) < SECONDS:
                samples.append((elapsed, rss_mb(server_pids(index))))
                time.sleep(SAMPLE_EVERY)
        finally:
            stop.set()
            for t in workers:
                t.join(timeout=150)
        log = (tmp_path / "server.log").read_text(errors="replace")

    elapsed = time.monotonic() - started
    warm = [mb for t, mb in samples if t >= min(10.0, SECONDS / 4)]
    third = max(1, len(warm) // 3)
    first, last = statistics.mean(warm[:third]), statistics.mean(warm[-third:])
    print(f"\nload: {counts['ok']} requests in {elapsed:.0f}s ({counts['ok'] / elapsed:.0f}/s) "
          f"from {THREADS} threads, {counts['reindex']} reindexes, {len(errors)} errors; "
          f"RSS first third {first:.1f} MB, last third {last:.1f} MB "
          f"(samples {[round(mb) for _, mb in samples]})")
    assert errors == [], errors[:10]
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
    assert counts["reindex"] >= max(1, int(SECONDS / 20))  # a rebuild takes seconds under load
    assert counts["ok"] > THREADS * SECONDS  # at least one request per thread per second
    if SECONDS >= 30:
        assert last - first <= max(0.15 * first, 30.0), (first, last)
