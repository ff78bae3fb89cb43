"""Web sources checked against sites the first tests (test_web_sources.py) do not use, as
real ministry and news sites are: sitemaps a CMS writes with a blank line before `<?xml`,
feeds whose PDFs are enclosures, linked PDFs that failed once, sites that go down, pages in
a legacy charset given only in the HTTP header, pages whose only date is the feed's. A real
HTTP server on 127.0.0.1, the real `searchapp source` / `searchapp fetch` commands, a real
index."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from searchapp.search.engine import Engine
from searchapp.search.request import Hit, SearchRequest
from tests.format_builders import make_pdf

EXE = [sys.executable, "-m", "searchapp.cli"]
FILLER = ("Nội dung bài viết về hợp tác quốc tế và phát triển kinh tế bền vững giữa hai nước. " * 3)
Route = tuple[bytes, str] | Callable[[BaseHTTPRequestHandler], None]


def article(title: str, words: str, extra: str = "") -> bytes:
    """A ministry page: menus and a footer around the article."""
    return ("<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head><body><nav><a href='/'>Trang chủ</a></nav>"
            f"<main><article><h1>{title}</h1><p>{words} {FILLER}</p>{extra}</article></main>"
            "<footer>Bộ Ngoại giao</footer></body></html>").encode()


class Site:
    """Routes (path -> (body, content type) or a handler) and the paths asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {
            "/robots.txt": (b"User-agent: *\nDisallow: /private/\n", "text/plain")}
        self.hits: Counter[str] = Counter()
        self.base = ""


def serve(site: Site) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            site.hits[self.path] += 1
            route = site.routes.get(self.path)
            if callable(route):
                route(self)
                return
            if route is None:
                self.send_response(404)
                self.end_headers()
                return
            body, ctype = route
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Mon, 05 Jan 2026 10:00:00 GMT")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    server = serve(s)
    yield s
    server.shutdown()
    server.server_close()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEARCHAPP_FETCH_ALLOW_PRIVATE": "1", "SEARCHAPP_FETCH_DELAY": "0",
           "SEARCHAPP_FETCH_TIMEOUT": "5"}
    return subprocess.run([*EXE, *args], capture_output=True, text=True, env=env, timeout=240)


def add(idx: Path, url: str, kind: str) -> None:
    out = cli("source", "add", "--index-dir", str(idx), url, "--kind", kind)
    assert out.returncode == 0, out.stderr


def hits(index: Path, q: str) -> list[Hit]:
    return Engine(index).search(SearchRequest(query=q, prefix_last=False)).hits


def urls(index: Path, q: str) -> list[str]:
    return [h.url for h in hits(index, q)]


