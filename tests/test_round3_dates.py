"""Hardening, third round (#27): records without a date sort last and every page answers —
search, browse, date order both ways, language filter — on a real server, on both backends
(OpenSearch: `-m opensearch`, a real local cluster)."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from tests.test_backends import backend, cluster  # noqa: F401 - fixtures
from tests.test_round2_ingest import get, index
from tests.web_helpers import running_server


def records(folder: Path, n: int, dated: bool) -> Path:
    """n JSON records about otters; with dated, all but r0000 carry a date."""
    folder.mkdir(parents=True)
    with (folder / "recs.jsonl").open("w", encoding="utf-8") as f:
        for i in range(n):
            rec = {"id": f"r{i:04d}", "title": f"Record {i}", "text": f"otters river {i}",
                   "lang": "en"}
            if dated and i:
                rec["date"] = f"{2000 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            f.write(json.dumps(rec) + "\n")
    return folder


def page(base: str, **params: object) -> dict:  # type: ignore[type-arg]
    status, body = get(f"{base}/api/search?{urllib.parse.urlencode(params)}")
    assert status == 200, (params, body[:300])
    data = json.loads(body)
    assert not data.get("warnings"), (params, data["warnings"])
    return data  # type: ignore[no-any-return]


@pytest.mark.usefixtures("backend")
def test_one_undated_record_sorts_last_and_every_page_answers(tmp_path: Path) -> None:
    docs = records(tmp_path / "docs", 3001, dated=True)
    root = tmp_path / "index"
    assert index(root, docs).returncode == 0
    with running_server(root, tmp_path / "server.log") as base:
        for q in ("*", "otters"):
            for sort in ("date", "date_asc"):
                first = page(base, q=q, sort=sort)
                assert first["total"] == 3001 and first["hits"][0]["date"]
                last = page(base, q=q, sort=sort, page=301)
                assert [h["id"] for h in last["hits"]] == ["r0000"], last["hits"]
            last = page(base, q=q, page=301, lang="en")  # relevance / browse order
            assert len(last["hits"]) == 1
        for q in ("*", "otters"):  # past the last page (and OpenSearch's result window)
            status, body = get(f"{base}/api/search?q={q}&sort=date&page=2000")
            assert status == 200 and json.loads(body)["hits"] == [], body[:300]
        for path in ("/search?q=*&page=301", "/search?q=otters&sort=date&page=301"):
            status, body = get(base + path)
            assert status == 200 and "r0000" in body and "could not be run" not in body, path


@pytest.mark.usefixtures("backend")
def test_an_index_of_undated_records_answers_every_query(tmp_path: Path) -> None:
    docs = records(tmp_path / "docs", 25, dated=False)
    root = tmp_path / "index"
    assert index(root, docs).returncode == 0
    with running_server(root, tmp_path / "server.log") as base:
        for params in ({"q": "*"}, {"q": "*", "sort": "date"}, {"q": "*", "lang": "en"},
                       {"q": "otters", "sort": "date_asc"}, {"q": "*", "page": 3}):
            data = page(base, **params)
            assert data["total"] == 25, params
            if params.get("page") == 3:
                assert [h["id"] for h in data["hits"]] == [f"r{i:04d}" for i in range(20, 25)]
        status, body = get(f"{base}/search?q=*&sort=date&page=3")
        assert status == 200 and "r0024" in body
    assert "Traceback" not in (tmp_path / "server.log").read_text(errors="replace")
