"""Files and JSON records -> Document records, with a reason for everything skipped.

Formats: .txt and .md (title = first meaningful line / first heading), .html/.htm (text and
<title> through selectolax's HTML5 parser), .json/.jsonl (fields id, title, text, lang, date,
url, source; a .json file may hold one object or a list).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from .analysis import nfc
from .dates import find_date, parse_date_value

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}  # read one record at a time; the size limit is per record
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # per file; per record for JSON lines
TITLE_MAX = 160


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


def decode(data: bytes) -> str:
    """Bytes -> str: UTF-8 (with or without BOM) or BOM-marked UTF-16/32; else SkipFile."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _decode_as(data, "utf-32")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_as(data, "utf-16")
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid UTF-8 (byte {exc.start})") from exc


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SkipFile(f"not valid {encoding.upper()} (byte {exc.start})") from exc


_NOISE_LINE = re.compile(
    r"^(font size|print|share|email|tweet|menu|home|skip to|cỡ chữ|in bài)\b.{0,20}$", re.I
)
_LEADING_DATE = re.compile(r"^\s*(date\s*:?\s*)?\d{4}-\d{2}-\d{2}\s*", re.I)


def _clip(text: str, limit: int = TITLE_MAX) -> str:
    """text with its whitespace collapsed, cut at a word boundary to at most `limit` characters
    (plus "…"). Only the head is collapsed when it already holds more than `limit` characters."""
    head = " ".join(text[: limit * 4].split())
    text = head if len(head) > limit or len(text) <= limit * 4 else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,;:-") + "…"


def guess_title(text: str, fallback: str) -> str:
    """First meaningful line: not blank, not a widget label such as 'Font size:', not a date."""
    for raw in text.splitlines()[:40]:
        line = raw.strip().lstrip("#").strip()
        if len(line) < 3 or line.endswith(":") or _NOISE_LINE.match(line):
            continue
        if len(line) < 40 and find_date(line):  # a short line that is only a date
            continue
        line = _LEADING_DATE.sub("", line)
        if len(line) >= 3:
            return _clip(line)
    return fallback


MAX_HTML_NESTING = 10_000
_TAG_RE = re.compile(r"<(/?)[A-Za-z]")


def _nesting_run(html: str) -> int:
    """The longest run of opening tags with no closing tag between (a cheap depth bound)."""
    run = best = 0
    for m in _TAG_RE.finditer(html):
        if m.group(1):
            run = 0
        else:
            run += 1
            best = max(best, run)
    return best


def _html_to_text(html: str) -> tuple[str, str]:
    from selectolax.lexbor import LexborHTMLParser  # noqa: PLC0415

    # The parser's time grows with the square of the nesting depth (100k nested <div> take
    # ~40 s): refuse pathological files before parsing.
    if (depth := _nesting_run(html)) > MAX_HTML_NESTING:
        raise SkipFile(f"HTML nested too deeply ({depth} levels; limit {MAX_HTML_NESTING})")
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css("script, style, noscript, template, svg, iframe, object"):
        node.decompose()
    root = tree.body or tree.root
    body = root.text(separator="\n", strip=True) if root is not None else ""
    if not title:
        h1 = tree.css_first("h1")
        title = h1.text(strip=True) if h1 else ""
    return " ".join(title.split()), body


def _file_date(path: Path, text: str) -> date:
    found = find_date(text)
    if found:
        return found
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def _json_records(text: str, suffix: str) -> Iterator[Record]:
    """(item number, record) pairs of a .json file; a str record is the error for a bad item."""
    data = json.loads(text)
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items, 1):
        yield i, item if isinstance(item, dict) else f"item {i} is not an object", ""


def _str(value: object) -> str:
    return "" if value is None else nfc(str(value))


