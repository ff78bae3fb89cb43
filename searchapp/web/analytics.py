"""Search analytics on /admin/analytics: top queries, queries with no results, queries whose
results were never opened, over 7 and 30 days.

Only while query logging is on ($SEARCHAPP_LOG_QUERIES=1; off by default). What is kept: the
query text (case-folded, spaces collapsed), its hit count and the time; for a result click, the
query and the time. Never an address, a user agent or a cookie. Stored in analytics.sqlite3 in
the instance folder (WAL, one short transaction per write, so several gunicorn workers share it).

Searches reach it two ways: a full page load is recorded by the server; searches made in the
page (typing, facets) are reported by static/app.js with navigator.sendBeacon once the results
have settled, and result clicks likewise (no third-party script).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue

from ..search.parse import MAX_QUERY_CHARS
from ..search.request import SearchRequest
from . import auth
from .ratelimit import search_limit
from .service import SEARCH_FAILED, safe_search, services

DB_FILE = "analytics.sqlite3"
KEEP_DAYS = 90
WINDOWS = (7, 30)
TOP = 20
DAY = 86400

bp = Blueprint("analytics", __name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (ts INTEGER NOT NULL, query TEXT NOT NULL, hits INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS searches_ts ON searches (ts);
CREATE TABLE IF NOT EXISTS clicks (ts INTEGER NOT NULL, query TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS clicks_ts ON clicks (ts);
"""


def normalize(query: str) -> str:
    return " ".join(query.casefold().split())[:MAX_QUERY_CHARS]


class Store:
    """The analytics database; a connection per operation (safe across processes and threads)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 10000")
        if not self._ready:
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(_SCHEMA)
            self._ready = True
        return db

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        db = self._connect()
        try:
            db.execute(sql, args)
        finally:
            db.close()

    def add_search(self, query: str, hits: int, ts: float | None = None) -> None:
        if q := normalize(query):
            self._write("INSERT INTO searches VALUES (?, ?, ?)",
                        (int(ts or time.time()), q, max(0, int(hits))))

    def add_click(self, query: str, ts: float | None = None) -> None:
        if q := normalize(query):
            self._write("INSERT INTO clicks VALUES (?, ?)", (int(ts or time.time()), q))

    def report(self, days: int, now: float | None = None) -> Report:
        since = int((now or time.time()) - days * DAY)
        db = self._connect()
        try:
            def rows(sql: str) -> list[tuple[str, int]]:
                return [(str(q), int(n)) for q, n in db.execute(sql, (since, TOP))]

            top = rows("SELECT query, COUNT(*) n FROM searches WHERE ts >= ? "
                       "GROUP BY query ORDER BY n DESC, query LIMIT ?")
            zero = rows("SELECT query, COUNT(*) n FROM searches WHERE ts >= ?1 AND hits = 0 "
                        "GROUP BY query ORDER BY n DESC, query LIMIT ?2")
            unopened = rows(
                "SELECT query, COUNT(*) n FROM searches WHERE ts >= ?1 AND hits > 0 AND query "
                "NOT IN (SELECT query FROM clicks WHERE ts >= ?1) "
                "GROUP BY query ORDER BY n DESC, query LIMIT ?2")
            (total,) = db.execute("SELECT COUNT(*) FROM searches WHERE ts >= ?", (since,)).fetchone()
        finally:
            db.close()
        return Report(days, int(total), top, zero, unopened)

    def prune(self, now: float | None = None) -> None:
        cutoff = int((now or time.time()) - KEEP_DAYS * DAY)
        self._write("DELETE FROM searches WHERE ts < ?", (cutoff,))
        self._write("DELETE FROM clicks WHERE ts < ?", (cutoff,))


@dataclass(frozen=True)
class Report:
    days: int
    searches: int
    top: list[tuple[str, int]]
    zero: list[tuple[str, int]]
    unopened: list[tuple[str, int]]


def enabled() -> bool:
    return bool(current_app.config.get("LOG_QUERIES"))


def store() -> Store:
    return current_app.extensions["searchapp.analytics"]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- recording


def _record_page_load(response: Response) -> Response:
    """A search page loaded in full (not through htmx): the server records it."""
    if (request.endpoint == "web.search" and enabled() and response.status_code == 200
            and not request.headers.get("HX-Request") and request.args.get("page", "1") == "1"
            and (query := request.args.get("q", "").strip())
            and g.get("search_hits") is not None):
        store().add_search(query, int(g.search_hits))
    return response


def _beacon_query() -> str:
    return request.form.get("q", "")[:MAX_QUERY_CHARS].strip()


@bp.post("/analytics/search")
@search_limit
def search_beacon() -> ResponseReturnValue:
    """A search made in the page, once its results settled: the hits are counted here."""
    if enabled() and (query := _beacon_query()):
        # the request a keystroke made (facets come apart): usually answered from the cache
        page = safe_search(services().engine, SearchRequest(query=query, facets=False))
        if page.complete and SEARCH_FAILED not in page.warnings:
            store().add_search(query, page.total)
    return Response(status=204)


@bp.post("/analytics/click")
@search_limit
def click_beacon() -> ResponseReturnValue:
    """A result of this query was opened."""
    if enabled() and (query := _beacon_query()):
        store().add_click(query)
    return Response(status=204)


@bp.get("/admin/analytics")
@auth.login_required
def report() -> ResponseReturnValue:
    reports = []
    if enabled() or store().path.exists():
        store().prune()
        reports = [store().report(days) for days in WINDOWS]
    return render_template("admin/analytics.html", reports=reports, logging=enabled())


def init_app(app: Flask) -> None:
    """The store, the beacons (no CSRF token: they carry no session and only add counts; a
    cross-site page could add counts, never read them) and the page-load recorder."""
    folder = Path(app.config.get("INSTANCE_DIR") or auth.instance_dir(app.config["INDEX_DIR"]))
    app.extensions["searchapp.analytics"] = Store(folder / DB_FILE)
    app.register_blueprint(bp)
    auth.csrf.exempt(search_beacon)
    auth.csrf.exempt(click_beacon)
    app.after_request(_record_page_load)
