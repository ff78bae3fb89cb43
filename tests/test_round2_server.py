"""Hardening, second round (#18), the disk and the server: read-only and full disks (tmpfs),
damaged versions, sessions after logout, forwarded headers — through the CLI and real servers."""

from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from searchapp.index.layout import IndexLayout
from tests.test_admin import PASSWORD, AdminClient, admin_server, env, make_docs
from tests.test_round2_ingest import cli, get, index, search
from tests.web_helpers import running_server


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A small tmpfs at path (skip where mounting is not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip()})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def one_clear_line(res: subprocess.CompletedProcess[str], *words: str) -> None:
    assert res.returncode != 0, res.stdout
    assert "Traceback" not in res.stderr, res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_a_read_only_index_serves_and_a_build_fails_in_one_line(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 5)
    with tmpfs(tmp_path / "ro", "20m") as mount:
        root = mount / "index"
        assert index(root, docs).returncode == 0
        (root / "versions" / "20000101T000000000000Z").mkdir()  # a dead build to clean up
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        for more in ((), ("--incremental",)):
            one_clear_line(index(root, docs, *more), "Read-only file system")
        assert search(root, "commonword")["total"] == 5
        with admin_server(tmp_path, docs, root) as base:  # used to die at worker start
            assert json.loads(get(f"{base}/api/search?q=commonword")[1])["total"] == 5
            admin = AdminClient(base)
            admin.login()
            for path in ("/admin/reindex", "/admin/rollback"):
                status, body, _ = admin.request("POST", path, {"kind": "full"},
                                                {"X-CSRFToken": admin.token,
                                                 "Accept": "application/json"})
                assert status == 200, body
                assert "cannot be written (Read-only file system)" in json.loads(body)["notice"]


def test_a_full_disk_fails_in_one_line_and_keeps_the_index(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 5)
    big = tmp_path / "big"
    big.mkdir()
    rng = random.Random(1)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10)))
             for _ in range(50_000)]
    for i in range(300):  # about 12 MB of distinct words: far more index than 5 MB
        (big / f"b{i}.txt").write_text(f"Big {i}\n" + " ".join(rng.choices(words, k=5000)),
                                       encoding="utf-8")
    with tmpfs(tmp_path / "full", "5m") as mount:
        root = mount / "index"
        assert index(root, docs).returncode == 0
        serving = IndexLayout(root).current_version()
        for more in ((), ("--incremental", "--yes")):  # --yes: big replaces every document
            one_clear_line(index(root, big, *more), "No space left on device")
            assert IndexLayout(root).current_version() == serving
            assert search(root, "commonword")["total"] == 5


def test_permission_and_path_errors_end_in_one_line(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 2)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    one_clear_line(index(blocker / "index", docs), "Not a directory")
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        one_clear_line(index(locked / "index", docs), "Permission denied")


def _versions(root: Path) -> list[str]:
    return IndexLayout(root).list_versions()


