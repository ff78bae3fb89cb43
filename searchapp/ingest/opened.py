"""Open the file the walk checked, not whatever its path names by the time it is read.

The walk (walk.py) decides which files may be read: regular files, links only when they stay
inside the documents folder. Between that decision and the read a link (or a folder on the
path) can be swapped for one to /etc/passwd. So every read opens the path once, then checks the
open file itself: a regular file, the same device and inode the walk saw, and (where /proc shows
it) a real path still inside the documents folder. Everything after reads that one descriptor.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .records import SkipFile

_KINDS = {
    stat.S_IFIFO: "named pipe (FIFO)", stat.S_IFSOCK: "socket", stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device", stat.S_IFDIR: "directory",
}
REPLACED = ("replaced since the folder was read: not read (it is read again at the next "
            "update)")
OUTSIDE = "opens a file outside the documents folder (a link or folder swapped): not read"


@dataclass(frozen=True)
class Walked:
    """What the walk saw of one file: its device and inode, and the folder it must lie in
    ('' when links may leave it, or the root is the file itself)."""

    dev: int
    ino: int
    real_root: str = ""


@dataclass(frozen=True)
class Seen:
    """What was read of one file, for its manifest entry: stat before the read, and the hash
    of the bytes read ('' when the file changed during the read: the next update reads it)."""

    mtime_ns: int
    size: int
    hash: str


def real_path_of(fd: int) -> str | None:
    """The path the kernel resolved for an open descriptor (None without /proc)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def refusal(fd: int, walked: Walked | None) -> str:
    """'' when the open descriptor is a regular file the walk allowed; else why not."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return f"not a regular file ({_KINDS.get(stat.S_IFMT(st.st_mode), 'special file')})"
    if walked is None:
        return ""
    if (st.st_dev, st.st_ino) != (walked.dev, walked.ino):
        return REPLACED
    if walked.real_root and (real := real_path_of(fd)) is not None:
        if not inside(real, walked.real_root):
            return OUTSIDE
    return ""


def open_walked(path: Path, walked: Walked | None) -> BinaryIO:
    """path opened for reading, if it is still the file the walk checked (SkipFile if not).

    The path is resolved once, into an O_PATH descriptor (which neither reads, blocks on a FIFO
    nor breaks a lease); that file is checked, then opened for reading through /proc/self/fd,
    which opens that very inode. Without /proc: opened non-blocking, then checked."""
    if _PROC_FD and hasattr(os, "O_PATH"):
        pinned = os.open(path, os.O_PATH | os.O_CLOEXEC)
        try:
            if reason := refusal(pinned, walked):
                raise SkipFile(reason)
            fd = os.open(f"/proc/self/fd/{pinned}", os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY)
        finally:
            os.close(pinned)
        return os.fdopen(fd, "rb")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        if reason := refusal(fd, walked):
            raise SkipFile(reason)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@contextmanager
def pinned_inside(path: Path, real_root: str) -> Iterator[str | None]:
    """A path that opens the regular file path names now (/proc/self/fd/N, valid inside the
    block), or None when that file is not one or lies outside real_root (a folder swapped)."""
    if not (_PROC_FD and hasattr(os, "O_PATH")):
        resolved = os.path.realpath(path)
        yield resolved if inside(resolved, real_root) and os.path.isfile(resolved) else None
        return
    try:
        pinned = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        yield None
        return
    try:
        real = real_path_of(pinned)
        ok = not refusal(pinned, None) and real is not None and inside(real, real_root)
        yield f"/proc/self/fd/{pinned}" if ok else None
    finally:
        os.close(pinned)


_PROC_FD = os.path.isdir("/proc/self/fd")
