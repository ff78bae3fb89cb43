"""A polite, bounded HTTP client for the sites an archive follows.

httpx does the HTTP (connection reuse, streaming, timeouts); Protego (Scrapy's robots.txt
parser: wildcards, Allow/Disallow precedence, Crawl-delay) reads robots.txt. Around them, the
rules of a polite and safe fetcher:

- one request at a time per host, SEARCHAPP_FETCH_DELAY seconds apart (or robots.txt's
  Crawl-delay when longer); a clear User-Agent; robots.txt honoured;
- only http(s); no address that is loopback, private, link-local, multicast or reserved unless
  SEARCHAPP_FETCH_ALLOW_PRIVATE=1, checked at every redirect hop (a public page redirecting to
  127.0.0.1 is refused) and again on the socket itself (addresses.py: DNS rebinding);
  redirects only within the source's hosts, at most MAX_REDIRECTS;
- each response bounded in size (SEARCHAPP_FETCH_MAX_MB) and in total time
  (SEARCHAPP_FETCH_TIMEOUT, however slowly the bytes come);
- connection errors and 500/502/504 retried with back-off; 429 and 503, or HOST_SILENT_LIMIT
  pages in a row with no answer, end the host's turn for this run, for every source on it
  (HostBackoff, with Retry-After), to be resumed at the next fetch.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from .. import __version__
from .addresses import AddressRefused, address_refusal, checked_transport

MAX_REDIRECTS = 5
RETRY_STATUS = (500, 502, 504)
HOST_SILENT_LIMIT = 3  # pages in a row with no answer (after retries): the host's turn ends
MAX_WAIT = 60.0  # a longer Crawl-delay ends the host's turn (one page per run) instead of waiting


class FetchError(Exception):
    """One URL could not be fetched; the message says why in one line."""


class HostBackoff(FetchError):
    """The host asked us to slow down (429/503): stop asking it until the next run."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchSettings:
    """Knobs from the environment."""

    delay: float = 1.0
    timeout: float = 30.0
    max_bytes: int = 50 << 20
    allow_private: bool = False
    retries: int = 2
    user_agent: str = (f"searchapp/{__version__} (self-hosted archive search; "
                       "fetches the sources its administrator added)")

    @classmethod
    def from_env(cls) -> FetchSettings:
        def num(name: str, default: float) -> float:
            try:
                return max(0.0, float(os.environ.get(name) or default))
            except ValueError:
                return default

        return cls(
            delay=num("SEARCHAPP_FETCH_DELAY", 1.0),
            timeout=num("SEARCHAPP_FETCH_TIMEOUT", 30.0) or 30.0,
            max_bytes=int(num("SEARCHAPP_FETCH_MAX_MB", 50) * (1 << 20)),
            allow_private=os.environ.get("SEARCHAPP_FETCH_ALLOW_PRIVATE") == "1",
        )


