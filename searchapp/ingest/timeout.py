"""A hard per-file time limit around a format reader (SEARCHAPP_FILE_TIMEOUT).

Readers check a cooperative Deadline between pages; this alarm also stops a reader stuck inside
one long Python-level step. It needs the main thread (indexing runs there: `searchapp index`,
admin jobs and the watcher are processes of their own); elsewhere only the Deadline applies.
FileTimeout derives from BaseException so the readers' "corrupt file" guard does not swallow it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class FileTimeout(BaseException):
    """A file took longer than the limit to read."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    grace = seconds + 5.0  # the reader's own Deadline comes first and keeps what it read

    def expire(signum: int, frame: FrameType | None) -> None:
        raise FileTimeout(f"took longer than {grace:g} s to read (SEARCHAPP_FILE_TIMEOUT)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, grace)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
