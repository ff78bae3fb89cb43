"""The web app through Flask's test client, over real indexes built from seeds/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from searchapp.web import create_app
from tests.web_helpers import build_xss_index

VI_SEED = "001_ae9e3e1196b18828.txt"


@pytest.fixture(scope="module")
def app(seed_index: Path) -> Flask:
    return create_app({"TESTING": True, "INDEX_DIR": str(seed_index)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def htmx(client: FlaskClient, url: str):  # type: ignore[no-untyped-def]
    return client.get(url, headers={"HX-Request": "true"})


def test_home_renders_search_form(client: FlaskClient) -> None:
    for url in ("/", "/search"):
        r = client.get(url)
        html = r.get_data(as_text=True)
        assert r.status_code == 200
        assert 'role="search"' in html and '<label for="q"' in html
        assert 'hx-trigger="input changed delay:200ms, search"' in html
        assert 'hx-replace-url="true"' in html and 'hx-push-url="true"' in html
        assert 'hx-disinherit="hx-push-url"' in html
        assert 'action="/search" method="get"' in html
        assert "htmx-2.0.11.min.js" in html and "//cdn" not in html


def test_full_page_vs_fragment(client: FlaskClient) -> None:
    full = client.get("/search?q=Geneva")
    frag = htmx(client, "/search?q=Geneva")
    assert full.status_code == frag.status_code == 200
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in frag.headers["Vary"]
    assert full.get_data(as_text=True).startswith("<!doctype html>")
    body = frag.get_data(as_text=True)
    assert "<html" not in body and 'class="hits"' in body
    assert 'hx-swap-oob="innerHTML"' in body


def test_history_restore_request_gets_full_page(client: FlaskClient) -> None:
    r = client.get("/search?q=Geneva", headers={"HX-Request": "true",
                                                 "HX-History-Restore-Request": "true"})
    assert "<html" in r.get_data(as_text=True)


def test_htmx_config_meta_matches_vendored_htmx(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '"historyRestoreAsHxRequest":false' in html and '"refreshOnHistoryMiss":true' in html
    js = (Path(__file__).parents[1] / "searchapp/static/htmx-2.0.11.min.js").read_text()
    assert "historyRestoreAsHxRequest" in js and "refreshOnHistoryMiss" in js


def test_vendored_htmx_checksum() -> None:
    import hashlib

    static = Path(__file__).parents[1] / "searchapp/static"
    meta = (static / "htmx-2.0.11.min.js.VERSION").read_text()
    digest = hashlib.sha256((static / "htmx-2.0.11.min.js").read_bytes()).hexdigest()
    assert f"sha256: {digest}" in meta and "htmx.org" in meta and "2.0.11" in meta


def test_results_show_hits_facets_and_count(client: FlaskClient) -> None:
    html = client.get("/search?q=Geneva").get_data(as_text=True)
    assert re.search(r'id="status">\s*3 results', html)
    assert 'aria-live="polite"' in html
    assert f'href="/doc/{VI_SEED}?q=Geneva"' in html
    assert '<li class="hit" lang="vi">' in html and '<li class="hit" lang="en">' in html
    assert "<mark>Geneva</mark>" in html
    assert 'data-facet="lang" data-value="vi"' in html and 'data-facet="year"' in html
    assert "2025-11-04" in html


def test_facet_filter_and_chip(client: FlaskClient) -> None:
    html = client.get("/search?q=Geneva&lang=vi").get_data(as_text=True)
    assert re.search(r'id="status">\s*1 result', html)
    assert 'class="chip" href="/search?q=Geneva"' in html
    assert '<input type="hidden" name="lang" value="vi">' in html
    html = client.get("/search?q=Geneva&year=2024").get_data(as_text=True)
    assert re.search(r'id="status">\s*1 result', html)


def test_accent_insensitive_search_highlights(client: FlaskClient) -> None:
    html = client.get("/search?q=quyen").get_data(as_text=True)
    assert "<mark>quyền</mark>" in html and VI_SEED in html


def test_sort_by_date(client: FlaskClient) -> None:
    data = client.get("/api/search?q=Geneva&sort=date").get_json()
    dates = [h["date"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert all(h["score"] == 0.0 for h in data["hits"])


def test_pagination(client: FlaskClient) -> None:
    html = client.get("/search?q=Geneva&page_size=1&page=2").get_data(as_text=True)
    assert 'aria-current="page">2<' in html and 'rel="prev"' in html and 'rel="next"' in html
    assert html.count('<li class="hit"') == 1


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=-5", "page_size=1000000000", "sort=sideways", "page=99999999999999999999",
     "year=abcd", "year=99999", "page_size=0&page=0"],
)
def test_bad_params_are_clamped(client: FlaskClient, query: str) -> None:
    assert client.get(f"/search?q=Geneva&{query}").status_code == 200
    r = client.get(f"/api/search?q=Geneva&{query}")
    assert r.status_code == 200 and isinstance(r.get_json()["total"], int)


@pytest.mark.parametrize("q", ['"unclosed', "title:", "((((", "a OR", "-", "*", "NOT", "date:>>x",
                               "lang:", "\x00", "x" * 5000])
def test_query_syntax_problems_are_friendly(client: FlaskClient, q: str) -> None:
    r = client.get("/search", query_string={"q": q})
    assert r.status_code == 200
    assert client.get("/api/search", query_string={"q": q}).status_code == 200


def test_warning_is_shown(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": '"Geneva Belarus'}).get_data(as_text=True)
    assert 'class="notice"' in html and "closing quote" in html


def test_did_you_mean_typo(client: FlaskClient) -> None:
    # nothing matches genva: the page shows geneva's results, saying so (issue #17)
    html = client.get("/search?q=genva").get_data(as_text=True)
    assert 'id="corrected"' in html and ">geneva</a>" in html and 'class="hit"' in html
    assert client.get("/api/search?q=genva").get_json()["suggestion"] == "geneva"
    html = client.get("/search?q=genva&verbatim=1").get_data(as_text=True)
    assert "Did you mean" in html and ">geneva</a>" in html


def test_did_you_mean_restores_vietnamese_accents(client: FlaskClient) -> None:
    assert client.get("/api/search?q=nhan%20quyen").get_json()["suggestion"] == "nhân quyền"
    assert client.get("/api/search?q=Geneva").get_json()["suggestion"] is None


def test_no_suggestion_for_gibberish(client: FlaskClient) -> None:
    data = client.get("/api/search?q=qqxyzzkk").get_json()
    assert data["total"] == 0 and data["suggestion"] is None
    html = client.get("/search?q=qqxyzzkk").get_data(as_text=True)
    assert 'class="empty"' in html and "Check the spelling" in html


def test_api_search_shape(client: FlaskClient) -> None:
    data = client.get("/api/search?q=Geneva&lang=en&lang=vi").get_json()
    assert set(data) == {"total", "elapsed_ms", "hits", "facets", "warnings", "suggestion",
                         "corrected", "cached", "query", "searched"}
    assert data["total"] == 3
    assert set(data["hits"][0]) == {"id", "title", "lang", "date", "source", "snippet_html",
                                    "score", "link", "format", "page", "url", "duplicates",
                                    "match"}
    assert (data["hits"][0]["format"], data["hits"][0]["page"]) == ("txt", None)
    assert {h["match"] for h in data["hits"]} == {"words"}  # an index without vectors
    assert set(data["facets"]) == {"lang", "source", "year", "format"}
    assert {"value": "vi", "count": 1} in data["facets"]["lang"]


def test_api_doc_and_404(client: FlaskClient) -> None:
    data = client.get(f"/api/doc/{VI_SEED}?q=quyen").get_json()
    assert data["id"] == VI_SEED and "<mark>quyền</mark>" in data["body_html"]
    r = client.get("/api/doc/no/such/doc.txt")
    assert r.status_code == 404 and r.is_json and "error" in r.get_json()


def test_openapi(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert {"/api/search", "/api/doc/{id}"} <= set(spec["paths"])


def test_health(client: FlaskClient) -> None:
    data = client.get("/health").get_json()
    assert data["status"] == "ok" and data["documents"] == 3 and data["version"]


def test_document_page(client: FlaskClient) -> None:
    r = client.get(f"/doc/{VI_SEED}?q=quyen")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<mark>quyền</mark>" in html
    assert '<article class="doc" lang="vi">' in html
    html = client.get("/doc/000_b2a8526e512383b7.txt").get_data(as_text=True)
    assert "Related documents" in html and 'href="/doc/002_41cebceda6e24be3.txt"' in html


def test_unknown_document_is_a_404_page(client: FlaskClient) -> None:
    r = client.get("/doc/nope/missing.txt")
    assert r.status_code == 404 and "Document not found" in r.get_data(as_text=True)
    r = client.get("/nothing-here")
    assert r.status_code == 404 and "<html" in r.get_data(as_text=True)
    r = client.get("/nothing-here", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.is_json


def test_interface_language(client: FlaskClient) -> None:
    html = client.get("/search?q=Geneva", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="vi">' in html and "3 kết quả" in html
    html = client.get("/search?q=Geneva&ui=vi").get_data(as_text=True)
    assert "3 kết quả" in html and '<input type="hidden" name="ui" value="vi">' in html
    html = client.get("/search?q=Geneva&ui=en", headers={"Accept-Language": "vi"}).get_data(
        as_text=True)
    assert '<html lang="en">' in html and "3 results" in html and "Tiếng Việt" in html


def test_static_js_has_no_inline_scripts(client: FlaskClient) -> None:
    html = client.get("/search?q=Geneva").get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
    with client.get("/static/app.js") as r:
        assert r.status_code == 200 and "ArrowDown" in r.get_data(as_text=True)


def test_no_index_is_friendly(tmp_path: Path) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    r = client.get("/search?q=x")
    assert r.status_code == 503 and "No index yet" in r.get_data(as_text=True)
    assert client.get("/").status_code == 200
    assert client.get("/api/search?q=x").status_code == 503
    assert client.get("/health").get_json()["status"] == "no-index"


def test_payloads_are_escaped(tmp_path: Path) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(build_xss_index(tmp_path))}).test_client()
    for url in ("/search?q=zanzibar", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
                "/search?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", "/doc/sub/evil.txt?q=zanzibar",
                "/doc/evil.html?q=%3Cscript%3E"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), url
    html = client.get("/search?q=zanzibar").get_data(as_text=True)
    assert "&lt;script&gt;" in html and 'href="/doc/sub/evil.txt?q=zanzibar"' in html


def test_a_keystroke_gets_results_now_and_facets_from_their_own_url(client: FlaskClient) -> None:
    """htmx names the search box (id q) in HX-Trigger: its results skip the facet pass and carry
    a placeholder that loads /search/facets with the same parameters once typing pauses."""
    r = client.get("/search?q=Geneva&lang=vi", headers={"HX-Request": "true", "HX-Trigger": "q"})
    html = r.get_data(as_text=True)
    assert re.search(r'id="status">\s*1 result', html) and "data-facet=" not in html.split('class="chips"')[0]
    assert 'hx-get="/search/facets?q=Geneva&amp;lang=vi"' in html
    assert 'hx-trigger="load delay:250ms"' in html and 'hx-push-url="false"' in html
    assert "HX-Trigger" in r.headers["Vary"]
    facets = client.get("/search/facets?q=Geneva&lang=vi").get_data(as_text=True)
    assert facets.lstrip().startswith('<aside class="facets"')
    # the lang facet is counted without its own filter; links lead to the search page
    assert 'href="/search?q=Geneva"' in facets and 'href="/search?q=Geneva&amp;lang=vi&amp;lang=en"' in facets
    full = client.get("/search?q=Geneva&lang=vi").get_data(as_text=True)
    assert facets.strip() in full  # the bookmarked page shows the same column inline
    # other htmx requests (a facet or page link) keep their facets inline
    other = client.get("/search?q=Geneva", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-facet="lang" data-value="vi"' in other and "/search/facets" not in other


@pytest.mark.parametrize("query", ["", "((((", "\x00", "x" * 5000, "zzqx"])
def test_facets_url_never_fails(client: FlaskClient, query: str) -> None:
    r = client.get("/search/facets", query_string={"q": query})
    assert r.status_code == 200 and "data-facet=" not in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "doc_id, query",
    [("001_ae9e.txt", "Geneva"), ("a b/c?d#e%f&g=h+i;j:k@l!m$n'o(p)q*r,s~t", 'quyền "x" & y=z#+%'),
     ("é/ü 中", ""), ("x", None), ("<script>", "a\tb\nc")],
)
def test_doc_url_matches_url_for(app: Flask, doc_id: str, query: str | None) -> None:
    from flask import url_for

    from searchapp.web import doc_url

    with app.test_request_context("/search?q=x"):
        expected = url_for("web.doc", doc_id=doc_id) if query is None else url_for(
            "web.doc", doc_id=doc_id, q=query)
        assert doc_url(doc_id, query) == expected
