"""One file -> its Documents, by format; every problem becomes a Skipped entry, never an error.

JSON dumps are streamed record by record (formats/jsonrec.py). Every other file goes to the
reader of its suffix in formats/ (dispatch.py; images to OCR when it is on), bounded by Limits
(size, pages, characters, unzipped bytes, seconds), and each Extracted becomes one Document.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from ..analysis.text import nfc
from .dates import find_date
from .extracted import Extracted, Limits
from .extracted import SkipFile as ReaderSkip
from .formats.html import check_nesting
from .formats.jsonrec import json_records, load_json, load_json_lines, text_lines
from .formats.text import decode
from .isolate import read_here, read_isolated
from .opened import Seen, Walked, open_walked
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
from .safety import ReadTimeout
from .saved import read_note
from .titles import clip, guess_title

NOT_READ = Seen(0, 0, "")


def _mtime_date(st: os.stat_result) -> date:
    return datetime.fromtimestamp(st.st_mtime, UTC).date()


def _hash_stream(f: BinaryIO) -> str:
    """content_hash of the rest of f, read in chunks; f is put back where it was."""
    at = f.tell()
    h = hashlib.blake2b(digest_size=16)
    while chunk := f.read(1 << 20):
        h.update(chunk)
    f.seek(at)
    return h.hexdigest()


def _unchanged(f: BinaryIO, before: os.stat_result) -> bool:
    after = os.fstat(f.fileno())
    return (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)


def load_file(
    path: Path, rel: str, source: str, report: LoadReport, max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None, walked: Walked | None = None,
) -> Iterator[Document]:
    """Documents in one file; problems are added to report.skipped, never raised.

    The file is opened once (the one the walk checked, when walked is given: opened.py) and
    every read uses that descriptor; report.read[rel] records what was read (opened.Seen).
    JSON lines files are streamed record by record (a dump of any size is fine; max_bytes then
    limits each record). Other files are read whole and limited to max_bytes."""
    report.read[rel] = NOT_READ  # until the file is open: its next update reads it again
    try:
        with open_walked(path, walked) as f:
            before = os.fstat(f.fileno())
            report.read[rel] = Seen(before.st_mtime_ns, before.st_size, "")
            yield from _load_open(f, before, path, rel, source, report, max_bytes, limits)
    except (SkipFile, ReaderSkip) as exc:
        report.skipped.append(Skipped(rel, str(exc)))
    except json.JSONDecodeError as exc:
        report.skipped.append(Skipped(rel, f"invalid JSON ({exc.msg} at line {exc.lineno})"))
    except RecursionError:
        report.skipped.append(Skipped(rel, "structure nested too deeply"))
    except ReadTimeout as exc:  # the step's budget (safety.step_budget), not a broken file
        report.skipped.append(Skipped(rel, exc.strerror or str(exc)))
    except OSError as exc:
        report.skipped.append(Skipped(rel, f"unreadable ({exc.strerror or exc})"))


def _load_open(
    f: BinaryIO, before: os.stat_result, path: Path, rel: str, source: str, report: LoadReport,
    max_bytes: int, limits: Limits | None,
) -> Iterator[Document]:
    """load_file's work on the opened file f (stat before the read: before)."""
    size = before.st_size
    suffix = path.suffix.lower()
    if size == 0:
        raise SkipFile("empty file")
    if suffix in JSONL_SUFFIXES:
        head = f.read(8192)
        if not head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
            if b"\x00" in head:
                raise SkipFile("binary file (contains NUL bytes)")
            f.seek(0)
            digest = _hash_stream(f)  # what is about to be streamed (a dump may be large)
            yield from load_json_lines(f, rel, source, report, max_bytes)
            _record(report, rel, before, digest if _unchanged(f, before) else "")
            return
        f.seek(0)
        # UTF-16/32 JSON lines (rare): decoded whole, as any other file
    if suffix in JSON_SUFFIXES:
        if size > max_bytes:
            raise too_large(size, max_bytes)
        # Not normalised as a whole: every field is (a whole-file NFC pass costs more than the
        # parsing). The records of a .jsonl file are the lines of the text, as below.
        data = f.read(max_bytes + 1)
        _record(report, rel, before, content_hash(data) if _unchanged(f, before) else "")
        text = decode(data)
        records = json_records(text, suffix) if suffix == ".json" else text_lines(text)
        yield from load_json(rel, records, source, report)
        return
    limits = limits or Limits.from_env(max_bytes=max_bytes)
    docs = _read_document_file(f, before, path, rel, source, limits, report)
    report.documents += len(docs)
    yield from docs


def _record(report: LoadReport, rel: str, before: os.stat_result, digest: str) -> None:
    report.read[rel] = Seen(before.st_mtime_ns, before.st_size, digest)


def _read_document_file(
    f: BinaryIO, before: os.stat_result, path: Path, rel: str, source: str, limits: Limits,
    report: LoadReport,
) -> list[Document]:
    """Every document of one non-JSON file, read whole through its format reader."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES and not limits.ocr:
        raise SkipFile("image file (OCR is off: set SEARCHAPP_OCR=1)")
    if suffix not in SUPPORTED_SUFFIXES | IMAGE_SUFFIXES:
        raise SkipFile(f"unsupported file type {suffix!r}")
    if before.st_size > limits.max_bytes:
        raise too_large(before.st_size, limits.max_bytes)
    data = f.read(limits.max_bytes + 1)
    if not _unchanged(f, before) or len(data) != before.st_size:
        raise SkipFile("file changed while it was read (it is read again at the next update)")
    digest = content_hash(data)
    _record(report, rel, before, digest)
    if suffix in HTML_SUFFIXES:  # refused before a reader process is even asked
        check_nesting(data.decode("utf-8", "replace"))
    saved = read_note(path)  # a page fetched from the web: its address, charset and dates
    given = saved.declared(data) if saved is not None and suffix in HTML_SUFFIXES else data
    if suffix in TEXT_SUFFIXES:  # linear-time decoding: read here
        items = read_here(given, path.name, limits)
    else:  # parsers in C libraries: a child process bounded in time and memory (isolate.py)
        items = read_isolated(given, path.name, limits)
    fallback = ((saved.listed_date() or saved.modified_date() if saved else None)
                or _mtime_date(before))
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
