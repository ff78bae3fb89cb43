"""Web sources (issue #25): a real local HTTP site on 127.0.0.1 (allowed by
SEARCHAPP_FETCH_ALLOW_PRIVATE=1) with a sitemap index of two sitemaps (one gzipped), an RSS and
an Atom feed, robots.txt with a disallowed path and a crawl delay, pages in several languages
and encodings with menus and footers, a linked PDF, ETag/Last-Modified, a page that disappears,
a 503 with Retry-After, a redirect to another host and a page slower than the timeout. Driven
through the real `searchapp source` / `searchapp fetch` commands and a real server."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from searchapp.search.engine import Engine
from searchapp.search.request import SearchRequest
from tests.format_builders import make_pdf

EXE = [sys.executable, "-m", "searchapp.cli"]
MENU = "<nav><a href='/'>Startseite</a> <a href='/about'>Menuwordzz</a></nav>"
FOOTER = "<footer>Copyright footerwordzz ministry, all rights reserved.</footer>"


def page(title: str, body: str, lang: str, charset: str = "utf-8") -> bytes:
    html = (f"<!doctype html><html lang='{lang}'><head><meta charset='{charset}'>"
            f"<title>{title}</title></head><body>{MENU}<main><article><h1>{title}</h1>"
            f"<p>{body}</p><p>{body} {body}</p></article></main>{FOOTER}</body></html>")
    return html.encode(charset)


class Site:
    """The pages, and what was asked for (path -> count; times of page requests)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.hits: Counter[str] = Counter()
        self.full: Counter[str] = Counter()  # 200 answers with a body
        self.times: list[float] = []
        self.base = ""


def make_site(site: Site) -> None:
    b = site.base
    other = b.replace("127.0.0.1", "localhost")
    en = page("Delegation meets the ILO in Geneva",
              "The delegation discussed labour standards with albatrossword officials. "
              "<a href='/files/report.pdf'>The full report (PDF)</a>", "en")
    vi = page("Phái đoàn làm việc tại Giơ-ne-vơ",
              "Phái đoàn đã thảo luận về quyền con người với các quan chức cormoranword.", "vi")
    fr = page("Déclaration sur les négociations",
              "La délégation a négocié les normes du travail avec les hérons cigognemot.", "fr",
              charset="windows-1252")
    de = page("Verhandlungen über Arbeitsnormen",
              "Die Delegation verhandelte über Arbeitsnormen und Kranichwort Themen.", "de")
    f1 = page("Feed item from the RSS", "A news item about pelicanword migration.", "en")
    f2 = page("Atom entry about herons", "An entry that mentions heronword sightings.", "en")
    gone = page("A page that will disappear", "This page talks about flamingoword.", "en")
    secret = page("Private page", "This must never be fetched: secretword.", "en")
    site.pages.update({
        "/robots.txt": (b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.2\n", "text/plain"),
        "/news/en.html": (en, "text/html; charset=utf-8"),
        "/news/vi.html": (vi, "text/html"),
        "/news/de.html": (de, "text/html; charset=utf-8"),
        "/news/fr.html": (fr, "text/html"),
        "/news/f1.html": (f1, "text/html"),
        "/news/f2.html": (f2, "text/html"),
        "/news/gone.html": (gone, "text/html"),
        "/private/secret.html": (secret, "text/html"),
        "/files/report.pdf": (make_pdf(["Annex on osprey-word findings: ospreyword statistics."],
                                       title="Annex report"), "application/pdf"),
    })
    sm_a = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<url><loc>{b}/news/en.html</loc><lastmod>2026-01-05</lastmod></url>"
            f"<url><loc>{b}/news/vi.html</loc></url>"
            f"<url><loc>{b}/news/fr.html</loc></url>"
            f"<url><loc>{b}/private/secret.html</loc></url>"
            f"<url><loc>{b}/news/redirect.html</loc></url>"
            f"<url><loc>{b}/news/slow.html</loc></url></urlset>")
    sm_b = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<url><loc>{b}/news/de.html</loc><lastmod>2026-02-01T10:00:00+00:00</lastmod></url>"
            f"<url><loc>{b}/news/gone.html</loc></url></urlset>")
    index = ("<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
             f"<sitemap><loc>{b}/sitemap-a.xml</loc></sitemap>"
             f"<sitemap><loc>{b}/sitemap-b.xml.gz</loc></sitemap></sitemapindex>")
    rss = ("<?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel><title>N</title>"
           f"<item><title>Caf\xe9</title><link>{b}/news/f1.html</link>"
           "<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item></channel></rss>").encode("latin-1")
    atom = ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>A</title><entry><title>H</title><link href='{b}/news/f2.html'/>"
            "<updated>2026-01-06T10:00:00Z</updated><id>x</id></entry></feed>")
    site.pages.update({
        "/sitemap.xml": (index.encode(), "application/xml"),
        "/sitemap-a.xml": (sm_a.encode(), "application/xml"),
        "/sitemap-b.xml.gz": (gzip.compress(sm_b.encode()), "application/gzip"),
        "/feed.rss": (rss, "application/rss+xml"),
        "/atom.xml": (atom.encode(), "application/atom+xml"),
        "/busy-list.txt": (f"{other}/news/busy.html\n".encode(), "text/plain"),
    })


