"""Issue #17, the first ten minutes with your own archive: the home page, browsing, date range,
oldest first, ties, typos corrected the same way everywhere, the admin's folders, small ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from searchapp.index import manifest
from searchapp.index.build import build_index
from searchapp.index.incremental import update_index
from searchapp.index.layout import IndexLayout
from searchapp.search.correct import cased_like
from searchapp.search.engine import Engine, without_title
from searchapp.search.request import SearchRequest, natural_key
from searchapp.web import create_app
from tests.conftest import SEEDS

VI_SEED = "001_ae9e3e1196b18828.txt"
LINZ = "Linzburg council\n\nThe council of Linzburg met on 2021-03-04 about the river bridge.\n"


@pytest.fixture(scope="module")
def app(seed_index: Path) -> Flask:
    return create_app({"TESTING": True, "INDEX_DIR": str(seed_index)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Documents 1..19 with the same text; 3 dates; plus a Linzburg document."""
    tmp = tmp_path_factory.mktemp("dated")
    docs = tmp / "docs"
    docs.mkdir()
    for i in range(1, 20):
        year = 2020 + i % 3
        (docs / f"{i}.txt").write_text(
            f"Harbor note\n\n{year}-05-0{1 + i % 3} harbor meeting notes.\n", encoding="utf-8")
    (docs / "linz.txt").write_text(LINZ, encoding="utf-8")
    build_index(tmp / "index", [docs])
    return tmp / "index"


@pytest.fixture(scope="module")
def dated_client(dated: Path) -> FlaskClient:
    return create_app({"TESTING": True, "INDEX_DIR": str(dated)}).test_client()


# --------------------------------------------------------------------------- home and browsing


