"""The did-you-mean vocabulary as files: built once per index version beside it, mapped by
every server worker and the CLI, the same suggestions as the in-memory one, and a new one for
every new version (a rollback finds the old one again)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from searchapp.index.incremental import update_index
from searchapp.index.layout import IndexLayout, rollback
from searchapp.search import vocabfile, vocabstore
from searchapp.search.engine import Engine
from searchapp.search.suggest import Suggester, Vocabulary
from searchapp.search.vocabstore import suggest_dir
from searchapp.web import create_app
from tests.web_helpers import running_server


def _corpus(docs: Path) -> None:
    docs.mkdir()
    for i in range(12):
        (docs / f"rights{i}.txt").write_text(f"Nhân quyền và tự do số {i} tại Geneva",
                                             encoding="utf-8")
    for i in range(4):
        (docs / f"sport{i}.txt").write_text("Trận bóng đá hôm nay rất hay", encoding="utf-8")
    for i in range(10):
        (docs / f"news{i}.txt").write_text("Họ đã đến và đã về nhà", encoding="utf-8")
    for i in range(3):
        (docs / f"lake{i}.txt").write_text("The lake of Linzburg, a quiet town", encoding="utf-8")


QUERIES = ["genva", "nhan quyen", "bong da", "ho da den", "tranx bong da", "Lnzburg", "linzbrug",
           "quyeen", "zzzq", "bóng đá", "geneva", "nha", "da"]


def test_the_files_suggest_what_the_in_memory_vocabulary_does(tmp_path: Path) -> None:
    _corpus(tmp_path / "docs")
    build_index(tmp_path / "idx", [tmp_path / "docs"])
    engine = Engine(tmp_path / "idx")
    _, terms = engine.vocabulary_source()
    memory = Vocabulary.build(terms, engine.analyzers)
    memory.write(tmp_path / "suggest", "test")
    mapped = Vocabulary.open(tmp_path / "suggest")
    for typos in (True, False):
        for q in QUERIES:
            assert mapped.suggest(q, engine.analyzers, typos) == memory.suggest(
                q, engine.analyzers, typos), q
    assert mapped.suggest("genva", engine.analyzers) == "geneva"
    assert dict(mapped.freq) == dict(memory.freq)
    assert {k: list(v) for k, v in mapped.forms.items()} == memory.forms
    assert dict(mapped.spell.words) == memory.spell.words
    assert {k: list(v) for k, v in mapped.spell.deletes.items()} == dict(memory.spell.deletes)


def test_the_suggester_builds_the_files_once_beside_the_version(tmp_path: Path) -> None:
    _corpus(tmp_path / "docs")
    build_index(tmp_path / "idx", [tmp_path / "docs"])
    version = IndexLayout(tmp_path / "idx").current_version()
    assert version is not None
    first = Suggester(Engine(tmp_path / "idx"))
    assert first.suggest("genva") is None or True  # may not be ready yet: it builds
    assert first.vocabulary(wait=60) is not None
    built = suggest_dir(tmp_path / "idx", version) / "meta.json"
    stamp = built.stat().st_ino, built.stat().st_mtime_ns
    second = Suggester(Engine(tmp_path / "idx"))  # another process would do the same
    assert second.vocabulary(wait=60) is not None
    assert second.suggest("genva") == "geneva"
    assert (built.stat().st_ino, built.stat().st_mtime_ns) == stamp  # opened, not rebuilt


def test_a_child_process_builds_the_files_of_a_large_index(tmp_path: Path) -> None:
    """Above IN_PROCESS_DOCS the files come from `python -m searchapp.search.vocabstore`, so the
    build's Python heap never stays in a server worker; the version's fingerprint decides."""
    _corpus(tmp_path / "docs")
    root = tmp_path / "idx"
    build_index(root, [tmp_path / "docs"])
    version, stamp = Engine(root).backend.serving_key()
    dest = vocabstore.ensure(root, version, stamp)  # no write_here: the child builds
    assert dest == suggest_dir(root, version)
    assert vocabfile.fingerprint_of(dest) == vocabstore.fingerprint(root, version, stamp)
    engine = Engine(root)
    assert Vocabulary.open(dest).suggest("genva", engine.analyzers) == "geneva"
    assert not list(dest.parent.glob("*.tmp"))  # nothing left half-written
    with pytest.raises(vocabstore.NotBuilt):  # a fingerprint the child cannot confirm
        vocabstore._run_child(root, version, "another")


def _cli(root: Path, query: str) -> dict:
    exe = Path(sys.executable).parent / "searchapp"
    out = subprocess.run([str(exe), "search", "--json", "--index-dir", str(root), query],
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_the_cli_builds_the_vocabulary_once_not_per_query(tmp_path: Path) -> None:
    _corpus(tmp_path / "docs")
    root = tmp_path / "idx"
    build_index(root, [tmp_path / "docs"])
    version = IndexLayout(root).current_version()
    assert version is not None
    meta = suggest_dir(root, version) / "meta.json"
    assert not meta.exists()
    assert _cli(root, "genva")["suggestion"] == "geneva"
    stamp = meta.stat().st_ino, meta.stat().st_mtime_ns  # the first query built it
    assert _cli(root, "Lnzburg")["suggestion"] == "Linzburg"
    assert (meta.stat().st_ino, meta.stat().st_mtime_ns) == stamp  # the second one mapped it


def _workers(root: Path) -> list[int]:
    """The gunicorn workers serving root: the `serve` processes whose parent is one too."""
    serving = {}
    for entry in Path("/proc").iterdir():
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
            if b"serve" in cmd and str(root).encode() in cmd:
                serving[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1]
                                               .split()[1])
        except OSError:
            continue
    return sorted(pid for pid, parent in serving.items() if parent in serving)


def _mapped_vocabularies(pid: int) -> set[tuple[str, str]]:
    """(inode, path) of the vocabulary files a process maps."""
    out = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and "/suggest/" in parts[5] and parts[5].endswith(".marisa"):
            out.add((parts[4], parts[5]))
    return out


def _suggestion(base: str, query: str) -> str | None:
    url = f"{base}/api/search?q={urllib.parse.quote(query)}"
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())["suggestion"]  # type: ignore[no-any-return]


def _until_every_worker_maps(base: str, workers: list[int], version: str, query: str,
                             expected: str | None) -> set[tuple[str, str]]:
    """Ask `query` from several threads at once until every worker maps the version's files."""
    deadline = time.monotonic() + 90
    answers: list[str | None] = []
    while time.monotonic() < deadline:
        threads = [threading.Thread(target=lambda: answers.append(_suggestion(base, query)))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        maps = [{m for m in _mapped_vocabularies(w) if f"/{version}/" in m[1]} for w in workers]
        if all(maps):
            assert answers[-1] == expected
            return set.union(*maps)
        time.sleep(0.2)
    raise AssertionError(f"not every worker mapped the vocabulary of {version}: {answers[-5:]}")


@pytest.mark.slow
def test_two_workers_map_one_vocabulary_across_an_update_and_a_rollback(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _corpus(docs)
    root = tmp_path / "idx"
    build_index(root, [docs])
    layout = IndexLayout(root)
    first = layout.current_version()
    assert first is not None
    with running_server(root, tmp_path / "server.log", workers=2) as base:
        workers = _workers(root)
        assert len(workers) == 2
        mapped = _until_every_worker_maps(base, workers, first, "genva", "geneva")
        # one file per table, the same inode in both workers: one copy in the page cache
        assert len({inode for inode, path in mapped if path.endswith("deletes.marisa")}) == 1
        assert {path.rsplit("/", 1)[1] for _, path in mapped} == {
            "exact.marisa", "folded.marisa", "deletes.marisa"}

        for i in range(5):  # a new word, then an incremental update: a hard-linked clone
            (docs / f"isle{i}.txt").write_text("Zanzibar island trip", encoding="utf-8")
        update_index(root, [docs])
        second = layout.current_version()
        assert second is not None and second != first
        mapped = _until_every_worker_maps(base, workers, second, "zanzibr", "zanzibar")
        assert not (suggest_dir(root, second) / "meta.json").samefile(
            suggest_dir(root, first) / "meta.json")
        assert len({inode for inode, path in mapped if path.endswith("deletes.marisa")}) == 1

        old = suggest_dir(root, first) / "meta.json"
        stamp = old.stat().st_ino, old.stat().st_mtime_ns
        assert rollback(layout) == first
        _until_every_worker_maps(base, workers, first, "genva", "geneva")
        assert _suggestion(base, "zanzibr") is None  # the old version never had the word
        assert (old.stat().st_ino, old.stat().st_mtime_ns) == stamp  # its files, not rebuilt


def test_a_keystroke_that_found_plenty_asks_no_did_you_mean(tmp_path: Path) -> None:
    _corpus(tmp_path / "docs")
    build_index(tmp_path / "idx", [tmp_path / "docs"])
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "idx")}).test_client()
    full = client.get("/search?q=nhan quyen").get_data(as_text=True)  # 12 documents
    assert "Did you mean" in full and "nhân quyền" in full
    keystroke = {"HX-Request": "true", "HX-Trigger": "q"}
    typing = client.get("/search?q=nhan quyen", headers=keystroke).get_data(as_text=True)
    assert 'class="hits"' in typing and "Did you mean" not in typing
    few = client.get("/search?q=bong da", headers=keystroke).get_data(as_text=True)  # 4
    assert "Did you mean" in few and "bóng đá" in few
    assert os.path.isdir(tmp_path / "idx" / "versions")
