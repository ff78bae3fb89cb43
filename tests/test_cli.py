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
    assert set(payload) == {"total", "hits", "query", "searched", "suggestion", "corrected",
                            "warnings"}
    assert payload["total"] == 1
    hit = payload["hits"][0]
    assert set(hit) == {"id", "title", "lang", "score", "snippet", "format", "page", "match"}
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


LONG_WORD = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"  # 63 letters, 66 bytes


def test_first_serve_with_a_63_letter_word_serves_and_finds_it(tmp_path: Path) -> None:
    """#27.3: a 60+-byte German word as a document's first line once made the canary refuse
    the first build, and `serve` then served nothing; now the build serves and the word (held
    as pieces) is found typed whole, without its umlauts, or by its beginning."""
    import urllib.parse
    import urllib.request

    from .web_helpers import running_server

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gesetz.txt").write_text(
        f"{LONG_WORD} verabschiedet\n\nDer Landtag hat das Gesetz zur Etikettierung von "
        "Rindfleisch heute aufgehoben.\n", encoding="utf-8")
    (docs / "wetter.txt").write_text("Wetterbericht\n\nMorgen regnet es im Norden.\n",
                                     encoding="utf-8")
    idx = tmp_path / "idx"
    with running_server(idx, tmp_path / "serve.log",
                        extra_env={"SEARCHAPP_DOCS_DIR": str(docs)}) as base:
        with urllib.request.urlopen(f"{base}/health", timeout=10) as r:
            health = json.loads(r.read())
        assert health["status"] == "ok" and health["documents"] == 2, health

        def ids(q: str) -> list[str]:
            url = f"{base}/api/search?{urllib.parse.urlencode({'q': q})}"
            with urllib.request.urlopen(url, timeout=30) as r:
                return [h["id"] for h in json.loads(r.read())["hits"]]

        for q in (LONG_WORD, LONG_WORD.lower().replace("ü", "u"), f'"{LONG_WORD} verabschiedet"',
                  "Rindfleischetikettierungs"):
            assert ids(q) == ["gesetz.txt"], q
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "indexed 2 documents" in log and "serving without an index" not in log


CONSISTENCY_DOCS = {
    "geneva1.txt": "Talks in Geneva\n\nThe delegates met in Geneva for the human rights council.",
    "geneva2.txt": "Geneva office\n\nThe labour office in Geneva published its annual report.",
    "genoa.txt": "The port of Genoa\n\nShips unloaded grain in the harbour of Genoa.",
    "genua.txt": "Genua\n\nGenua is the German name of the city.",
    "other.txt": "Rice harvest\n\nFarmers in the delta brought in the rice harvest early.",
}


def test_cli_api_and_page_run_the_same_search(tmp_path: Path) -> None:
    """Issue #24: `searchapp search Genva` gave one-typo hits (Genoa, Genua) and no
    correction while /api/search?q=Genva was corrected to Geneva."""
    from tests.web_helpers import running_server

    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in CONSISTENCY_DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    idx = tmp_path / "idx"
    assert run("index", "--index-dir", str(idx), str(docs)).returncode == 0
    import urllib.parse
    import urllib.request

    with running_server(idx, tmp_path / "server.log") as base:
        for query in ("Genva", "harbour genoa", "rice harvst"):
            res = run("search", "--index-dir", str(idx), "--json", query)
            assert res.returncode == 0, res.stderr
            cli = json.loads(res.stdout)
            url = f"{base}/api/search?q={urllib.parse.quote(query)}"
            with urllib.request.urlopen(url, timeout=60) as r:
                api = json.loads(r.read())
            for key in ("total", "query", "searched", "suggestion", "corrected"):
                assert cli[key] == api[key], (query, key, cli[key], api[key])
            assert [h["id"] for h in cli["hits"]] == [h["id"] for h in api["hits"]], query
            if query == "Genva":
                assert cli["corrected"] is True and cli["suggestion"] == "Geneva"
                assert {h["id"] for h in cli["hits"]} == {"geneva1.txt", "geneva2.txt"}
                with urllib.request.urlopen(f"{base}/search?q=Genva", timeout=60) as r:
                    page = r.read().decode()
                assert 'id="corrected"' in page and ">Geneva</a>" in page
                plain = run("search", "--index-dir", str(idx), query)
                assert "showing results for 'Geneva'" in plain.stderr
                assert plain.stdout.startswith("2 results")
