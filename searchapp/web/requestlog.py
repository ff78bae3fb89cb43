"""One log line per search on logger "searchapp.requests", and unexpected errors with what it
takes to reproduce them on "searchapp.errors".

A search line: path, status, query length, hits, milliseconds. The query text itself is left out
(it may be personal) unless $SEARCHAPP_LOG_QUERIES=1 (or LOG_QUERIES in test_config). When
nothing else configured logging (gunicorn does not), "searchapp" loggers write to stderr, which
`searchapp serve` sends to its error log.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

from flask import Flask, Response, current_app, g, request

from .. import logsafe

requests_log = logging.getLogger("searchapp.requests")
errors_log = logging.getLogger("searchapp.errors")
SEARCH_ENDPOINTS = ("web.search", "api.search")


def _configure_stderr() -> None:
    base = logging.getLogger("searchapp")
    if base.level == logging.NOTSET:
        base.setLevel(logging.INFO)
    if base.handlers or logging.getLogger().handlers:
        for handler in base.handlers:
            logsafe.guard(handler)
        return
    handler = logging.StreamHandler(sys.stderr)
    logsafe.guard(handler)  # a query or path cannot write a line of its own (logsafe.py)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    base.addHandler(handler)


def _start() -> None:
    g.started = time.perf_counter()


def record_hits(total: int, cached: bool = False) -> None:
    """Remember the hit count of this request's search for its log line (and the metrics)."""
    g.search_hits = total
    g.search_cached = cached


def _queries_logged() -> bool:
    return bool(current_app.config.get("LOG_QUERIES"))


def _log_search(response: Response) -> Response:
    if request.endpoint not in SEARCH_ENDPOINTS:
        return response
    ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    query = request.args.get("q", "")
    fields: dict[str, Any] = {
        "path": request.path, "status": response.status_code, "q_len": len(query),
        "hits": g.get("search_hits"), "ms": round(ms, 1),
    }
    if _queries_logged():
        fields["q"] = query
    requests_log.info(
        "search " + " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()),
        extra={"search": fields},
    )
    return response


def log_error(exc: BaseException) -> None:
    """An unexpected error: method, path, length of the arguments, traceback (and the arguments
    themselves when queries may be logged)."""
    args = request.query_string.decode("latin-1")
    errors_log.error(
        "unhandled %s on %s %s (query string %d chars%s)", type(exc).__name__, request.method,
        request.path, len(args), f": {args}" if _queries_logged() else "",
        exc_info=(type(exc), exc, exc.__traceback__),
    )


def init_app(app: Flask) -> None:
    """Time requests and log searches."""
    asked = os.environ.get("SEARCHAPP_LOG_QUERIES", "") in ("1", "true")
    app.config.setdefault("LOG_QUERIES", asked)
    _configure_stderr()
    app.before_request(_start)
    app.after_request(_log_search)
