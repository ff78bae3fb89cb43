"""DNS rebinding: a host that resolves to a public address when the URL is checked and to
127.0.0.1 when the socket connects must not reach the local server (sources/addresses.py).

A real HTTP server on 127.0.0.1 and the real PoliteClient; only the name lookup is scripted,
as a rebinding DNS server would answer (public first, then loopback)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from searchapp.sources.http import FetchError, FetchSettings, PoliteClient


class Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Handler.hits.append(self.path)
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else b"internal secret"
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
