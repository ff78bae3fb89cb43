"""Search analytics (web/analytics.py): the store's reports, recording only with query logging
on, the beacons, and the /admin/analytics page (test client)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from flask.testing import FlaskClient

from searchapp.index.build import build_index
from searchapp.web import create_app
from searchapp.web.analytics import DAY, Store
from tests.test_admin import PASSWORD, login, make_docs


def test_store_reports_top_zero_and_unopened_queries_per_window(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.sqlite3")
    now = time.time()
    for q, hits, age in [("River", 3, 1), ("river ", 3, 2), ("zzz", 0, 1), ("ocean", 5, 1),
                         ("old", 0, 20)]:
        store.add_search(q, hits, now - age * DAY)
    store.add_click("ocean", now - DAY)
    week, month = store.report(7, now), store.report(30, now)
    assert week.top[0] == ("river", 2) and week.searches == 4
    assert week.zero == [("zzz", 1)] and month.zero == [("old", 1), ("zzz", 1)]
    assert week.unopened == [("river", 2)]
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = {r[1] for t in ("searches", "clicks")
                   for r in db.execute(f"PRAGMA table_info({t})")}
    assert columns == {"ts", "query", "hits"}  # nothing about who searched


def _client(tmp_path: Path, log_queries: bool) -> FlaskClient:
    docs = make_docs(tmp_path / "docs", 3)
    build_index(tmp_path / "index", [docs])
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "DOCS_DIR": str(docs),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD,
                      "LOG_QUERIES": log_queries})
    return app.test_client()


def test_recorded_with_logging_on(tmp_path: Path) -> None:
    c = _client(tmp_path, True)
    assert 'data-analytics="on"' in c.get("/").get_data(as_text=True)
    c.get("/search?q=nothingzzz")  # a full page load: recorded by the server
    c.get("/search?q=river", headers={"HX-Request": "true"})  # htmx: left to the beacon
    assert c.post("/analytics/search", data={"q": "commonword"}).status_code == 204
    assert c.post("/analytics/click", data={"q": "commonword"}).status_code == 204
    login(c)
    html = c.get("/admin/analytics").get_data(as_text=True)
    assert "Query logging is <strong>on</strong>" in html
    week = html.split('id="analytics-7d"')[1].split("</section>")[0]
    zero = week.split('class="zero-queries"')[1].split("</table>")[0]
    assert "nothingzzz" in zero and 'href="/admin/synonyms?add=nothingzzz"' in zero
    assert "river" not in week
    assert "commonword" in week.split('class="top-queries"')[1].split("</table>")[0]
    assert "commonword" not in week.split('class="unopened-queries"')[1]


def test_nothing_recorded_with_logging_off(tmp_path: Path) -> None:
    c = _client(tmp_path, False)
    assert "data-analytics" not in c.get("/").get_data(as_text=True)
    c.get("/search?q=nothingzzz")
    assert c.post("/analytics/search", data={"q": "nothingzzz"}).status_code == 204
    assert c.post("/analytics/click", data={"q": "nothingzzz"}).status_code == 204
    assert not (tmp_path / "instance" / "analytics.sqlite3").exists()
    login(c)
    html = c.get("/admin/analytics").get_data(as_text=True)
    assert "Query logging is <strong>off</strong>" in html and "nothingzzz" not in html
