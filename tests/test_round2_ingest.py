"""Hardening, second round (#18), the documents folder: FIFOs, names that are not UTF-8,
symbolic links out of the folder, ids that make bad links — through the real CLI and servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from searchapp.index.build import build_index
from searchapp.ingest import walk
from searchapp.ingest.load import load_file
from searchapp.ingest.records import LoadReport
from searchapp.ingest.safety import bounded, guarded
from tests.test_admin import AdminClient, admin_server, env

CLI = [sys.executable, "-m", "searchapp.cli"]


def cli(*args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **extra}, check=False)


def index(root: Path, docs: Path, *more: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return cli("index", "--index-dir", str(root), *more, str(docs), **extra)


def search(root: Path, q: str) -> dict:  # type: ignore[type-arg]
    res = cli("search", "--index-dir", str(root), "--json", q)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def api_hits(base: str, q: str) -> list[dict]:  # type: ignore[type-arg]
    status, body = get(f"{base}/api/search?{urllib.parse.urlencode({'q': q})}")
    assert status == 200, body
    return json.loads(body)["hits"]  # type: ignore[no-any-return]


def test_a_fifo_is_skipped_and_the_admin_job_ends(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Ordinary pelican report\n\nabout pelicans", encoding="utf-8")
    os.mkfifo(docs / "f.txt")
    root = tmp_path / "idx"
    for more in ((), ("--incremental",)):
        res = index(root, docs, *more, timeout=60)  # used to block in open() forever
        assert res.returncode == 0, res.stderr
        assert "f.txt: not a regular file (named pipe (FIFO))" in res.stdout
    with admin_server(tmp_path, docs, root) as base:
        admin = AdminClient(base)
        admin.login()
        for kind in ("full", "incremental"):
            job = admin.wait_job(admin.reindex(kind)["job"]["id"], timeout=60)
            assert job["state"] == "succeeded", job
        status, body, _ = admin.request("POST", "/admin/rollback", {},
                                        {"X-CSRFToken": admin.token, "Accept": "application/json"})
        assert status == 200 and "Rolled back" in json.loads(body)["notice"], body


def test_every_read_is_bounded_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that turns into a FIFO after the walk's check still cannot hang a build: each
    read (the loader's, the manifest's hash) is interrupted after SEARCHAPP_READ_TIMEOUT."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Ordinary pelican report", encoding="utf-8")
    os.mkfifo(docs / "late.txt")
    os.mkfifo(docs / "late.jsonl")
    monkeypatch.setattr(walk, "not_regular", lambda path: "")  # the check missed them
    monkeypatch.setenv("SEARCHAPP_READ_TIMEOUT", "0.5")
    started = time.monotonic()
    result = build_index(tmp_path / "idx", [docs])
    assert time.monotonic() - started < 30 and result.documents == 1
    with pytest.raises(OSError, match="timed out"):
        guarded(lambda: (docs / "late.txt").read_bytes(), 0.3)
    report = LoadReport()
    assert list(bounded(load_file(docs / "late.txt", "late.txt", "s", report), 0.3)) == []


def test_a_name_that_is_not_utf8_is_indexed_with_replacement_characters(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    with open(os.fsencode(docs) + b"/bad\xff\xfename.txt", "wb") as f:
        f.write(b"Quetzal sighting\n\nA quetzal was seen")
    with open(os.fsencode(docs) + b"/bad\xfe\xffname.txt", "wb") as f:  # the same after U+FFFD
        f.write(b"Other quetzal note")
    (docs / "fine.txt").write_text("Fine quetzal text", encoding="utf-8")
    root = tmp_path / "idx"
    res = index(root, docs)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "is the same as another file" in res.stdout
    ids = sorted(h["id"] for h in search(root, "quetzal")["hits"])
    assert ids == ["bad\ufffd\ufffdname.txt", "fine.txt"]
    (docs / "new.txt").write_text("New quetzal", encoding="utf-8")
    res = index(root, docs, "--incremental")
    assert res.returncode == 0 and "1 files added" in res.stdout, res.stderr + res.stdout
    assert search(root, "quetzal")["total"] == 3  # the id is stable: not added twice
    with admin_server(tmp_path, docs, root) as base:
        admin = AdminClient(base)
        admin.login()
        assert admin.wait_job(admin.reindex("full")["job"]["id"])["state"] == "succeeded"
        for hit in api_hits(base, "quetzal"):
            assert get(base + hit["link"])[0] == 200, hit


def test_links_out_of_the_documents_folder_are_not_followed(tmp_path: Path) -> None:
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    (docs / "sub").mkdir(parents=True)
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text("root:x:0:0 walrus secret", encoding="utf-8")
    (outside / "dir" / "more.txt").write_text("walrus in a linked folder", encoding="utf-8")
    (docs / "own.txt").write_text("own walrus text", encoding="utf-8")
    for i in range(5):  # enough documents for the skip ratio check
        (docs / f"other{i}.txt").write_text(f"Heron note {i}", encoding="utf-8")
    (docs / "p.txt").symlink_to("/etc/passwd")
    (docs / "s.txt").symlink_to(outside / "secret.txt")
    (docs / "etcdir").symlink_to("/etc")
    (docs / "linked").symlink_to(outside / "dir")
    (docs / "sub" / "inside.txt").symlink_to("../own.txt")  # inside: followed
    root = tmp_path / "idx"
    res = index(root, docs)
    assert res.returncode == 0, res.stderr
    for name in ("p.txt", "s.txt", "etcdir", "linked"):
        assert f"skipped {name}: symbolic link to outside the documents folder" in res.stdout
    assert sorted(h["id"] for h in search(root, "walrus")["hits"]) == ["own.txt",
                                                                     "sub/inside.txt"]
    with admin_server(tmp_path, docs, root) as base:
        assert api_hits(base, "root") == [] and api_hits(base, "secret") == []
        assert get(f"{base}/doc/p.txt")[0] == 404 and get(f"{base}/doc/s.txt")[0] == 404
    (docs / "p.txt").unlink()
    (docs / "etcdir").unlink()
    res = index(root, docs, SEARCHAPP_FOLLOW_LINKS_OUTSIDE="1")
    assert res.returncode == 0, res.stderr
    assert search(root, "walrus")["total"] == 4  # the setting allows more


def test_every_hit_links_to_its_own_document(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "x.txt").write_text("The real ocelot file", encoding="utf-8")
    (docs / "new\nline.txt").write_text("Newline ocelot file", encoding="utf-8")
    records = [{"id": "../../etc/passwd", "text": "traversal ocelot"},
               {"id": "a/b/../c", "text": "dotted ocelot"},
               {"id": "back\\slash", "text": "backslash ocelot"},
               {"id": "/lead//empty/", "text": "slashes ocelot"},
               {"id": "x.txt", "text": "impostor ocelot record"},
               {"id": "../../etc/passwd", "text": "second traversal ocelot"}]
    (docs / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    root = tmp_path / "idx"
    res = index(root, docs)
    assert res.returncode == 0, res.stderr
    assert "duplicate id 'x.txt'" in res.stdout and "duplicate id '../../etc/passwd'" in res.stdout
    with env(SEARCHAPP_RATELIMIT="off"), admin_server(tmp_path, docs, root) as base:
        hits = api_hits(base, "ocelot")
        assert len(hits) == 6 and len({h["id"] for h in hits}) == 6
        for hit in hits:
            # what a browser does to the link: resolve it against the results page
            url = urllib.parse.urljoin(f"{base}/search?q=ocelot", hit["link"])
            status, html = get(url)
            assert status == 200, (hit, url)
            assert hit["title"].split()[0] in html, (hit, url)
            api = url.replace("/doc", "/api/doc", 1)
            assert json.loads(get(api)[1])["id"] == hit["id"]
        status, html = get(f"{base}/doc/x.txt")
        assert status == 200 and "real ocelot file" in html and "impostor" not in html


def test_an_incremental_update_keeps_ids_unique(tmp_path: Path) -> None:
    """A record that took a path as its id while no file had it yields it to the file that
    appears later, as a full build would; a new record cannot take an existing id."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Alpha margay file", encoding="utf-8")
    (docs / "r.jsonl").write_text(json.dumps({"id": "later.txt", "text": "record margay"}),
                                  encoding="utf-8")
    root = tmp_path / "idx"
    assert index(root, docs).returncode == 0
    (docs / "later.txt").write_text("The real later margay file", encoding="utf-8")
    (docs / "s.jsonl").write_text(json.dumps({"id": "a.txt", "text": "impostor margay"}),
                                  encoding="utf-8")
    res = index(root, docs, "--incremental")
    assert res.returncode == 0, res.stderr
    assert "duplicate id 'later.txt'" in res.stdout and "duplicate id 'a.txt'" in res.stdout
    hits = search(root, "margay")["hits"]
    assert sorted(h["id"] for h in hits) == ["a.txt", "later.txt"]
    assert all("impostor" not in h["snippet"] and "record" not in h["snippet"] for h in hits)
