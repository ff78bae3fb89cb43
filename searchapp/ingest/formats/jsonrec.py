"""JSON documents: one object or a list in .json, one object per line in .jsonl/.ndjson
(fields id, title, text, lang, date, url, source). Lines files are streamed record by record."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator
from typing import BinaryIO

from ...analysis.text import nfc, typed_form
from ..dates import find_date, parse_date_value
from ..records import Document, LoadReport, Skipped, content_hash, too_large
from ..safety import clean_text
from ..titles import clip, guess_title

# (line number, the record or the reason it is broken, the record's own text: its line in a
# JSON lines file, "" for an item of a .json array)
Record = tuple[int, "dict[str, object] | str", str]


# json.loads without its Python layers (decode, raw_decode and two whitespace regexes: ~40 % of
# its time on a sentence record): the C scanner json.loads itself runs, on a line that is one
# value from its first character to its last. Anything else (spaces around the value, extra
# data, an error) goes to json.loads, which gives what it always gave.
_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loads(line: str) -> object:
    """json.loads(line)."""
    try:
        item, end = _scan_once(line, 0)
    except (StopIteration, ValueError, RecursionError):
        return json.loads(line)
    return item if end == len(line) else json.loads(line)


def _parse_line(lineno: int, line: str) -> Record:
    try:
        item = _loads(line)
    except json.JSONDecodeError as exc:
        return lineno, f"invalid JSON ({exc.msg})", line
    except RecursionError:
        return lineno, "structure nested too deeply", line
    return lineno, item if isinstance(item, dict) else "not a JSON object", line


def text_lines(text: str) -> Iterator[Record]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield _parse_line(lineno, line)


BLOCK = 1 << 20  # bytes read at a time (whole lines of them)
_BOM = b"\xef\xbb\xbf"


def _stream_lines(f: BinaryIO, max_bytes: int) -> Iterator[Record]:
    """The records of a UTF-8 JSON lines file, read a block of whole lines at a time.

    Each block is split with str.splitlines (which also breaks at CR, NEL, LS, PS, ...), so
    records and line numbers are the same as those of a whole-file read. The lines of a block
    that is not valid UTF-8, a line longer than a block and every line under a limit smaller
    than a block are read one at a time (_line_records: a bad line is reported alone, a
    too-large record skipped unread). Reading and decoding one line at a time cost ~1.5 µs a
    record."""
    lineno = 0
    at_start = True
    while True:
        block = f.read(BLOCK) if max_bytes >= BLOCK else b""
        end = block.rfind(b"\n") + 1
        if not block or not end and len(block) == BLOCK:
            f.seek(-len(block), 1)  # one line: a long one, or all of them under a small limit
            raw = f.readline(max_bytes + 3)  # max_bytes plus CR LF (and a BOM)
            if not raw:
                return
            if at_start:
                raw, at_start = raw.removeprefix(_BOM), False
            lineno = yield from _line_records(f, raw, lineno, max_bytes)
            continue
        if not end:
            end = len(block)  # the file's last line, without a newline
        elif end < len(block):
            f.seek(end - len(block), 1)  # an unfinished line: read with the next block
        data = block[:end]
        if at_start:
            data, at_start = data.removeprefix(_BOM), False
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            start = 0
            while start < len(data):  # each line as the file has it (bytes.splitlines cuts at CR)
                stop = data.find(b"\n", start) + 1 or len(data)
                lineno = yield from _line_records(f, data[start:stop], lineno, max_bytes)
                start = stop
            continue
        for line in text.splitlines():
            lineno += 1
            if line.strip():
                yield _parse_line(lineno, line)


def _line_records(f: BinaryIO, raw: bytes, lineno: int, max_bytes: int
                  ) -> Generator[Record, None, int]:
    """The records of one line of the file (raw, read up to max_bytes + 3 bytes: the rest
    of a longer one is skipped unread); returns the number of the last line read."""
    if len(raw.rstrip(b"\r\n")) > max_bytes:
        size = len(raw)
        while raw and not raw.endswith(b"\n"):  # skip the rest of the record unread
            raw = f.readline(1 << 20)
            size += len(raw)
        yield lineno + 1, str(too_large(size, max_bytes, "record of ")), ""
        return lineno + 1
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        lines = raw.decode("utf-8", "replace").splitlines()
        yield lineno + 1, f"not valid UTF-8 (byte {exc.start} of the line)", ""
        return lineno + max(len(lines), 1)
    for line in text.splitlines():
        lineno += 1
        if line.strip():
            yield _parse_line(lineno, line)
    return lineno


def load_json_lines(
    f: BinaryIO, rel: str, source: str, report: LoadReport, max_bytes: int
) -> Iterator[Document]:
    yield from load_json(rel, _stream_lines(f, max_bytes), source, report)


def load_json(
    rel: str, records: Iterable[Record], source: str, report: LoadReport
) -> Iterator[Document]:
    """The Documents of JSON records, every text field NFC and valid UTF-8 (a lone surrogate
    can only come from a \\u escape: a line without one is not scanned for them)."""
    for lineno, item, raw in records:
        if isinstance(item, str):
            report.skipped.append(Skipped(f"{rel}:{lineno}", item))
            continue
        text = _str if raw and "\\u" not in raw else _clean_str
        body = text(item.get("text") or item.get("body") or item.get("content"))
        body = typed_form(body)  # as tidy() does for the other readers
        title = text(item.get("title"))
        if not body.strip() and not title.strip():
            report.skipped.append(Skipped(f"{rel}:{lineno}", "record has no text"))
            continue
        doc_id = text(item.get("id")) or f"{rel}#{lineno}"
        report.documents += 1
        yield Document(
            id=doc_id,
            title=clip(title) if title.strip() else guess_title(body, doc_id),
            title_given=bool(title.strip()),
            body=body,
            lang=text(item.get("lang")),
            date=parse_date_value(item.get("date")) or find_date(body),
            source=text(item.get("source")) or source,
            url=text(item.get("url")),
            format="json",
            # the record as written (re-serialising it to hash cost 0.9 s per 35k articles)
            hash=content_hash(raw or json.dumps(item, sort_keys=True, ensure_ascii=False)),
        )


def json_records(text: str, suffix: str) -> Iterator[Record]:
    """(item number, record) pairs of a .json file; a str record is the error for a bad item."""
    data = json.loads(text)
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items, 1):
        yield i, item if isinstance(item, dict) else f"item {i} is not an object", ""


def _str(value: object) -> str:
    return "" if value is None else nfc(str(value))


def _clean_str(value: object) -> str:
    return clean_text(_str(value))
