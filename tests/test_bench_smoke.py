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
