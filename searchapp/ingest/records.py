"""The records of the ingest stage: a Document, a skipped file and why, a loading report."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}  # read one record at a time; the size limit is per record
# The readers of ingest/formats/ (dispatch.py); images only when OCR is on (SEARCHAPP_OCR=1).
DOCUMENT_SUFFIXES = {
    ".pdf", ".docx", ".pptx", ".xlsx", ".xlsm", ".odt", ".ods", ".odp", ".rtf", ".epub", ".eml",
    ".mbox",
}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | DOCUMENT_SUFFIXES


def supported_suffixes() -> set[str]:
    """The suffixes indexed now: every reader's, and images when OCR is on."""
    ocr = os.environ.get("SEARCHAPP_OCR", "") in ("1", "true", "yes")
    return SUPPORTED_SUFFIXES | IMAGE_SUFFIXES if ocr else SUPPORTED_SUFFIXES
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # per file; per record for JSON lines


@dataclass(frozen=True)
class Document:
    """One searchable document."""

    id: str
    title: str
    body: str
    lang: str = ""  # ISO 639-1, '' = detect
    date: date | None = None
    source: str = ""
    url: str = ""
    hash: str = ""
    title_given: bool = True  # False: the title was made from the text; not indexed again
    format: str = ""  # pdf, docx, odt, rtf, pptx, xlsx, ods, epub, eml, mbox, html, txt, md, json…
    pages: tuple[int, ...] = ()  # paged formats: char offset in body where each page starts
    author: str = ""
    parent: str = ""  # an e-mail attachment: the subject of its message
    tags: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()  # furniture lines taken out of the body (shown dimmed)

    def __post_init__(self) -> None:
        """Control characters in a title (a PDF's broken metadata, ANSI colours in a text's
        first line) showed as empty boxes in every list: each run becomes one space."""
        if self.title and _CONTROL.search(self.title):  # most records come without a title
            title = " ".join(_CONTROL.sub(" ", self.title).split())
            object.__setattr__(self, "title", title)


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """text with every control character written as an escape (\\xNN, \\uNNNN): a name or a
    request shown in a log or a terminal stays on its line and cannot send escape sequences."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100
                        else f"\\u{ord(m[0]):04x}", text)


@dataclass(frozen=True)
class Skipped:
    """A file (or record) that was not indexed, and why."""

    path: str
    reason: str

    def line(self) -> str:
        """This skip as one line of a summary (control characters in a name escaped)."""
        return f"  skipped {escape_controls(self.path)}: {escape_controls(self.reason)}"


@dataclass
class LoadReport:
    """What a loading run saw: counts and every skip with its reason."""

    files_seen: int = 0
    documents: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # the walk's view of each file it yields (opened.Walked), checked again when it is opened
    walked: dict[str, Any] = field(default_factory=dict)
    # what was read of each file (opened.Seen): its manifest entry records that, not a later stat
    read: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"indexed {self.documents} documents, skipped {len(self.skipped)}"]
        lines += [s.line() for s in self.skipped]
        return "\n".join(lines)


class SkipFile(Exception):
    """Raised inside loaders: the file is reported and skipped."""


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def too_large(size: int, max_bytes: int, what: str = "") -> SkipFile:
    return SkipFile(f"too large ({what}{size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB)")
