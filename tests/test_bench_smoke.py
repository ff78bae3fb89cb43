"""The benchmark scripts run (smoke size, a few seconds) so they cannot rot. No timing is
asserted: the figures are printed for people, not checked."""

from __future__ import annotations

import os
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
