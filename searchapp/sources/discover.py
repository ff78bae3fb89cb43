"""The pages a source lists: sitemaps, feeds, lists of URLs, and links of pages in scope.

Sitemaps are parsed with defusedxml (no entity expansion from a hostile site), gzip by its magic
bytes, index sitemaps followed MAX_SITEMAP_DEPTH deep; feeds by feedparser (RSS 0.9x-2.0, Atom,
RDF, legacy encodings, broken XML tolerated); page links by selectolax (Lexbor HTML5 parser).
"""

from __future__ import annotations

import calendar
import fnmatch
import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urldefrag, urljoin, urlsplit, urlunsplit

from .http import FetchError, HostBackoff, PoliteClient, Response

MAX_SITEMAP_DEPTH = 3
MAX_LISTED = 50_000
DOC_SUFFIXES = (".pdf", ".docx", ".odt", ".pptx", ".xlsx", ".epub", ".rtf")
DOC_TYPES = {"application/pdf", "application/epub+zip", "application/rtf", "text/rtf",
             "application/vnd.oasis.opendocument.text"} | {
    f"application/vnd.openxmlformats-officedocument.{t}" for t in (
        "wordprocessingml.document", "presentationml.presentation", "spreadsheetml.sheet")}


@dataclass(frozen=True)
class Listed:
    """A URL a source lists, with the date it says the page last changed ('' unknown)."""

    url: str
    modified: str = ""
    raw: str = ""  # the URL as listed, when clean_url changed it (pages saved under it before)


TRACKING = ("utm_", "fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "_hsenc", "_hsmktg")


def clean_url(url: str) -> str:
    """The URL without its fragment and the tracking parameters feeds and newsletters add
    (utm_*, fbclid...), its path and query percent-encoded as a client sends them (a sitemap's
    raw "/tin/bài.html" and a link's "/tin/b%C3%A0i.html" are one page): one page, one
    document, one address."""
    parts = urlsplit(urldefrag(url)[0])
    pairs = parts.query.split("&") if parts.query else []  # as written: no re-encoding
    kept = [p for p in pairs if not p.split("=", 1)[0].lower().startswith(TRACKING)]
    return urlunsplit(parts._replace(path=quote(parts.path, safe=_PATH_SAFE),
                                     query=quote("&".join(kept), safe=_QUERY_SAFE)))


_PATH_SAFE = "/%:@!$&'()*+,;=~[]"  # reserved characters and escapes already there are kept
_QUERY_SAFE = _PATH_SAFE + "?"


def same_site(host: str) -> set[str]:
    """A host and its www. twin: example.gov and www.example.gov are one site (most sites
    redirect one to the other, and link to either)."""
    host = host.lower()
    if "." not in host or host.replace(".", "").isdigit() or ":" in host:  # a name, not an IP
        return {host}
    return {host, host[4:] if host.startswith("www.") else f"www.{host}"}


def in_scope(url: str, hosts: set[str], include: list[str]) -> bool:
    """Same host as the source, and matching one of the patterns when there are any."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port out of range or not a number raises ValueError
    except ValueError:  # a malformed link ("http://[x"): never fetched
        return False
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in hosts:
        return False
    return not include or any(fnmatch.fnmatch(url, p) for p in include)


def _unzip(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, 200 << 20)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise FetchError(f"damaged gzip sitemap ({exc})") from exc
    return out


def joined(base: str, ref: str) -> str:
    """ref made absolute against base; '' for a malformed one ("http://[x"), which in_scope
    then refuses, so one bad entry of a hostile sitemap, feed or page skips only itself."""
    try:
        return urljoin(base, ref)
    except ValueError:
        return ""


def fetch_listing(client: PoliteClient, url: str) -> Response:
    """The 200 answer for a sitemap, feed or list; FetchError otherwise."""
    r = client.get(url)
    if r.status != 200:
        raise FetchError(f"{url}: HTTP {r.status}")
    return r


def listing_kind(body: bytes) -> str:
    """'sitemap' or 'feed' by what the XML is (whatever kind the source was added as), ''
    when it is neither."""
    head = _unzip(body)[:2048].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    return ""


def sitemap_urls(client: PoliteClient, url: str, problems: list[str],
                 depth: int = 0, r: Response | None = None) -> Iterator[Listed]:
    """Every <url> of a sitemap, following <sitemap> entries of a sitemap index (a child
    sitemap that fails is noted in problems, the others are still read)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    r = r or fetch_listing(client, url)
    # blank lines or a BOM before <?xml (common from CMS plugins) are not a malformed sitemap
    body = _unzip(r.body).removeprefix(b"\xef\xbb\xbf").lstrip()
    if body and not body.startswith(b"<"):  # the protocol's text form: one full URL a line
        lines = body.decode("utf-8", "replace").split()
        listed = [Listed(line) for line in lines if line.startswith(("http://", "https://"))]
        if not listed:
            raise FetchError(f"{url}: not a sitemap (neither XML nor a list of URLs)")
        yield from listed
        return
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise FetchError(f"{url}: malformed sitemap XML ({exc})") from exc
    tag = root.tag.rsplit("}", 1)[-1]
    for entry in root:
        name = entry.tag.rsplit("}", 1)[-1]
        loc = lastmod = ""
        for child in entry:
            key = child.tag.rsplit("}", 1)[-1]
            if key == "loc":
                loc = (child.text or "").strip()
            elif key == "lastmod":
                lastmod = (child.text or "").strip()
            elif key == "news" and not lastmod:  # a Google News sitemap's publication date
                for item in child:
                    if item.tag.rsplit("}", 1)[-1] == "publication_date":
                        lastmod = (item.text or "").strip()
        if not loc:
            continue
        if tag == "sitemapindex" and name == "sitemap":
            if depth >= MAX_SITEMAP_DEPTH:
                continue
            try:
                yield from sitemap_urls(client, joined(url, loc), problems, depth + 1)
            except FetchError as exc:
                problems.append(str(exc))
        elif name == "url":
            yield Listed(joined(url, loc), lastmod)


def feed_urls(client: PoliteClient, url: str, r: Response | None = None) -> Iterator[Listed]:
    """The links of a feed's entries, with their updated (else published) dates."""
    import feedparser

    r = r or fetch_listing(client, url)
    parsed = feedparser.parse(r.body, response_headers={
        "content-type": r.headers.get("content-type", ""), "content-location": url})
    if parsed.bozo and not parsed.entries:
        raise FetchError(f"{url}: not a readable feed ({parsed.get('bozo_exception')})")
    for entry in parsed.entries:
        link = entry.get("link") or ""
        stamp = _entry_stamp(entry)
        if link:
            yield Listed(joined(url, link), stamp)
        for enclosure in entry.get("enclosures") or []:  # a PDF or office file of the entry
            href = joined(url, enclosure.get("href") or "")
            if href and (is_document_link(href) or str(enclosure.get("type") or "")
                         .split(";")[0].strip().lower() in DOC_TYPES):
                yield Listed(href, stamp)


def _entry_stamp(entry: Any) -> str:
    """An entry's updated (else published) time, ISO, in the feed's own time zone (its date
    is the day the site says, not the UTC day); '' when it has none."""
    for key in ("updated", "published"):
        raw = str(entry.get(key) or "").strip()
        if not raw:
            continue
        try:
            return parsedate_to_datetime(raw).isoformat()  # RSS: RFC 822
        except (TypeError, ValueError, IndexError):
            pass
        try:
            stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))  # Atom: RFC 3339
            return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).isoformat()
        except ValueError:
            pass
        when = entry.get(f"{key}_parsed")  # other forms feedparser read (in UTC)
        if when:
            return datetime.fromtimestamp(calendar.timegm(when), UTC).isoformat()
    return ""


