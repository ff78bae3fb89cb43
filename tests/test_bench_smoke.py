"""The benchmark scripts run (smoke size, a few seconds) so they cannot rot. No timing is
asserted: the figures are printed for people, not checked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, corpus_path


@pytest.mark.parametrize("script", ["bench_core.py", "bench_peers.py"])
def test_benchmark_smoke(script: str, tmp_path: Path) -> None:
    corpus_path("baomoi-vi", "corpus.jsonl.gz")
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), "--smoke"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "ours" in out.stdout and "p95" in out.stdout, out.stdout[-3000:]


def test_peers_compare_builds_another_revision_alternately(tmp_path: Path) -> None:
    """bench_peers --compare REV --repeat 2: REV's tree (git archive) is built alternately with
    ours, every run listed with its wall and CPU seconds."""
    corpus_path("baomoi-vi", "corpus.jsonl.gz")
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_peers.py"), "--smoke", "--engines", "ours",
         "--compare", "HEAD", "--repeat", "2", "--reps", "1"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    runs = [line.split() for line in out.stdout.splitlines()
            if line.startswith(("ours ", "ours@HEAD ")) and line.split()[1].isdigit()]
    assert [(r[0], r[1]) for r in runs] == [("ours", "1"), ("ours@HEAD", "1"), ("ours", "2"),
                                            ("ours@HEAD", "2")], out.stdout[-3000:]
    assert all(float(r[3]) > 0 for r in runs)  # CPU seconds
    assert "tree-HEAD" in out.stdout  # built by the extracted tree, not this checkout


@pytest.mark.opensearch
@pytest.mark.slow
def test_peers_opensearch_node_smoke(tmp_path: Path) -> None:
    """bench_peers --engines ours,opensearch: one OpenSearch node (opensearch/cluster.py) bulk-loads
    the smoke corpus with its CPU and RSS, answers the query set, and wrk drives it and ours at 1
    and 8 connections without errors (skipped where java or the built launcher is missing)."""
    sys.path.insert(0, str(REPO / "bench"))
    from opensearch_peer import why_not

    reason = why_not()
    if reason:
        pytest.skip(f"cannot start OpenSearch here: {reason}")
    corpus_path("baomoi-vi", "corpus.jsonl.gz")
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_peers.py"), "--smoke", "--engines",
         "ours,opensearch", "--reps", "1", "--duration", "2"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    lines = out.stdout.splitlines()
    index_row = next((x.split() for x in lines if x.startswith("OpenSearch (1 node")), None)
    assert index_row, out.stdout[-3000:]
    # ... seconds, CPU s, docs/s, MB/s, ours/each, index MB, peak RSS MB (from the right)
    secs, cpu, rss = float(index_row[-7]), float(index_row[-6]), float(index_row[-1])
    assert secs > 0 and cpu > 0 and rss > 100, out.stdout[-3000:]  # the JVM's own RSS
    assert "documents searchable" not in out.stdout  # every bulk item answered and refreshed
    query_row = next(x.split() for x in lines if x.startswith("opensearch "))
    hits, distinct = map(int, query_row[-1].split("/"))
    # refreshed: searchable (the standard analyzer misses the queries without diacritics)
    assert hits >= distinct // 2 and float(query_row[1]) > 0, out.stdout[-3000:]
    loops = {(r[0], r[1]): r for r in (line.split() for line in lines)
             if len(r) == 11 and r[0] in ("ours", "opensearch") and r[1] in ("1", "8")}
    assert set(loops) == {("ours", "1"), ("ours", "8"), ("opensearch", "1"),
                          ("opensearch", "8")}, out.stdout[-3000:]
    for r in loops.values():
        assert float(r[2]) > 0 and r[7] == "0" and float(r[8]) > 0, out.stdout[-3000:]


def test_http_open_loop_smoke(tmp_path: Path) -> None:
    """bench_http --open-loop: the typing stream at constant rates through vegeta, every
    request answered (skipped where vegeta is not installed)."""
    sys.path.insert(0, str(REPO / "bench"))
    from bench_http import vegeta_path

    if vegeta_path() is None:
        pytest.skip("vegeta not installed (go install github.com/tsenart/vegeta/v12@latest)")
    corpus_path("baomoi-vi", "corpus.jsonl.gz")
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_http.py"), "--smoke", "--streams", "",
         "--open-loop", "5,10"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    rows = [line.split() for line in out.stdout.splitlines() if line.split()[:1] in (["5"], ["10"])]
    assert [r[0] for r in rows] == ["5", "10"], out.stdout[-3000:]
    assert all(r[6] == "0" and float(r[1]) > 0 for r in rows), out.stdout[-3000:]  # no errors


def test_pagefind_smoke(tmp_path: Path) -> None:
    """50 HTML files indexed by Pagefind and by ours, a few queries in Chromium and through the
    API (< 60 s once pagefind is in ~/.cache/searchapp-bench; the first run installs it from
    npm's registry, the only network it needs)."""
    corpus_path("baomoi-vi", "corpus.jsonl.gz")
    missing = [tool for tool in ("npm", "chromium") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {', '.join(missing)} not on PATH")
        pytest.skip(f"bench_pagefind.py needs {' and '.join(missing)} on PATH "
                    "(apt-get install npm chromium)")
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_pagefind.py"), "--smoke"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    if out.stdout.startswith("skipped:"):  # e.g. npm's registry unreachable
        if os.environ.get("CI") == "true":
            pytest.fail(out.stdout.strip())
        pytest.skip(out.stdout.strip())
    assert "pagefind" in out.stdout and "p95" in out.stdout, out.stdout[-3000:]
    assert "failed" not in out.stdout, out.stdout[-3000:]


def test_snippet_bench_smoke(tmp_path: Path) -> None:
    """bench_snippets.py on a 200,000-character text: every planted word comes back marked by
    the new code (the column the script prints as cold/warm)."""
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_snippets.py"), "--chars", "200000",
         "--rounds", "1"], capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    rows = [line for line in out.stdout.splitlines() if line.rstrip().endswith(("yes", "NO", "-"))]
    assert len(rows) == 8 and all(not r.split()[-1].endswith(("/NO", "NO/yes")) for r in rows), \
        out.stdout