def test_a_damaged_version_is_logged_and_an_intact_one_serves(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 5)
    root = tmp_path / "idx"
    assert index(root, docs).returncode == 0
    older = IndexLayout(root).current_version()
    assert index(root, docs).returncode == 0
    newest = IndexLayout(root).current_version()
    assert older and newest and older != newest
    store = next((root / "versions" / newest).glob("*.idx"))
    data = bytearray(store.read_bytes())
    data[len(data) // 3] ^= 0xFF  # a flipped byte: tantivy itself opens this version fine
    store.write_bytes(bytes(data))
    with admin_server(tmp_path, docs, root) as base:
        assert json.loads(get(f"{base}/api/search?q=commonword")[1])["total"] == 5
        health = json.loads(get(f"{base}/health")[1])
        assert health["status"] == "degraded" and health["version"] == older
        assert newest in health["problem"]
        admin = AdminClient(base)
        admin.login()
        assert "Damaged index" in admin.request("GET", "/admin/")[1]
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert f"index version {newest} cannot be opened" in log
    (root / "versions" / newest / "meta.json").write_text("{broken", encoding="utf-8")
    assert search(root, "commonword")["total"] == 5
    (root / "CURRENT").unlink()  # a restart must not rebuild: an intact version is on disk
    with admin_server(tmp_path, docs, root, name="restart") as base:
        assert json.loads(get(f"{base}/health")[1])["version"] == older
    assert _versions(root) == sorted([older, newest])
    log = (tmp_path / "restart.log").read_text(errors="replace")
    assert "No index in" not in log and "CURRENT" in log


def test_only_a_damaged_index_everywhere_means_a_rebuild(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 3)
    root = tmp_path / "idx"
    assert index(root, docs).returncode == 0
    name = IndexLayout(root).current_version()
    (root / "versions" / str(name) / "meta.json").write_text("{", encoding="utf-8")
    res = cli("search", "--index-dir", str(root), "commonword")
    assert res.returncode != 0 and "no intact index version" in res.stderr
    assert "Traceback" not in res.stderr
    with admin_server(tmp_path, docs, root) as base:  # serve rebuilds: nothing could serve
        assert json.loads(get(f"{base}/health")[1])["status"] == "ok"


def test_a_saved_session_cookie_is_dead_after_logout_and_password_change(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 3)
    root = tmp_path / "idx"
    for _ in range(2):
        assert index(root, docs).returncode == 0
    res = cli("admin-password", "--index-dir", str(root), "--password", PASSWORD,
              SEARCHAPP_INSTANCE_DIR=str(tmp_path / "instance"), SEARCHAPP_ADMIN_PASSWORD="")
    assert res.returncode == 0, res.stderr
    with env(SEARCHAPP_ADMIN_PASSWORD="", SEARCHAPP_INSTANCE_DIR=str(tmp_path / "instance")), \
            running_server(root, tmp_path / "server.log") as base:  # the stored password
        for end in ("logout", "password"):
            admin, thief = AdminClient(base), AdminClient(base)
            admin.login()
            for cookie in admin.jar:  # the saved cookie
                thief.jar.set_cookie(cookie)
            thief.token = admin.token
            assert thief.request("GET", "/admin/")[0] == 200
            if end == "logout":
                assert admin.request("POST", "/admin/logout", {"csrf_token": admin.token})[0] == 302
            else:
                res = cli("admin-password", "--index-dir", str(root), "--password",
                          PASSWORD + "2", SEARCHAPP_INSTANCE_DIR=str(tmp_path / "instance"),
                          SEARCHAPP_ADMIN_PASSWORD="")
                assert res.returncode == 0, res.stderr
            status, _, headers = thief.request("GET", "/admin/")
            assert status == 302 and "/admin/login" in headers["Location"], end
            status, body, _ = thief.request("POST", "/admin/rollback", {},
                                            {"X-CSRFToken": thief.token})
            assert status in (400, 401), (end, status, body[:200])
        stranger = AdminClient(base)  # an anonymous logout does not end the admin's session
        admin = AdminClient(base)
        admin.login(PASSWORD + "2")
        stranger.fetch_token()
        stranger.request("POST", "/admin/logout", {"csrf_token": stranger.token})
        assert admin.request("GET", "/admin/")[0] == 200


def test_forwarded_proto_counts_only_with_the_proxy_setting(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 2)
    root = tmp_path / "idx"
    assert index(root, docs).returncode == 0
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    for proxies, secure in (("", False), ("1", True)):
        with env(SEARCHAPP_PROXY_FIX=proxies), \
                running_server(root, tmp_path / f"proxy{proxies}.log") as base:
            status, _, headers = AdminClient(base).request("GET", "/admin/login", headers=forged)
            assert status == 200
            assert ("Strict-Transport-Security" in headers) is secure, headers
            assert ("Secure" in headers["Set-Cookie"]) is secure, headers["Set-Cookie"]
