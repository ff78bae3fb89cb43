"""/admin: login, password and secret handling, CSRF, rate limit, analyzers (test client), and
the reindex endpoint's refusals against a real server process.

The helpers here (make_docs, AdminClient, admin_server) are shared by test_reindex.py and
test_admin_browser.py."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from searchapp.index.build import build_index
from searchapp.web import create_app
from tests.web_helpers import running_server

PASSWORD = "correct horse battery"
COMMON = "commonword"  # in every generated document, in every version


# --------------------------------------------------------------------------- shared helpers


def make_docs(folder: Path, n: int) -> Path:
    """n small text files: each holds COMMON, its own number word and some filler."""
    folder.mkdir(parents=True, exist_ok=True)
    filler = ["river", "mountain", "ocean", "forest", "market", "village", "harbor", "garden", "bridge", "tower", "station", "library", "museum", "theater", "school"]
    for i in range(n):
        words = " ".join(filler[(i * 7 + k) % len(filler)] for k in range(60))
        (folder / f"d{i:05d}.txt").write_text(
            f"Report {i} about {filler[i % len(filler)]}\n\n{words} {COMMON} serial{i}\n",
            encoding="utf-8")
    return folder


@contextmanager
def env(**values: str) -> Iterator[None]:
    """Set environment variables for the block (the server process copies os.environ)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def admin_server(tmp: Path, docs: Path, index: Path, name: str = "server") -> Iterator[str]:
    """A real `searchapp serve` over index with DOCS_DIR=docs and a known admin password."""
    with env(SEARCHAPP_DOCS_DIR=str(docs), SEARCHAPP_ADMIN_PASSWORD=PASSWORD,
             SEARCHAPP_INSTANCE_DIR=str(tmp / "instance")):
        with running_server(index, tmp / f"{name}.log") as base:
            yield base


class AdminClient:
    """A cookie-keeping HTTP client that logs in to /admin and sends CSRF tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())
        self.token = ""

    def request(self, method: str, path: str, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace"), dict(e.headers)

    def fetch_token(self, path: str = "/admin/login") -> str:
        status, html, _ = self.request("GET", path)
        m = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert m, (status, html[:500])
        self.token = m.group(1)
        return self.token

    def login(self, password: str = PASSWORD) -> None:
        self.fetch_token()
        status, _, headers = self.request("POST", "/admin/login",
                                          {"csrf_token": self.token, "password": password})
        assert status == 302 and headers["Location"].endswith("/admin/"), status
        self.fetch_token("/admin/")  # the session was renewed at login

    def reindex(self, kind: str = "full") -> dict[str, Any]:
        status, body, _ = self.request("POST", "/admin/reindex", {"kind": kind},
                                       {"X-CSRFToken": self.token, "Accept": "application/json"})
        assert status == 200, (status, body[:500])
        return json.loads(body)  # type: ignore[no-any-return]

    def status(self) -> dict[str, Any]:
        code, body, _ = self.request("GET", "/admin/status", headers={"Accept": "application/json"})
        assert code == 200, (code, body[:300])
        return json.loads(body)  # type: ignore[no-any-return]

    def wait_job(self, job_id: str, timeout: float = 60) -> dict[str, Any]:
        """Poll until the job with this id has finished; return its status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.status()["job"]
            if job and job["id"] == job_id and job["state"] not in ("starting", "running"):
                return job  # type: ignore[no-any-return]
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish: {self.status()}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # keep 302s visible
        return None


def api_total(base: str, q: str) -> int:
    url = f"{base}/api/search?{urllib.parse.urlencode({'q': q})}"
    with urllib.request.urlopen(url, timeout=30) as r:
        return int(json.loads(r.read())["total"])