def robots_sitemap_urls(client: PoliteClient, url: str, problems: list[str]) -> Iterator[Listed]:
    """Every page of the sitemaps a site's robots.txt names (Sitemap: lines) on url's host: the
    pages of a site source that no link near its start page reaches (a sitemap that fails is
    noted in problems, the others are still read)."""
    host = (urlsplit(url).hostname or "").lower()
    for sitemap in dict.fromkeys(client.sitemaps(url)):
        if (urlsplit(sitemap).hostname or "").lower() != host:
            continue
        try:
            yield from sitemap_urls(client, sitemap, problems)
        except HostBackoff:
            raise
        except FetchError as exc:
            problems.append(str(exc))


def list_urls(client: PoliteClient, url: str, r: Response | None = None) -> Iterator[Listed]:
    """A plain text file on the web, one URL a line (# comments and blank lines ignored)."""
    r = r or fetch_listing(client, url)
    yield from _text_urls(r.body, url)


def _text_urls(body: bytes, url: str) -> Iterator[Listed]:
    """One URL a line, relative to url (# comments and blank lines ignored)."""
    for line in body.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield Listed(joined(url, line))


def page_links(html: bytes, base: str) -> list[str]:
    """Absolute URLs of a page's <a href> links, fragments dropped, in page order."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    node = tree.css_first("base[href]")
    if node is not None:
        base = joined(base, node.attributes.get("href") or "") or base
    out: list[str] = []
    seen: set[str] = set()
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.startswith(("mailto:", "javascript:", "tel:", "#")):
            continue
        link = joined(base, href)
        if not link:
            continue
        link = clean_url(link)
        if link not in seen:
            seen.add(link)
            out.append(link)
    return out


def text_size(html: bytes) -> int:
    """How many characters of text a reader of the page sees (scripts and styles left out)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    body = tree.body or tree.root
    if body is None:
        return 0
    for node in body.css("script, style, noscript, template"):
        node.decompose()
    return len("".join(body.text(separator=" ", strip=True).split()))


def is_document_link(url: str) -> bool:
    """A link to a PDF, office or e-book file (fetched and read as a document)."""
    return urlsplit(url).path.lower().endswith(DOC_SUFFIXES)


def newer(listed: str, fetched: str) -> bool:
    """True when a listed date is after our fetch (or either is unknown); a bare date counts
    as the whole day."""
    a, b = _when(listed), _when(fetched)
    if a is None or b is None:
        return True
    if len(listed.strip()) == 10:
        return a.date() >= b.date()
    return a > b


def _when(value: str) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
