"""The watched folder: a real server started with the watcher; a saved, changed or removed file is
visible in /api/search within 5 seconds; a burst of 1,000 changes is batched; one watcher."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from searchapp.index import watch
from searchapp.index.build import build_index
from tests.web_helpers import running_server

pytestmark = pytest.mark.slow


def _ids(base: str, q: str) -> list[str]:
    with urllib.request.urlopen(f"{base}/api/search?q={quote(q)}", timeout=10) as r:
        return [h["id"] for h in json.load(r)["hits"]]


def _within(seconds: float, check) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not visible within {seconds} s")
        time.sleep(0.1)


def test_served_folder_follows_saves_changes_and_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The first letter mentions pelicans.", encoding="utf-8")
    build_index(tmp_path / "index", [docs])
    monkeypatch.setenv("SEARCHAPP_WATCH", "1")
    monkeypatch.setenv("SEARCHAPP_DOCS_DIR", str(docs))
    with running_server(tmp_path / "index", tmp_path / "server.log") as base:
        _within(20, lambda: watch.status(tmp_path / "index") is not None)  # watcher started
        time.sleep(1.0)
        (docs / "b.txt").write_text("A new note about flamingos.", encoding="utf-8")
        assert _within(5, lambda: _ids(base, "flamingos") == ["b.txt"]) <= 5
        (docs / "b.txt").write_text("The note now speaks of cormorants.", encoding="utf-8")
        _within(5, lambda: _ids(base, "cormorants") == ["b.txt"] and not _ids(base, "flamingos"))
        (docs / "a.txt").unlink()
        _within(5, lambda: _ids(base, "pelicans") == [])
        status = watch.status(tmp_path / "index")
        assert status and status["updates"] >= 3
        # one watcher per index: a second one is refused while the server's runs
        second = watch.Watcher(tmp_path / "index", [docs])
        with pytest.raises(watch.AlreadyWatched):
            second.claim()


def test_a_burst_of_changes_is_batched(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text("A first document about herons.", encoding="utf-8")
    build_index(tmp_path / "index", [docs])
    watcher = watch.Watcher(tmp_path / "index", [docs])
    watcher.claim()
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        _within(30, lambda: watcher.updates >= 1)  # the catch-up update at start
        before = watcher.updates
        for i in range(1000):
            (docs / f"n{i:04}.txt").write_text(f"Burst note {i} about kingfishers.", encoding="utf-8")
        from searchapp.search.engine import Engine
        from searchapp.search.request import SearchRequest

        engine = Engine(tmp_path / "index")
        _within(120, lambda: engine.search(SearchRequest(query="kingfishers")).total == 1000)
        assert watcher.updates - before <= 6, watcher.updates - before
    finally:
        stop.set()
        thread.join(30)
        watcher.release()
