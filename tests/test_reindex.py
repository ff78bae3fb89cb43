"""Reindexing never interrupts search: incremental updates, validation, rollback, single flight,
and crashes (kill -9 of the indexer or the server) — in-process and against real servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from searchapp.index import history, jobs, manifest
from searchapp.index.build import Checks, ValidationFailed, build_index
from searchapp.index.incremental import update_index
from searchapp.index.layout import COMPLETE_MARKER, IndexLayout, rollback, writer_lock
from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest
from tests.test_admin import COMMON, AdminClient, admin_server, api_total, make_docs

BIG = 1500  # files: a full reindex takes ~2 s here, long enough to act in the middle of it


def total(root: Path, q: str) -> int:
    return Engine(root).search(SearchRequest(q, prefix_last=False)).total


# --------------------------------------------------------------------------- in-process


def test_incremental_adds_changes_and_removes_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, root = make_docs(tmp_path / "docs", 30), tmp_path / "idx"
    build_index(root, [docs])
    engine = Engine(root)  # one long-lived reader, like a server worker
    assert engine.search(SearchRequest(COMMON)).total == 30
    (docs / "new.txt").write_text("a fresh platypus", encoding="utf-8")
    (docs / "d00001.txt").write_text("rewritten with wombat", encoding="utf-8")
    (docs / "d00002.txt").unlink()
    (docs / "records.jsonl").write_text(
        '{"id": "r1", "text": "echidna one"}\n{"id": "r2", "text": "echidna two"}\n',
        encoding="utf-8")
    hashed: list[Path] = []
    real_hash = manifest.file_hash
    monkeypatch.setattr(manifest, "file_hash", lambda p, *a: hashed.append(p) or real_hash(p, *a))
    result = update_index(root, [docs])
    assert (result.added, result.changed, result.removed, result.unchanged) == (2, 1, 1, 28)
    assert sorted(p.name for p in hashed) == ["d00001.txt", "new.txt", "records.jsonl"]
    assert result.documents == 30 - 1 + 1 + 2
    for word, n in (("platypus", 1), ("wombat", 1), ("echidna", 2), (COMMON, 28)):
        assert engine.search(SearchRequest(word, prefix_last=False)).total == n, word
    assert engine.document("d00002.txt") is None
    assert "wombat" in engine.document("d00001.txt").body_html  # type: ignore[union-attr]
    (docs / "records.jsonl").write_text('{"id": "r1", "text": "echidna one"}\n', encoding="utf-8")
    hashed.clear()
    again = update_index(root, [docs])
    assert (again.added, again.changed, again.removed) == (0, 1, 0)
    assert [p.name for p in hashed] == ["records.jsonl"]
    assert engine.search(SearchRequest("echidna")).total == 1
    same = update_index(root, [docs])  # nothing changed: nothing read, nothing committed
    assert (same.added, same.changed, same.removed, same.documents) == (0, 0, 0, 31)


def test_incremental_after_a_crash_before_the_manifest_never_duplicates(tmp_path: Path) -> None:
    docs, root = make_docs(tmp_path / "docs", 5), tmp_path / "idx"
    build_index(root, [docs])
    version = IndexLayout(root).versions / IndexLayout(root).current_version()  # type: ignore[operator]
    before = (version / manifest.MANIFEST).read_text()
    (docs / "new.txt").write_text("a lonely narwhal", encoding="utf-8")
    update_index(root, [docs])
    (version / manifest.MANIFEST).write_text(before)  # as if killed after commit, before save
    update_index(root, [docs])
    assert total(root, "narwhal") == 1


def test_an_index_built_before_body_plain_needs_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental update cannot add documents with fields the serving index lacks: it asks
    for a full build (the admin button then does one), and the old index keeps serving."""
    import tantivy

    from searchapp.analysis.language import STEMMERS
    from searchapp.backends.tantivy import schema as store
    from searchapp.backends.tantivy import writer as indexer
    from searchapp.index.incremental import NoManifest

    def old_schema() -> tantivy.Schema:  # the schema before body_plain
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
        for base in store.TEXT_FIELDS:
            sb.add_text_field(base, stored=True, tokenizer_name="sa_exact")
            sb.add_text_field(f"{base}_fold", tokenizer_name="sa_fold")
            sb.add_text_field(f"{base}_cjk", tokenizer_name="sa_cjk")
            sb.add_text_field(f"{base}_seg", tokenizer_name="sa_seg")
            for lang in STEMMERS:
                sb.add_text_field(store.stem_field(base, lang), tokenizer_name=f"sa_stem_{lang}")
        for name in ("lang", "source"):
            sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
        sb.add_text_field("hash", stored=True, tokenizer_name="raw", index_option="basic")
        sb.add_date_field("date", stored=True, indexed=True, fast=True)
        sb.add_integer_field("year", stored=False, indexed=True, fast=True)
        return sb.build()

    docs, root = make_docs(tmp_path / "docs", 3), tmp_path / "idx"
    with monkeypatch.context() as m:
        m.setattr(store, "build_schema", old_schema)
        m.setattr(indexer, "is_plain", lambda text: False)
        build_index(root, [docs])
    assert Engine(root).search(SearchRequest(COMMON)).total == 3  # the old index serves
    (docs / "new.txt").write_text("a lonely narwhal", encoding="utf-8")
    with pytest.raises(NoManifest, match="full build"):
        update_index(root, [docs])
    build_index(root, [docs])
    assert total(root, "narwhal") == 1


