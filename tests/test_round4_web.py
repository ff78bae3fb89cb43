"""An outside attack on the running app, fourth round: odd URL parameters, file names the
/file/<path> route cannot carry, admin form values the system refuses, malformed source URLs
and hostile links on a fetched site. Real `searchapp` CLI, real gunicorn, real HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_admin import AdminClient, admin_server, make_docs
from tests.test_round2_ingest import cli, get, index
from tests.web_helpers import running_server

NEWLINE_NAME = "line\nbreak.txt"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One real server over small text files, one of them named with a newline, the files
    dated 2019 to 2024 (their modification times): (base URL, index folder)."""
    tmp = tmp_path_factory.mktemp("round4")
    docs = make_docs(tmp / "docs", 6)
    (docs / NEWLINE_NAME).write_text("Broken line\n\nthe kestrelword original", encoding="utf-8")
    (docs / "ansi.txt").write_text("Harbour\x1b[31m colours\x07 report\x01\x02 of May\n\nthe "
                                   "ospreyword body. " + "A long quiet text. " * 40,
                                   encoding="utf-8")
    (docs / "spoof\u202eexe.txt").write_text("Spoofed name\n\nthe ternwordzz note",
                                             encoding="utf-8")
    (docs / "records.jsonl").write_text(json.dumps({
        "id": "rec/1", "title": "A record with a hostile language", "lang": "<svg onload=alert(1)>",
        "text": "This English record tells of the wagtailword and the committee that met in "
                "the spring to discuss the harbour, the budget and the new library hours."}) + "\n",
        encoding="utf-8")
    for i, path in enumerate(sorted(docs.iterdir())):
        stamp = 1_546_300_800 + i * 31_536_000 // 2  # 2019-01-01, then half a year apart
        os.utime(path, (stamp, stamp))
    root = tmp / "index"
    res = index(root, docs)
    assert res.returncode == 0, res.stderr
    with admin_server(tmp, docs, root) as base:
        yield base, root


def api(base: str, **params: str) -> dict:  # type: ignore[type-arg]
    status, body = get(f"{base}/api/search?{urllib.parse.urlencode(params)}")
    assert status == 200, (params, status, body[:300])
    return json.loads(body)  # type: ignore[no-any-return]


def test_a_year_in_digits_int_refuses_is_ignored_with_a_note(served: tuple[str, Path]) -> None:
    base, _ = served  # year=¹ passed str.isdigit() and int() raised: a 500 on all three
    for path in ("/search", "/api/search", "/search/facets"):
        for year in ("¹", "²⁰²⁴", "99999"):
            status, body = get(f"{base}{path}?{urllib.parse.urlencode({'q': 'river', 'year': year})}")
            assert status == 200, (path, year, status, body[:300])
    found = api(base, q="river", year="¹")
    assert found["total"] == api(base, q="river")["total"] > 0
    assert any("year=¹" in w for w in found["warnings"]), found["warnings"]
    _, page = get(f"{base}/search?q=river&year=%C2%B9")
    assert "Ignored year=¹" in page


def test_a_lang_that_is_no_language_code_is_not_a_language(served: tuple[str, Path]) -> None:
    base, _ = served  # "lang": "<svg onload=…>" became the language "<svg onl", on every facet
    found = api(base, q="wagtailword")
    assert [h["lang"] for h in found["hits"]] == ["en"], found["hits"]
    langs = [f["value"] for f in api(base, q="*")["facets"]["lang"]]
    assert langs and all(re.fullmatch(r"[a-z]{2,8}", v) for v in langs), langs
    filtered = api(base, q="wagtailword lang:<svg>")  # found nothing, without a word
    assert filtered["total"] == 1 and any("not a language code" in w
                                          for w in filtered["warnings"]), filtered


def test_control_characters_leave_titles(served: tuple[str, Path]) -> None:
    base, _ = served  # ESC, BEL, SOH were in the title, shown as empty boxes in every list
    hit = api(base, q="ospreyword")["hits"][0]  # (the colour code itself is gone: tidy)
    assert hit["title"] == "Harbour colours report of May", hit
    _, page = get(f"{base}/search?q=ospreyword")
    assert re.search(r'class="hit-title"[^>]*>Harbour colours report of May<', page), page


