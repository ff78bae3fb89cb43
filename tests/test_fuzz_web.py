"""Property-based fuzzing of /search, /api/search and /doc/<id> through a real server process.

Requests are written by hand (http.client, raw percent-encoding), so they can carry what a
browser never sends: invalid UTF-8 escapes (%ff%fe), encoded lone surrogates (%ed%a0%80), NUL
bytes, broken escapes (%zz, a trailing %), operator soup, unknown fields, huge and negative
numbers. The property: never a 5xx, and the API always answers JSON.

Each test prints how many examples it sent and the statuses seen (pytest -s shows them).
"""

from __future__ import annotations

import collections
import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchapp.search.parse import MAX_QUERY_CHARS
from searchapp.web.service import SEARCH_FAILED
from tests.web_helpers import running_server

# per endpoint; each one is a real HTTP request (SEARCHAPP_FUZZ_EXAMPLES=2000 for a long run)
EXAMPLES = int(os.environ.get("SEARCHAPP_FUZZ_EXAMPLES") or 150)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Raw fragments spliced into the query string or path as they are (not encoded again).
RAW = ["%ff%fe", "%ed%a0%80", "%ed%bf%bf", "%c0%af", "%00", "%", "%z", "%zz", "%e2%82",
       "%2e%2e%2f", "..%2f", "%25", "+", "&", "=", "%26", "%3d", "%0a%0d", "%7f", "%f4%90%80%80"]
OPERATORS = ['"', "(", ")", "-", "+", "*", "?", ":", "~", "^", "[", "]", "{", "}", "\\", "/",
             "OR", "AND", "NOT", "||", "&&", "title:", "body:", "lang:", "date:", "nosuch:",
             "date:2024-01..", "date:..2024", "date:1500", "date:9999-12-31", "..", "*:*",
             "_id:", "\x00", "\t", "\u200b", "\ufeff", "\u0301"]
WORDS = ["Geneva", "quyen", "quyền", "rights", "người", "日本", "the", "a", "xyzzy"]


