"""Fetch what is new or changed in every source and save it under <index root>/web/<host>/.

Each page's exact bytes are saved as an ordinary file (a reindex never fetches again) with its
note (ingest/saved.py: URL, fetch time, ETag, Last-Modified, charset, the source's date). A page
is asked for again only when its source does not date it or dates it after our last look, and
then conditionally (If-None-Match / If-Modified-Since): an unchanged page costs one 304 or
nothing; a URL two sources list is asked once per run. A page that answers 404 or 410, or that
now sends its reader home, is kept and marked gone; an empty or textless answer keeps the copy
before (answers.py); a host that answers 429 or 503 is left for the next run. PDFs and office
files linked from a page on the source's host are fetched too, and tried again while missing.
One fetch per index at a time (fetch.lock).
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from ..ingest.saved import (
    SavedPage,
    header_charset,
    note_path,
    now_iso,
    read_note,
    write_note,
)
from . import registry
from .answers import TYPES, emptied, kind_of, sent_home, suffix_of
from .discover import (
    DOC_SUFFIXES,
    Listed,
    clean_url,
    feed_urls,
    fetch_listing,
    in_scope,
    is_document_link,
    list_urls,
    listing_kind,
    newer,
    page_links,
    robots_sitemap_urls,
    same_site,
    sitemap_urls,
)
from .http import FetchError, FetchSettings, HostBackoff, PoliteClient, Response
from .registry import Report, Source

MAX_PROBLEMS = 20
FETCH_LOCK = "fetch.lock"  # in the index root: held while a fetch runs
SAVED_SUFFIXES = tuple(dict.fromkeys(TYPES.values()))  # .html first: most saved files
SITE_DEPTH = 2
SITE_MAX_PAGES = 500


def page_stem(folder: Path, url: str) -> Path:
    """Where a URL's bytes are saved, without the suffix the content type decides."""
    host = (urlsplit(url).hostname or "unknown").lower()
    return folder / host / hashlib.sha1(url.encode("utf-8")).hexdigest()[:20]


def saved_file(folder: Path, url: str) -> Path | None:
    """The file a URL was saved to before, if any (one stat per suffix a saved file may have:
    listing the host's folder for each page made a fetch quadratic in the pages kept)."""
    stem = page_stem(folder, url)
    for suffix in SAVED_SUFFIXES:
        path = stem.with_suffix(suffix)
        if path.is_file():
            return path
    return None


