"""The web sources an index follows, kept in the index root beside its folders: sources.json.

A source is a sitemap (index sitemaps and gzip included), an RSS/Atom feed, a plain list of
URLs (a text file on the web, one URL a line), or a start page whose same-host links are
followed (bounded depth and count, optional URL patterns). Each keeps the report of its last
fetch, shown by `searchapp source list` and on /admin.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

SOURCES_FILE = "sources.json"
WEB_FOLDER = "web"  # saved pages: <index root>/web/<host>/...
KINDS = ("sitemap", "feed", "list", "site")


class SourceError(ValueError):
    """A source that cannot be added (bad URL, unknown kind, already there)."""


@dataclass(frozen=True)
class Report:
    """What the last fetch of a source did."""

    when: str = ""
    reached: bool = False
    listed: int = 0  # URLs the source listed (in scope)
    fetched: int = 0  # new or changed pages saved
    unchanged: int = 0  # skipped by lastmod/date, or answered 304
    gone: int = 0  # 404/410: kept and marked gone
    failed: int = 0
    problems: list[str] = field(default_factory=list)  # the first few, one line each


@dataclass(frozen=True)
class Source:
    """One followed source."""

    url: str
    kind: str
    include: list[str] = field(default_factory=list)  # URL patterns (fnmatch) to keep
    added: str = ""
    last: Report = field(default_factory=Report)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


def web_folder(index_root: Path) -> Path:
    """Where fetched pages are saved (an ordinary documents folder of the index)."""
    return Path(index_root).absolute() / WEB_FOLDER


def check_url(url: str) -> str:
    """The URL, if it is an absolute http(s) URL with a host (and a port, if any, that can be
    asked); else SourceError."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:  # "http://[::1" (an unclosed IPv6 address), "http://h:99999/"
        raise SourceError(f"not a well-formed URL: {url[:300]!r} ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not an http(s) URL: {url[:300]!r}")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise SourceError(f"a URL holds no spaces or control characters: {url[:300]!r}")
    return url


def guess_kind(url: str) -> str:
    """sitemap for *.xml(.gz) named like a sitemap, feed for rss/atom/feed URLs, else site."""
    path = urlsplit(url).path.lower()
    if "sitemap" in path or path.endswith((".xml.gz",)):
        return "sitemap"
    if any(w in path for w in ("rss", "atom", "feed")) or path.endswith(".xml"):
        return "feed"
    if path.endswith(".txt"):
        return "list"
    return "site"


def load(index_root: Path) -> list[Source]:
    """The sources of an index, [] when none was added."""
    try:
        data = json.loads((Path(index_root) / SOURCES_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    out = []
    for item in data.get("sources", []) if isinstance(data, dict) else []:
        try:
            last = Report(**item.get("last", {}))
            out.append(Source(item["url"], item["kind"], list(item.get("include") or []),
                              item.get("added", ""), last))
        except (KeyError, TypeError):
            continue
    return out


def save(index_root: Path, sources: list[Source]) -> None:
    root = Path(index_root)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f"{SOURCES_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"sources": [asdict(s) for s in sources]}, ensure_ascii=False,
                              indent=1), encoding="utf-8")
    os.replace(tmp, root / SOURCES_FILE)


@contextmanager
def editing(index_root: Path) -> Iterator[list[Source]]:
    """The sources, locked against another editor, saved when the block ends."""
    root = Path(index_root)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{SOURCES_FILE}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sources = load(root)
        yield sources
        save(root, sources)


def add(index_root: Path, url: str, kind: str | None, include: list[str], when: str) -> Source:
    """Add a source; SourceError when the URL or kind is wrong or it is there already."""
    url = check_url(url)
    kind = kind or guess_kind(url)
    if kind not in KINDS:
        raise SourceError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    with editing(index_root) as sources:
        if any(s.url == url for s in sources):
            raise SourceError(f"{url} is a source already")
        source = Source(url, kind, include, when)
        sources.append(source)
    return source


def remove(index_root: Path, url: str) -> bool:
    """Forget a source (its saved pages stay until the next fetch prunes nothing: they are
    documents of the archive); False when there was no such source."""
    with editing(index_root) as sources:
        kept = [s for s in sources if s.url != url]
        found = len(kept) != len(sources)
        sources[:] = kept
    return found


def record(index_root: Path, url: str, report: Report) -> None:
    """Store the report of a source's last fetch."""
    with editing(index_root) as sources:
        sources[:] = [replace(s, last=report) if s.url == url else s for s in sources]