# --------------------------------------------------------------------------- test-client tests


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    docs = make_docs(tmp_path / "docs", 5)
    build_index(tmp_path / "index", [docs])
    return create_app({"INDEX_DIR": str(tmp_path / "index"), "DOCS_DIR": str(docs),
                       "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def token_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


def login(client: FlaskClient, password: str = PASSWORD) -> int:
    token = token_of(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", data={"csrf_token": token, "password": password}).status_code


def test_admin_pages_need_login(client: FlaskClient) -> None:
    for path in ("/admin/", "/admin", "/admin/analyze?text=x"):
        r = client.get(path)
        assert r.status_code in (302, 308), path
        if r.status_code == 302:
            assert "/admin/login" in r.headers["Location"]
    assert client.get("/admin/status", headers={"HX-Request": "true"}).status_code == 401
    token = token_of(client.get("/admin/login").get_data(as_text=True))
    for path in ("/admin/reindex", "/admin/rollback"):  # a CSRF token alone is not a login
        assert client.post(path, data={"csrf_token": token}).status_code == 401


def test_login_cookie_flags_logout_and_wrong_password(client: FlaskClient) -> None:
    assert login(client, "wrong") == 401
    token = token_of(client.get("/admin/login").get_data(as_text=True))
    r = client.post("/admin/login", data={"csrf_token": token, "password": PASSWORD})
    assert r.status_code == 302
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/admin/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in page and "Full reindex" in page
    assert client.post("/admin/logout", data={"csrf_token": token_of(page)}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_refused(client: FlaskClient) -> None:
    r = client.post("/admin/login", data={"password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_login_is_rate_limited(client: FlaskClient) -> None:
    codes = [login(client, f"guess{i}") for i in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429


def test_open_redirect_after_login_is_refused(client: FlaskClient) -> None:
    token = token_of(client.get("/admin/login").get_data(as_text=True))
    r = client.post("/admin/login?next=//evil.example/admin",
                    data={"csrf_token": token, "password": PASSWORD})
    assert r.headers["Location"] == "/admin/"


def test_generated_password_is_printed_once_and_only_hashed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEARCHAPP_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("SEARCHAPP_SECRET_KEY", raising=False)
    config = {"INDEX_DIR": str(tmp_path / "index"), "INSTANCE_DIR": str(tmp_path / "inst")}
    first = create_app(config)
    out = capfd.readouterr().err
    m = re.search(r"generated admin password for /admin: (\S+)", out)
    assert m
    password = m.group(1)
    second = create_app(config)  # another worker: same key, no new password
    assert "generated admin password" not in capfd.readouterr().err
    assert first.secret_key == second.secret_key and len(first.secret_key or "") >= 32
    stored = (tmp_path / "inst" / "admin-password.hash").read_text()
    assert password not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert oct((tmp_path / "inst" / "admin-password.hash").stat().st_mode & 0o777) == "0o600"
    client = second.test_client()
    assert login(client, password) == 302


def test_analyze_page_shows_index_and_query_tokens(client: FlaskClient) -> None:
    assert login(client) == 302
    html = client.get("/admin/analyze?" + urllib.parse.urlencode(
        {"text": "Quyền con người running 東京都", "lang": "en"})).get_data(as_text=True)
    for token in ("quyền", "quyen", "run", "東", "京"):
        assert f"<code>{token}</code>" in html, token
    assert "sa_stem_en" in html and "body_seg" in html and 'id="query-side"' in html
    assert "engine-neutral analysis" in html and "embedded Tantivy index" in html


def test_analyze_page_says_what_it_shows_under_opensearch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the OpenSearch backend the page says its tokens are the engine-neutral analysis,
    not the cluster's analyzers' output (no cluster is needed to analyze a text)."""
    docs = make_docs(tmp_path / "docs", 5)
    build_index(tmp_path / "index", [docs])
    monkeypatch.setenv("SEARCHAPP_BACKEND", "opensearch")
    monkeypatch.setenv("SEARCHAPP_OPENSEARCH_URL", "http://127.0.0.1:9")
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "DOCS_DIR": str(docs),
                         "INSTANCE_DIR": str(tmp_path / "instance"),
                         "ADMIN_PASSWORD": PASSWORD}).test_client()
    assert login(client) == 302
    html = client.get("/admin/analyze?text=running+shoes&lang=en").get_data(as_text=True)
    scope = html[html.index('id="analysis-scope"'):]
    scope = scope[:scope.index("</p>")]
    assert "engine-neutral analysis" in scope and "<strong>OpenSearch</strong>" in scope
    assert "not the output of the cluster" in scope
    assert "<code>run</code>" in html  # the tokens are still shown


# --------------------------------------------------------------------------- real server


def test_reindex_endpoint_needs_login_and_csrf(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 20)
    build_index(tmp_path / "index", [docs])
    with admin_server(tmp_path, docs, tmp_path / "index") as base:
        anon = AdminClient(base)
        anon.fetch_token()
        code, _, _ = anon.request("POST", "/admin/reindex", {"kind": "full"},
                                  {"X-CSRFToken": anon.token})
        assert code == 401
        admin = AdminClient(base)
        admin.login()
        code, body, _ = admin.request("POST", "/admin/reindex", {"kind": "full"})
        assert code == 400 and "CSRF" in body
        code, _, _ = admin.request("POST", "/admin/reindex", {"kind": "full"},
                                   {"X-CSRFToken": "forged" + admin.token[6:]})
        assert code == 400
        assert admin.status()["job"] is None  # nothing was started
        started = admin.reindex("full")
        assert started["started"] is True
        job = admin.wait_job(started["job"]["id"])
        assert job["state"] == "succeeded" and job["documents"] == 20, job


def test_rollback_button_serves_the_previous_version(app: Flask, client: FlaskClient,
                                                     tmp_path: Path) -> None:
    from searchapp.index import history
    from searchapp.index.layout import IndexLayout

    layout = IndexLayout(tmp_path / "index")
    first = layout.current_version()
    (tmp_path / "docs" / "x.txt").write_text("a walrus", encoding="utf-8")
    build_index(tmp_path / "index", [tmp_path / "docs"])
    assert login(client) == 302
    token = token_of(client.get("/admin/").get_data(as_text=True))
    assert client.get("/api/search?q=walrus").get_json()["total"] == 1
    r = client.post("/admin/rollback", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert r.status_code == 200 and f"Rolled back to version {first}" in r.get_data(as_text=True)
    assert layout.current_version() == first
    assert client.get("/api/search?q=walrus").get_json()["total"] == 0
    assert history.read(layout)[0]["kind"] == "rollback"