def test_file_names_show_what_they_hold(served: tuple[str, Path]) -> None:
    base, _ = served  # "spoof\u202eexe.txt" was shown raw: it reads "spooftxt.exe"
    hit = api(base, q="ternwordzz")["hits"][0]
    for path in ("/search?q=ternwordzz", hit["link"]):
        _, page = get(base + path)
        shown = re.findall(r'class="hit-path">(.*?)</span>', page, re.S)
        assert shown and all("\u202e" not in s for s in shown), shown
        assert any("spoof\\u202eexe.txt" in s for s in shown), shown


def test_a_date_range_typed_backwards_is_turned_round(served: tuple[str, Path]) -> None:
    base, _ = served  # from after to found nothing, without a word
    both = api(base, q="*", **{"from": "2020-01-01", "to": "2022-12-31"})
    backwards = api(base, q="*", **{"from": "2022-12-31", "to": "2020-01-01"})
    assert 0 < both["total"] < api(base, q="*")["total"]
    assert [h["id"] for h in backwards["hits"]] == [h["id"] for h in both["hits"]]
    assert any("2020-01-01" in w and "2022-12-31" in w for w in backwards["warnings"]), backwards
    months = api(base, q="*", **{"from": "2022-12", "to": "2020-01"})  # whole months, turned
    assert months["total"] == both["total"]
    _, page = get(f"{base}/search?q=*&from=2022-12-31&to=2020-01-01")
    assert "The start date came after the end date" in page


def test_semantic_1_without_vectors_says_so(served: tuple[str, Path]) -> None:
    base, _ = served  # semantic=1 on an index without vectors: keyword results, not a word
    asked = api(base, q="river", semantic="1")
    assert any("not available" in w for w in asked["warnings"]), asked["warnings"]
    assert {h["match"] for h in asked["hits"]} == {"words"}
    for params in ({"semantic": "0"}, {}):
        assert not api(base, q="river", **params)["warnings"]
    _, page = get(f"{base}/search?q=river&semantic=1")
    assert "Search by meaning is not available on this index" in page


def test_a_page_past_the_last_is_not_no_results(served: tuple[str, Path]) -> None:
    base, _ = served  # page 20 of 1 said "No results for “river”" and linked to page 19
    found = api(base, q="river", page="20")
    assert found["total"] > 0 and not found["hits"]
    assert any("past the last page" in w for w in found["warnings"]), found["warnings"]
    _, page = get(f"{base}/search?q=river&page=20")
    assert "No results for" not in page and "Page 20 is past the last page" in page
    link = re.search(r'class="empty-title past-last">.*?<a href="([^"]+)"', page, re.S)
    assert link, page[-3000:]
    status, last = get(base + link.group(1).replace("&amp;", "&"))
    assert status == 200 and 'class="hit"' in last


def test_sort_is_read_whatever_its_case_or_spaces(served: tuple[str, Path]) -> None:
    base, _ = served  # sort=DATE_ASC was ignored (relevance) with a note; " date" silently
    oldest = [h["id"] for h in api(base, q="river", sort="date_asc")["hits"]]
    newest = [h["id"] for h in api(base, q="river", sort="date")["hits"]]
    assert oldest == newest[::-1] and len(oldest) > 2
    for value, want in (("DATE_ASC", oldest), (" date ", newest), ("Oldest", oldest)):
        got = api(base, q="river", sort=value)
        assert [h["id"] for h in got["hits"]] == want and not got["warnings"], (value, got)


def test_deep_result_pages_spend_the_document_budget(served: tuple[str, Path],
                                                     tmp_path: Path) -> None:
    _, root = served  # page 999 costs ~100x page 1: four clients paging deep stalled searches
    limits = {"SEARCHAPP_RATELIMIT": "600/minute", "SEARCHAPP_DOC_RATELIMIT": "3/minute",
              "SEARCHAPP_INSTANCE_DIR": str(tmp_path / "instance")}
    with running_server(root, tmp_path / "limited.log", extra_env=limits) as base:
        deep = [get(f"{base}{path}?q=river+{i}&page=51")[0]
                for i, path in enumerate(["/search", "/api/search"] * 3)]
        assert deep[:3] == [200] * 3 and set(deep[3:]) == {429}, deep
        status, _ = get(f"{base}/api/search?q=river&page_size=100&page=6")  # 600 results deep
        assert status == 429
        shallow = [get(f"{base}/api/search?q=river+{i}&page={1 + i % 5}")[0] for i in range(8)]
        assert shallow == [200] * 8, shallow
        assert get(f"{base}/api/search?q=river&page_size=100&page=5")[0] == 200  # 500: not deep


