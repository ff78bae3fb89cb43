"""Format readers run in a child process: a file that makes a parser hang or eat memory is
stopped and skipped, and nothing else is lost.

PDF, Office, ODF, RTF, EPUB, mail, HTML and OCR readers spend their time inside C libraries
(PDFium, lxml, zlib, tesseract) where neither the readers' cooperative Deadline nor a signal can
interrupt them. So one long-lived reader process (spawned, never forked from a process running
the index writer's threads) reads each file: it is given SEARCHAPP_FILE_TIMEOUT seconds (plus a
grace) and an address-space limit (SEARCHAPP_READER_MEMORY_MB); past either it is killed, the
file is skipped with that reason, and a fresh process reads the next file.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from .extracted import Extracted, Limits, SkipFile
from .records import IMAGE_SUFFIXES
from .safety import paused

GRACE = 5.0  # seconds after the reader's own Deadline, which keeps the pages read by then
DEFAULT_MEMORY_MB = 2048
STARTUP = 120.0  # seconds a new reader process may take to import the readers


def memory_limit() -> int:
    """Bytes of address space the reader process may use (SEARCHAPP_READER_MEMORY_MB)."""
    return int(float(os.environ.get("SEARCHAPP_READER_MEMORY_MB") or DEFAULT_MEMORY_MB)) << 20


def read_here(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    """The reader of name's suffix, in this process (SkipFile for unsupported types)."""
    from .formats import dispatch, image

    if "." + name.rsplit(".", 1)[-1].lower() in IMAGE_SUFFIXES:
        return image.extract(data, name, limits)
    return dispatch.extract_any(data, name, limits)


def _serve(conn: Connection, memory: int) -> None:
    """The reader process: read requests until the pipe closes."""
    import resource

    if memory > 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        except (ValueError, OSError):
            pass
    from .formats import dispatch

    dispatch.suffixes()  # import every reader before saying ready
    conn.send(("ready", None))
    while True:
        try:
            data, name, limits = conn.recv()
        except (EOFError, OSError):
            return
        reply: tuple[str, Any]
        try:
            reply = ("ok", read_here(data, name, limits))
        except SkipFile as exc:
            reply = ("skip", str(exc))
        except MemoryError:
            reply = ("skip", f"needs more than {memory >> 20} MB to read (SEARCHAPP_READER_MEMORY_MB)")
        except Exception as exc:  # noqa: BLE001 - any reader failure skips the file only
            reply = ("skip", f"could not be read ({type(exc).__name__}: {exc})"[:300])
        del data
        conn.send(reply)


class ReaderProcess:
    """One child process reading files on request; restarted after a timeout or a crash."""

    def __init__(self) -> None:
        self._proc: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def _start(self) -> Connection:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child, memory_limit()), daemon=True,
                           name="searchapp-reader")
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        try:
            if not parent.poll(STARTUP) or parent.recv()[0] != "ready":
                raise OSError("no answer")
        except (EOFError, OSError) as exc:
            self.stop()
            raise SkipFile(f"the reader process did not start ({exc})") from None
        return parent

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        self._proc = self._conn = None

    def read(self, data: bytes, name: str, limits: Limits) -> list[Extracted]:
        """The Extracted documents of one file; SkipFile with the reason otherwise. The
        caller's timer (safety.bounded) is paused meanwhile: the reader's own limit applies,
        so the file is not cut short and its start-up is not counted."""
        with paused(), self._lock:
            conn = self._conn if self._proc is not None and self._proc.is_alive() else None
            conn = conn or self._start()
            # spawning imports the readers once (a few seconds on a busy machine)
            timeout = limits.max_seconds + GRACE if limits.max_seconds > 0 else None
            try:
                conn.send((data, name, limits))
                ready = conn.poll(timeout)
                reply = conn.recv() if ready else None
            except (EOFError, OSError, BrokenPipeError):
                self.stop()
                raise SkipFile("the reader crashed on this file (out of memory or a parser "
                               "fault)") from None
            if reply is None:
                self.stop()
                raise SkipFile(f"took longer than {limits.max_seconds:g} s to read "
                               "(SEARCHAPP_FILE_TIMEOUT): stopped")
        kind, value = reply
        if kind == "skip":
            raise SkipFile(value)
        return value  # type: ignore[no-any-return]


_READER = ReaderProcess()
atexit.register(_READER.stop)


def read_isolated(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    return _READER.read(data, name, limits)
