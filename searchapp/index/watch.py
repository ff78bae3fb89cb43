"""A watched documents folder: the index follows saved, changed and removed files within seconds.

One watcher per index (an exclusive lock, watch.lock, in the index root): `searchapp watch`, or
`searchapp serve --watch` / SEARCHAPP_WATCH=1, which starts it as one child process of the
server (not once per gunicorn worker). Changes are noticed by watchdog (inotify) when it is
installed, else by polling the folder's stat snapshot; a burst of changes is batched (the
update starts once the folder has been quiet for QUIET seconds, at most MAX_DELAY after the
first change) into one incremental update (incremental.py): one commit, then the atomic
switch, so searches never fail meanwhile. watch.json holds the watcher's heartbeat for /admin.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .layout import IndexBusy, IndexLayout

log = logging.getLogger(__name__)

STATUS = "watch.json"
LOCK = "watch.lock"
QUIET = 0.4  # seconds without a new change before an update starts
MAX_DELAY = 2.0  # an update starts at most this long after the first change of a burst
POLL = 1.0  # seconds between two stat snapshots (polling mode)
HEARTBEAT = 5.0  # seconds between two writes of watch.json when idle
FRESH = 20.0  # /admin shows watching as on when the heartbeat is younger than this


class AlreadyWatched(RuntimeError):
    """Another process watches this index already."""


def snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    """path -> (mtime_ns, size) of every visible file under roots (polling mode)."""
    out: dict[str, tuple[int, int]] = {}
    for root in roots:
        if root.is_file():
            st = root.stat()
            out[str(root)] = (st.st_mtime_ns, st.st_size)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                if name.startswith("."):
                    continue
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except OSError:
                    continue
                out[os.path.join(dirpath, name)] = (st.st_mtime_ns, st.st_size)
    return out


def indexed_roots(index_root: Path) -> list[Path]:
    """The folders the serving version was built from (its manifest), [] without one."""
    from . import manifest

    name = IndexLayout(index_root).current_version()
    if name is None:
        return []
    roots = manifest.load_meta(IndexLayout(index_root).versions / name).get("roots", [])
    return [Path(r) for r in roots]


def status(index_root: Path) -> dict[str, object] | None:
    """The watcher's status for /admin when one is running (fresh heartbeat), else None."""
    try:
        data = json.loads((Path(index_root) / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or time.time() - float(data.get("heartbeat", 0)) > FRESH:
        return None
    return data


class Watcher:
    """Keeps one index in step with its documents folders until stop is set."""

    def __init__(self, index_root: Path, doc_roots: list[Path],
                 update: Callable[[], object] | None = None, follow: bool = False) -> None:
        self.layout = IndexLayout(Path(index_root).absolute())
        self.roots = [Path(r).absolute() for r in doc_roots]
        # follow: watch whatever folders the serving index is built from, as they change
        # (a rebuild from another folder moves the watch there; the old one is left alone)
        self.follow = follow
        self.update = update or self._update
        self.dirty = threading.Event()
        self.mode = "polling"
        self.updates = 0
        self.last: dict[str, object] = {}
        self._lock_fd: int | None = None

    # ------------------------------------------------------------------ one at a time
    def claim(self) -> None:
        self.layout.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.layout.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyWatched(f"{self.layout.root} is watched by another process") from None
        self._lock_fd = fd

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        (self.layout.root / STATUS).unlink(missing_ok=True)

    # ------------------------------------------------------------------ noticing changes
    def _start_observer(self) -> object | None:
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            return None
        dirty = self.dirty

        class Handler(FileSystemEventHandler):  # type: ignore[misc]
            def on_any_event(self, event: object) -> None:
                if getattr(event, "event_type", "") not in ("opened", "closed_no_write"):
                    dirty.set()

        observer = Observer()
        for root in self.roots:
            target = root.parent if root.is_file() else root
            if target.is_dir():
                observer.schedule(Handler(), str(target), recursive=True)
        observer.daemon = True
        observer.start()
        self.mode = "watchdog"
        return observer

    def _write_status(self) -> None:
        payload = {"pid": os.getpid(), "heartbeat": time.time(), "mode": self.mode,
                   "roots": [str(r) for r in self.roots], "updates": self.updates, **self.last}
        tmp = self.layout.root / f"{STATUS}.{os.getpid()}.tmp"
        try:
            tmp.write_text(json.dumps(payload), encoding="utf-8")
            os.replace(tmp, self.layout.root / STATUS)
        except OSError:
            log.warning("could not write %s", STATUS)

    def _update(self) -> object:
        from .jobs import run_job

        self._follow_index()  # never update from a folder the index no longer holds
        return run_job(self.layout.root, self.roots, kind="incremental", who="watch")

    def _follow_index(self) -> bool:
        """Take the serving index's folders as the ones watched; True when they changed."""
        if not self.follow:
            return False
        roots = [Path(r).absolute() for r in indexed_roots(self.layout.root)]
        if not roots or roots == self.roots:
            return False
        log.info("watch: the index is now built from %s; watching it instead of %s",
                 ", ".join(map(str, roots)), ", ".join(map(str, self.roots)))
        self.roots = roots
        return True

    def _run_update(self) -> bool:
        """One update; False when the index was busy (tried again shortly)."""
        try:
            result = self.update()
        except IndexBusy:
            return False
        except Exception as exc:  # noqa: BLE001 - a failed update must not stop the watcher
            log.warning("watch: update failed: %s", exc)
            self.last = {"last_error": str(exc)[:300], "last_update": time.time()}
            return True
        self.updates += 1
        summary = getattr(result, "summary", None)
        line = summary().splitlines()[0] if callable(summary) else ""
        self.last = {"last_update": time.time(), "last_result": line}
        log.info("watch: %s", line)
        _embed_changes(self.layout.root)
        return True

    # ------------------------------------------------------------------ the loop
    @staticmethod
    def warm_up() -> None:
        """Import every reader and load the language model now, so the first change is applied
        in a fraction of a second rather than after seconds of imports."""
        from ..analysis.language import detect_language
        from ..ingest.formats import dispatch

        dispatch.suffixes()
        try:
            import trafilatura  # noqa: F401 - the HTML reader imports it lazily
        except ImportError:
            pass
        detect_language("A short sentence to load the language identification model.")

    def run(self, stop: threading.Event) -> None:
        """Watch until stop is set; the caller has claimed the index."""
        self.warm_up()
        observer = self._start_observer()
        before = snapshot(self.roots) if observer is None else {}
        self._write_status()
        self.dirty.set()  # catch up with what changed while nobody watched
        beat = time.monotonic()
        first: float | None = None
        last_seen: float = 0.0
        stamp = self.layout.current_stamp()
        watched = list(self.roots)  # the folders the observer (or the snapshot) covers
        while not stop.is_set():
            if self.follow and self.layout.current_stamp() != stamp:
                stamp = self.layout.current_stamp()
                self._follow_index()
            if self.roots != watched:  # the index was rebuilt from other folders
                watched = list(self.roots)
                if observer is not None:
                    observer.stop()  # type: ignore[attr-defined]
                observer = self._start_observer()
                before = snapshot(self.roots) if observer is None else {}
                # a file saved between the switch and the new observer's start raised no
                # event: catch up with the new folders, as at start (an update of unchanged
                # files costs one walk)
                first = None
                self.dirty.set()
                self._write_status()
            if observer is None:
                now_snap = snapshot(self.roots)
                if now_snap != before:
                    before = now_snap
                    self.dirty.set()
            now = time.monotonic()
            if self.dirty.is_set():
                self.dirty.clear()
                first = first or now
                last_seen = now
            if first is not None and (now - last_seen >= QUIET or now - first >= MAX_DELAY):
                if self._run_update():
                    first = None
                self._write_status()
                beat = time.monotonic()
            elif now - beat >= HEARTBEAT:
                self._write_status()
                beat = now
            stop.wait(0.1 if first is not None else (POLL if observer is None else 0.2))
        if observer is not None:
            observer.stop()  # type: ignore[attr-defined]


def watch_forever(index_root: Path, doc_roots: list[Path], parent_pid: int | None = None,
                  follow: bool = False) -> None:
    """`searchapp watch`: claim the index and watch until SIGTERM/SIGINT (or until the server
    that started it, parent_pid, is gone: an orphan must not keep the index claimed).

    `follow`: the folders were not named, so the watch follows the serving index's folders."""
    import signal

    stop = threading.Event()
    watcher = Watcher(index_root, doc_roots, follow=follow)
    watcher.claim()

    def halt(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, halt)
    signal.signal(signal.SIGINT, halt)

    def orphaned() -> None:
        while parent_pid and not stop.wait(2.0):
            if os.getppid() != parent_pid:
                stop.set()

    threading.Thread(target=orphaned, name="watch-parent", daemon=True).start()
    try:
        watcher.run(stop)
    finally:
        watcher.release()


def _embed_changes(root: Path) -> None:
    """With SEARCHAPP_SEMANTIC=1, the vectors of what changed, in the background (a run going on
    already notices the new serving state and goes round again)."""
    from ..embed import SemanticSettings

    if SemanticSettings.from_env().enabled:
        from .embedjob import start_background

        start_background(root)
