"""Which hosts and addresses the fetcher talks to, and when (sources/http.py, addresses.py).

DNS rebinding: a host that resolves to a public address when the URL is checked and to
127.0.0.1 when the socket connects must not reach the local server; a Crawl-delay of an hour
does not hold a run; a site's www. twin is the same site. A real HTTP server on 127.0.0.1 and
the real client; only name lookups are scripted, as a DNS server would answer."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from searchapp.sources.http import FetchError, FetchSettings, PoliteClient


class Handler(BaseHTTPRequestHandler):
    hits: list[str] = []
    robots = b"User-agent: *\nAllow: /\n"

    def do_GET(self) -> None:  # noqa: N802
        Handler.hits.append(self.path)
        body = Handler.robots if self.path == "/robots.txt" else b"internal secret"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def local_server():  # type: ignore[no-untyped-def]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Handler.hits = []
    Handler.robots = b"User-agent: *\nAllow: /\n"
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _rebinding_dns(monkeypatch: pytest.MonkeyPatch, host: str, port: int) -> list[str]:
    """getaddrinfo answers host with a public address once, then with 127.0.0.1."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def lookup(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name != host:
            return real(name, *args, **kwargs)
        ip = "93.184.216.34" if not answers else "127.0.0.1"
        answers.append(ip)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port))]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return answers


def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused_at_connect(
        monkeypatch: pytest.MonkeyPatch, local_server: int, tmp_path: Path) -> None:
    host = "rebind.example"
    answers = _rebinding_dns(monkeypatch, host, local_server)
    client = PoliteClient(FetchSettings(delay=0, retries=0, allow_private=False), {host})
    try:
        with pytest.raises(FetchError, match="loopback/private/link-local"):
            client.get(f"http://{host}:{local_server}/secret", check_robots=False)
    finally:
        client.close()
    assert answers[0] == "93.184.216.34" and "127.0.0.1" in answers  # the check passed first
    assert Handler.hits == []  # nothing reached the local server


def test_allowed_private_addresses_still_connect_to_the_address_checked(
        local_server: int) -> None:
    client = PoliteClient(FetchSettings(delay=0, retries=0, allow_private=True), {"localhost"})
    try:
        r = client.get(f"http://localhost:{local_server}/page")
    finally:
        client.close()
    assert r.status == 200 and r.body == b"internal secret"
    assert Handler.hits == ["/robots.txt", "/page"]


def test_a_crawl_delay_of_an_hour_ends_the_host_s_turn_instead_of_holding_the_run(
        local_server: int) -> None:
    """robots.txt's Crawl-delay is honoured, but one of an hour does not hold a fetch for hours:
    the host gets one page this run and the rest at the next runs (http.MAX_WAIT)."""
    import time

    from searchapp.sources.http import HostBackoff

    Handler.robots = b"User-agent: *\nCrawl-delay: 3600\n"
    client = PoliteClient(FetchSettings(delay=0, retries=0, allow_private=True), {"localhost"})
    outcome: list[object] = []

    def fetch_two() -> None:
        try:
            outcome.append(client.get(f"http://localhost:{local_server}/one").status)
            outcome.append(client.get(f"http://localhost:{local_server}/two").status)
        except HostBackoff as exc:
            outcome.append(str(exc))

    started = time.monotonic()
    thread = threading.Thread(target=fetch_two, daemon=True)
    thread.start()
    thread.join(20)
    client.close()
    assert not thread.is_alive(), "the fetch waited out the hour's Crawl-delay"
    assert time.monotonic() - started < 20
    assert outcome[0] == 200 and "asks 3600 s between requests" in str(outcome[1]), outcome
    assert Handler.hits == ["/robots.txt", "/one"]


def test_a_site_added_without_www_follows_its_redirect_to_www(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """example.gov and www.example.gov are one site: a source added as one whose pages redirect
    to (or link to) the other was NOT REACHED ("outside the source's hosts")."""
    from searchapp.sources import registry
    from searchapp.sources.fetcher import fetch_all

    class TwinHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            host = (self.headers.get("Host") or "").split(":")[0]
            port = self.server.server_address[1]
            if host == "site.test":  # the bare name redirects to www, as most sites do
                self.send_response(301)
                self.send_header("Location", f"http://www.site.test:{port}{self.path}")
                self.end_headers()
                return
            pages = {
                "/robots.txt": b"User-agent: *\nAllow: /\n",
                "/vi": (f"<html><body><a href='/vi/a.html'>a</a> <a href='http://site.test:{port}"
                        f"/vi/b.html'>b</a><p>trang chủ homeword</p></body></html>").encode(),
                "/vi/a.html": "<html><body><h1>Bài A</h1><p>alphaword lần một</p></body></html>".encode(),
                "/vi/b.html": "<html><body><h1>Bài B</h1><p>betaword lần hai</p></body></html>".encode(),
            }
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8"
                             if self.path != "/robots.txt" else "text/plain")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), TwinHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    real = socket.getaddrinfo

    def lookup(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name in ("site.test", "www.site.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
                     ("127.0.0.1", port))]
        return real(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    idx = tmp_path / "idx"
    try:
        registry.add(idx, f"http://site.test:{port}/vi", "site", [], "2026-12-07T00:00:00+00:00")
        ((_source, report),) = fetch_all(idx, FetchSettings(delay=0, retries=0,
                                                            allow_private=True))
    finally:
        server.shutdown()
        server.server_close()
    assert report.reached, report.problems
    assert report.fetched == 3, (report.fetched, report.problems)
