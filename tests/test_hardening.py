"""Hardening: odd document ids, rate limits, security headers, cookies, request and error logs.

In-process through Flask's test client where that is enough; against a real server process for
what the server itself does (raw paths, the log it writes)."""

from __future__ import annotations

import http.client
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from searchapp.web import create_app, ratelimit, service
from searchapp.web.security import CSP
from tests.test_admin import env
from tests.web_helpers import running_server

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SEED = "000_b2a8526e512383b7.txt"


def make_app(index: Path, tmp: Path, **config: object) -> Flask:
    return create_app({"TESTING": True, "INDEX_DIR": str(index), "ADMIN_PASSWORD": "x" * 12,
                       "INSTANCE_DIR": str(tmp / "instance"), **config})


@pytest.fixture
def client(seed_index: Path, tmp_path: Path) -> FlaskClient:
    return make_app(seed_index, tmp_path).test_client()


def raw_get(base: str, target: str) -> tuple[int, dict[str, str], bytes]:
    """GET target exactly as written (no normalisation of '..' or escapes)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(seed_index: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("hardening") / "server.log"
    with env(SEARCHAPP_RATELIMIT="off", SEARCHAPP_LOG_QUERIES="0"):
        with running_server(seed_index, log) as base:
            yield base, log


# --------------------------------------------------------------------------- document ids

TRAVERSALS = [
    "/doc/../../etc/passwd", "/doc/..%2f..%2fetc%2fpasswd", "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/doc/%2e%2e/%2e%2e/etc/passwd", "/doc/%2fetc%2fpasswd", "/doc//etc/passwd",
    "/doc/etc/passwd%00.txt", "/doc/%00", "/doc/a%00b", "/doc/..%5c..%5cetc%5cpasswd",
    "/doc/%c0%ae%c0%ae/etc/passwd", "/doc/%ff%fe", "/doc/%ed%a0%80", "/doc/" + "a" * 3000,
    "/doc/" + "%e1%bb%87" * 400, "/doc/file:///etc/passwd", "/doc/proc/self/environ",
    f"/doc/./{SEED}", f"/doc/{SEED}/..", f"/doc/../seeds/{SEED}", "/doc/.", "/doc/..",
]


@pytest.mark.parametrize("api", [False, True])
def test_path_traversal_and_odd_ids_are_404(server: tuple[str, Path], api: bool) -> None:
    base, _ = server
    for target in TRAVERSALS:
        target = "/api" + target if api else target
        status, headers, body = raw_get(base, target)
        if status in (301, 308):  # '//' or '/./' collapsed by a redirect that stays under /doc/
            assert re.match(r"(http://[^/]+)?(/api)?/doc/", headers["location"]), target
            continue
        assert status == 404, (target, status, body[:300])
        assert b"root:" not in body and b"PATH=" not in body
        if api:
            assert json.loads(body)["status"] == 404
    status, _, _ = raw_get(base, f"{'/api' if api else ''}/doc/{SEED}")
    assert status == 200  # the real id next to them still works


def test_a_nul_or_very_long_id_is_404_in_process(client: FlaskClient) -> None:
    for doc_id in ("a\x00b", "x" * 5000, "\udc80", "../" * 400 + "etc/passwd"):
        r = client.get("/api/doc/" + doc_id.encode("utf-8", "surrogatepass").decode("latin-1"))
        assert r.status_code == 404, doc_id[:20]


# --------------------------------------------------------------------------- rate limits


def test_search_rate_limit_429_with_retry_after(seed_index: Path, tmp_path: Path) -> None:
    app = make_app(seed_index, tmp_path, SEARCH_RATELIMIT="5/minute")
    c = app.test_client()
    ok = [c.get(p).status_code for p in ("/api/search?q=Geneva", "/search?q=x", f"/doc/{SEED}",
                                          f"/api/doc/{SEED}", "/")]
    assert ok == [200] * 5  # one shared budget for pages, documents and the API
    r = c.get("/api/search?q=Geneva")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json["status"] == 429 and "5 per 1 minute" in r.json["error"]
    page = c.get("/search?q=Geneva", headers={"Accept-Language": "en"})
    assert page.status_code == 429 and "Retry-After" in page.headers
    html = page.get_data(as_text=True)
    assert "Too many requests" in html and "try again" in html
    assert c.get(f"/doc/{SEED}").status_code == 429
    # /health, static files and the admin pages are not counted
    assert c.get("/health").status_code == 200
    with c.get("/static/app.css") as static:
        assert static.status_code == 200
    assert c.get("/admin/login").status_code == 200


def test_rate_limit_off_and_settings(seed_index: Path, tmp_path: Path) -> None:
    c = make_app(seed_index, tmp_path, SEARCH_RATELIMIT="off").test_client()
    assert all(c.get("/api/search?q=a").status_code == 200 for _ in range(30))
    assert ratelimit.search_limit_setting(None) == ratelimit.DEFAULT_SEARCH_LIMIT == "600/minute"
    assert ratelimit.search_limit_setting("OFF") is None
    assert ratelimit.search_limit_setting("100 per second") == "100 per second"
    with pytest.raises(ValueError, match="SEARCHAPP_RATELIMIT"):
        ratelimit.search_limit_setting("lots")


def test_rate_limit_from_the_environment_in_a_real_server(seed_index: Path, tmp_path: Path) -> None:
    with env(SEARCHAPP_RATELIMIT="3/minute"):
        with running_server(seed_index, tmp_path / "server.log") as base:
            statuses = [raw_get(base, "/api/search?q=Geneva")[0] for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            status, headers, body = raw_get(base, "/api/search?q=Geneva")
            assert status == 429 and int(headers["retry-after"]) > 0
            assert json.loads(body)["error"].startswith("Too many searches")
            assert all(raw_get(base, "/health")[0] == 200 for _ in range(5))
            assert raw_get(base, "/static/htmx-2.0.11.min.js")[0] == 200


# --------------------------------------------------------------------------- headers


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/", "/search?q=Geneva", f"/doc/{SEED}", "/doc/nope", "/api/search?q=x",
                 "/health", "/static/app.js", "/admin/login", "/nowhere"):
        r = client.get(path)
        r.close()
        h = r.headers
        assert h["Content-Security-Policy"] == CSP, path
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in CSP
        assert h["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in h  # plain http
    assert "script-src 'self'" in CSP and "unsafe" not in CSP and "object-src 'none'" in CSP


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b[^>]*>", text):
            assert "src=" in m.group(0), (path.name, m.group(0))
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", text), path.name
        assert "<style" not in text, path.name
        assert not re.search(r"\sstyle\s*=", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name
        assert "javascript:" not in text.lower() and "js:" not in text, path.name
    base = (TEMPLATES / "base.html").read_text()
    assert '"includeIndicatorStyles":false' in base and '"allowEval":false' in base


def test_cookies_are_secure_over_https(seed_index: Path, tmp_path: Path) -> None:
    app = make_app(seed_index, tmp_path)
    r = app.test_client().get("/admin/login")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie
    r = app.test_client().get("/admin/login", base_url="https://search.example")
    assert "Secure" in r.headers["Set-Cookie"]
    assert "max-age" in r.headers["Strict-Transport-Security"]
    # behind one proxy that terminates TLS
    proxied = make_app(seed_index, tmp_path, PROXY_FIX=1).test_client()
    r = proxied.get("/admin/login", headers={"X-Forwarded-Proto": "https",
                                             "X-Forwarded-For": "203.0.113.9"})
    assert "Secure" in r.headers["Set-Cookie"]
    # without PROXY_FIX the forwarded headers are not believed
    r = app.test_client().get("/admin/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in r.headers["Set-Cookie"]


# --------------------------------------------------------------------------- logs


def test_one_log_line_per_search_without_the_query(client: FlaskClient,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="searchapp.requests"):
        client.get("/search?q=Geneva")
        client.get("/api/search?q=secretword")
        client.get("/health")
        client.get(f"/doc/{SEED}")
    records = [r for r in caplog.records if r.name == "searchapp.requests"]
    assert len(records) == 2
    fields = [r.search for r in records]  # type: ignore[attr-defined]
    assert fields[0]["path"] == "/search" and fields[0]["q_len"] == 6 and fields[0]["hits"] == 3
    assert fields[1]["status"] == 200 and fields[1]["hits"] == 0 and fields[1]["ms"] >= 0
    assert "secretword" not in caplog.text and "Geneva" not in caplog.text


def test_queries_are_logged_when_asked(seed_index: Path, tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    c = make_app(seed_index, tmp_path, LOG_QUERIES=True).test_client()
    with caplog.at_level(logging.INFO, logger="searchapp.requests"):
        c.get("/api/search?q=Geneva")
    assert 'q="Geneva"' in caplog.text


def test_errors_are_logged_with_path_args_and_traceback(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated failure")

    from searchapp.web import api, views

    monkeypatch.setattr(api, "run_search", boom)
    monkeypatch.setattr(views, "run_search", boom)
    with caplog.at_level(logging.INFO):
        r = client.get("/api/search?q=Geneva&page=2")
        page = client.get("/search?q=Geneva")
    assert r.status_code == 500 and r.json == {"error": "The request could not be handled.",
                                               "status": 500}
    assert page.status_code == 500 and "Something went wrong" in page.get_data(as_text=True)
    errors = [rec for rec in caplog.records if rec.name == "searchapp.errors"]
    assert len(errors) == 2 and errors[0].exc_info is not None
    assert "GET /api/search (query string 15 chars)" in errors[0].getMessage()
    assert "simulated failure" in caplog.text and "Traceback" not in errors[0].getMessage()
    assert 'status=500' in caplog.text  # the request line is still written


def test_an_engine_error_is_a_warning_and_a_logged_traceback(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise ValueError("engine bug")

    monkeypatch.setattr(service.Engine, "search", boom)
    with caplog.at_level(logging.INFO):
        r = client.get("/api/search?q=Geneva")
    assert r.status_code == 200 and r.json["warnings"] == [service.SEARCH_FAILED]
    errors = [rec for rec in caplog.records if rec.name == "searchapp.errors"]
    assert errors and errors[0].exc_info is not None and "engine bug" in caplog.text


def test_real_server_writes_request_lines_and_health_tells_the_version(
    server: tuple[str, Path],
) -> None:
    base, log = server
    raw_get(base, "/api/search?q=Geneva+privatewords")
    status, _, body = raw_get(base, "/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["documents"] == 3
    assert re.fullmatch(r"[\w.-]+", str(health["version"]))
    text = log.read_text()
    assert re.search(r'searchapp\.requests: search path="/api/search" status=200 q_len=19 '
                     r'hits=\d+ ms=[\d.]+', text), text[-2000:]
    assert "privatewords" not in text.split("searchapp.requests")[-1]
