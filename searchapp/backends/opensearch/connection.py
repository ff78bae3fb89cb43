"""Connection settings (the SEARCHAPP_OPENSEARCH_URL family of variables) and the shared client,
with one retry policy.

The client is made once per process (after a pre-fork server has forked) and shared by threads;
opensearch-py round-robins the configured nodes and marks a dead one for a while, so a node that
dies is skipped on the next attempt."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import opensearchpy
from opensearchpy import OpenSearch

from ..base import BackendUnavailable

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class OpenSearchSettings:
    urls: tuple[str, ...]
    user: str
    password: str
    verify_certs: bool
    ca_certs: str
    index: str  # the alias; physical indexes are `<index>-<version>`
    shards: int
    replicas: int
    timeout: float
    retries: int
    dfs: bool  # rank with cluster-wide term statistics (dfs_query_then_fetch)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> OpenSearchSettings:
        env = dict(os.environ if env is None else env)
        urls = tuple(
            u.strip().rstrip("/")
            for u in (env.get("SEARCHAPP_OPENSEARCH_URL") or "http://127.0.0.1:9200").split(",")
            if u.strip()
        )
        return cls(
            urls=urls,
            user=env.get("SEARCHAPP_OPENSEARCH_USER") or "",
            password=env.get("SEARCHAPP_OPENSEARCH_PASSWORD") or "",
            verify_certs=(env.get("SEARCHAPP_OPENSEARCH_VERIFY_CERTS") or "true").strip().lower()
            in _TRUE,
            ca_certs=env.get("SEARCHAPP_OPENSEARCH_CA_CERTS") or "",
            index=(env.get("SEARCHAPP_OPENSEARCH_INDEX") or "searchapp").strip().lower(),
            shards=int(env.get("SEARCHAPP_OPENSEARCH_SHARDS") or 2),
            replicas=int(env.get("SEARCHAPP_OPENSEARCH_REPLICAS") or 1),
            timeout=float(env.get("SEARCHAPP_OPENSEARCH_TIMEOUT") or 10),
            retries=int(env.get("SEARCHAPP_OPENSEARCH_RETRIES") or 3),
            dfs=(env.get("SEARCHAPP_OPENSEARCH_DFS") or "true").strip().lower() in _TRUE,
        )

    def physical(self, version: str) -> str:
        """The physical index of a version (index names are lowercase)."""
        return f"{self.index}-{version.lower()}"


def make_client(s: OpenSearchSettings) -> OpenSearch:
    kwargs: dict[str, Any] = {
        "hosts": list(s.urls),
        "timeout": s.timeout,
        "max_retries": s.retries,
        # a timed-out request is retried by `call`, on another node, within its time budget
        "retry_on_timeout": False,
        # a node that died is retried on the others at once, and left out for a while
        "retry_on_status": (502, 503, 504),
        "http_compress": False,
    }
    if s.user:
        kwargs["http_auth"] = (s.user, s.password)
    if any(u.startswith("https:") for u in s.urls):
        kwargs["use_ssl"] = True
        kwargs["verify_certs"] = s.verify_certs
        kwargs["ssl_show_warn"] = s.verify_certs
        if s.ca_certs:
            kwargs["ca_certs"] = s.ca_certs
    return OpenSearch(**kwargs)


_clients: dict[tuple[int, OpenSearchSettings], OpenSearch] = {}
_lock = threading.Lock()


def client(s: OpenSearchSettings) -> OpenSearch:
    """The process's client for these settings."""
    key = (os.getpid(), s)
    found = _clients.get(key)
    if found is None:
        with _lock:
            found = _clients.get(key)
            if found is None:
                found = _clients[key] = make_client(s)
    return found


RETRY_PAUSES = (0.2, 0.5, 1.0)


def call(fn: Callable[[], T], what: str = "OpenSearch", budget: float | None = None) -> T:
    """fn(), retried after short pauses when the cluster cannot answer (a node died, a shard is
    moving to its replica); BackendUnavailable when it still cannot. With a budget (seconds),
    no retry starts after it: a hung cluster is reported within budget + one request timeout."""
    last: Exception | None = None
    started = time.monotonic()
    for pause in (0.0, *RETRY_PAUSES):
        if pause:
            if budget is not None and time.monotonic() - started + pause > budget:
                break
            time.sleep(pause)
        try:
            return fn()
        except opensearchpy.ConnectionError as exc:  # includes timeouts
            last = exc
        except opensearchpy.TransportError as exc:
            if not isinstance(exc.status_code, int) or exc.status_code < 500:
                raise
            last = exc
        except ShardFailure as exc:
            last = exc
    raise BackendUnavailable(f"{what}: the search cluster does not answer ({_short(last)})")


class ShardFailure(RuntimeError):
    """A search answered without some of its shards (a red index, or one moving)."""


def check_shards(resp: dict[str, Any]) -> dict[str, Any]:
    shards = resp.get("_shards") or {}
    if shards.get("failed"):
        reasons = [f.get("reason", {}).get("type", "?") for f in shards.get("failures", [])]
        raise ShardFailure(f"{shards['failed']} of {shards.get('total')} shards failed: {reasons}")
    return resp


def _short(exc: Exception | None) -> str:
    text = f"{type(exc).__name__}: {exc}" if exc else "no answer"
    return text if len(text) < 300 else text[:300] + "…"
