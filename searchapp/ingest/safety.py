"""What the walk may read, for how long, and under which id.

- Only regular files are read; a FIFO, socket or device is skipped with a reason (a FIFO would
  block open() forever).
- Every read is bounded in time: in the main thread a timer interrupts a step that takes longer
  than its budget and the file is skipped, saying so. A document file has one budget,
  $SEARCHAPP_FILE_TIMEOUT seconds (default 60; readers in the child process keep what they read
  by then, isolate.py, and their time is not counted twice); a JSON record (or a whole .json
  file) has $SEARCHAPP_READ_TIMEOUT (default 30).
- Symbolic links are followed only when their target stays inside the documents folder, unless
  $SEARCHAPP_FOLLOW_LINKS_OUTSIDE=1.
- Names that are not valid UTF-8 become ids with U+FFFD in place of the bad bytes.
- Ids are unique per index: a record whose id is a file's path or an id seen before is skipped.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_FILE_TIMEOUT = 60.0  # ingest/extracted.Limits.max_seconds
MAX_ID_CHARS = 1000  # the web looks up ids up to this length (web/params.MAX_DOC_ID_CHARS)

_SURROGATE = re.compile("[\ud800-\udfff]")
_timer_changes = 0  # bumped by deadline() whenever it sets or clears the interval timer
_KINDS = {
    stat.S_IFIFO: "named pipe (FIFO)", stat.S_IFSOCK: "socket", stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device", stat.S_IFDIR: "directory",
}


class ReadTimeout(OSError):
    """A read took longer than its budget."""


def timeout_reason(seconds: float, setting: str = "SEARCHAPP_READ_TIMEOUT") -> str:
    return f"read timed out after {seconds:g} s ({setting})"


def file_timeout() -> float:
    try:
        return float(os.environ.get("SEARCHAPP_FILE_TIMEOUT") or DEFAULT_FILE_TIMEOUT)
    except ValueError:
        return DEFAULT_FILE_TIMEOUT


def step_budget(path: Path) -> tuple[float, str]:
    """(seconds, setting) one step of reading path may take: a JSON record (or .json file) its
    read timeout; any other file its whole file timeout (never less than the read timeout)."""
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        return read_timeout(), "SEARCHAPP_READ_TIMEOUT"
    return max(read_timeout(), file_timeout()), "SEARCHAPP_FILE_TIMEOUT"


def read_timeout() -> float:
    try:
        return float(os.environ.get("SEARCHAPP_READ_TIMEOUT") or DEFAULT_READ_TIMEOUT)
    except ValueError:
        return DEFAULT_READ_TIMEOUT


def follow_links_outside() -> bool:
    return os.environ.get("SEARCHAPP_FOLLOW_LINKS_OUTSIDE", "") in ("1", "true", "yes")


def not_regular(path: Path) -> str:
    """'' for a regular file (links followed); else why it is not read."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if stat.S_ISREG(st.st_mode):
        return ""
    kind = _KINDS.get(stat.S_IFMT(st.st_mode), "special file")
    return f"not a regular file ({kind})"


def outside(path: Path, real_root: str) -> bool:
    """True when path (a link, or under one) resolves outside real_root."""
    real = os.path.realpath(path)
    return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)


def link_refusal(path: Path, real_root: str) -> str:
    """'' when path may be read; else why not (a link leaving the documents folder)."""
    if follow_links_outside() or not outside(path, real_root):
        return ""
    return "symbolic link to outside the documents folder (set SEARCHAPP_FOLLOW_LINKS_OUTSIDE=1 to follow)"


def clean_text(text: str) -> str:
    """text with undecodable bytes (surrogate escapes) and lone surrogates replaced by U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:  # a file name's bytes, as os.walk escaped them: one U+FFFD per bad sequence
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


@contextmanager
def deadline(seconds: float | None = None) -> Iterator[None]:
    """Interrupt what runs inside with ReadTimeout after `seconds` (main thread only: elsewhere
    signals cannot be used, and only the regular-file check protects the read)."""
    seconds = read_timeout() if seconds is None else seconds
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = True

    def expire(signum: int, frame: object) -> None:
        if armed:
            raise ReadTimeout(0, timeout_reason(seconds))

    global _timer_changes
    previous = signal.signal(signal.SIGALRM, expire)
    _timer_changes += 1
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed = False
        _timer_changes += 1
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def bounded(items: Iterator[T], seconds: float | None = None,
            setting: str = "SEARCHAPP_READ_TIMEOUT") -> Iterator[T]:
    """items, with each step (one read and parse) bounded like deadline(); the caller's work
    between steps is not.

    The handler is installed once, and the timer is set again only when it went off between
    steps or a deadline() changed it: a step notes its start (time.monotonic, no system call),
    and a timer that goes off during a step that began later is set again for the rest of that
    step. Setting the timer twice per record cost ~0.7 CPU-s per 200k JSON lines."""
    seconds = read_timeout() if seconds is None else seconds
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield from items
        return
    armed = False
    lapsed = True  # the timer is not running for us: set it at the next step
    started = 0.0

    def expire(signum: int, frame: object) -> None:
        nonlocal lapsed
        if not armed:
            lapsed = True
            return
        left = seconds - (time.monotonic() - started)
        if left <= 0.001:
            raise ReadTimeout(0, timeout_reason(seconds, setting))
        signal.setitimer(signal.ITIMER_REAL, left)  # the step began after the timer was set

    previous = signal.signal(signal.SIGALRM, expire)
    epoch = -1
    try:
        while True:
            started = time.monotonic()
            if lapsed or epoch != _timer_changes:
                epoch, lapsed = _timer_changes, False
                signal.setitimer(signal.ITIMER_REAL, seconds)
            armed = True
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                armed = False
            yield item  # the caller's work on the item is not bounded (as before)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def paused() -> Iterator[None]:
    """The running timer (deadline, bounded) stopped inside the block and re-armed after it
    with the time it had left: for work bounded otherwise (a child reader and its timeout)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if left > 0:
            signal.setitimer(signal.ITIMER_REAL, left)


def guarded(fn: Callable[[], T], seconds: float | None = None) -> T:
    """fn() under deadline()."""
    with deadline(seconds):
        return fn()
