"""The index root on disk: versioned directories, the CURRENT pointer and the writer lock.

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
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

COMPLETE_MARKER = "COMPLETE"
# What marks a version directory as built: tantivy's own meta.json, or the OpenSearch backend's
# note of its physical index (the documents then live in the cluster).
BUILT_MARKERS = ("meta.json", "opensearch.json")


def is_built(path: Path) -> bool:
    """True when path is a version directory a backend has written."""
    return any((path / m).exists() for m in BUILT_MARKERS)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VersionHooks:
    """What a backend keeping its own pointer does when versions change (registered by
    searchapp.backends when it is imported; the layout never imports a backend)."""

    activate: Callable[[Path, str], None]  # (index root, version): serve it, before CURRENT moves
    discard: Callable[[Path, list[str]], None]  # (index root, versions): drop what they kept


_NO_HOOKS = VersionHooks(lambda root, version: None, lambda root, versions: None)
_hooks: list[VersionHooks] = [_NO_HOOKS]


def register_version_hooks(hooks: VersionHooks) -> None:
    """Make hooks the ones run when a version is activated or versions are removed."""
    _hooks[0] = hooks


def activate(root: Path, version: str) -> None:
    """Tell the backend that version serves from now on (OpenSearch: move its alias)."""
    _hooks[0].activate(root, version)


def discard(root: Path, versions: list[str]) -> None:
    """Tell the backend that versions are gone (OpenSearch: delete their physical indexes)."""
    if versions:
        _hooks[0].discard(root, versions)


class IndexBusy(RuntimeError):
    """Another process or thread is writing the index."""


class IndexMissing(RuntimeError):
    """There is no index at the given place yet."""


class NoPreviousVersion(RuntimeError):
    """There is no complete version older than the serving one to roll back to."""


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
        return name if name and is_built(self.versions / name) else None

    def named_version(self) -> str | None:
        """What CURRENT says, whether or not that version is there (None: no CURRENT)."""
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return name if name and "/" not in name and name not in (".", "..") else None

    def complete_versions(self) -> list[str]:
        """Versions a build finished (COMPLETE marker and meta.json), oldest first."""
        return [n for n in self.list_versions() if (self.versions / n / COMPLETE_MARKER).exists()
                and (self.versions / n / "meta.json").exists()]

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

    def clone_version(self, name: str) -> Path | None:
        """A new version directory holding the same index as `name`, to update without touching
        it (it stays a rollback target); None for a version whose documents live elsewhere
        (OpenSearch), which is updated in place.

        Segment files are immutable once written, so they are hard links (copies where links
        are refused); the small files a writer rewrites are copied; lock files are left out."""
        source = self.versions / name
        if not (source / "meta.json").exists():
            return None
        target = self.new_version_dir()
        for entry in os.scandir(source):
            if not entry.is_file(follow_symlinks=False) or entry.name.endswith(".lock") \
                    or entry.name == COMPLETE_MARKER or entry.name.endswith(".tmp"):
                continue
            dest = target / entry.name
            if entry.name.endswith(".json"):
                shutil.copy2(entry.path, dest)
                continue
            try:
                os.link(entry.path, dest)
            except OSError:
                shutil.copy2(entry.path, dest)
        return target

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
                 and is_built(self.versions / n)]
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
        discard(self.root, removed)  # OpenSearch: their physical indexes
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
        activate(layout.root, target)  # OpenSearch: the alias moves back first
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
    except OSError as exc:  # a read-only index folder still serves; there is nothing to clean
        log.warning("index folder %s is not writable (%s): serving read-only",
                    layout.root, exc.strerror or exc)
        return []
    try:
        return layout.prune(keep_previous)
    finally:
        os.close(fd)


def resolve(root: Path) -> Path:
    """The tantivy directory to search under root: CURRENT's version, or root itself."""
    if is_built(root):
        return root
    return IndexLayout(root).current_path()