def test_home_shows_counts_recent_documents_and_examples(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "3 documents in 2 languages" in html
    assert 'id="recent"' in html and f'href="/doc/{VI_SEED}"' in html
    assert 'class="example"' in html and 'id="browse-all"' in html


def test_engine_overview(engine: Engine) -> None:
    o = engine.overview()
    assert o.documents == 3 and {f.value for f in o.languages} == {"en", "vi"}
    assert len(o.recent) == 3 and o.recent[0].date >= o.recent[-1].date  # type: ignore[operator]
    assert o.examples and all(w.isalpha() for w in o.examples)


@pytest.mark.parametrize("url", ["/search?q=*", "/search?sort=date", "/search?lang=en",
                                 "/api/search?q=*"])
def test_browse_everything_newest_first(client: FlaskClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200
    if url.startswith("/api/"):
        data = r.get_json()
        dates = [h["date"] for h in data["hits"]]
        assert data["total"] == 3 and dates == sorted(dates, reverse=True)
    else:
        html = r.get_data(as_text=True)
        assert 'class="hit"' in html and 'data-sort="date" aria-current="true"' in html


def test_oldest_first_and_sort_aliases(dated_client: FlaskClient) -> None:
    newest = dated_client.get("/api/search?q=harbor&sort=date").get_json()["hits"]
    for sort in ("date_asc", "oldest"):
        oldest = dated_client.get(f"/api/search?q=harbor&sort={sort}").get_json()["hits"]
        assert [h["date"] for h in oldest] == sorted(h["date"] for h in oldest)
        assert oldest[0]["date"] < newest[0]["date"]
    html = dated_client.get("/search?q=harbor&sort=date_asc").get_data(as_text=True)
    assert 'data-sort="date_asc" aria-current="true"' in html
    assert '<input type="hidden" name="sort" value="date_asc">' in html


def test_date_range_narrows_and_stays_in_links(dated_client: FlaskClient) -> None:
    all_ = dated_client.get("/api/search?q=harbor&page_size=50").get_json()["total"]
    some = dated_client.get("/api/search?q=harbor&from=2021&to=2021-12").get_json()
    assert 0 < some["total"] < all_
    assert all(h["date"].startswith("2021") for h in some["hits"])
    html = dated_client.get("/search?q=harbor&from=2021-01-01&to=2021-12-31").get_data(
        as_text=True)
    assert 'id="date-from" value="2021-01-01"' in html and 'data-facet="date"' in html
    assert dated_client.get("/api/search?q=harbor&from=nonsense").get_json()["total"] == all_


def test_ties_newest_first_then_natural_ids(dated: Path) -> None:
    page = Engine(dated).search(SearchRequest(query="harbor", page_size=20, prefix_last=False))
    assert page.total == 19
    keys = [(h.date, h.id) for h in page.hits]
    for (d1, i1), (d2, i2) in pairwise(keys):
        assert d1 is not None and d2 is not None
        assert d1 > d2 or (d1 == d2 and natural_key(i1) < natural_key(i2)), keys
    assert natural_key("2.txt") < natural_key("11.txt")


def test_tied_hits_page_the_same_as_one_long_page(dated: Path) -> None:
    """A tie group across a page's last place is completed and sorted before paging, so pages
    of 5 concatenate to the same order as one page of 20 (no hit twice, none skipped)."""
    engine = Engine(dated)
    whole = [h.id for h in engine.search(
        SearchRequest(query="harbor", page_size=20, prefix_last=False)).hits]
    paged = [h.id for p in (1, 2, 3, 4) for h in engine.search(
        SearchRequest(query="harbor", page=p, page_size=5, prefix_last=False)).hits]
    assert len(whole) == 19 and paged == whole


# --------------------------------------------------------------------------- typos


def test_typo_shows_the_corrected_results(dated_client: FlaskClient) -> None:
    html = dated_client.get("/search?q=Lnzburg").get_data(as_text=True)
    assert 'id="corrected"' in html and ">Linzburg</a>" in html
    assert 'href="/doc/linz.txt' in html
    assert "verbatim=1" in html
    data = dated_client.get("/api/search?q=Lnzburg").get_json()
    assert data["corrected"] and data["suggestion"] == "Linzburg" and data["total"] == 1
    exact = dated_client.get("/api/search?q=Lnzburg&verbatim=1").get_json()
    assert exact["total"] == 0 and not exact["corrected"] and exact["suggestion"] == "Linzburg"


def test_cli_typo_finds_the_same_document(dated: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "searchapp.cli", "search", "--index-dir", str(dated), "--json",
         "Lnzburg"], capture_output=True, text=True, check=True,
        env={**os.environ, "SEARCHAPP_RATELIMIT": "off"})
    assert json.loads(out.stdout)["hits"][0]["id"] == "linz.txt"


def test_suggestion_keeps_capitalisation() -> None:
    assert cased_like("Lnzburg", "linzburg") == "Linzburg"
    assert cased_like("ILOO", "ilo") == "ILO"
    assert cased_like("genva", "geneva") == "geneva"


# --------------------------------------------------------------------------- small ones


def test_cached_page_says_so(dated: Path) -> None:
    engine = Engine(dated, cache_size=10)
    first = engine.search(SearchRequest(query="harbor"))
    again = engine.search(SearchRequest(query="harbor"))
    assert not first.cached and again.cached and again.first_ms == first.elapsed_ms
    app = create_app({"TESTING": True, "INDEX_DIR": str(dated), "SEARCH_CACHE": 10})
    client = app.test_client()
    client.get("/search?q=harbor")
    assert "from the cache; first search" in client.get("/search?q=harbor").get_data(as_text=True)


def test_no_index_page_offers_no_back_to_results(tmp_path: Path) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    r = client.get("/search?q=x")
    html = r.get_data(as_text=True)
    assert r.status_code == 503 and "Back to results" not in html and "/admin" in html


def test_server_has_no_shared_control_socket() -> None:
    from searchapp.server import _Gunicorn

    app = _Gunicorn({"bind": "127.0.0.1:0", "control_socket_disable": True})
    assert app.cfg.control_socket_disable is True
    source = (Path(__file__).parents[1] / "searchapp" / "server.py").read_text()
    assert '"control_socket_disable": True' in source


def test_snippet_does_not_repeat_the_title(engine: Engine) -> None:
    assert without_title("Harbor note\n\nThe harbor text.", "Harbor note") == "\n\nThe harbor text."
    assert without_title("Only the title", "Only the title") == "Only the title"
    for hit in engine.search(SearchRequest(query="Geneva")).hits:
        plain = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert not plain.lstrip("…").startswith(hit.title[:40]), hit.id


def test_incremental_run_lists_the_files_still_skipped(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("alpha document text\n", encoding="utf-8")
    (docs / "b.txt").write_text("bravo document text\n", encoding="utf-8")
    (docs / "empty.txt").write_text("", encoding="utf-8")
    full = build_index(tmp_path / "index", [docs])
    assert [s.path for s in full.skipped] == ["empty.txt"]
    again = update_index(tmp_path / "index", [docs])
    assert [s.path for s in again.skipped] == ["empty.txt"]


def test_manifest_remembers_the_folders(tmp_path: Path) -> None:
    build_index(tmp_path / "index", [SEEDS])
    layout = IndexLayout(tmp_path / "index")
    version = layout.current_version()
    assert version is not None
    assert manifest.roots(layout.versions / version) == [SEEDS.absolute()]


def test_admin_refuses_another_folder_without_confirmation(tmp_path: Path) -> None:
    build_index(tmp_path / "index", [SEEDS])
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"),
                      "DOCS_DIR": str(tmp_path / "elsewhere"), "ADMIN_PASSWORD": "pw-123456",
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "k"})
    client = app.test_client()
    assert client.post("/admin/login", data={"password": "pw-123456"}).status_code == 302
    html = client.get("/admin").get_data(as_text=True)
    assert str(SEEDS.absolute()) in html and 'id="index-roots"' in html
    r = client.post("/admin/reindex", data={"kind": "full", "folder": str(tmp_path)},
                    headers={"HX-Request": "true"})
    assert "Not started" in r.get_data(as_text=True) and "Tick the confirmation" in r.get_data(
        as_text=True)
    assert not (tmp_path / "index" / "job.json").exists()
