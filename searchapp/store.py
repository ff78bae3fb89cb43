"""The index on disk: schema, versioned directories, the CURRENT pointer and the writer lock.

    index/
      versions/20261123T101500123456Z/   one complete tantivy index per full build
      CURRENT                            name of the serving version, replaced with os.replace
      writer.lock                        flock held by whoever writes (CLI or server)
      job.json, history.jsonl            the running/last job and every run (see jobs.py)

A build writes into a new version directory and only then points CURRENT at it, so searches
never see a half-built index; readers notice the change and re-open (an open tantivy Index never
follows a pointer). A directory CURRENT never named is a dead build and is removed by the next one.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import tantivy

from .analysis import CJK, EXACT, EXACT_PLAIN, FOLD, SEG, register_all, stem_analyzer_name
from .language import STEMMERS

TEXT_FIELDS = ("title", "body")
COMPLETE_MARKER = "COMPLETE"


class IndexBusy(RuntimeError):
    """Another process or thread is writing the index."""


class IndexMissing(RuntimeError):
    """There is no index at the given place yet."""


class NoPreviousVersion(RuntimeError):
    """There is no complete version older than the serving one to roll back to."""


def stem_field(base: str, lang: str) -> str:
    return f"{base}_stem_{lang}"


PLAIN_FIELD = "body_plain"
PLAIN_SOURCE = "body_plain_text"


def exact_fields(base: str, schema_has_plain: bool = True) -> tuple[str, ...]:
    """The fields holding base's exact words: body's are in body or body_plain."""
    return (base, PLAIN_FIELD) if base == "body" and schema_has_plain else (base,)


def exact_field_of(doc: tantivy.Document, base: str) -> str:
    """The field that holds a stored document's exact words of base (title, body or body_plain)."""
    return PLAIN_FIELD if base == "body" and doc.get_first(PLAIN_SOURCE) else base


def stored_text(doc: tantivy.Document, base: str) -> str:
    """The stored title or body of a document, wherever the indexer put it."""
    text = doc.get_first(base)
    if text:
        return text  # type: ignore[no-any-return]
    if base == "body" and (raw := doc.get_first(PLAIN_SOURCE)):
        return bytes(raw).decode("utf-8")
    return ""


def has_field(schema: tantivy.Schema, name: str) -> bool:
    """True when schema has a field of that name (an index built before it was added has not)."""
    try:
        tantivy.Query.term_query(schema, name, "")
    except ValueError:
        return False
    return True


