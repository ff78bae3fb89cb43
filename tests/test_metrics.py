"""/metrics: protected, parses with prometheus_client's text parser, counters move after searches
(test client, and a real 2-worker gunicorn server in multiprocess mode)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from searchapp.index import history
from searchapp.index.build import build_index
from searchapp.index.layout import IndexLayout
from searchapp.web import create_app
from tests.test_admin import PASSWORD, login, make_docs
from tests.web_helpers import running_server

TOKEN = "s3cret-metrics-token"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def total(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in found.items()
               if n == name and all((k, v2) in ls for k, v2 in labels.items()))


def test_metrics_need_the_token_or_a_login_and_move_after_searches(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 4)
    build_index(tmp_path / "index", [docs])
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "DOCS_DIR": str(docs),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD,
                      "METRICS_TOKEN": TOKEN})
    c = app.test_client()
    assert c.get("/metrics").status_code == 401
    assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = samples(c.get("/metrics", headers=auth).get_data(as_text=True))
    c.get("/search?q=commonword")
    c.get("/search?q=commonword")  # from the cache
    c.get("/api/search?q=nothingmatchesthis")
    r = c.get("/metrics", headers=auth)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    after = samples(r.get_data(as_text=True))

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("searchapp_searches_total", endpoint="web.search") == 2
    assert moved("searchapp_zero_result_searches_total", endpoint="api.search") == 1
    assert moved("searchapp_search_cache_hits_total") >= 1
    assert moved("searchapp_search_cache_lookups_total") == 3
    assert moved("searchapp_http_requests_total", route="/search", status="200") == 2
    assert moved("searchapp_http_request_duration_seconds_count", route="/search") == 2
    assert after[("searchapp_index_documents", ())] == 4


def test_metrics_without_a_token_need_an_admin_login(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 2)
    build_index(tmp_path / "index", [docs])
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "DOCS_DIR": str(docs),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD})
    c = app.test_client()
    assert c.get("/metrics").status_code == 401
    login(c)
    assert c.get("/metrics").status_code == 200


def _get(url: str, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


@pytest.mark.slow
def test_metrics_of_a_real_multiworker_server(tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs", 4)
    build_index(tmp_path / "index", [docs])
    history.append(IndexLayout(tmp_path / "index"), {
        "id": "x", "kind": "full", "who": "cli", "start": "2026-01-01T10:00:00+00:00",
        "end": "2026-01-01T10:00:05+00:00", "documents": 4, "outcome": "succeeded",
        "message": "", "version": "v1"})
    env = {"SEARCHAPP_METRICS_TOKEN": TOKEN, "SEARCHAPP_INSTANCE_DIR": str(tmp_path / "inst"),
           "SEARCHAPP_ADMIN_PASSWORD": PASSWORD}
    with running_server(tmp_path / "index", tmp_path / "server.log", workers=2,
                        extra_env=env) as base:
        assert _get(f"{base}/metrics", token=None)[0] == 401
        status, text = _get(f"{base}/metrics")
        assert status == 200
        before = samples(text)
        for i in range(12):
            _get(f"{base}/search?q=commonword+serial{i % 3}", token=None)
        _get(f"{base}/api/search?q=zzzznothing", token=None)
        after = samples(_get(f"{base}/metrics")[1])
        assert (total(after, "searchapp_searches_total")
                - total(before, "searchapp_searches_total")) == 13
        assert (total(after, "searchapp_zero_result_searches_total")
                - total(before, "searchapp_zero_result_searches_total")) == 1
        assert total(after, "searchapp_search_cache_hits_total") >= 1
        assert after[("searchapp_index_documents", ())] == 4
        assert after[("searchapp_last_reindex_success", ())] == 1
        assert after[("searchapp_last_reindex_duration_seconds", ())] == 5