def enc(text: str) -> str:
    """Percent-encode any str, lone surrogates included (as their 3-byte forms)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# A piece of a query: encoded text (any code point, surrogates too) or a raw fragment.
piece = st.one_of(
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=30).map(enc),
    st.sampled_from(OPERATORS + WORDS).map(enc),
    st.sampled_from(RAW),
)
value = st.lists(piece, max_size=12).map("".join)
number = st.one_of(
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["", "-1", "0", "1e9", "NaN", "inf", "0x10", "１２", "٣", " 7 ", "9" * 400])
    .map(enc),
    value,
)
names = st.sampled_from(["q", "page", "page_size", "lang", "source", "year", "sort", "ui",
                         "nosuch", "q[]", "", "%ff", "Q"])


@st.composite
def query_strings(draw: st.DrawFn) -> str:
    pairs = [f"q={draw(value)}"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(names)
        val = draw(number) if name in ("page", "page_size", "year") else draw(value)
        pairs.append(f"{name}={val}" if draw(st.integers(0, 9)) else name)
    return "&".join(draw(st.permutations(pairs)))


class Raw:
    """Sends GET requests exactly as written to one server; counts statuses."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.statuses: collections.Counter[str] = collections.Counter()
        self.sent = 0

    def get(self, target: str,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.putrequest("GET", target, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.endheaders()
            r = conn.getresponse()
            body = r.read()
            self.sent += 1
            self.statuses[f"{target.split('?')[0][:5]} {r.status}"] += 1
            return r.status, {k.lower(): v for k, v in r.getheaders()}, body
        finally:
            conn.close()


@pytest.fixture(scope="module")
def raw(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Raw]:
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    with running_server(seed_index, log) as base:
        client = Raw(base)
        yield client
        text = log.read_text(errors="replace")
    print(f"\nfuzz: {client.sent} requests, statuses {dict(sorted(client.statuses.items()))}")
    errors = text.split("ERROR searchapp.errors: ")[1:]
    print(f"fuzz: {len(errors)} errors logged")
    assert errors == [], errors[0][:3000]




def check(status: int, headers: dict[str, str], body: bytes, target: str, json_api: bool) -> None:
    assert status < 500, (target, status, body[:500])
    if json_api:
        assert headers.get("content-type", "").startswith("application/json"), (target, headers)
        data = json.loads(body)
        if status >= 400:
            assert data["error"] and data["status"] == status, (target, data)
    elif status >= 400:
        assert b"<html" in body and str(status).encode() in body, (target, status, body[:300])
    if status == 200:
        assert "content-security-policy" in headers


@FUZZ
@given(qs=query_strings(), htmx=st.booleans())
def test_fuzz_search_page(raw: Raw, qs: str, htmx: bool) -> None:
    target = f"/search?{qs}"
    status, headers, body = raw.get(target, {"HX-Request": "true"} if htmx else None)
    check(status, headers, body, target, json_api=False)
    assert status == 200, (target, status, body[:300])


@FUZZ
@given(qs=query_strings())
def test_fuzz_api_search(raw: Raw, qs: str) -> None:
    target = f"/api/search?{qs}"
    status, headers, body = raw.get(target)
    check(status, headers, body, target, json_api=True)
    assert status == 200, (target, status, body[:300])
    data = json.loads(body)
    assert isinstance(data["hits"], list) and len(data["hits"]) <= 100
    assert isinstance(data["warnings"], list)


doc_ids = st.one_of(
    value,
    st.lists(st.sampled_from(["..", ".", "", "etc", "passwd", "%2e%2e", "%2f", "%5c", "seeds",
                              "000_b2a8526e512383b7.txt", "%00", "~", "proc", "self", "environ"]),
             min_size=1, max_size=8).map("/".join),
)


@FUZZ
@given(doc_id=doc_ids, qs=st.one_of(st.just(""), query_strings()), api=st.booleans())
def test_fuzz_document(raw: Raw, doc_id: str, qs: str, api: bool) -> None:
    target = f"{'/api' if api else ''}/doc/{doc_id}" + (f"?{qs}" if qs else "")
    status, headers, body = raw.get(target)
    if status in (301, 308):  # werkzeug merges '//' with a redirect: still under /doc/
        assert "/doc/" in headers["location"], (target, headers)
        return
    check(status, headers, body, target, json_api=api)
    assert status in (200, 404), (target, status, body[:300])
    assert b"root:x:0:0" not in body


def test_a_100_kb_query_is_refused_clearly_and_long_queries_are_cut(raw: Raw) -> None:
    # gunicorn refuses request lines over 4094 bytes itself: 414 URI Too Long, saying why.
    for path in ("/search", "/api/search", "/doc/x"):
        status, _, body = raw.get(f"{path}?q={'a%20' * 34_000}")
        assert status == 414 and b"request line is too large" in body.lower(), (status, body[:200])
    words = "word " * (MAX_QUERY_CHARS // 5 + 40)  # 2200 chars, ~2.2 KB as a request line
    status, _, body = raw.get(f"/api/search?q={enc(words)}")
    assert status == 200
    warnings = json.loads(body)["warnings"]
    assert any(f"first {MAX_QUERY_CHARS:,} characters" in w for w in warnings), warnings
    status, _, body = raw.get(f"/search?q={enc(words)}")
    assert status == 200 and f"first {MAX_QUERY_CHARS:,} characters".encode() in body


def test_page_bounds(raw: Raw) -> None:
    for page in ("99999999999999999999", "10000", "-5", "abc"):
        status, _, body = raw.get(f"/api/search?q=Geneva&page={page}&page_size=1000")
        assert status == 200, (page, body[:200])
        data = json.loads(body)
        assert len(data["hits"]) <= 100
    _, _, body = raw.get("/api/search?q=Geneva&page=10000")
    assert any("first 10000 results" in w for w in json.loads(body)["warnings"])


def test_date_bounds_out_of_tantivy_range(raw: Raw) -> None:
    for q in ("date:2024-01..", "date:..2024", "date:1500", "date:9999-12-31"):
        status, _, body = raw.get(f"/api/search?q={enc(q)}")
        assert status == 200  # the web layer's guard: never a 500
        assert SEARCH_FAILED not in json.loads(body)["warnings"], (q, body[:300])