def test_a_sitemap_with_a_blank_line_before_its_xml_declaration_is_read(
        tmp_path: Path, site: Site) -> None:
    """CMS plugins often write a newline (or a BOM) before `<?xml`; crawlers read such a
    sitemap. So is the protocol's text form (one URL a line)."""
    b = site.base
    ns = "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"
    site.routes.update({
        "/tin/a.html": (article("Bài A", "alphaword"), "text/html"),
        "/tin/b.html": (article("Bài B", "betaword"), "text/html"),
        "/tin/c.html": (article("Bài C", "gammaword"), "text/html"),
        "/sitemap.xml": ((f"<?xml version='1.0'?><sitemapindex {ns}>"
                          f"<sitemap><loc>{b}/sm-news.xml</loc></sitemap>"
                          f"<sitemap><loc>{b}/sm-old.xml.gz</loc></sitemap>"
                          f"<sitemap><loc>{b}/sm-text.txt</loc></sitemap></sitemapindex>").encode(),
                         "application/xml"),
        "/sm-news.xml": ((f"\n\n<?xml version='1.0' encoding='UTF-8'?>\n<urlset {ns}><url>"
                          f"<loc>{b}/tin/a.html</loc></url></urlset>").encode(), "text/xml"),
        "/sm-old.xml.gz": (gzip.compress(f"\ufeff \r\n<?xml version='1.0'?><urlset {ns}><url><loc>"
                                         f"{b}/tin/b.html</loc></url></urlset>".encode()),
                           "application/x-gzip"),
        "/sm-text.txt": (f"{b}/tin/c.html\n".encode(), "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/sitemap.xml", "sitemap")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "malformed" not in out.stdout, out.stdout
    assert urls(idx, "alphaword") == [f"{b}/tin/a.html"], out.stdout
    assert urls(idx, "betaword") == [f"{b}/tin/b.html"], out.stdout
    assert urls(idx, "gammaword") == [f"{b}/tin/c.html"], out.stdout
    # a sitemap URL that answers a plain-text page which lists no URL is reported, not crawled
    site.routes["/sm-text.txt"] = (b"Service temporarily unavailable\n", "text/plain")
    out = cli("fetch", "--index-dir", str(idx))
    assert "not a sitemap" in out.stdout, out.stdout
    assert site.hits["/Service"] == 0 and urls(idx, "gammaword") == [f"{b}/tin/c.html"]


def test_a_pdf_enclosed_in_a_feed_entry_is_fetched_and_found(tmp_path: Path, site: Site) -> None:
    """RSS items carry their PDF as an <enclosure> (a relative URL here); audio is left."""
    b = site.base
    site.routes.update({
        "/tin/e.html": (article("Thông cáo", "epsilonword"), "text/html"),
        "/files/annex.pdf": (make_pdf(["Annex: enclosureword statistics of the talks."],
                                      title="Annex"), "application/pdf"),
        "/files/talk.mp3": (b"ID3" + b"\0" * 100, "audio/mpeg"),
        "/rss.xml": (("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                      "<title>Tin &amp; bài</title><item><title><![CDATA[Thông cáo <b>1</b>]]>"
                      f"</title><link>{b}/tin/e.html</link>"
                      "<enclosure url='/files/annex.pdf' type='application/pdf' length='900'/>"
                      "<enclosure url='/files/talk.mp3' type='audio/mpeg' length='103'/>"
                      "<pubDate>Fri, 05 Dec 2025 07:30:00 +0700</pubDate></item>"
                      "</channel></rss>").encode(), "application/rss+xml"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/rss.xml", "feed")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert urls(idx, "epsilonword") == [f"{b}/tin/e.html"]
    assert urls(idx, "enclosureword") == [f"{b}/files/annex.pdf"], out.stdout
    assert site.hits["/files/talk.mp3"] == 0


def test_a_linked_pdf_that_failed_is_fetched_when_its_page_is_unchanged(
        tmp_path: Path, site: Site) -> None:
    """A PDF that answered 500 at the first fetch is fetched at the next one, although the page
    linking it answers 304 then (before, it was never asked for again)."""
    b = site.base
    broken = {"on": True}
    pdf = make_pdf(["Report: flakypdfword figures."], title="Report")

    def flaky(handler: BaseHTTPRequestHandler) -> None:
        if broken["on"]:
            handler.send_response(500)
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        handler.send_header("Content-Length", str(len(pdf)))
        handler.end_headers()
        handler.wfile.write(pdf)

    site.routes.update({
        "/tin/a.html": (article("Bài A", "alphaword", "<a href='/files/report.pdf'>PDF</a>"),
                        "text/html"),
        "/files/report.pdf": flaky,
        "/list.txt": (f"{b}/tin/a.html\n".encode(), "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    out = cli("fetch", "--index-dir", str(idx))
    assert "report.pdf: HTTP 500" in out.stdout, out.stdout
    assert urls(idx, "alphaword") == [f"{b}/tin/a.html"] and urls(idx, "flakypdfword") == []
    broken["on"] = False
    asked = site.hits["/files/report.pdf"]
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 unchanged" in out.stdout, out.stdout  # the page answered 304
    assert urls(idx, "flakypdfword") == [f"{b}/files/report.pdf"], out.stdout
    # once saved, an unchanged page's PDF is not asked for again
    asked = site.hits["/files/report.pdf"]
    assert cli("fetch", "--index-dir", str(idx)).returncode == 0
    assert site.hits["/files/report.pdf"] == asked


def test_a_site_whose_start_page_fails_is_not_reached(tmp_path: Path, site: Site) -> None:
    """`fetch` exits 0 only when every source was reached: a site whose start page answers 404
    (or cannot be fetched) was not."""
    idx = tmp_path / "idx"
    add(idx, f"{site.base}/moved-away/", "site")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode != 0, out.stdout
    assert "NOT REACHED" in out.stdout and "moved-away/: HTTP 404" in out.stdout, out.stdout
    listing = json.loads(cli("source", "list", "--index-dir", str(idx), "--json").stdout)
    assert listing[0]["last"]["reached"] is False


def test_a_site_that_goes_down_is_reported_down_and_keeps_its_pages(tmp_path: Path) -> None:
    """A site that is down says so (not "disallowed by robots.txt", which is what a robots.txt
    that cannot be read turned into), and everything fetched before stays searchable."""
    s = Site()
    server = serve(s)
    b = s.base
    s.routes.update({
        "/tin/a.html": (article("Bài A", "alphaword"), "text/html"),
        "/list.txt": (f"{b}/tin/a.html\n".encode(), "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    assert cli("fetch", "--index-dir", str(idx)).returncode == 0
    server.shutdown()
    server.server_close()
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode != 0 and "NOT REACHED" in out.stdout, out.stdout
    assert "cannot connect" in out.stdout and "disallowed" not in out.stdout, out.stdout
    assert urls(idx, "alphaword") == [f"{b}/tin/a.html"]


def test_two_fetches_at_once_never_ask_a_host_two_things_at_once(tmp_path: Path, site: Site) -> None:
    """A fetch from cron, the serving interval or /admin's button while another runs: the
    second stops with a message, and the host never sees two requests at once. The first
    fetch is held inside its second page until the second fetch has ended."""
    import time

    b = site.base
    lock = threading.Lock()
    released = threading.Event()
    state = {"now": 0, "most": 0}

    def slow(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        if handler.path == "/tin/p1.html":
            released.wait(60)
        time.sleep(0.05)
        body = article("Bài", "pageword" + handler.path.split("/p")[-1].split(".")[0])
        with lock:
            state["now"] -= 1
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    for n in range(4):
        site.routes[f"/tin/p{n}.html"] = slow
    site.routes["/list.txt"] = ("".join(f"{b}/tin/p{n}.html\n" for n in range(4)).encode(),
                                "text/plain")
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    env = {**os.environ, "SEARCHAPP_FETCH_ALLOW_PRIVATE": "1", "SEARCHAPP_FETCH_DELAY": "0"}
    first = subprocess.Popen([*EXE, "fetch", "--index-dir", str(idx)], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while site.hits["/tin/p1.html"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        second = cli("fetch", "--index-dir", str(idx))
    finally:
        released.set()
    out, err = first.communicate(timeout=240)
    assert first.returncode == 0, out + err
    assert state["most"] == 1, state
    assert second.returncode != 0 and "another fetch of this index is running" in second.stderr, (
        second.stdout + second.stderr)
    assert all(urls(idx, f"pageword{n}") == [f"{b}/tin/p{n}.html"] for n in range(4))


def test_a_page_whose_charset_only_the_http_header_gives_is_read_in_it(
        tmp_path: Path, site: Site) -> None:
    """A Slovene statement in windows-1250 with no <meta charset>: the server's Content-Type
    says the charset (browsers decode by it); guessed, it came back as mojibake. A UTF-8 page
    under a server's default `charset=iso-8859-1` stays UTF-8."""
    b = site.base
    sl = ("<html><head><title>Izjava ministrstva</title></head><body><p>Ministrstvo za zunanje "
          "zadeve izraža globoko zaskrbljenost zaradi razvoja razmer. Minister se bo sestal z "
          "veleposlaniki držav članic.</p></body></html>")
    vi = ("<html><head><title>Thông cáo</title></head><body><p>Bộ Ngoại giao thông báo về cuộc "
          "họp của Hội đồng Bảo an.</p></body></html>")
    site.routes.update({
        "/sl.html": (sl.encode("cp1250"), "text/html; charset=windows-1250"),
        "/vi.html": (vi.encode("utf-8"), "text/html; charset=ISO-8859-1"),
        "/list.txt": (f"{b}/sl.html\n{b}/vi.html\n".encode(), "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    found = hits(idx, "držav članic")  # found either way (typo tolerance): read its snippet
    assert [h.url for h in found] == [f"{b}/sl.html"]
    assert "<mark>članic</mark>" in found[0].snippet_html, found[0].snippet_html  # not "èlanic"
    found = hits(idx, "Hội đồng Bảo an")
    assert [h.url for h in found] == [f"{b}/vi.html"] and "Bộ Ngoại giao" in found[0].snippet_html
    saved = next((idx / "web" / "127.0.0.1").glob("*.html"))  # the exact bytes are kept
    assert {p.read_bytes() for p in (idx / "web" / "127.0.0.1").glob("*.html")} == {
        sl.encode("cp1250"), vi.encode("utf-8")}, saved


def test_an_undated_page_takes_the_date_its_feed_or_sitemap_gives(
        tmp_path: Path, site: Site) -> None:
    """A page that says nothing of its date is dated by its feed's pubDate (the day in the
    feed's time zone: 06:30 in Hanoi is the 5th, though 23:30 UTC of the 4th) or its sitemap's
    lastmod (a news sitemap's publication date), before the server's Last-Modified (a CMS's render time) or the day it was
    fetched."""
    b = site.base
    ns = "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"
    site.routes.update({
        "/tin/f.html": (article("Bài F", "feedword"), "text/html"),
        "/tin/s.html": (article("Bài S", "sitemapword"), "text/html"),
        "/tin/n.html": (article("Bài N", "nodateword"), "text/html"),
        "/rss.xml": (("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
                      f"<item><title>F</title><link>{b}/tin/f.html</link>"
                      "<pubDate>Fri, 05 Dec 2025 06:30:00 +0700</pubDate></item>"
                      f"<item><title>N</title><link>{b}/tin/n.html</link></item>"
                      "</channel></rss>").encode(), "application/rss+xml"),
        "/tin/g.html": (article("Bài G", "newssitemapword"), "text/html"),
        "/sitemap.xml": ((f"<?xml version='1.0'?><urlset {ns} xmlns:news='http://www.google.com"
                          f"/schemas/sitemap-news/0.9'><url><loc>{b}/tin/s.html</loc>"
                          "<lastmod>2025-11-20T09:00:00+07:00</lastmod></url>"
                          f"<url><loc>{b}/tin/g.html</loc><news:news><news:publication>"
                          "<news:name>Bo Ngoai giao</news:name><news:language>vi</news:language>"
                          "</news:publication><news:publication_date>2025-10-02T08:00:00+07:00"
                          "</news:publication_date><news:title>G</news:title></news:news></url>"
                          "</urlset>").encode(), "application/xml"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/rss.xml", "feed")
    add(idx, f"{b}/sitemap.xml", "sitemap")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert [h.date for h in hits(idx, "feedword")] == ["2025-12-05"]
    assert [h.date for h in hits(idx, "sitemapword")] == ["2025-11-20"]
    assert [h.date for h in hits(idx, "newssitemapword")] == ["2025-10-02"]  # news:publication_date
    assert [h.date for h in hits(idx, "nodateword")] == ["2026-01-05"]  # Last-Modified


def test_a_host_that_stops_answering_ends_its_turn_for_every_source(
        tmp_path: Path, site: Site) -> None:
    """A host that hangs after its list was read costs three unanswered pages, not every page
    of the list (each waited out three times); a host that answered 503 is not asked again by
    the next source on it in the same run, and that source was not reached."""
    import time

    b = site.base

    def hang(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(4)

    for n in range(12):
        site.routes[f"/tin/h{n}.html"] = hang
    site.routes["/hang-list.txt"] = ("".join(f"{b}/tin/h{n}.html\n" for n in range(12)).encode(),
                                     "text/plain")
    idx = tmp_path / "idx"
    add(idx, f"{b}/hang-list.txt", "list")
    env = {**os.environ, "SEARCHAPP_FETCH_ALLOW_PRIVATE": "1", "SEARCHAPP_FETCH_DELAY": "0",
           "SEARCHAPP_FETCH_TIMEOUT": "0.5"}
    started = time.monotonic()
    out = subprocess.run([*EXE, "fetch", "--index-dir", str(idx)], capture_output=True, text=True,
                         env=env, timeout=300)
    took = time.monotonic() - started
    asked = sum(site.hits[f"/tin/h{n}.html"] for n in range(12))
    assert asked == 9, (asked, out.stdout)  # three pages, each tried three times
    assert "did not answer 3 pages in a row" in out.stdout, out.stdout
    assert took < 40, took

    def busy(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(503)
        handler.send_header("Retry-After", "600")
        handler.end_headers()

    site.routes["/busy-feed.xml"] = busy
    site.routes["/tin/a.html"] = (article("Bài A", "alphaword"), "text/html")
    site.routes["/list.txt"] = (f"{b}/tin/a.html\n".encode(), "text/plain")
    idx2 = tmp_path / "idx2"
    add(idx2, f"{b}/busy-feed.xml", "feed")
    add(idx2, f"{b}/list.txt", "list")
    out = cli("fetch", "--index-dir", str(idx2))
    assert site.hits["/busy-feed.xml"] == 1 and site.hits["/list.txt"] == 0, out.stdout
    assert out.returncode != 0 and out.stdout.count("NOT REACHED") == 2, out.stdout
    assert "not asked" in out.stdout, out.stdout


def test_a_removed_article_sent_to_the_home_page_or_emptied_keeps_its_saved_copy(
        tmp_path: Path, site: Site) -> None:
    """Sites answer for a removed article with a redirect to their home page, or, in trouble,
    with an empty 200 or a page with no text (a script shell after a redesign), and for a
    removed PDF with a 200 "not found" page. Either way the
    article fetched before stays in the archive under its own URL (marked gone, or kept)
    instead of being replaced by the home page or by nothing."""
    b = site.base
    site.routes.update({
        "/": (article("Trang chủ", "homepageword"), "text/html"),
        "/tin/a.html": (article("Bài A", "alphaword"), "text/html"),
        "/tin/b.html": (article("Bài B", "betaword"), "text/html"),
        "/tin/c.html": (article("Bài C", "gammaword"), "text/html"),
        "/tin/d.html": (article("Bài D", "deltaword"), "text/html"),
        "/files/e.pdf": (make_pdf(["Decree on epsilonpdfword."]), "application/pdf"),
        "/list.txt": (f"{b}/tin/a.html\n{b}/tin/b.html\n{b}/tin/c.html\n{b}/tin/d.html\n"
                      f"{b}/files/e.pdf\n".encode(), "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    assert cli("fetch", "--index-dir", str(idx)).returncode == 0

    def home(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(301)
        handler.send_header("Location", "/")
        handler.end_headers()

    def empty(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    site.routes["/tin/a.html"] = home
    site.routes["/tin/b.html"] = empty
    site.routes["/tin/c.html"] = (article("Bài C mới", "gammanewword"), "text/html")  # changed
    site.routes["/files/e.pdf"] = (article("Không tìm thấy", "notfoundpageword"), "text/html")
    site.routes["/tin/d.html"] = (b"<!doctype html><html><head><title>Loading</title><script>"
                                  b"window.app=1</script></head><body><div id='root'></div>"
                                  b"<script src='/app.js'></script></body></html>", "text/html")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 gone" in out.stdout and "an empty answer" in out.stdout, out.stdout
    assert urls(idx, "alphaword") == [f"{b}/tin/a.html"]
    assert urls(idx, "betaword") == [f"{b}/tin/b.html"]
    assert urls(idx, "deltaword") == [f"{b}/tin/d.html"]  # not replaced by a script shell
    assert urls(idx, "epsilonpdfword") == [f"{b}/files/e.pdf"]  # not by a 200 'not found' page
    assert urls(idx, "notfoundpageword") == []
    assert "a page with no text" in out.stdout, out.stdout
    assert urls(idx, "homepageword") == []  # never saved in the article's place
    assert urls(idx, "gammanewword") == [f"{b}/tin/c.html"] and urls(idx, "gammaword") == []


def test_tracking_parameters_make_no_second_copy_of_a_page(tmp_path: Path, site: Site) -> None:
    """Feeds add utm_* to every link (FeedBurner, newsletters); the sitemap lists the page
    plain: one page, asked once per run, one saved copy, one document, its plain address.
    Other parameters stay."""
    b = site.base

    def by_path(handler: BaseHTTPRequestHandler) -> None:  # as real servers: the query ignored
        path, _, query = handler.path.partition("?")
        body = article("Bài", "alphaword" if path == "/tin/a.html" else f"listword {query}")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    for path in ("/tin/a.html", "/tin/a.html?utm_source=rss&utm_medium=feed",
                 "/tin/list.aspx?id=7&utm_campaign=x", "/tin/list.aspx?id=7"):
        site.routes[path] = by_path
    ns = "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"
    site.routes.update({
        "/rss.xml": (("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item>"
                      f"<title>A</title><link>{b}/tin/a.html?utm_source=rss&amp;utm_medium=feed"
                      f"</link></item><item><title>L</title><link>{b}/tin/list.aspx?id=7&amp;"
                      "utm_campaign=x</link></item></channel></rss>").encode(),
                     "application/rss+xml"),
        "/sitemap.xml": ((f"<?xml version='1.0'?><urlset {ns}><url><loc>{b}/tin/a.html</loc>"
                          "</url></urlset>").encode(), "application/xml"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/rss.xml", "feed")
    add(idx, f"{b}/sitemap.xml", "sitemap")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert site.hits["/tin/a.html"] == 1, site.hits
    assert site.hits["/tin/a.html?utm_source=rss&utm_medium=feed"] == 0
    assert site.hits["/tin/list.aspx?id=7"] == 1
    assert len(list((idx / "web" / "127.0.0.1").glob("*.html"))) == 2
    assert urls(idx, "alphaword") == [f"{b}/tin/a.html"]
    assert urls(idx, "listword") == [f"{b}/tin/list.aspx?id=7"]


def test_a_lastmod_that_a_304_answered_is_not_asked_again(tmp_path: Path, site: Site) -> None:
    """A CMS touches a page's lastmod without changing it: the next fetch asks, gets a 304;
    the one after has nothing to ask (the lastmod is older than that 304)."""
    import time
    from datetime import UTC, datetime

    b = site.base
    ns = "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"

    def sitemap(lastmod: str) -> tuple[bytes, str]:
        return ((f"<?xml version='1.0'?><urlset {ns}><url><loc>{b}/tin/a.html</loc>"
                 f"<lastmod>{lastmod}</lastmod></url></urlset>").encode(), "application/xml")

    site.routes["/tin/a.html"] = (article("Bài A", "alphaword"), "text/html")
    site.routes["/sitemap.xml"] = sitemap("2020-01-01T00:00:00Z")
    idx = tmp_path / "idx"
    add(idx, f"{b}/sitemap.xml", "sitemap")
    assert cli("fetch", "--index-dir", str(idx)).returncode == 0
    assert site.hits["/tin/a.html"] == 1
    time.sleep(1.1)  # the lastmod after the first fetch's second (stamps are in seconds)
    site.routes["/sitemap.xml"] = sitemap(datetime.now(UTC).isoformat(timespec="seconds"))
    out = cli("fetch", "--index-dir", str(idx))
    assert site.hits["/tin/a.html"] == 2 and "1 unchanged" in out.stdout, out.stdout  # a 304
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0 and "1 unchanged" in out.stdout, out.stdout
    assert site.hits["/tin/a.html"] == 2  # not asked a third time
    assert urls(idx, "alphaword") == [f"{b}/tin/a.html"]


def test_pdfs_sent_under_a_wrong_content_type_are_read_as_pdfs(tmp_path: Path, site: Site) -> None:
    """Download handlers send PDFs as application/force-download (named only in
    Content-Disposition) or octet-stream, and misconfigured servers as text/html: the file's
    first bytes say it is a PDF."""
    b = site.base

    def handler_for(body: bytes, ctype: str, disposition: str = "") -> Route:
        def send(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", ctype)
            if disposition:
                handler.send_header("Content-Disposition", disposition)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        return send

    site.routes.update({
        "/DownloadFile.aspx?id=5": handler_for(make_pdf(["Decree on forcedownloadword."]),
                                               "application/force-download",
                                               'attachment; filename="Nghi-dinh-5.pdf"'),
        "/files/b.pdf": handler_for(make_pdf(["Report on mislabelledword."]), "text/html"),
        "/files/c": handler_for(make_pdf(["Annex on octetword."]), "application/octet-stream"),
        "/list.txt": (f"{b}/DownloadFile.aspx?id=5\n{b}/files/b.pdf\n{b}/files/c\n".encode(),
                      "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0 and "0 failed" in out.stdout, out.stdout + out.stderr
    assert urls(idx, "forcedownloadword") == [f"{b}/DownloadFile.aspx?id=5"]
    assert urls(idx, "mislabelledword") == [f"{b}/files/b.pdf"]
    assert urls(idx, "octetword") == [f"{b}/files/c"]
    assert [h.format for h in hits(idx, "mislabelledword")] == ["pdf"]


def test_a_result_says_its_page_was_removed_from_the_site(tmp_path: Path, site: Site) -> None:
    """A page that answers 404 is kept; its result, on the real server, says it is gone from
    the site (the live link no longer works), with the saved copy still linked."""
    import urllib.request

    from tests.web_helpers import running_server

    b = site.base
    site.routes.update({
        "/tin/a.html": (article("Bài A", "alphaword"), "text/html"),
        "/tin/b.html": (article("Bài B", "betaword"), "text/html"),
        "/list.txt": (f"{b}/tin/a.html\n{b}/tin/b.html\n".encode(), "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    assert cli("fetch", "--index-dir", str(idx)).returncode == 0
    del site.routes["/tin/a.html"]
    out = cli("fetch", "--index-dir", str(idx))
    assert "1 gone" in out.stdout, out.stdout
    with running_server(idx, tmp_path / "server.log") as base:
        with urllib.request.urlopen(f"{base}/search?q=alphaword") as r:
            gone = r.read().decode()
        with urllib.request.urlopen(f"{base}/search?q=betaword&ui=vi") as r:
            there = r.read().decode()
    assert 'class="badge gone"' in gone and "removed from the site" in gone, gone
    assert 'title="HTTP 404 since ' in gone and f'href="{b}/tin/a.html"' in gone
    assert 'class="saved-link"' in gone
    assert 'class="badge gone"' not in there and f'href="{b}/tin/b.html"' in there


def test_a_feed_added_as_a_sitemap_and_the_reverse_are_read_for_what_they_are(
        tmp_path: Path, site: Site) -> None:
    """`--kind` given wrong (or a URL like /feed guessed wrong): the XML says what it is. Before,
    the source listed nothing and still counted as reached."""
    b = site.base
    site.routes.update({
        "/tin/a.html": (article("Bài A", "alphaword"), "text/html"),
        "/tin/b.html": (article("Bài B", "betaword"), "text/html"),
        "/feed": ((f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item>"
                   f"<title>A</title><link>{b}/tin/a.html</link></item></channel></rss>").encode(),
                  "application/rss+xml"),
        "/news.xml": (("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/"
                       f"sitemap/0.9'><url><loc>{b}/tin/b.html</loc></url></urlset>").encode(),
                      "application/xml"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/feed", "sitemap")
    add(idx, f"{b}/news.xml", "feed")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "read as a feed" in out.stdout and "read as a sitemap" in out.stdout, out.stdout
    assert urls(idx, "alphaword") == [f"{b}/tin/a.html"]
    assert urls(idx, "betaword") == [f"{b}/tin/b.html"]


def test_a_home_page_address_sent_to_the_root_is_the_home_page_not_a_removal(
        tmp_path: Path, site: Site) -> None:
    """The guard above must not take /index.html -> / (or a site's start page) for a removed
    article: that page is saved and read."""
    b = site.base

    def to_root(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(301)
        handler.send_header("Location", "/")
        handler.end_headers()

    site.routes.update({"/": (article("Trang chủ", "homepageword"), "text/html"),
                        "/index.html": to_root, "/vi": to_root,
                        "/list.txt": (f"{b}/index.html\n".encode(), "text/plain")})
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    add(idx, f"{b}/vi", "site")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0 and "gone" in out.stdout and "failed" in out.stdout, out.stdout
    assert "redirected" not in out.stdout, out.stdout
    assert urls(idx, "homepageword") == [f"{b}/"]


def test_listed_urls_left_out_as_outside_the_source_are_reported(tmp_path: Path, site: Site) -> None:
    """A feed whose links all go through another host (a feed proxy, a CDN, the www. name)
    fetched nothing and said nothing, nor did PDFs linked on a files host; now the report says
    how many were left out and why."""
    b = site.base
    other = b.replace("127.0.0.1", "localhost")
    site.routes["/rss.xml"] = (
        ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
         + "".join(f"<item><title>{n}</title><link>{other}/~r/tin/{n}.html</link></item>"
                   for n in range(3))
         + "</channel></rss>").encode(), "application/rss+xml")
    site.routes["/tin/a.html"] = (article("Bài A", "alphaword", f"<a href='{other}/f/r.pdf'>PDF"
                                          f"</a> <a href='{other}/f/s.pdf'>PDF</a>"), "text/html")
    site.routes["/list.txt"] = (f"{b}/tin/a.html\n".encode(), "text/plain")
    idx = tmp_path / "idx"
    add(idx, f"{b}/rss.xml", "feed")
    add(idx, f"{b}/list.txt", "list")
    out = cli("fetch", "--index-dir", str(idx))
    assert "3 URL(s) it lists are outside 127.0.0.1, left out (e.g. " in out.stdout, out.stdout
    assert (f"2 linked document(s) on other hosts were not fetched (only 127.0.0.1's are; "
            f"e.g. {other}/f/r.pdf)") in out.stdout, out.stdout
    assert f"{other}/~r/tin/0.html" in out.stdout
    listing = json.loads(cli("source", "list", "--index-dir", str(idx), "--json").stdout)
    assert any("left out" in p for p in listing[0]["last"]["problems"])


def test_a_raw_unicode_address_and_its_percent_encoded_form_are_one_page(
        tmp_path: Path, site: Site) -> None:
    """Sitemaps often list "/tin/bài-một.html" unescaped while pages link it percent-encoded:
    one request, one saved copy, one document."""
    b = site.base
    encoded = "/tin/b%C3%A0i-m%E1%BB%99t.html"
    site.routes[encoded] = (article("Bài một", "unicodepathword"), "text/html")
    site.routes["/sitemap.xml"] = (
        ("<?xml version='1.0' encoding='utf-8'?><urlset xmlns='http://www.sitemaps.org/schemas/"
         f"sitemap/0.9'><url><loc>{b}/tin/bài-một.html</loc></url></urlset>").encode(),
        "application/xml")
    site.routes["/list.txt"] = (f"{b}{encoded}\n".encode(), "text/plain")
    idx = tmp_path / "idx"
    add(idx, f"{b}/sitemap.xml", "sitemap")
    add(idx, f"{b}/list.txt", "list")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert site.hits[encoded] == 1, site.hits
    assert len(list((idx / "web" / "127.0.0.1").glob("*.html"))) == 1
    assert urls(idx, "unicodepathword") == [b + encoded]


def test_a_result_title_is_the_article_not_the_site_name(tmp_path: Path, site: Site) -> None:
    """Ministry pages title themselves "Article - Site name"; the result shows the article's
    title (its <h1>). A logo <h1> in the page's header neither becomes the title nor hides the
    article's; a section <h1> ("Tin tức") under a three-part title keeps the whole title."""
    b = site.base
    body = f"<p>{FILLER}</p>"

    def page_(title: str, header: str, main: str, word: str) -> bytes:
        return (f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{title}"
                f"</title></head><body><header>{header}<nav><a href='/'>Trang chủ</a></nav>"
                f"</header><main>{main}<p>{word}</p>{body}</main><footer>Bộ Ngoại giao</footer>"
                "</body></html>").encode()

    logo = "<h1 class='logo'>Bộ Ngoại giao</h1>"
    site.routes.update({
        "/a.html": (page_("Bài A về hợp tác - Cổng thông tin điện tử", "",
                          "<h1>Bài A về hợp tác</h1>", "aword"), "text/html"),
        "/b.html": (page_("Bài B về kinh tế | Bộ Ngoại giao", logo,
                          "<article><h1>Bài B về kinh tế</h1></article>", "bword"), "text/html"),
        "/c.html": (page_("Bài C về văn hóa | Bộ Ngoại giao", logo, "<h2>Bài C về văn hóa</h2>",
                          "cword"), "text/html"),
        "/d.html": (page_("Tin tức - Bài D về giáo dục - Bộ Ngoại giao", "", "<h1>Tin tức</h1>",
                          "dword"), "text/html"),
        "/list.txt": ("".join(f"{b}/{n}.html\n" for n in "abcd").encode(), "text/plain"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    assert cli("fetch", "--index-dir", str(idx)).returncode == 0
    assert [h.title for h in hits(idx, "aword")] == ["Bài A về hợp tác"]
    assert [h.title for h in hits(idx, "bword")] == ["Bài B về kinh tế"]
    assert [h.title for h in hits(idx, "cword")] == ["Bài C về văn hóa | Bộ Ngoại giao"]
    assert [h.title for h in hits(idx, "dword")] == ["Tin tức - Bài D về giáo dục - Bộ Ngoại giao"]


def test_admin_fetch_button_waits_for_a_fetch_run_elsewhere(tmp_path: Path) -> None:
    """/admin's Fetch now while `searchapp fetch` runs from cron or a shell: it says a fetch is
    running instead of starting one that stops at once (its message only in fetch.log)."""
    import fcntl

    from searchapp.index.build import build_index
    from searchapp.web import create_app
    from tests.test_admin import PASSWORD, login, make_docs, token_of

    docs = make_docs(tmp_path / "docs", 3)
    index = tmp_path / "index"
    build_index(index, [docs])
    add(index, "https://example.org/feed.xml", "feed")
    app = create_app({"INDEX_DIR": str(index), "DOCS_DIR": str(docs),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD})
    client = app.test_client()
    assert login(client) == 302
    token = token_of(client.get("/admin/sources/").get_data(as_text=True))
    with open(index / "fetch.lock", "a+") as lock:  # what a running `searchapp fetch` holds
        fcntl.flock(lock, fcntl.LOCK_EX)
        client.post("/admin/sources/fetch", data={"csrf_token": token})
        page_ = client.get("/admin/sources/").get_data(as_text=True)
    assert "A fetch is already running." in page_
    assert not (index / "fetch.json").exists()  # no fetch process was started


def test_a_page_saved_under_its_tracking_url_before_is_updated_not_copied(
        tmp_path: Path, site: Site) -> None:
    """An archive fetched before tracking parameters were dropped holds the page under its
    utm_* address: the next fetch finds that copy (a 304), and a new version replaces it in
    place (a move would count as a removal for the archive guard): one document all along, its
    address now the plain one."""
    from searchapp.sources.fetcher import page_stem

    b = site.base
    site.routes["/tin/a.html"] = (article("Bài A", "alphaword"), "text/html")
    idx = tmp_path / "idx"
    add(idx, f"{b}/list.txt", "list")
    site.routes["/list.txt"] = (f"{b}/tin/a.html?utm_source=rss\n".encode(), "text/plain")
    site.routes["/tin/a.html?utm_source=rss"] = site.routes["/tin/a.html"]
    # what the old fetcher left: the bytes and note under the utm address's name
    from searchapp.ingest.saved import SavedPage, write_note
    old = page_stem(idx / "web", f"{b}/tin/a.html?utm_source=rss").with_suffix(".html")
    old.parent.mkdir(parents=True)
    body = article("Bài A", "alphaword")
    old.write_bytes(body)
    write_note(old, SavedPage(url=f"{b}/tin/a.html?utm_source=rss", fetched="2026-01-01T00:00:00",
                              etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"'))
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0 and "1 unchanged" in out.stdout, out.stdout  # a 304 for the old copy
    site.routes["/tin/a.html"] = (article("Bài A mới", "alphanewword"), "text/html")
    out = cli("fetch", "--index-dir", str(idx))
    assert "1 fetched" in out.stdout, out.stdout
    saved = sorted(p.name for p in (idx / "web" / "127.0.0.1").iterdir())
    assert len(saved) == 2 and old.exists(), saved  # one page and its note, in place
    assert urls(idx, "alphanewword") == [f"{b}/tin/a.html"], out.stdout + out.stderr
    assert urls(idx, "alphaword") == []


def test_a_site_source_reads_the_sitemaps_its_robots_txt_names(tmp_path: Path, site: Site) -> None:
    """A site source crawls links SITE_DEPTH deep from its start page; an archive page no link
    near it reaches is still found when robots.txt names a sitemap that lists it (as search
    engines read them), with its lastmod: unchanged, it is not asked again."""
    b = site.base
    ns = "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"
    site.routes.update({
        "/robots.txt": (f"User-agent: *\nDisallow: /private/\nSitemap: {b}/sm.xml\n"
                        "Sitemap: http://other.example/sm.xml\n".encode(), "text/plain"),
        "/vi": (article("Trang chủ", "homeword", "<a href='/vi/tin/a.html'>A</a>"), "text/html"),
        "/vi/tin/a.html": (article("Bài A", "nearword"), "text/html"),
        "/vi/kho/2019/deep.html": (article("Bài lưu trữ", "deeparchiveword"), "text/html"),
        "/private/hidden.html": (article("Ẩn", "hiddenword"), "text/html"),
        "/sm.xml": ((f"<?xml version='1.0'?><urlset {ns}>"
                     f"<url><loc>{b}/vi/kho/2019/deep.html</loc><lastmod>2019-03-04</lastmod></url>"
                     f"<url><loc>{b}/vi/tin/a.html</loc></url>"
                     f"<url><loc>{b}/private/hidden.html</loc></url></urlset>").encode(),
                    "application/xml"),
    })
    idx = tmp_path / "idx"
    add(idx, f"{b}/vi", "site")
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert urls(idx, "deeparchiveword") == [f"{b}/vi/kho/2019/deep.html"], out.stdout
    assert str(hits(idx, "deeparchiveword")[0].date).startswith("2019-03-04")
    assert urls(idx, "nearword") == [f"{b}/vi/tin/a.html"]
    assert site.hits["/vi/tin/a.html"] == 1  # linked and listed: asked once
    assert site.hits["/private/hidden.html"] == 0  # robots.txt still rules what is fetched
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert site.hits["/vi/kho/2019/deep.html"] == 1  # its lastmod has not moved
