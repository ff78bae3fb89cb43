"""One file -> its Documents, by format; every problem becomes a Skipped entry, never an error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from ..analysis.text import nfc
from .dates import find_date
from .formats.html import html_to_text
from .formats.jsonrec import json_records, load_json, load_json_lines, text_lines
from .formats.text import decode
from .records import (
    DEFAULT_MAX_BYTES,
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    Document,
    LoadReport,
    SkipFile,
    Skipped,
    content_hash,
    too_large,
)
from .titles import clip, guess_title


def _file_date(path: Path, text: str) -> date:
    found = find_date(text)
    if found:
        return found
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def load_file(
    path: Path, rel: str, source: str, report: LoadReport, max_bytes: int = DEFAULT_MAX_BYTES
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
        if size > max_bytes:
            raise too_large(size, max_bytes)
        data = path.read_bytes()
        if suffix in JSON_SUFFIXES:
            # Not normalised as a whole: every field is (a whole-file NFC pass costs more than the
            # parsing). The records of a .jsonl file are the lines of the text, as below.
            text = decode(data)
            records = json_records(text, suffix) if suffix == ".json" else text_lines(text)
            yield from load_json(rel, records, source, report)
            return
        text = nfc(decode(data))
        if suffix in HTML_SUFFIXES:
            title, body = html_to_text(text)
            title = title or guess_title(body, path.stem)
        else:
            body = text
            title = guess_title(body, path.stem)
        if not body.strip():
            raise SkipFile("no text")
        report.documents += 1
        yield Document(
            id=rel,
            title=clip(title),
            body=body,
            date=_file_date(path, body),
            source=source,
            hash=content_hash(data),
        )
    except SkipFile as exc:
        report.skipped.append(Skipped(rel, str(exc)))
    except json.JSONDecodeError as exc:
        report.skipped.append(Skipped(rel, f"invalid JSON ({exc.msg} at line {exc.lineno})"))
    except RecursionError:
        report.skipped.append(Skipped(rel, "structure nested too deeply"))
    except OSError as exc:
        report.skipped.append(Skipped(rel, f"unreadable ({exc.strerror or exc})"))