def serve(site: Site) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path
            site.hits[path] += 1
            if path.startswith("/news/") or path.startswith("/files/"):
                site.times.append(time.monotonic())
            if path.startswith("/loop/"):  # a.html -> b.html -> a.html
                self.send_response(302)
                self.send_header("Location", "/loop/b.html" if path == "/loop/a.html"
                                 else "/loop/a.html")
                self.end_headers()
                return
            if path == "/news/redirect.html":
                self.send_response(302)
                self.send_header("Location", site.base.replace("127.0.0.1", "localhost")
                                 + "/news/en.html")
                self.end_headers()
                return
            if path == "/news/busy.html":
                self.send_response(503)
                self.send_header("Retry-After", "120")
                self.end_headers()
                return
            if path == "/news/slow.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                try:
                    for _ in range(40):
                        self.wfile.write(b"<p>slow</p>" * 10)
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
                return
            if path not in site.pages:
                self.send_response(404)
                self.end_headers()
                return
            body, ctype = site.pages[path]
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            site.full[path] += 1
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


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEARCHAPP_FETCH_ALLOW_PRIVATE": "1", "SEARCHAPP_FETCH_DELAY": "0",
           "SEARCHAPP_FETCH_TIMEOUT": "2"}
    return subprocess.run([*EXE, *args], capture_output=True, text=True, env=env, timeout=240)


def ids(index: Path, q: str) -> list[str]:
    page_ = Engine(index).search(SearchRequest(query=q, prefix_last=False))
    return [h.url for h in page_.hits]


@pytest.fixture
def site() -> object:
    s = Site()
    server = serve(s)
    make_site(s)
    yield s
    server.shutdown()
    server.server_close()


