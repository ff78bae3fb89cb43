"""Which addresses the fetcher may connect to, checked on the connection actually opened.

A host is looked up when the URL is checked (a clear message before anything is sent), and
again by the socket's own connect. A DNS answer that changes between the two (rebinding: a
public address for the check, 127.0.0.1 or 169.254.169.254 a moment later) must not reach an
address on the private net, so httpx's connections go through CheckedBackend: it resolves the
host once, refuses a loopback/private/link-local/multicast/reserved address unless private
addresses are allowed, and connects the socket to the very address it checked (TLS still
verifies the host's name: httpcore passes it as the server name).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


class AddressRefused(Exception):
    """The host is at an address the fetcher must not connect to (the message says which)."""


def not_public(ip: str) -> bool:
    """Whether an address is loopback, private, link-local, multicast, reserved or unspecified."""
    addr = ipaddress.ip_address(ip.split("%")[0])
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
            or addr.is_reserved or addr.is_unspecified)


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses host resolves to; AddressRefused when one is not public (and that is not
    allowed), OSError when it does not resolve."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    ips = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for ip in ips:
            if not_public(ip):
                raise AddressRefused(f"{host} is at {ip}, a loopback/private/link-local address "
                                     "(SEARCHAPP_FETCH_ALLOW_PRIVATE=1 allows it)")
    return ips


def address_refusal(host: str, port: int, allow_private: bool) -> str:
    """Why this host must not be fetched ('' when it may): an address not on the public net."""
    try:
        resolve(host, port, allow_private)
    except AddressRefused as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot resolve {host} ({exc.strerror or exc})"
    return ""


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to an address it has just checked."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[SocketOption] | None = None
                    ) -> httpcore.NetworkStream:
        try:
            ips = resolve(host, port, self.allow_private)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc.strerror or exc})") from exc
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for ip in ips:  # as socket.create_connection does: each address in turn
            try:
                return super().connect_tcp(ip, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error


def checked_transport(allow_private: bool) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes through CheckedBackend."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no option for the network backend: its pool is rebuilt with one (same defaults)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=CheckedBackend(allow_private),
        max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0,
    )
    return transport
