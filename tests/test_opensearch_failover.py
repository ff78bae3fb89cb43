"""Incremental updates on OpenSearch (updated in place: layout.clone_version gives None) and a
three-node cluster that loses its elected cluster manager.

- kill -9 of the indexer in the middle of an incremental update: the serving version stays,
  searches answer, and the next update completes it with no document lost or doubled;
- kill -9 of the elected manager while the real searchapp server answers searches and an
  incremental update is writing: searches keep answering, the update completes (or fails with a
  clear error and its retry completes) and no document is lost.

Three manager-eligible nodes (512 MB heap each; their resident memory is printed): two survive,
a quorum, and elect a new manager. Every version has 2 shards and 1 replica, so each shard keeps
a copy. Run with `-m opensearch -s` to see the figures (memory, election time, searches)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from searchapp.index.build import Progress, build_index
from searchapp.index.incremental import update_index
from searchapp.index.layout import IndexLayout
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest
from tests.test_admin import COMMON, make_docs
from tests.test_backends import _env_for, _get, _load_cluster_module, using
from tests.web_helpers import running_server

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]

FIRST, ADDED = 200, 900  # documents of the full build, files added by the update
KILL_AT = 600  # the update's files written when the manager is killed (a bulk of 500 went out)


@pytest.fixture(scope="module")
def cluster3() -> Iterator[Any]:
    pytest.importorskip("opensearchpy", reason="opensearch-py is not installed")
    mod = _load_cluster_module()
    if reason := mod.missing_tools():
        pytest.skip(f"cannot start OpenSearch here: {reason}")
    try:
        c = mod.start(nodes=3, heap="512m",
                      timeout=float(os.environ.get("OPENSEARCH_START_TIMEOUT", "180")))
    except mod.ClusterError as e:
        pytest.fail(f"OpenSearch cluster did not start:\n{e}", pytrace=False)
    try:
        yield c
    finally:
        c.stop()
        assert all(not n.alive() for n in c.nodes)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _manager(client: Any) -> str:
    return str(client.cat.cluster_manager(format="json", request_timeout=5)[0]["node"])


def _add_files(docs: Path, tmp_path: Path) -> None:
    """ADDED more files beside the FIRST ones of make_docs (d00000...)."""
    make_docs(tmp_path / "more", FIRST + ADDED)  # the first FIRST are the same files
    for f in sorted((tmp_path / "more").iterdir())[FIRST:]:
        f.rename(docs / f.name)


def _all_found(engine: Engine) -> None:
    """Every document once: the common word counts them, each serial word finds its file."""
    assert engine.search(SearchRequest(query=COMMON)).total == FIRST + ADDED
    for i in (0, FIRST, KILL_AT, FIRST + ADDED - 1):
        page = engine.search(SearchRequest(query=f"serial{i}"))
        assert [h.id for h in page.hits] == [f"d{i:05d}.txt"]


def test_kill_9_of_an_incremental_update_then_the_next_one_completes(
        cluster3: Any, tmp_path: Path) -> None:
    env = _env_for("opensearch", cluster3)
    docs = make_docs(tmp_path / "docs", FIRST)
    index = tmp_path / "index"
    layout = IndexLayout(index)
    with using(env):
        build_index(index, [docs])
        serving = layout.current_version()
        assert layout.clone_version(serving) is None  # type: ignore[arg-type]  # in place
        _add_files(docs, tmp_path)
        with running_server(index, tmp_path / "server.log") as base:
            proc = subprocess.Popen(
                [sys.executable, "-m", "searchapp.cli", "index", "--incremental", "-q",
                 "--index-dir", str(index), str(docs)], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + 120
            job: dict[str, Any] = {}
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    job = json.loads((index / "job.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    job = {}
                if job.get("phase") == "indexing" and job.get("files_done", 0) >= KILL_AT:
                    break
                time.sleep(0.05)
            assert proc.poll() is None, f"the update ended before it could be killed: {job}"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            # the serving version is the same; searches answer (the documents of the bulk
            # requests already sent may be visible: the cluster has no transaction)
            assert layout.current_version() == serving
            status, body = _get(f"{base}/api/search?q={COMMON}", "application/json")
            assert status == 200 and FIRST <= json.loads(body)["total"] <= FIRST + ADDED
            result = update_index(index, [docs])
            print(f"\nafter kill -9 at file {job.get('files_done')}: {result.summary()}")
            assert result.added == ADDED and result.documents == FIRST + ADDED
            status, body = _get(f"{base}/api/search?q={COMMON}", "application/json")
            assert status == 200 and json.loads(body)["total"] == FIRST + ADDED
        assert layout.current_version() == serving
        _all_found(Engine(index))


def _cli_update(index: Path, docs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "searchapp.cli", "index", "--incremental", "-q",
         "--index-dir", str(index), str(docs)], capture_output=True, text=True, timeout=300)


def test_a_read_only_index_refuses_the_update_in_one_line_and_keeps_serving(
        cluster3: Any, tmp_path: Path) -> None:
    """The flood-stage watermark's block (index.blocks.read_only_allow_delete): the update
    ends with one line and a non-zero exit, searches answer from what was there, and the same
    update completes once the block is lifted."""
    from opensearchpy import OpenSearch

    env = _env_for("opensearch", cluster3)
    docs = make_docs(tmp_path / "docs", FIRST)
    index = tmp_path / "index"
    with using(env):
        build_index(index, [docs])
        _add_files(docs, tmp_path)
        client = OpenSearch(hosts=cluster3.urls)
        alias = env["SEARCHAPP_OPENSEARCH_INDEX"]
        block = {"index.blocks.read_only_allow_delete": True}
        client.indices.put_settings(index=alias, body=block)
        with running_server(index, tmp_path / "server.log") as base:
            refused = _cli_update(index, docs)
            print(f"\nread-only: exit {refused.returncode}: {refused.stderr.strip()[-400:]}")
            assert refused.returncode != 0 and "Traceback" not in refused.stderr
            last = refused.stderr.strip().splitlines()[-1]
            assert last.startswith("Error:") and "cluster_block_exception" in last, last
            status, body = _get(f"{base}/api/search?q={COMMON}", "application/json")
            assert status == 200 and json.loads(body)["total"] == FIRST
            client.indices.put_settings(index=alias,
                                        body={"index.blocks.read_only_allow_delete": None})
            done = _cli_update(index, docs)
            assert done.returncode == 0, done.stderr
            status, body = _get(f"{base}/api/search?q={COMMON}", "application/json")
            assert status == 200 and json.loads(body)["total"] == FIRST + ADDED
        _all_found(Engine(index))


def test_kill_9_of_the_elected_manager_during_searches_and_an_update(
        cluster3: Any, tmp_path: Path) -> None:
    from opensearchpy import OpenSearch

    rss = [_rss_mb(p) for p in cluster3.pids]
    print(f"\nresident memory of the 3 nodes: {' + '.join(f'{m:.0f}' for m in rss)} "
          f"= {sum(rss):.0f} MB")
    env = _env_for("opensearch", cluster3)
    docs = make_docs(tmp_path / "docs", FIRST)
    with using(env):
        build_index(tmp_path / "index", [docs])
        client = OpenSearch(hosts=cluster3.urls, timeout=5, max_retries=0)
        manager = _manager(client)
        victim = next(n for n in cluster3.nodes if n.name == manager)
        others = [n for n in cluster3.nodes if n.name != manager]
        with running_server(tmp_path / "index", tmp_path / "server.log") as base:
            stop = threading.Event()
            ok = [0]
            slowest = [0.0]
            failures: list[str] = []
            lock = threading.Lock()

            def search_forever(i: int) -> None:
                words = [COMMON, "river", "report", "ocean"]
                while not stop.is_set():
                    word = words[i % len(words)]
                    t0 = time.monotonic()
                    status, body = _get(f"{base}/api/search?q={urllib.parse.quote(word)}",
                                        "application/json")
                    took = time.monotonic() - t0
                    with lock:
                        slowest[0] = max(slowest[0], took) if killed_at else slowest[0]
                        if status == 200 and (word != COMMON or json.loads(body)["total"] >= FIRST):
                            ok[0] += 1
                        else:
                            failures.append(f"{status} {body[:200]}")

            killed_at: list[float] = []

            def kill_mid_update(p: Progress) -> None:
                if not killed_at and p.phase == "indexing" and p.files_done >= KILL_AT:
                    victim.kill()
                    killed_at.append(time.monotonic())

            threads = [threading.Thread(target=search_forever, args=(i,)) for i in range(4)]
            for t in threads:
                t.start()
            time.sleep(2)
            _add_files(docs, tmp_path)
            attempts: list[str] = []
            t_update = time.monotonic()
            for _attempt in range(3):
                try:
                    result = update_index(tmp_path / "index", [docs], progress=kill_mid_update)
                    attempts.append(f"completed: {result.added} added")
                    break
                except Exception as exc:  # reported; the next run redoes what is missing
                    attempts.append(f"failed: {type(exc).__name__}: {str(exc)[:200]}")
            update_s = time.monotonic() - t_update
            assert killed_at, "the manager was not killed during the update"
            elected = ""
            while time.monotonic() - killed_at[0] < 60:
                try:
                    elected = _manager(OpenSearch(hosts=[n.url for n in others], timeout=3))
                    if elected and elected != manager:
                        break
                except Exception:  # no manager yet
                    pass
                time.sleep(0.2)
            elected_s = time.monotonic() - killed_at[0]
            time.sleep(2)
            before_stop = ok[0]
            stop.set()
            for t in threads:
                t.join()
            assert not victim.alive()
            print(f"killed {manager} (the elected manager) at file {KILL_AT} of the update; "
                  f"{elected} elected, seen {elected_s:.1f} s after the kill; update: {attempts} "
                  f"in {update_s:.1f} s; {before_stop} searches, {len(failures)} failures, "
                  f"slowest after the kill {slowest[0]:.2f} s")
            assert failures == []
            assert elected and elected != manager
            assert attempts[-1].startswith("completed")
            status, health = _get(f"{base}/health", "application/json")
            assert status == 200 and json.loads(health)["documents"] == FIRST + ADDED
        _all_found(Engine(tmp_path / "index"))  # nothing lost, nothing doubled


def test_a_red_serving_index_is_a_503_and_leaves_the_other_indexes_healthy(
        cluster3: Any, tmp_path: Path) -> None:
    """The serving index red (a primary with no copy): its pages and API answer 503 with the
    service-unavailable page, its /health is `unavailable`; an application on another index of
    the same cluster stays healthy (health is read per serving index)."""
    from opensearchpy import OpenSearch

    from searchapp.backends.opensearch.writer import physical_of
    from searchapp.web import create_app

    docs = make_docs(tmp_path / "docs", 20)
    roots = {"red": tmp_path / "red", "healthy": tmp_path / "healthy"}
    envs = {name: _env_for("opensearch", cluster3) for name in roots}
    for name, root in roots.items():
        with using(envs[name]):
            build_index(root, [docs])
    with using(envs["red"]):
        layout = IndexLayout(roots["red"])
        physical = physical_of(layout.versions / str(layout.current_version()))
    client = OpenSearch(hosts=[n.url for n in cluster3.nodes if n.alive()])
    # the same index again, its only shard allowed on no node: red from birth
    client.indices.delete(index=physical)
    client.indices.create(index=physical, wait_for_active_shards=0, body={"settings": {
        "number_of_shards": 1, "number_of_replicas": 0,
        "index.routing.allocation.require._name": "nowhere"}})
    try:
        with using({**envs["red"], "SEARCHAPP_OPENSEARCH_RETRIES": "1"}):
            app = create_app({"TESTING": True, "INDEX_DIR": str(roots["red"])}).test_client()
            page = app.get("/search?q=river")
            text = page.get_data(as_text=True)
            assert page.status_code == 503 and "cannot be reached" in text
            assert "Traceback" not in text
            assert app.get("/api/search?q=river").status_code == 503
            health = app.get("/health")
            assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
        with using(envs["healthy"]):
            app = create_app({"TESTING": True, "INDEX_DIR": str(roots["healthy"])}).test_client()
            health = app.get("/health")
            assert health.status_code == 200, health.get_json()
            assert health.get_json()["cluster_status"] in ("green", "yellow")
            assert app.get("/api/search?q=river").get_json()["total"] > 0
    finally:
        client.indices.delete(index=physical)