def test_sources_fetch_index_and_refetch_politely(tmp_path: Path, site: Site) -> None:
    idx = tmp_path / "idx"
    b = site.base
    for url, kind in ((f"{b}/sitemap.xml", "sitemap"), (f"{b}/feed.rss", "feed"),
                      (f"{b}/atom.xml", "feed")):
        out = cli("source", "add", "--index-dir", str(idx), url, "--kind", kind)
        assert out.returncode == 0, out.stderr
    assert cli("source", "add", "--index-dir", str(idx), "file:///etc/passwd").returncode != 0
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    # the words of every page in scope, in three languages and two encodings, and the PDF
    for word, path in (("albatrossword", "/news/en.html"), ("cormoranword", "/news/vi.html"),
                       ("kranichwort", "/news/de.html"), ("pelicanword", "/news/f1.html"),
                       ("heronword", "/news/f2.html"), ("ospreyword", "/files/report.pdf")):
        assert ids(idx, word) == [b + path], (word, out.stdout)
    assert ids(idx, "quyen con nguoi") == [b + "/news/vi.html"]
    assert ids(idx, "negocie cigognemot") == [b + "/news/fr.html"]  # windows-1252 decoded
    assert ids(idx, "négocié") == [b + "/news/fr.html"]
    assert ids(idx, "menuwordzz") == [] and ids(idx, "footerwordzz") == []  # not the menus
    assert site.hits["/private/secret.html"] == 0 and ids(idx, "secretword") == []
    assert site.hits["/robots.txt"] == 1
    gaps = [b - a for a, b in zip(site.times, site.times[1:], strict=False)]
    # robots.txt's Crawl-delay: 0.2 s between requests (seen at the server: arrival jitters)
    assert gaps and sorted(gaps)[len(gaps) // 2] >= 0.19 and min(gaps) >= 0.1, gaps
    listing = json.loads(cli("source", "list", "--index-dir", str(idx), "--json").stdout)
    problems = " ".join(p for s in listing for p in s["last"]["problems"])
    assert "outside the source's hosts" in problems  # the redirect to localhost
    assert "not finished within 2 s" in problems or "timed out" in problems  # slow.html
    assert "robots.txt" in problems  # the disallowed page is named
    # a second run downloads nothing unchanged: dated pages skipped, the others answer 304
    before = dict(site.full)
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stderr
    pages_200 = {p: n - before.get(p, 0) for p, n in site.full.items()
                 if p.startswith(("/news/", "/files/"))}
    assert not any(pages_200.values()), pages_200
    assert site.hits["/news/en.html"] == 1  # dated by the sitemap: not even asked again
    # a page that disappeared is kept and reported gone, not deleted
    del site.pages["/news/gone.html"]
    assert ids(idx, "flamingoword") == [b + "/news/gone.html"]
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0 and "1 gone" in out.stdout, out.stdout
    assert ids(idx, "flamingoword") == [b + "/news/gone.html"]


def test_busy_hosts_back_off_and_private_addresses_are_refused(tmp_path: Path, site: Site) -> None:
    idx = tmp_path / "idx"
    other = site.base.replace("127.0.0.1", "localhost")
    site.pages["/busy-list.txt"] = (f"{other}/news/busy.html\n{other}/news/en.html\n".encode(),
                                    "text/plain")
    assert cli("source", "add", "--index-dir", str(idx), f"{other}/busy-list.txt",
               "--kind", "list").returncode == 0
    out = cli("fetch", "--index-dir", str(idx))
    assert "503" in out.stdout and "Retry-After 120" in out.stdout, out.stdout
    assert site.hits["/news/en.html"] == 0  # the host's turn ended at the 503
    # without the setting, loopback is refused (SSRF), and the run says the source was not reached
    env = {k: v for k, v in os.environ.items() if k != "SEARCHAPP_FETCH_ALLOW_PRIVATE"}
    res = subprocess.run([*EXE, "fetch", "--index-dir", str(idx)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert res.returncode != 0
    assert "loopback/private/link-local" in res.stdout, res.stdout


def test_api_hits_of_fetched_pages_carry_their_url(tmp_path: Path, site: Site) -> None:
    from tests.web_helpers import running_server

    idx = tmp_path / "idx"
    assert cli("source", "add", "--index-dir", str(idx), f"{site.base}/atom.xml").returncode == 0
    assert cli("fetch", "--index-dir", str(idx)).returncode == 0
    import urllib.request

    with running_server(idx, tmp_path / "server.log") as base:
        with urllib.request.urlopen(f"{base}/api/search?q={quote('heronword')}") as r:
            hits = json.load(r)["hits"]
        assert [h["url"] for h in hits] == [f"{site.base}/news/f2.html"]
        with urllib.request.urlopen(f"{base}/search?q=heronword") as r:
            html = r.read().decode()
        assert f'href="{site.base}/news/f2.html"' in html


def test_admin_sources_page_needs_login_and_csrf(tmp_path: Path) -> None:
    from searchapp.index.build import build_index
    from searchapp.web import create_app
    from tests.test_admin import PASSWORD, login, make_docs, token_of

    docs = make_docs(tmp_path / "docs", 3)
    build_index(tmp_path / "index", [docs])
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "DOCS_DIR": str(docs),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "ADMIN_PASSWORD": PASSWORD})
    client = app.test_client()
    assert client.get("/admin/sources/").status_code in (302, 401)
    assert login(client) == 302
    page_ = client.get("/admin/sources/").get_data(as_text=True)
    assert 'id="no-sources"' in page_
    assert client.post("/admin/sources/add", data={"url": "https://example.org/feed.xml"}
                       ).status_code == 400  # no CSRF token
    token = token_of(page_)
    client.post("/admin/sources/add", data={"csrf_token": token, "url": "javascript:alert(1)",
                                            "kind": "auto"})
    client.post("/admin/sources/add", data={"csrf_token": token, "kind": "sitemap",
                                            "url": "https://example.org/<b>sitemap.xml",
                                            "include": "https://example.org/news/*"})
    page_ = client.get("/admin/sources/").get_data(as_text=True)
    assert "Not added: not an http(s) URL" in page_ or "sitemap" in page_
    assert "https://example.org/&lt;b&gt;sitemap.xml" in page_ and "<b>sitemap" not in page_
    listed = json.loads(cli("source", "list", "--json", "--index-dir",
                            str(tmp_path / "index")).stdout)
    assert [(s["url"], s["kind"], s["include"]) for s in listed] == [
        ("https://example.org/<b>sitemap.xml", "sitemap", ["https://example.org/news/*"])]
    client.post("/admin/sources/remove", data={"csrf_token": token,
                                               "url": "https://example.org/<b>sitemap.xml"})
    assert json.loads(cli("source", "list", "--json", "--index-dir",
                          str(tmp_path / "index")).stdout) == []


def test_a_site_is_followed_by_its_links_within_its_patterns(tmp_path: Path, site: Site) -> None:
    b = site.base
    site.pages["/news/index.html"] = (
        (f"<html><body>{MENU}<h1>News</h1><a href='/news/en.html'>en</a> "
         "<a href='de.html#top'>de</a> <a href='/private/secret.html'>private</a> "
         "<a href='/other/outside.html'>outside the pattern</a> "
         f"<a href='{b.replace('127.0.0.1', 'localhost')}/news/f1.html'>another host</a>"
         "</body></html>").encode(), "text/html")
    site.pages["/other/outside.html"] = (page("Outside", "outsideword text", "en"), "text/html")
    idx = tmp_path / "idx"
    assert cli("source", "add", "--index-dir", str(idx), f"{b}/news/index.html", "--kind", "site",
               "--include", f"{b}/news/*").returncode == 0
    out = cli("fetch", "--index-dir", str(idx))
    assert out.returncode == 0, out.stdout + out.stderr
    assert ids(idx, "albatrossword") == [b + "/news/en.html"]
    assert ids(idx, "kranichwort") == [b + "/news/de.html"]
    assert ids(idx, "ospreyword") == [b + "/files/report.pdf"]  # linked from en.html
    assert site.hits["/other/outside.html"] == 0 and site.hits["/private/secret.html"] == 0
    assert site.hits["/news/f1.html"] == 0  # another host


def test_broken_sources_are_reported_and_lose_nothing(tmp_path: Path, site: Site) -> None:
    """A malformed sitemap, a redirect loop and a response over the size limit are each
    reported for their source; what was fetched before stays searchable."""
    b = site.base
    site.pages["/broken-sitemap.xml"] = (b"<urlset><url><loc>oops</url>", "application/xml")
    site.pages["/big-list.txt"] = (f"{b}/news/big.html\n{b}/loop/a.html\n{b}/news/f1.html\n".encode(),
                                   "text/plain")
    site.pages["/news/big.html"] = (b"<html><body>" + b"x" * (3 << 20) + b"</body></html>",
                                    "text/html")
    idx = tmp_path / "idx"
    for url, kind in ((f"{b}/broken-sitemap.xml", "sitemap"), (f"{b}/big-list.txt", "list")):
        assert cli("source", "add", "--index-dir", str(idx), url, "--kind", kind).returncode == 0
    env = {**os.environ, "SEARCHAPP_FETCH_ALLOW_PRIVATE": "1", "SEARCHAPP_FETCH_DELAY": "0",
           "SEARCHAPP_FETCH_MAX_MB": "1"}
    out = subprocess.run([*EXE, "fetch", "--index-dir", str(idx)], capture_output=True,
                         text=True, env=env, timeout=240)
    assert out.returncode != 0, out.stdout  # the broken sitemap's source was not reached
    assert "malformed sitemap XML" in out.stdout, out.stdout
    assert "larger than the limit" in out.stdout and "redirect loop" in out.stdout, out.stdout
    assert ids(idx, "pelicanword") == [b + "/news/f1.html"]  # the good page of the list