def build_schema() -> tantivy.Schema:
    """The schema: stored originals, and one indexed field per analyzer family."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for base in TEXT_FIELDS:
        sb.add_text_field(base, stored=True, tokenizer_name=EXACT)
        sb.add_text_field(f"{base}_fold", tokenizer_name=FOLD)
        sb.add_text_field(f"{base}_cjk", tokenizer_name=CJK)
        sb.add_text_field(f"{base}_seg", tokenizer_name=SEG)
        for lang in STEMMERS:
            sb.add_text_field(stem_field(base, lang), tokenizer_name=stem_analyzer_name(lang))
    # A body in Latin script only (analysis.is_plain): its exact words, cut by the faster
    # tokenizer, and the text itself stored as UTF-8 bytes (a text field would also index it).
    sb.add_text_field(PLAIN_FIELD, tokenizer_name=EXACT_PLAIN)
    sb.add_bytes_field(PLAIN_SOURCE, stored=True, indexed=False)
    sb.add_text_field("lang", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("source", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("hash", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    sb.add_integer_field("year", stored=False, indexed=True, fast=True)
    return sb.build()


@dataclass(frozen=True)
class IndexLayout:
    """Paths inside an index root directory."""

    root: Path

    @property
    def versions(self) -> Path:
        return self.root / "versions"

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    @property
    def lock_file(self) -> Path:
        return self.root / "writer.lock"

    def current_version(self) -> str | None:
        """Name of the serving version, or None when nothing was built yet."""
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.versions / name / "meta.json").exists() else None

    def current_path(self) -> Path:
        name = self.current_version()
        if name is None:
            raise IndexMissing(f"no index in {self.root}: run `searchapp index` first")
        return self.versions / name

    def current_stamp(self) -> tuple[int, int] | None:
        """A cheap change detector for CURRENT (mtime_ns, inode)."""
        try:
            st = self.current_file.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    def new_version_dir(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.versions / stamp
        path.mkdir(parents=True, exist_ok=False)
        return path

    def switch_to(self, version_dir: Path) -> None:
        """Point CURRENT at a finished version atomically."""
        (version_dir / COMPLETE_MARKER).write_text(datetime.now(UTC).isoformat(), encoding="utf-8")
        self._write_current(version_dir.name)

    def publish(self) -> None:
        """Rewrite CURRENT unchanged so every reader re-opens the (updated in place) version."""
        name = self.current_version()
        if name is not None:
            self._write_current(name)

    def _write_current(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(name + "\n", encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.current_file)

    def previous_version(self) -> str | None:
        """The newest complete version older than the serving one (the rollback target)."""
        current = self.current_version()
        older = [n for n in self.list_versions() if (current is None or n < current)
                 and (self.versions / n / COMPLETE_MARKER).exists()
                 and (self.versions / n / "meta.json").exists()]
        return older[-1] if older else None

    def list_versions(self) -> list[str]:
        if not self.versions.exists():
            return []
        return sorted(p.name for p in self.versions.iterdir() if p.is_dir())

    def prune(self, keep_previous: int = 2) -> list[str]:
        """Remove dead builds and all but `keep_previous` complete older versions.

        Call only while holding the writer lock: a running build's directory has no COMPLETE
        marker yet and would be taken for a dead one."""
        current = self.current_version()
        removed = []
        complete_older = []
        for name in self.list_versions():
            if name == current:
                continue
            path = self.versions / name
            if (path / COMPLETE_MARKER).exists():
                complete_older.append(name)
            else:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(name)
        for name in sorted(complete_older)[: max(0, len(complete_older) - keep_previous)]:
            shutil.rmtree(self.versions / name, ignore_errors=True)
            removed.append(name)
        return removed


def acquire_lock(layout: IndexLayout, wait: float = 0.0) -> int:
    """Take the writer lock and return the file descriptor holding it; raise IndexBusy.

    `wait` seconds of retrying absorb the instant a server probes the lock at start-up.
    The lock lives as long as the descriptor (and any inherited copy) stays open, so a child
    process given the descriptor keeps holding it after the parent closed its own."""
    layout.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(layout.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            if time.monotonic() >= deadline:
                os.close(fd)
                raise IndexBusy(
                    f"another indexing run holds {layout.lock_file}; wait for it to finish"
                ) from exc
            time.sleep(0.05)
    _note_holder(fd)
    return fd


def adopt_lock(layout: IndexLayout, fd: int) -> int:
    """Check that an inherited descriptor holds this index's writer lock; return it."""
    if os.fstat(fd).st_ino != os.stat(layout.lock_file).st_ino:
        raise IndexBusy(f"descriptor {fd} is not {layout.lock_file}")
    try:  # flock on the same open file description we already hold succeeds at once
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        raise IndexBusy(f"descriptor {fd} does not hold {layout.lock_file}") from exc
    _note_holder(fd)
    return fd


def _note_holder(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


@contextmanager
def writer_lock(layout: IndexLayout, wait: float = 0.0, fd: int | None = None) -> Iterator[None]:
    """Hold the index's writer lock (across processes); raise IndexBusy when it is taken.

    With `fd`, adopt a lock inherited from the process that started this one."""
    held = acquire_lock(layout, wait) if fd is None else adopt_lock(layout, fd)
    try:
        yield
    finally:
        os.close(held)  # closing the last descriptor releases the flock


def rollback(layout: IndexLayout) -> str:
    """Point CURRENT at the previous complete version (under the writer lock); return its name."""
    with writer_lock(layout, wait=0.5):
        target = layout.previous_version()
        if target is None:
            raise NoPreviousVersion("there is no complete older version to roll back to")
        layout.switch_to(layout.versions / target)
        return target


def cleanup_dead_builds(layout: IndexLayout, keep_previous: int = 2) -> list[str]:
    """Remove half-built versions left by a crash, if nobody is building right now."""
    if not layout.versions.exists():
        return []
    try:
        fd = acquire_lock(layout)
    except IndexBusy:
        return []  # a running build owns the newest directory: leave everything alone
    try:
        return layout.prune(keep_previous)
    finally:
        os.close(fd)


def create_index(path: Path) -> tantivy.Index:
    """Create a new, empty index at path with analyzers registered."""
    index = tantivy.Index(build_schema(), path=str(path), reuse=False)
    register_all(index)
    return index


def open_index(path: Path) -> tantivy.Index:
    """Open an index directory (a version) and register the analyzers."""
    index = tantivy.Index.open(str(path))
    register_all(index)
    return index


def resolve(root: Path) -> Path:
    """The tantivy directory to search under root: CURRENT's version, or root itself."""
    if (root / "meta.json").exists():
        return root
    return IndexLayout(root).current_path()