def _too_large(size: int, max_bytes: int, what: str = "") -> SkipFile:
    return SkipFile(f"too large ({what}{size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB)")


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
                    yield from _load_json_lines(f, rel, source, report, max_bytes)
                    return
            # UTF-16/32 JSON lines (rare): decoded whole, as any other file
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        data = path.read_bytes()
        if suffix in JSON_SUFFIXES:
            # Not normalised as a whole: every field is (a whole-file NFC pass costs more than the
            # parsing). The records of a .jsonl file are the lines of the text, as below.
            text = decode(data)
            records = _json_records(text, suffix) if suffix == ".json" else _text_lines(text)
            yield from _load_json(rel, records, source, report)
            return
        text = nfc(decode(data))
        if suffix in HTML_SUFFIXES:
            title, body = _html_to_text(text)
            title = title or guess_title(body, path.stem)
        else:
            body = text
            title = guess_title(body, path.stem)
        if not body.strip():
            raise SkipFile("no text")
        report.documents += 1
        yield Document(
            id=rel,
            title=_clip(title),
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


# (line number, the record or the reason it is broken, the record's own text: its line in a
# JSON lines file, "" for an item of a .json array)
Record = tuple[int, "dict[str, object] | str", str]


def _parse_line(lineno: int, line: str) -> Record:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return lineno, f"invalid JSON ({exc.msg})", line
    except RecursionError:
        return lineno, "structure nested too deeply", line
    return lineno, item if isinstance(item, dict) else "not a JSON object", line


def _text_lines(text: str) -> Iterator[Record]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield _parse_line(lineno, line)


def _stream_lines(f: BinaryIO, max_bytes: int) -> Iterator[Record]:
    """The records of a UTF-8 JSON lines file, read one line at a time.

    Each line is split again with str.splitlines (which also breaks at CR, NEL, LS, PS, ...), so
    records and line numbers are the same as those of a whole-file read."""
    lineno = 0
    first = True
    while True:
        raw = f.readline(max_bytes + 3)  # max_bytes plus CR LF (and a BOM)
        if not raw:
            return
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        if len(raw.rstrip(b"\r\n")) > max_bytes:
            size = len(raw)
            while raw and not raw.endswith(b"\n"):  # skip the rest of the record unread
                raw = f.readline(1 << 20)
                size += len(raw)
            lineno += 1
            yield lineno, str(_too_large(size, max_bytes, "record of ")), ""
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            lineno += 1
            lines = raw.decode("utf-8", "replace").splitlines()
            yield lineno, f"not valid UTF-8 (byte {exc.start} of the line)", ""
            lineno += max(len(lines), 1) - 1
            continue
        for line in text.splitlines():
            lineno += 1
            if line.strip():
                yield _parse_line(lineno, line)


def _load_json_lines(
    f: BinaryIO, rel: str, source: str, report: LoadReport, max_bytes: int
) -> Iterator[Document]:
    yield from _load_json(rel, _stream_lines(f, max_bytes), source, report)


def _load_json(
    rel: str, records: Iterable[Record], source: str, report: LoadReport
) -> Iterator[Document]:
    for lineno, item, raw in records:
        where = f"{rel}:{lineno}"
        if isinstance(item, str):
            report.skipped.append(Skipped(where, item))
            continue
        body = _str(item.get("text") or item.get("body") or item.get("content"))
        title = _str(item.get("title"))
        if not body.strip() and not title.strip():
            report.skipped.append(Skipped(where, "record has no text"))
            continue
        doc_id = _str(item.get("id")) or f"{rel}#{lineno}"
        report.documents += 1
        yield Document(
            id=doc_id,
            title=_clip(title) if title.strip() else guess_title(body, doc_id),
            title_given=bool(title.strip()),
            body=body,
            lang=_str(item.get("lang")),
            date=parse_date_value(item.get("date")) or find_date(body),
            source=_str(item.get("source")) or source,
            url=_str(item.get("url")),
            # the record as written (re-serialising it to hash cost 0.9 s per 35k articles)
            hash=content_hash(raw or json.dumps(item, sort_keys=True, ensure_ascii=False)),
        )


def source_of(rel: str, root_name: str) -> str:
    """Default source: the top folder under the documents root, else the root's own name."""
    parts = Path(rel).parts
    return parts[0] if len(parts) > 1 else root_name


def iter_files(roots: list[Path], report: LoadReport) -> Iterator[tuple[Path, str, str]]:
    """(path, stable relative id, source) for every supported file under roots.

    Hidden files are ignored; symlink loops and unsupported types are reported."""
    for root in roots:
        root = root.absolute()
        if root.is_file():
            report.files_seen += 1
            yield root, root.name, root.parent.name or "files"
            continue
        if not root.is_dir():
            report.skipped.append(Skipped(str(root), "no such file or directory"))
            continue
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=None):
            st = os.stat(dirpath)
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                report.skipped.append(Skipped(os.path.relpath(dirpath, root), "symlink loop"))
                dirnames[:] = []
                continue
            seen_dirs.add(key)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                rel = path.relative_to(root).as_posix()
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    report.skipped.append(Skipped(rel, f"unsupported file type {path.suffix!r}"))
                    continue
                report.files_seen += 1
                yield path, rel, source_of(rel, root.name)


def load_documents(
    roots: list[Path], report: LoadReport, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document]:
    """Every document under roots (files or folders), in a stable order."""
    for path, rel, source in iter_files(roots, report):
        yield from load_file(path, rel, source, report, max_bytes)
