"""The `searchapp` command as external checks use it, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import SEEDS

EXE = [sys.executable, "-m", "searchapp.cli"]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "RUST_BACKTRACE": "0", **(env or {})}
    return subprocess.run([*EXE, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)


def test_index_then_search_json(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    out = run("index", "--index-dir", str(idx), str(SEEDS))
    assert out.returncode == 0, out.stderr
    assert "indexed 3 documents, skipped 0" in out.stdout
    res = run("search", "--index-dir", str(idx), "--json", "--limit", "5", "quyen")
    assert res.returncode == 0, res.stderr
    payload = json.loads(res.stdout)
    assert set(payload) == {"total", "hits"}
    assert payload["total"] == 1
    hit = payload["hits"][0]
    assert set(hit) == {"id", "title", "lang", "score", "snippet", "match"}
    assert hit["id"].startswith("001_") and hit["lang"] == "vi" and "quyền" in hit["snippet"]


def test_env_overrides_and_defaults(tmp_path: Path) -> None:
    idx = tmp_path / "envidx"
    env = {"SEARCHAPP_INDEX_DIR": str(idx), "SEARCHAPP_DOCS_DIR": str(SEEDS)}
    assert run("index", env=env, cwd=tmp_path).returncode == 0
    res = run("search", "--json", "Houngbo", env=env, cwd=tmp_path)
    assert json.loads(res.stdout)["hits"][0]["id"].startswith("002_")


def test_plain_output_and_limit(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    run("index", "--index-dir", str(idx), str(SEEDS))
    res = run("search", "--index-dir", str(idx), "--limit", "1", "Geneva")
    assert res.returncode == 0 and res.stdout.startswith("3 results")
    assert res.stdout.count("\n1. ") == 1 and "\n2. " not in res.stdout


def test_clear_errors(tmp_path: Path) -> None:
    missing = run("search", "--index-dir", str(tmp_path / "nothing"), "x")
    assert missing.returncode != 0 and "searchapp index" in missing.stderr
    assert "Traceback" not in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run("index", "--index-dir", str(tmp_path / "i"), str(empty))
    assert res.returncode != 0 and "no documents" in res.stderr and "Traceback" not in res.stderr


def test_version_and_help() -> None:
    assert run("--version").stdout.strip().startswith("searchapp, version")
    for cmd in ("index", "search", "serve"):
        out = run(cmd, "--help")
        assert out.returncode == 0 and "--index-dir" in out.stdout
