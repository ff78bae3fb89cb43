"""/metrics for operators, in the Prometheus text format (prometheus-client).

Per route: requests (by method and status) and a latency histogram. Searches (by endpoint),
zero-result searches and result-cache lookups and hits (their ratios are the zero-result share
and the cache hit ratio). At scrape time: the serving index's documents and version, and the
last reindex's duration, outcome and end time (index/history.py).

Several gunicorn workers: prometheus-client's multiprocess mode. server.py points
$PROMETHEUS_MULTIPROC_DIR at a private temporary folder when it is unset (before the workers
import this module) and marks a worker's files dead when it exits.

Access: with $SEARCHAPP_METRICS_TOKEN set, `Authorization: Bearer <token>`; without it, an
/admin login (session). Anything else gets 401.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from ..index import history
from ..index.layout import IndexLayout, IndexMissing
from . import auth

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("searchapp_http_requests_total", "HTTP requests by route, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("searchapp_http_request_duration_seconds", "Request latency by route",
                    ["route"])
SEARCHES = Counter("searchapp_searches_total", "Searches run, by endpoint", ["endpoint"])
ZERO = Counter("searchapp_zero_result_searches_total", "Searches that found nothing",
               ["endpoint"])
CACHE_LOOKUPS = Counter("searchapp_search_cache_lookups_total", "Searches looked up in the cache")
CACHE_HITS = Counter("searchapp_search_cache_hits_total", "Searches answered from the cache")

REINDEX_KINDS = ("full", "incremental")


def _start() -> None:
    g.metrics_started = time.perf_counter()


# The method label takes these values only: any other token a client sends ("ABCD", "QQQQ1")
# would make a series of its own, without bound, in every worker and in every scrape.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


def _observe(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    method = request.method if request.method in METHODS else "OTHER"
    REQUESTS.labels(route, method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        LATENCY.labels(route).observe(time.perf_counter() - started)
    hits = g.get("search_hits")
    if hits is not None:
        endpoint = request.endpoint or "<unmatched>"
        SEARCHES.labels(endpoint).inc()
        if hits == 0:
            ZERO.labels(endpoint).inc()
        CACHE_LOOKUPS.inc()
        if g.get("search_cached"):
            CACHE_HITS.inc()
    return response


class IndexCollector:
    """Gauges read at scrape time: the serving index and the last reindex."""

    def __init__(self, index_dir: Path, stats: dict[str, object] | None) -> None:
        self.index_dir = index_dir
        self.stats = stats

    def collect(self) -> Iterator[Metric]:
        docs = GaugeMetricFamily("searchapp_index_documents", "Documents in the serving index")
        info = GaugeMetricFamily("searchapp_index_info", "The serving index version (always 1)",
                                 labels=["version"])
        if self.stats is not None:
            docs.add_metric([], float(self.stats.get("documents") or 0))  # type: ignore[arg-type]
            info.add_metric([str(self.stats.get("version") or "")], 1.0)
        yield docs
        yield info
        runs = [r for r in history.read(IndexLayout(self.index_dir), 50)
                if r.get("kind") in REINDEX_KINDS]
        if not runs:
            return
        last = runs[0]
        duration = GaugeMetricFamily("searchapp_last_reindex_duration_seconds",
                                     "How long the last full or incremental reindex took")
        success = GaugeMetricFamily("searchapp_last_reindex_success",
                                    "1 when the last reindex succeeded, else 0")
        ended = GaugeMetricFamily("searchapp_last_reindex_end_timestamp_seconds",
                                  "When the last reindex ended (Unix time)")
        outcome = GaugeMetricFamily("searchapp_last_reindex_info", "The last reindex (always 1)",
                                    labels=["kind", "outcome", "version"])
        start, end = _time(last.get("start")), _time(last.get("end"))
        if start is not None and end is not None:
            duration.add_metric([], max(0.0, end - start))
            ended.add_metric([], end)
        success.add_metric([], 1.0 if last.get("outcome") == "succeeded" else 0.0)
        outcome.add_metric([str(last.get("kind")), str(last.get("outcome")),
                            str(last.get("version") or "")], 1.0)
        yield from (duration, success, ended, outcome)


def _time(value: object) -> float | None:
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or os.environ.get("SEARCHAPP_METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return sent.startswith("Bearer ") and hmac.compare_digest(
            sent[7:].strip().encode(), str(token).encode())
    return auth.is_admin()


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    if not _allowed():
        return Response("metrics need a bearer token (SEARCHAPP_METRICS_TOKEN) or an /admin login\n",
                        status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    from .service import services

    try:
        stats: dict[str, object] | None = services().engine.stats()
    except (IndexMissing, ValueError):
        stats = None
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(IndexCollector(Path(current_app.config["INDEX_DIR"]).absolute(), stats))  # type: ignore[arg-type]
    body = generate_latest(registry) + generate_latest(scraped)
    return Response(body, mimetype=None, headers={"Content-Type": CONTENT_TYPE_LATEST})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start)
    app.after_request(_observe)