@dataclass(frozen=True)
class Response:
    """A complete response (2xx, 304, or an error status the caller wants to see)."""

    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class PoliteClient:
    """GET within a set of allowed hosts, politely; one instance per source and run."""

    settings: FetchSettings
    allowed_hosts: set[str]
    requests: int = 0  # sent, robots.txt included (tests count them)
    _robots: dict[str, Protego | None] = field(default_factory=dict)
    _robots_error: dict[str, str] = field(default_factory=dict)  # why robots.txt was not read
    _last: dict[str, float] = field(default_factory=dict)
    _silent: dict[str, int] = field(default_factory=dict)  # requests in a row with no answer
    _backoff: dict[str, str] = field(default_factory=dict)  # hosts whose turn ended, and why
    _pages: dict[str, int] = field(default_factory=dict)  # requests per host, robots.txt aside
    _client: httpx.Client | None = None

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            headers={"User-Agent": self.settings.user_agent},
            timeout=httpx.Timeout(min(self.settings.timeout, 30.0)),
            follow_redirects=False, trust_env=False,
            transport=checked_transport(self.settings.allow_private),  # addresses.py
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def allows(self, url: str) -> bool:
        """robots.txt of the URL's host lets us fetch it."""
        rules = self._robots_of(url)
        return rules is None or bool(rules.can_fetch(url, self.settings.user_agent))

    def sitemaps(self, url: str) -> list[str]:
        """The sitemaps the robots.txt of url's host names (its Sitemap: lines), absolute."""
        rules = self._robots_of(url)
        return [urljoin(url, s) for s in rules.sitemaps] if rules is not None else []

    def get(self, url: str, etag: str = "", last_modified: str = "",
            check_robots: bool = True) -> Response:
        """The response to a GET of url (redirects followed within the allowed hosts)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen: set[str] = set()
        for _ in range(MAX_REDIRECTS + 1):
            self._check(url)
            if check_robots and not self.allows(url):
                host = (urlsplit(url).hostname or "").lower()
                if why := self._robots_error.get(host):
                    raise FetchError(f"{url}: not fetched, {host}'s robots.txt could not be read "
                                     f"({why})")
                raise FetchError(f"{url}: disallowed by robots.txt")
            if url in seen:
                raise FetchError(f"{url}: redirect loop")
            seen.add(url)
            response = self._send(url, headers)
            if response.status in (301, 302, 303, 307, 308):
                target = response.headers.get("location", "")
                if not target:
                    raise FetchError(f"{url}: redirect without a Location")
                try:
                    url = urljoin(url, target)
                except ValueError as exc:
                    raise FetchError(f"{url}: a malformed redirect ({exc})") from exc
                continue
            return response
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    # ------------------------------------------------------------------ internals
    def _check(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:  # a hostile link or Location: "http://[x", "http://h:99999/"
            raise FetchError(f"{url}: not a well-formed URL ({exc})") from exc
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url}: only http and https are fetched")
        host = parts.hostname.lower()
        if host not in self.allowed_hosts:
            raise FetchError(f"{url}: {host} is outside the source's hosts "
                             f"({', '.join(sorted(self.allowed_hosts))})")
        if why := address_refusal(host, port, self.settings.allow_private):
            raise FetchError(f"{url}: {why}")

    def _wait_turn(self, host: str, url: str) -> None:
        rules = self._robots.get(host)
        delay = self.settings.delay
        crawl = rules.crawl_delay(self.settings.user_agent) if rules is not None else None
        if crawl:
            delay = max(delay, float(crawl))
        last = self._last.get(host)
        pages = self._pages.get(host, 0)
        if last is not None and (wait := last + delay - time.monotonic()) > 0:
            if wait > MAX_WAIT:  # Crawl-delay: 3600 must not hold the run for hours
                if pages:  # one page a run (after robots.txt), the next at the next run
                    self._backoff[host] = (f"{host}'s robots.txt asks {delay:.0f} s between "
                                           "requests")
                    raise HostBackoff(f"{url}: not asked, {self._backoff[host]}; the next page "
                                      "is fetched at the next run", None)
                wait = self.settings.delay
            time.sleep(wait)
        if not url.endswith("/robots.txt"):
            self._pages[host] = pages + 1
        self._last[host] = time.monotonic()

    def _send(self, url: str, headers: dict[str, str]) -> Response:
        host = (urlsplit(url).hostname or "").lower()
        if why := self._backoff.get(host):  # the host's turn ended earlier in this run
            raise HostBackoff(f"{url}: not asked, {why}", None)
        for attempt in range(self.settings.retries + 1):
            self._wait_turn(host, url)
            try:
                response = self._stream(url, headers)
            except httpx.InvalidURL as exc:  # a hostile link httpx refuses (a control character)
                raise FetchError(f"{url}: not a well-formed URL ({exc})") from exc
            except AddressRefused as exc:  # the address changed since _check (addresses.py)
                raise FetchError(f"{url}: {exc}") from exc
            except (httpx.TransportError, FetchError) as exc:
                if isinstance(exc, FetchError):
                    raise FetchError(f"{url}: {_reason(exc)}") from exc
                if attempt == self.settings.retries:
                    self._silent[host] = self._silent.get(host, 0) + 1
                    if self._silent[host] >= HOST_SILENT_LIMIT:
                        self._backoff[host] = (f"{host} did not answer {HOST_SILENT_LIMIT} "
                                               "pages in a row")
                        raise HostBackoff(f"{url}: {_reason(exc)}; {self._backoff[host]}, the "
                                          "rest is fetched at the next run", None) from exc
                    raise FetchError(f"{url}: {_reason(exc)}") from exc
                time.sleep(min(8.0, 0.5 * 2 ** attempt))
                continue
            self._silent[host] = 0
            if response.status in RETRY_STATUS and attempt < self.settings.retries:
                time.sleep(min(8.0, 0.5 * 2 ** attempt))
                continue
            if response.status in (429, 503):
                after = _retry_after(response.headers.get("retry-after", ""))
                self._backoff[host] = f"{host} answered {response.status}"
                raise HostBackoff(
                    f"{url}: {response.status} from {host}, backing off"
                    + (f" (Retry-After {after:.0f} s)" if after is not None else "")
                    + "; the rest is fetched at the next run", after)
            return response
        raise FetchError(f"{url}: gave up")  # pragma: no cover - the loop always returns

    def _stream(self, url: str, headers: dict[str, str]) -> Response:
        assert self._client is not None
        deadline = time.monotonic() + self.settings.timeout
        self.requests += 1
        with self._client.stream("GET", url, headers=headers) as r:
            declared = r.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.settings.max_bytes:
                raise FetchError(f"larger than the limit ({int(declared) >> 20} MB > "
                                 f"{self.settings.max_bytes >> 20} MB)")
            chunks: list[bytes] = []
            size = 0
            if r.status_code < 300:
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > self.settings.max_bytes:
                        raise FetchError(f"larger than the limit ({self.settings.max_bytes >> 20} MB)")
                    if time.monotonic() > deadline:
                        raise FetchError(f"not finished within {self.settings.timeout:.0f} s")
                    chunks.append(chunk)
            return Response(str(r.url), r.status_code,
                            {k.lower(): v for k, v in r.headers.items()}, b"".join(chunks))

    def _robots_of(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self._robots:
            return self._robots[host]
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        rules: Protego | None
        try:
            r = self.get(robots_url, check_robots=False)
        except HostBackoff:
            raise
        except FetchError as exc:
            rules = Protego.parse("User-agent: *\nDisallow: /")  # unreachable: ask nothing
            self._robots_error[host] = str(exc).removeprefix(f"{robots_url}: ")
        else:
            if r.status >= 500:
                rules = Protego.parse("User-agent: *\nDisallow: /")
                self._robots_error[host] = f"HTTP {r.status}"
            elif r.status >= 400:
                rules = None  # no robots.txt: everything allowed
            else:
                rules = Protego.parse(r.body.decode("utf-8", "replace"))
        self._robots[host] = rules
        return rules


def _retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect (the site is down or unreachable)"
    return str(exc) or type(exc).__name__