def test_the_original_of_a_file_named_with_a_newline_opens(served: tuple[str, Path]) -> None:
    base, _ = served  # the page linked /file/line%0Abreak.txt, which no route matches: 404
    hit = api(base, q="kestrelword")["hits"][0]
    assert hit["id"] == NEWLINE_NAME
    status, page = get(base + hit["link"])
    assert status == 200, (hit["link"], status)
    links = re.findall(r'class="original-file" href="([^"]+)"', page)
    assert links, page[:2000]
    status, original = get(base + links[0].replace("&amp;", "&"))
    assert status == 200 and "kestrelword original" in original, (links, status, original[:300])


def test_admin_folder_names_the_system_refuses_get_a_notice(served: tuple[str, Path]) -> None:
    base, _ = served  # a name too long (ENAMETOOLONG) and ~nosuchuser were 500s
    admin = AdminClient(base)
    admin.login()
    token = admin.fetch_token("/admin/")
    for folder in ("/tmp/" + "a" * 5000, "~nosuchuserzz/docs"):
        status, body, _ = admin.request(
            "POST", "/admin/reindex", {"csrf_token": token, "folder": folder, "confirm": "1"},
            {"Accept": "application/json"})
        assert status == 200, (folder[:30], status, body[:300])
        answer = json.loads(body)
        assert answer["started"] is False and answer["notice"].startswith("Not started"), answer


def test_admin_refuses_source_urls_that_cannot_be_fetched(served: tuple[str, Path]) -> None:
    base, root = served  # "http://[::1" was a 500; bad ports, spaces, NUL were stored
    admin = AdminClient(base)
    admin.login()
    token = admin.fetch_token("/admin/sources/")
    for url in ("http://[::1", "http://example.org:99999/", "http://example.org:http/",
                "http://exa mple.org/", "http://example\x00.org/"):
        status, _, headers = admin.request("POST", "/admin/sources/add",
                                           {"csrf_token": token, "url": url, "kind": "site"})
        assert status == 302, (url, status)
        _, page, _ = admin.request("GET", "/admin/sources/")
        assert "Not added" in page, (url, page[:1500])
    listed = cli("source", "list", "--json", "--index-dir", str(root))
    assert json.loads(listed.stdout) == [], listed.stdout
    res = cli("source", "add", "--index-dir", str(root), "http://[::1")
    assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr


def test_a_huge_post_is_refused_before_it_is_read(served: tuple[str, Path]) -> None:
    base, _ = served  # 200 MB to /admin/login were read (spooled to disk) before the 400
    port = int(base.rsplit(":", 1)[1])
    for path in ("/admin/login", "/admin/sources/add", "/admin/reindex"):
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                      "application/x-www-form-urlencoded\r\nContent-Length: 500000000\r\n"
                      "Connection: close\r\n\r\n".encode() + b"a=" + b"x" * 4096)
            answer = s.recv(65536)  # old code: nothing until 500 MB had come (timeout)
        assert answer.split(b"\r\n", 1)[0].split()[1] == b"413", (path, answer[:300])


def test_made_up_methods_make_no_metrics_series(served: tuple[str, Path]) -> None:
    base, _ = served  # each method a client invented was a new series, without bound
    port = int(base.rsplit(":", 1)[1])
    made_up = [f"ZQ{i:03d}X" for i in range(25)]
    for method in made_up:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, "/search?q=river")
        assert conn.getresponse().status == 405
        conn.close()
    admin = AdminClient(base)
    admin.login()
    status, body, _ = admin.request("GET", "/metrics")
    assert status == 200
    assert not any(m in body for m in made_up), [line for line in body.splitlines()
                                                if "ZQ0" in line][:3]
    assert re.search(r'searchapp_http_requests_total\{[^}]*method="OTHER"[^}]*status="405"', body)