class SourceRun:
    """One fetch of one source."""

    def __init__(self, source: Source, folder: Path, client: PoliteClient,
                 asked: set[str] | None = None) -> None:
        self.source = source
        self.folder = folder
        self.client = client  # shared by the run: robots.txt and the delay are per host
        self.hosts = same_site(source.host)  # example.gov and www.example.gov
        client.allowed_hosts = self.hosts
        self.problems: list[str] = []
        self.counts = {"listed": 0, "fetched": 0, "unchanged": 0, "gone": 0, "failed": 0}
        self.done: set[str] = set()
        self.asked = set() if asked is None else asked  # URLs any source asked for this run
        self.start_failed = False  # a site whose start page could not be read: not reached
        self.elsewhere: set[str] = set()  # document links on other hosts, not fetched

    def note(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def run(self) -> Report:
        reached = True
        try:
            if self.source.kind == "site":
                self._crawl()
            else:
                for item in self._listed():
                    self.counts["listed"] += 1
                    self.page(item)
        except HostBackoff as exc:  # the rest next run; not reached if its own URL was refused
            self.note(str(exc))
            reached = not str(exc).startswith(f"{self.source.url}: ")
        except FetchError as exc:  # the source itself could not be read
            reached = False
            self.note(str(exc))
        if self.elsewhere:
            self.note(f"{len(self.elsewhere)} linked document(s) on other hosts were not fetched "
                      f"(only {self.source.host}'s are; e.g. {min(self.elsewhere)})")
        return Report(when=now_iso(), reached=reached and not self.start_failed,
                      problems=self.problems, **self.counts)

    def _listed(self) -> Iterator[Listed]:
        kind, url = self.source.kind, self.source.url
        r = fetch_listing(self.client, url)
        actual = listing_kind(r.body) or kind  # a feed added as a sitemap is read as a feed
        if actual != kind:
            self.note(f"{url}: read as a {actual}, which it is (it was added as a {kind})")
        found: Iterable[Listed] = (
            sitemap_urls(self.client, url, self.problems, r=r) if actual == "sitemap"
            else feed_urls(self.client, url, r) if actual == "feed"
            else list_urls(self.client, url, r))
        outside: list[str] = []
        for item in found:
            clean = clean_url(item.url)
            item = replace(item, url=clean, raw=item.url if clean != item.url else "")
            if in_scope(item.url, self.hosts, self.source.include):
                yield item
            else:
                outside.append(item.url)
        if outside:  # said once: a feed whose links all go through another host lists nothing
            self.note(f"{len(outside)} URL(s) it lists are outside {self.source.host}"
                      + (" or its --include patterns" if self.source.include else "")
                      + f", left out (e.g. {outside[0]})")

    def _crawl(self) -> None:
        """A start page and its same-host links, breadth first, SITE_DEPTH deep; then the pages
        of the sitemaps its robots.txt names."""
        frontier = [self.source.url]
        for depth in range(SITE_DEPTH + 1):
            following: list[str] = []
            for url in frontier:
                if len(self.done) >= SITE_MAX_PAGES:
                    self.note(f"stopped at {SITE_MAX_PAGES} pages")
                    return
                self.counts["listed"] += 1
                body = self.page(Listed(url), follow=depth < SITE_DEPTH)
                if depth == 0 and body is None:  # the start page answered no page
                    self.start_failed = True
                if body is not None and depth < SITE_DEPTH:
                    following += [u for u in page_links(body, url)
                                  if u not in self.done and not is_document_link(u)
                                  and in_scope(u, self.hosts, [])]
            frontier = [u for u in dict.fromkeys(following)
                        if in_scope(u, self.hosts, self.source.include) or u == self.source.url]
        for item in robots_sitemap_urls(self.client, self.source.url, self.problems):
            clean = clean_url(item.url)  # then the pages no link reached
            item = replace(item, url=clean, raw=item.url if clean != item.url else "")
            if item.url in self.done or not in_scope(item.url, self.hosts, self.source.include):
                continue
            if len(self.done) >= SITE_MAX_PAGES:
                self.note(f"stopped at {SITE_MAX_PAGES} pages")
                return
            self.counts["listed"] += 1
            self.page(item)

    def page(self, item: Listed, follow: bool = False) -> bytes | None:
        """Fetch one page if needed and save it; its HTML (saved or new) when follow is set."""
        url = item.url
        if url in self.done:
            return None
        self.done.add(url)
        path = saved_file(self.folder, url) or (  # saved before under its URL as listed
            saved_file(self.folder, item.raw) if item.raw else None)
        if url in self.asked:  # listed by another source too: asked once per run
            self.counts["unchanged"] += 1
            return _read(path) if follow and path else None
        self.asked.add(url)
        note = read_note(path) if path else None
        if note and path and item.modified and note.listed != item.modified:
            note = replace(note, listed=item.modified)  # the source's date, kept for the loader
            write_note(path, note)
        # unchanged since our last look (a 200, or a 304 that said it had not changed)
        if (note and not note.gone and item.modified
                and not newer(item.modified, note.checked or note.fetched)):
            self.counts["unchanged"] += 1
            return self._unchanged(path, note, follow) if path else None
        try:
            r = self.client.get(url, note.etag if note else "",
                                note.last_modified if note else "")
        except HostBackoff:
            raise
        except FetchError as exc:
            self.counts["failed"] += 1
            self.note(str(exc))
            return None
        if r.status == 304 and path and note:
            self.counts["unchanged"] += 1
            note = replace(note, checked=now_iso(), gone="")
            write_note(path, note)
            return self._unchanged(path, note, follow)
        if r.status in (404, 410):
            self._gone(url, path, note, f"HTTP {r.status}")
            return None
        if r.status == 200 and sent_home(url, r.url, self.source.url):
            self._gone(url, path, note, f"redirected to {r.url}")  # a removed article
            return None
        if r.status != 200:
            self.counts["failed"] += 1
            self.note(f"{url}: HTTP {r.status}")
            return None
        if (path and note and path.suffix != ".html"
                and suffix_of(r, kind_of(r)) == ".html"):  # a PDF's URL now answering a page
            self._gone(url, path, note, "answers a web page instead of its file")
            return None
        if path and note and emptied(r, path):  # a site in trouble: keep what it said before
            self.counts["failed"] += 1
            self.note(f"{url}: an empty answer or a page with no text; the copy fetched "
                      f"{note.fetched[:10]} is kept")
            return None
        saved = self._save(url, r, path, item.modified)
        if saved is None:
            return None
        self.counts["fetched"] += 1
        if saved.suffix == ".html":
            self._documents(r.body, r.url)
            return r.body
        return None

    def _gone(self, url: str, path: Path | None, note: SavedPage | None, why: str) -> None:
        """A page the site removed: its saved copy is kept and marked gone."""
        if path and note:
            self.counts["gone"] += 1
            if not note.gone:
                write_note(path, replace(note, checked=now_iso(),
                                         gone=f"{why} since {date.today()}"))
        else:
            self.counts["failed"] += 1
            self.note(f"{url}: {why}")

    def _unchanged(self, path: Path, note: SavedPage, follow: bool) -> bytes | None:
        """An unchanged page: the linked documents not saved yet (a fetch that failed before
        is tried again), and its HTML when follow is set."""
        body = _read(path)
        if body is not None and _may_link_documents(body):
            self._documents(body, note.url, only_missing=True)
        return body if follow else None

    def _documents(self, html: bytes, base: str, only_missing: bool = False) -> None:
        """Fetch the PDFs and office files a page links to on the source's host."""
        for link in page_links(html, base):
            if not is_document_link(link):
                continue
            if not in_scope(link, self.hosts, []):
                self.elsewhere.add(link)  # reported once at the end of the run
            elif not (only_missing and saved_file(self.folder, link)):
                self.page(Listed(link))

    def _save(self, url: str, r: Response, old: Path | None, listed: str) -> Path | None:
        kind = kind_of(r)
        suffix = suffix_of(r, kind)
        if suffix not in set(TYPES.values()):
            self.counts["failed"] += 1
            self.note(f"{url}: content type {kind or 'unknown'!r} is not read")
            return None
        # a page saved before stays under its name (one saved under the URL as listed before
        # tracking parameters were dropped too: moving it would count as a removal)
        path = (old.with_suffix("") if old is not None else page_stem(self.folder, url)
                ).with_suffix(suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(r.body)
        tmp.replace(path)
        if old is not None and old != path:
            old.unlink(missing_ok=True)
            note_path(old).unlink(missing_ok=True)
        write_note(path, SavedPage(
            url=r.url, fetched=now_iso(), checked=now_iso(), etag=r.headers.get("etag", ""),
            last_modified=r.headers.get("last-modified", ""), content_type=kind,
            source=self.source.url, charset=header_charset(r.headers.get("content-type", "")),
            listed=listed))
        return path


def _may_link_documents(html: bytes) -> bool:
    """Whether a page's bytes name a document suffix at all (most pages: no parse needed)."""
    lowered = html.lower()
    return any(suffix.encode() in lowered for suffix in DOC_SUFFIXES)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.suffix == ".html" else None
    except OSError:
        return None


class FetchBusy(Exception):
    """Another fetch of the same index is running."""


def fetch_running(index_root: Path) -> bool:
    """Whether a fetch of this index runs now (from any process: the CLI, cron, the server)."""
    try:
        with open(Path(index_root) / FETCH_LOCK, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def fetch_all(index_root: Path, settings: FetchSettings | None = None) -> list[tuple[Source, Report]]:
    """Fetch every source of the index; each source's report is stored as it ends.

    One fetch per index at a time (FetchBusy otherwise): two would ask the same hosts at
    once, past their delay, and write the same saved files."""
    settings = settings or FetchSettings.from_env()
    folder = registry.web_folder(index_root)
    Path(index_root).mkdir(parents=True, exist_ok=True)
    with open(Path(index_root) / FETCH_LOCK, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FetchBusy("another fetch of this index is running; this one stops "
                            "(the sources are fetched by the one running)") from None
        out = []
        client = PoliteClient(settings, set())
        asked: set[str] = set()
        try:
            for source in registry.load(index_root):
                report = SourceRun(source, folder, client, asked).run()
                registry.record(index_root, source.url, report)
                out.append((source, report))
        finally:
            client.close()
        return out
