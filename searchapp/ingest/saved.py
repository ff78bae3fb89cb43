"""What is known of a file saved from the web: its address, when and how it was fetched.

The web-sources stage (searchapp/sources/) saves each fetched page's exact bytes as an ordinary
file (so a reindex never fetches again) and this note beside it, as a hidden file the folder
walk passes over: `.<name>.fetch.json`. The loader gives the page its URL; when the page says
nothing of its date, the date its sitemap or feed gave, else the server's Last-Modified date;
and when the page does not say its charset, the one the server's Content-Type gave.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

SUFFIX = ".fetch.json"


@dataclass(frozen=True)
class SavedPage:
    """The note kept beside one saved page."""

    url: str  # the address the bytes came from (after redirects)
    fetched: str  # ISO time of the last fetch that returned the bytes
    checked: str = ""  # ISO time of the last request (a 304 or an error updates only this)
    etag: str = ""
    last_modified: str = ""  # the server's Last-Modified header, as sent
    content_type: str = ""
    gone: str = ""  # "404 since 2026-12-06": the page was removed on the site (kept here)
    source: str = ""  # the source (sitemap, feed, list or site URL) that listed it
    charset: str = ""  # the charset of the server's Content-Type header, if it gave one
    listed: str = ""  # the date the source gave the page (sitemap lastmod, feed date), ISO

    def modified_date(self) -> date | None:
        """The Last-Modified header as a date, None when absent or unreadable."""
        if not self.last_modified:
            return None
        try:
            return parsedate_to_datetime(self.last_modified).date()
        except (TypeError, ValueError, IndexError):
            return None

    def listed_date(self) -> date | None:
        """The date the sitemap or feed gave the page (in its own time zone), None if none."""
        try:
            return datetime.fromisoformat(self.listed.replace("Z", "+00:00")).date()
        except ValueError:
            return None

    def declared(self, data: bytes) -> bytes:
        """The page's bytes as its reader should see them: with the server's charset put in
        front as a <meta> when the page names none itself and is not UTF-8 (browsers decode
        such a page by the header; a guess may take Slovene cp1250 for another code page)."""
        charset = self.charset
        if (not charset or charset.startswith(("utf-16", "utf-32"))
                or b"charset" in data[:4096].lower()
                or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))):
            return data
        try:
            data.decode("utf-8")
            return data  # UTF-8 (or ASCII): a header saying otherwise is a server default
        except UnicodeDecodeError:
            pass
        try:
            codecs.lookup(charset)
            data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return data
        return b'<meta charset="' + charset.encode("ascii") + b'">' + data


def note_path(path: Path) -> Path:
    """Where the note of a saved file lives (hidden: the walk never indexes it)."""
    return path.with_name(f".{path.name}{SUFFIX}")


def read_note(path: Path) -> SavedPage | None:
    """The note of a saved file, None for a file that was not fetched (or a broken note)."""
    try:
        data = json.loads(note_path(path).read_text(encoding="utf-8"))
        fields = SavedPage.__dataclass_fields__
        return SavedPage(**{k: str(v) for k, v in data.items() if k in fields})
    except (OSError, ValueError, TypeError):
        return None


def write_note(path: Path, note: SavedPage) -> None:
    """Replace the note atomically."""
    target = note_path(path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(note), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def header_charset(content_type: str) -> str:
    """The charset parameter of a Content-Type header ('' when none, or not a plain name)."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        value = value.strip().strip("'\"")
        if key.strip().lower() == "charset" and re.fullmatch(r"[A-Za-z0-9._:-]{1,40}", value):
            return value.lower()
    return ""


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