def test_search_in_a_terminal_escapes_what_documents_hold(tmp_path: Path) -> None:
    docs = tmp_path / "docs"  # a file name or text with escapes reached the terminal raw
    docs.mkdir()
    (docs / "bell\x07name.txt").write_text(
        "Grebe notes\n\nThe grebewordzz report \x1b]0;pwned\x07 then \x1b[2J and more. "
        + "A calm and ordinary sentence. " * 30, encoding="utf-8")
    root = tmp_path / "index"
    assert index(root, docs).returncode == 0
    res = cli("search", "--index-dir", str(root), "grebewordzz")
    assert res.returncode == 0 and "grebewordzz" in res.stdout, res.stderr
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", res.stdout), repr(res.stdout)
    assert "bell\\x07name.txt" in res.stdout, res.stdout  # the name, escaped
    assert "then and more" in res.stdout, res.stdout  # the text's own sequences went at ingest


def test_words_broken_across_lines_are_found(tmp_path: Path) -> None:
    from tests.format_builders import make_pdf

    docs = tmp_path / "docs"  # PDFium's line-end hyphen (U+FFFE) and soft hyphens split words
    docs.mkdir()
    calm = "Ein ruhiger Satz. " * 20
    (docs / "justified.pdf").write_bytes(make_pdf(
        ["Die Verhand-\nlungen über Arbeits-\nnormen dauerten lange.\n" + calm]))
    (docs / "shy.txt").write_text("Notiz\n\nDie Verhand\u00adlungen wurden vertagt. " + calm,
                                  encoding="utf-8")
    root = tmp_path / "index"
    assert index(root, docs).returncode == 0
    for word, ids in (("Verhandlungen", ["justified.pdf", "shy.txt"]),
                      ("Arbeitsnormen", ["justified.pdf"])):
        found = json.loads(cli("search", "--index-dir", str(root), "--json", word).stdout)
        assert sorted(h["id"] for h in found["hits"]) == ids, (word, found)


def hostile_site() -> tuple[ThreadingHTTPServer, str]:
    """A site whose start page links to malformed URLs on its own host, then to a good page."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    article = ("<!doctype html><html lang='en'><head><title>{t}</title></head><body><main>"
               "<article><h1>{t}</h1><p>{b}</p><p>{b} {b}</p>{links}</article></main></body>"
               "</html>")
    pages["/"] = article.format(
        t="Start page of the hostile site", b="The start page mentions plovertermzz often.",
        links="<a href='http://127.0.0.1:99999/a.html'>bad port</a> "
              "<a href='http://[::1/b.html'>open bracket</a> "
              "<a href='http://127.0.0.1:port/c.html'>named port</a> "
              "<a href='/&#27;]0;pwned&#7;x.html'>escape</a> "
              "<a href='/good.html'>good</a>").encode()
    pages["/good.html"] = article.format(
        t="The good page", b="A page about the sandpipertermzz of the coast.", links="").encode()
    pages["/list.txt"] = f"http://[::1\n{base}/listed.html\n".encode()
    pages["/listed.html"] = article.format(
        t="A listed page", b="Listed: the turnstonetermzz report.", links="").encode()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def test_hostile_links_on_a_fetched_site_skip_only_themselves(tmp_path: Path) -> None:
    server, base = hostile_site()  # a ValueError from one link ended the whole fetch
    try:
        root = tmp_path / "index"
        env = {"SEARCHAPP_FETCH_ALLOW_PRIVATE": "1", "SEARCHAPP_FETCH_DELAY": "0"}
        for kind, url in (("site", base + "/"), ("list", base + "/list.txt")):
            res = cli("source", "add", "--index-dir", str(root), "--kind", kind, url, **env)
            assert res.returncode == 0, res.stderr
        res = cli("fetch", "--index-dir", str(root), **env)
        assert "Traceback" not in res.stderr, res.stderr
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", res.stdout + res.stderr), (
            repr(res.stdout), repr(res.stderr))
        for word in ("plovertermzz", "sandpipertermzz", "turnstonetermzz"):
            found = cli("search", "--index-dir", str(root), "--json", word)
            assert json.loads(found.stdout)["total"] == 1, (word, found.stdout, res.stderr)
    finally:
        server.shutdown()
        server.server_close()
