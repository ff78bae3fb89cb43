"""Hardening, third round (#27), the server: client-triggered 500s, forged log lines, limits
shared by the workers, bounded synonym checks — against real gunicorn servers."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.test_admin import PASSWORD, AdminClient, admin_server, env, make_docs
from tests.test_round2_ingest import get, index
from tests.web_helpers import running_server


def raw_get(base: str, path: str, host: str) -> tuple[int, bytes]:
    """GET path with a Host header of our choosing (http.client would check it)."""
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def odd_names(tmp: Path) -> tuple[Path, Path]:
    docs = make_docs(tmp / "docs", 6)
    (docs / "cr\rname.txt").write_text("Carriage\n\nthe carriage return name", encoding="utf-8")
    (docs / "esc\x1b[31mname.txt").write_text("Escape\n\nthe escape sequence name",
                                               encoding="utf-8")
    root = tmp / "index"
    res = index(root, docs)
    assert res.returncode == 0, res.stderr
    return docs, root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One real server over a folder with odd file names: (base URL, its log)."""
    tmp = tmp_path_factory.mktemp("hostile")
    docs, root = odd_names(tmp)
    with admin_server(tmp, docs, root) as base:
        yield base, tmp / "server.log"


def test_file_names_with_cr_or_esc_are_served(hostile: tuple[str, Path]) -> None:
    base, _ = hostile  # used to be 500 (InvalidResponseHeader in Content-Disposition)
    for name, word in (("cr\rname.txt", "carriage"), ("esc\x1b[31mname.txt", "escape")):
        status, body = get(f"{base}/file/{urllib.parse.quote(name)}")
        assert status == 200 and word in body, (name, status, body[:300])


def test_a_long_host_label_gets_400_on_every_page(hostile: tuple[str, Path]) -> None:
    base, _ = hostile  # the API answered 400, HTML pages 500
    host = "a" * 64 + ".example"
    for path in ("/", "/search?q=river", "/doc/d00001.txt", "/admin/login", "/api/search?q=x"):
        status, body = raw_get(base, path, host)
        assert status == 400 and b"Traceback" not in body, (path, status, body[:300])
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
    conn.putrequest("GET", "/search?q=river", skip_host=True)
    conn.putheader("Host", "b" * 70)
    conn.endheaders()
    res = conn.getresponse()
    assert res.status == 400, res.status
    conn.close()


def test_a_login_target_with_crlf_goes_to_admin(hostile: tuple[str, Path]) -> None:
    base, _ = hostile
    admin = AdminClient(base)
    admin.fetch_token()
    status, body, headers = admin.request(
        "POST", "/admin/login?next=/admin/%0D%0ASet-Cookie:x=1",
        {"csrf_token": admin.token, "password": PASSWORD})
    assert status == 302 and headers["Location"].endswith("/admin/"), (status, body[:300])
    assert "x=1" not in headers.get("Set-Cookie", "")


def test_a_request_forges_no_log_line(hostile: tuple[str, Path]) -> None:
    base, log_path = hostile
    status, _ = get(f"{base}/doc/x%0AFORGED%20LINE%1B%5B31mRED")
    assert status == 404
    status, _ = get(f"{base}/search?q=" + urllib.parse.quote("a\nFORGED SEARCH\x1b[0m"))
    assert status == 200
    time.sleep(0.5)
    log = log_path.read_bytes()
    assert b"FORGED LINE" in log  # the request was logged ...
    assert not any(line.startswith(b"FORGED") for line in log.splitlines())  # ... on its line
    assert b"\x1b" not in log and b"\r" not in log.replace(b"\r\n", b"")
    assert b"Traceback" not in log, log.decode(errors="replace")[-3000:]


def test_the_login_limit_counts_every_worker_together(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 5)
    root = tmp_path / "index"
    assert index(root, docs).returncode == 0
    with two_workers(tmp_path, docs, root) as base:
        statuses = []
        for _ in range(24):  # a new connection each time: both workers answer some
            admin = AdminClient(base)
            admin.fetch_token()
            status, _, _ = admin.request("POST", "/admin/login",
                                         {"csrf_token": admin.token, "password": "wrong"})
            statuses.append(status)
        assert statuses.count(401) == 10 and statuses.count(429) == 14, statuses
        pids = _worker_pids(tmp_path / "server.log")
    assert len(pids) == 2, pids


def test_the_search_budget_counts_every_worker_together(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 5)
    root = tmp_path / "index"
    assert index(root, docs).returncode == 0
    with env(SEARCHAPP_RATELIMIT="12/minute"), two_workers(tmp_path, docs, root) as base:
        statuses = [get(f"{base}/api/search?q=river{i}")[0] for i in range(30)]
    assert statuses.count(200) == 12 and statuses.count(429) == 18, statuses


@contextmanager
def two_workers(tmp: Path, docs: Path, root: Path) -> Iterator[str]:
    """admin_server with two gunicorn workers."""
    with env(SEARCHAPP_DOCS_DIR=str(docs), SEARCHAPP_ADMIN_PASSWORD=PASSWORD,
             SEARCHAPP_INSTANCE_DIR=str(tmp / "instance")):
        with running_server(root, tmp / "server.log", workers=2) as base:
            yield base


def _worker_pids(log: Path) -> set[str]:
    return {line.split("pid: ")[1].strip(")] \n") for line in log.read_text(errors="replace")
            .splitlines() if "Booting worker with pid:" in line}


def test_a_huge_synonym_set_is_refused_at_once(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 40)
    root = tmp_path / "index"
    assert index(root, docs).returncode == 0
    with admin_server(tmp_path, docs, root) as base:
        admin = AdminClient(base)
        admin.login()
        letters = "abcdefghijklmnopqrstuvwxyz"
        words = ", ".join("".join(letters[(i // 26 ** k) % 26] for k in range(4))
                          for i in range(42_000))  # 252 KB: one 42k-entry set
        text = f"river, stream\n{words}\n"
        started = time.monotonic()
        status, body, _ = admin.request("POST", "/admin/synonyms/",
                                        {"csrf_token": admin.token, "text": text})
        took = time.monotonic() - started
        # bounded: refused for its size or its entries, quickly, with the reason
        assert status == 422, (status, body[:500])
        assert "at most" in body and took < 10, (took, body[:500])
        small = "river, stream\n" + ", ".join(f"w{i:03d}x" for i in range(300)) + "\n"
        status, body, _ = admin.request("POST", "/admin/synonyms/",
                                        {"csrf_token": admin.token, "text": small})
        assert status == 422 and "300 entries; a set may hold at most 256" in body, body[:500]
        ok = "pelican, heron\n" + ", ".join(f"w{i:03d}x" for i in range(200)) + "\n"
        status, body, _ = admin.request("POST", "/admin/synonyms/",
                                        {"csrf_token": admin.token, "text": ok})
        assert status == 302, (status, body[:500])
        status, body = get(f"{base}/api/search?q=w007x")
        assert status == 200 and json.loads(body)["total"] == 0