def test_the_content_hash_is_stored_not_indexed(tmp_path: Path) -> None:
    """Each document's content hash reads back from the stored document, and no term of it is
    indexed (one unique 32-character term a document cost a fifth of a sentence index)."""
    import tantivy

    from searchapp.backends.tantivy.schema import open_index

    docs, root = make_docs(tmp_path / "docs", 3), tmp_path / "idx"
    build_index(root, [docs])
    index = open_index(IndexLayout(root).current_path())
    searcher = index.searcher()
    stored = [searcher.doc(a) for _, a in searcher.search(tantivy.Query.all_query(), 10).hits]
    hashes = {d.get_first("id"): d.get_first("hash") for d in stored}
    assert len(hashes) == 3 and len(set(hashes.values())) == 3
    assert all(isinstance(h, str) and int(h, 16) >= 0 and len(h) == 32 for h in hashes.values())
    query = tantivy.Query.term_query(index.schema, "hash", hashes["d00001.txt"].encode("ascii"))
    with pytest.raises(ValueError, match="not indexed"):
        searcher.search(query, 10)


def test_validation_refuses_too_many_skipped_files(tmp_path: Path) -> None:
    docs, root = make_docs(tmp_path / "docs", 3), tmp_path / "idx"
    good = build_index(root, [docs]).version
    for i in range(4):
        (docs / f"bin{i}.txt").write_bytes(b"\x00\x01binary")
    with pytest.raises(ValidationFailed, match="skipped"):
        build_index(root, [docs], checks=Checks(max_skip_ratio=0.5))
    assert IndexLayout(root).current_version() == good
    assert IndexLayout(root).list_versions() == [good]


def test_canary_words_come_from_titles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchapp.index import validate

    docs, root = make_docs(tmp_path / "docs", 3), tmp_path / "idx"
    build_index(root, [docs], checks=Checks(canaries=3))  # real titles are found
    monkeypatch.setattr(validate, "canary_word", lambda doc: "xylophonezzz")
    with pytest.raises(ValidationFailed, match="canary"):
        build_index(root, [docs], checks=Checks(canaries=1))


def test_a_canary_failed_by_a_first_build_is_a_warning_and_the_build_serves(tmp_path: Path) -> None:
    """#27.3: with no index to keep, refusing the first version serves nothing at all; it
    serves, with the failed canary in its summary. A later build is still refused."""
    docs, root = make_docs(tmp_path / "docs", 3), tmp_path / "idx"
    never = Checks(canaries=1, probe=lambda version_dir, word: 0)  # a validator finding nothing
    result = build_index(root, [docs], checks=never)
    assert IndexLayout(root).current_version() == result.version and total(root, "*") == 3
    assert len(result.warnings) == 1 and "served all the same" in result.summary()
    with pytest.raises(ValidationFailed, match="canary"):
        build_index(root, [docs], checks=never)
    assert IndexLayout(root).current_version() == result.version


def test_canary_words_are_words_the_index_holds_whole(tmp_path: Path) -> None:
    """A title word of 60+ bytes is held as pieces: the canary is the longest word held whole."""
    from searchapp.index.validate import canary_word
    from searchapp.ingest.records import Document

    long = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
    doc = Document(id="g", title=f"{long} verabschiedet", body="")
    assert canary_word(doc) == "verabschiedet"


