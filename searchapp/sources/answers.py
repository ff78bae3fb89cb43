"""What an answer is: the type of file it carries (by its first bytes before its headers), and
whether it stands for a page the site removed (sent to the home page) or emptied (no text where
the saved copy had some) rather than a new version of it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from .discover import text_size
from .http import Response

MIN_PAGE_TEXT = 20  # characters (spaces left out): less, and a page that had text is kept
TYPES = {
    "text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
    "text/plain": ".txt", "text/markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt", "application/epub+zip": ".epub",
    "application/rtf": ".rtf", "text/rtf": ".rtf",
}


def kind_of(r: Response) -> str:
    """The response's media type, lower case, without parameters."""
    return r.headers.get("content-type", "").split(";")[0].strip().lower()


def suffix_of(r: Response, kind: str) -> str:
    """The saved file's suffix: a PDF or RTF by its first bytes (servers send them as
    octet-stream, force-download, even text/html), else by the declared type, the
    Content-Disposition file name or the URL's path."""
    if r.body.startswith(b"%PDF-"):
        return ".pdf"
    if r.body.startswith(b"{\\rtf"):
        return ".rtf"
    if kind in TYPES:
        return TYPES[kind]
    named = re.search(r"""filename\*?=(?:[\w-]+'[\w-]*')?["']?([^"';]+)""",
                      r.headers.get("content-disposition", ""))
    if named and Path(named.group(1).strip()).suffix.lower() in TYPES.values():
        return Path(named.group(1).strip()).suffix.lower()
    return Path(urlsplit(r.url).path).suffix.lower()


def emptied(r: Response, old: Path) -> bool:
    """The answer is empty, or a page with no text (a script shell, a blank template) where
    the copy saved before had text: replacing it would drop the document from the archive."""
    if not r.body.strip():
        return True
    if old.suffix != ".html" or not r.body.lstrip()[:1] == b"<" or r.body.startswith(b"%PDF-"):
        return False
    if text_size(r.body) >= MIN_PAGE_TEXT:
        return False
    saved = _read(old)
    return saved is not None and text_size(saved) >= MIN_PAGE_TEXT


def sent_home(url: str, final: str, start: str) -> bool:
    """A page redirected to its site's home page or to the source's start page: how many sites
    answer for an article they removed (saving the home page in its place would lose it)."""
    if final == url or url == start:
        return False
    if final == start:
        return True
    path = urlsplit(url).path.strip("/")
    if urlsplit(final).path.strip("/") or not path:
        return False
    # "/index.html", "/home", "/vi" sent to "/" are the home page itself, not a removed page
    homeish = "/" not in path and (len(path) <= 5 or path.lower().startswith(
        ("index", "default", "home", "trang-chu")))
    return not homeish or bool(urlsplit(url).query)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
