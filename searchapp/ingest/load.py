"""One file -> its Documents, by format; every problem becomes a Skipped entry, never an error.

JSON dumps are streamed record by record (formats/jsonrec.py). Every other file goes to the
reader of its suffix in formats/ (dispatch.py; images to OCR when it is on), bounded by Limits
(size, pages, characters, unzipped bytes, seconds), and each Extracted becomes one Document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from ..analysis.text import nfc
from .dates import find_date
from .extracted import Extracted, Limits
from .extracted import SkipFile as ReaderSkip
from .formats.jsonrec import json_records, load_json, load_json_lines, text_lines
from .formats.text import decode
from .formats.webpage import check_nesting
from .isolate import read_here, read_isolated
from .records import (
    DEFAULT_MAX_BYTES,
    HTML_SUFFIXES,
    IMAGE_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    Document,
    LoadReport,
    SkipFile,
    Skipped,
    content_hash,
    too_large,
)
from .saved import read_note
from .titles import clip, guess_title


def _mtime_date(path: Path) -> date:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def load_file(
    path: Path, rel: str, source: str, report: LoadReport, max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
) -> Iterator[Document]:
    """Documents in one file; problems are added to report.skipped, never raised.

    JSON lines files are streamed record by record (a dump of any size is fine; max_bytes then
    limits each record). Other files are read whole and limited to max_bytes."""
    try:
        size = path.stat().st_size
        suffix = path.suffix.lower()
        if size == 0:
            raise SkipFile("empty file")
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as f:
                head = f.read(8192)
                if not head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
                    if b"\x00" in head:
                        raise SkipFile("binary file (contains NUL bytes)")
                    f.seek(0)
                    yield from load_json_lines(f, rel, source, report, max_bytes)
                    return
            # UTF-16/32 JSON lines (rare): decoded whole, as any other file
        if suffix in JSON_SUFFIXES:
            if size > max_bytes:
                raise too_large(size, max_bytes)
            # Not normalised as a whole: every field is (a whole-file NFC pass costs more than the
            # parsing). The records of a .jsonl file are the lines of the text, as below.
            text = decode(path.read_bytes())
            records = json_records(text, suffix) if suffix == ".json" else text_lines(text)
            yield from load_json(rel, records, source, report)
            return
        limits = limits or Limits.from_env(max_bytes=max_bytes)
        docs = _read_document_file(path, rel, source, limits)
        report.documents += len(docs)
        yield from docs
    except (SkipFile, ReaderSkip) as exc:
        report.skipped.append(Skipped(rel, str(exc)))
    except json.JSONDecodeError as exc:
        report.skipped.append(Skipped(rel, f"invalid JSON ({exc.msg} at line {exc.lineno})"))
    except RecursionError:
        report.skipped.append(Skipped(rel, "structure nested too deeply"))
    except OSError as exc:
        report.skipped.append(Skipped(rel, f"unreadable ({exc.strerror or exc})"))


def _read_document_file(path: Path, rel: str, source: str, limits: Limits) -> list[Document]:
    """Every document of one non-JSON file, read whole through its format reader."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES and not limits.ocr:
        raise SkipFile("image file (OCR is off: set SEARCHAPP_OCR=1)")
    if suffix not in SUPPORTED_SUFFIXES | IMAGE_SUFFIXES:
        raise SkipFile(f"unsupported file type {suffix!r}")
    before = path.stat()
    if before.st_size > limits.max_bytes:
        raise too_large(before.st_size, limits.max_bytes)
    data = path.read_bytes()
    if suffix in HTML_SUFFIXES:  # refused before a reader process is even asked
        check_nesting(data.decode("utf-8", "replace"))
    if suffix in TEXT_SUFFIXES:  # linear-time decoding: read here
        items = read_here(data, path.name, limits)
    else:  # parsers in C libraries: a child process bounded in time and memory (isolate.py)
        items = read_isolated(data, path.name, limits)
    after = path.stat()
    if (after.st_mtime_ns, after.st_size) != (before.st_mtime_ns, before.st_size) or len(
        data
    ) != before.st_size:
        raise SkipFile("file changed while it was read (it is read again at the next update)")
    digest = content_hash(data)
    saved = read_note(path)  # a page fetched from the web: its address and HTTP date
    fallback = (saved.modified_date() if saved else None) or _mtime_date(path)
    docs = [to_document(ex, rel, source, digest, fallback) for ex in items if ex.body.strip()]
    if not docs:
        raise SkipFile("no text")
    if saved is not None and saved.url:
        docs = [replace(d, url=saved.url) for d in docs]  # the page's address, not its canonical
    return docs


def to_document(ex: Extracted, rel: str, source: str, digest: str, fallback: date) -> Document:
    """One Extracted -> one Document: id rel (rel#part inside a container), NFC text, the title
    from the document (else its first meaningful line), the date from its metadata (else a
    date in the text, else the file's mtime)."""
    body = nfc(ex.body)
    stem = Path(ex.part or rel).stem
    title = nfc(ex.title.strip())
    given = bool(title)
    if not given:
        title = guess_title(body, stem)
    return Document(
        id=f"{rel}#{ex.part}" if ex.part else rel,
        title=clip(title),
        title_given=given,
        body=body,
        lang=ex.lang,
        date=ex.date or find_date(body[:5000]) or fallback,
        source=source,
        url=ex.url,
        hash=content_hash(digest + ex.part) if ex.part else digest,
        format=ex.format,
        pages=tuple(ex.pages),
        author=nfc(ex.author),
        parent=nfc(ex.parent),
        tags=tuple(nfc(t) for t in ex.tags),
        boilerplate=tuple(ex.boilerplate),
    )