def test_rollback_and_keep_versions(tmp_path: Path) -> None:
    docs, root = make_docs(tmp_path / "docs", 3), tmp_path / "idx"
    layout = IndexLayout(root)
    versions = []
    animals = ("aardvark", "bison", "cheetah", "dugong")
    for i in range(4):
        (docs / f"v{i}.txt").write_text(f"generation {animals[i]}", encoding="utf-8")
        versions.append(build_index(root, [docs], keep_previous=2).version)
    assert layout.list_versions() == versions[1:]
    assert rollback(layout) == versions[2]
    assert total(root, "dugong") == 0 and total(root, "cheetah") == 1
    assert rollback(layout) == versions[1]


def test_cli_is_refused_while_another_writer_runs(tmp_path: Path) -> None:
    docs, root = make_docs(tmp_path / "docs", 3), tmp_path / "idx"
    with writer_lock(IndexLayout(root)):
        res = subprocess.run([sys.executable, "-m", "searchapp.cli", "index", "--index-dir",
                              str(root), str(docs)], capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and "another indexing run holds" in res.stderr
    res = subprocess.run([sys.executable, "-m", "searchapp.cli", "index", "--incremental",
                          "--index-dir", str(root), str(docs)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr  # no index yet: falls back to a full build
    runs = history.read(IndexLayout(root))
    assert runs[0]["who"] == "cli" and runs[0]["outcome"] == "succeeded"
    assert "full build instead" in runs[0]["message"]


# --------------------------------------------------------------------------- real servers


@pytest.fixture(scope="module")
def big_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_docs(tmp_path_factory.mktemp("big") / "docs", BIG)


def _copy_docs(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for p in src.iterdir():
        os.link(p, dst / p.name)  # hard links: cheap; files are replaced, never edited in place
    return dst


def test_searches_never_fail_during_five_reindexes(big_docs: Path, tmp_path: Path) -> None:
    docs = _copy_docs(big_docs, tmp_path / "docs")
    index = tmp_path / "index"
    build_index(index, [docs])
    with admin_server(tmp_path, docs, index) as base:
        admin = AdminClient(base)
        admin.login()
        stop = threading.Event()
        counts = {"ok": 0}
        failures: list[str] = []
        lock = threading.Lock()

        def search_forever() -> None:
            while not stop.is_set():
                try:
                    n = api_total(base, COMMON)
                except Exception as exc:  # noqa: BLE001 - every failure is recorded
                    n, err = -1, repr(exc)
                else:
                    err = "" if n == BIG else f"total {n}"
                with lock:
                    if err:
                        failures.append(err)
                    else:
                        counts["ok"] += 1

        threads = [threading.Thread(target=search_forever) for _ in range(8)]
        for t in threads:
            t.start()
        started = time.monotonic()
        try:
            steps = [
                ("full", lambda: _write(docs / "new1.txt", "zebrafish1"), "zebrafish1", 1),
                ("incremental", lambda: _write(docs / "new2.txt", "zebrafish2"), "zebrafish2", 1),
                ("incremental", lambda: (docs / "new1.txt").unlink(), "zebrafish1", 0),
                ("full", lambda: _write(docs / "new3.txt", "zebrafish3"), "zebrafish3", 1),
                ("incremental", lambda: _write(docs / "new2.txt", "quokka"), "zebrafish2", 0),
            ]
            versions = set()
            for kind, change, word, expected in steps:
                change()
                job = admin.wait_job(admin.reindex(kind)["job"]["id"])
                assert job["state"] == "succeeded", job
                versions.add(job["version"])
                assert api_total(base, word) == expected, (kind, word)  # at the next request
            assert api_total(base, "quokka") == 1
        finally:
            stop.set()
            for t in threads:
                t.join()
        elapsed = time.monotonic() - started
        print(f"\n{counts['ok']} searches in {elapsed:.1f}s during 5 reindexes "
              f"({len(versions)} versions), {len(failures)} failures")
        assert failures == []
        assert counts["ok"] > 100
        runs = history.read(IndexLayout(index))
        assert [r["kind"] for r in runs[:5]] == ["incremental", "full", "incremental",
                                                 "incremental", "full"]
        assert all(r["who"] == "admin" and r["outcome"] == "succeeded" for r in runs[:5])


def test_incremental_button_adds_and_removes_a_file(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 30)
    index = tmp_path / "index"
    build_index(index, [docs])
    with admin_server(tmp_path, docs, index) as base:
        admin = AdminClient(base)
        admin.login()
        _write(docs / "added.txt", "the capybara arrives")
        job = admin.wait_job(admin.reindex("incremental")["job"]["id"])
        assert job["state"] == "succeeded" and job["documents"] == 31, job
        assert api_total(base, "capybara") == 1
        (docs / "added.txt").unlink()
        admin.wait_job(admin.reindex("incremental")["job"]["id"])
        assert api_total(base, "capybara") == 0
        assert api_total(base, COMMON) == 30


def test_kill_9_of_the_indexer_then_of_the_server(big_docs: Path, tmp_path: Path) -> None:
    docs = _copy_docs(big_docs, tmp_path / "docs")
    index = tmp_path / "index"
    layout = IndexLayout(index)
    good = build_index(index, [docs]).version
    _write(docs / "kiwi.txt", "a kiwibird appears")
    with admin_server(tmp_path, docs, index) as base:
        admin = AdminClient(base)
        admin.login()
        first = admin.reindex("full")
        worker_pid = first["job"]["pid"]  # "starting" is written by the web worker
        job = _wait_for(admin, lambda j: j["state"] == "running" and j["phase"] == "indexing"
                        and j["files_done"] > 0)
        os.kill(job["pid"], signal.SIGKILL)
        job = _wait_for(admin, lambda j: j["state"] == "interrupted")
        assert "killed" in job["message"]
        assert api_total(base, COMMON) == BIG and api_total(base, "kiwibird") == 0
        half_built = [v for v in layout.list_versions() if v != good]
        assert half_built and not (layout.versions / half_built[0] / COMPLETE_MARKER).exists()
        assert layout.current_version() == good
        # now the server dies too, with no chance to clean up
        master = int(Path(f"/proc/{worker_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        for pid in (master, worker_pid):
            os.kill(pid, signal.SIGKILL)
    with admin_server(tmp_path, docs, index, "restarted") as base:
        assert layout.list_versions() == [good]  # the dead build was removed at start
        assert api_total(base, COMMON) == BIG
        admin = AdminClient(base)
        admin.login()
        assert admin.status()["job"]["state"] == "interrupted"
        job = admin.wait_job(admin.reindex("full")["job"]["id"])
        assert job["state"] == "succeeded", job
        assert api_total(base, "kiwibird") == 1
        outcomes = [(r["outcome"], r["who"]) for r in history.read(layout)[:2]]
        assert outcomes == [("succeeded", "admin"), ("interrupted", "admin")]


def test_a_build_survives_kill_9_of_the_server_and_cli_runs_are_single_flight(
    big_docs: Path, tmp_path: Path
) -> None:
    docs = _copy_docs(big_docs, tmp_path / "docs")
    index = tmp_path / "index"
    layout = IndexLayout(index)
    build_index(index, [docs])
    _write(docs / "moa.txt", "the extinct moabird")
    with admin_server(tmp_path, docs, index) as base:
        admin = AdminClient(base)
        admin.login()
        # a CLI run is in progress: the button shows it instead of starting a second writer
        cli = subprocess.Popen([sys.executable, "-m", "searchapp.cli", "index", "--quiet",
                                "--index-dir", str(index), str(docs)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for(admin, lambda j: j["who"] == "cli" and j["state"] == "running")
        refused = admin.reindex("full")
        assert refused["started"] is False and "already in progress" in refused["notice"]
        assert refused["job"]["who"] == "cli"
        out, err = cli.communicate(timeout=60)
        assert cli.returncode == 0, err
        assert api_total(base, "moabird") == 1
        # an admin build outlives the server that started it
        _write(docs / "dodo.txt", "the dodobird too")
        worker_pid = admin.reindex("full")["job"]["pid"]
        _wait_for(admin, lambda j: j["state"] == "running" and j["who"] == "admin")
        master = int(Path(f"/proc/{worker_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        for pid in (master, worker_pid):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while (status := jobs.read_status(layout)) is not None and status.running:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status is not None and status.state == "succeeded", status
    with admin_server(tmp_path, docs, index, "restarted") as base:
        assert api_total(base, "dodobird") == 1


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp~")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _wait_for(admin: AdminClient, cond, timeout: float = 30):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = admin.status()["job"]
        if job and cond(job):
            return job
        time.sleep(0.03)
    raise AssertionError(f"condition not reached: {admin.status()}")


def test_job_file_shape(tmp_path: Path) -> None:
    """job.json is plain JSON a script can read."""
    docs, root = make_docs(tmp_path / "docs", 2), tmp_path / "idx"
    jobs.run_job(root, [docs], who="cli")
    data = json.loads((root / jobs.STATUS_FILE).read_text())
    assert data["state"] == "succeeded" and data["documents"] == 2 and data["who"] == "cli"
