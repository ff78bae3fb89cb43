"""The records of the ingest stage: a Document, a skipped file and why, a loading report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}  # read one record at a time; the size limit is per record
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
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


@dataclass(frozen=True)
class Skipped:
    """A file (or record) that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class LoadReport:
    """What a loading run saw: counts and every skip with its reason."""

    files_seen: int = 0
    documents: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"indexed {self.documents} documents, skipped {len(self.skipped)}"]
        lines += [f"  skipped {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


class SkipFile(Exception):
    """Raised inside loaders: the file is reported and skipped."""


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def too_large(size: int, max_bytes: int, what: str = "") -> SkipFile:
    return SkipFile(f"too large ({what}{size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB)")
