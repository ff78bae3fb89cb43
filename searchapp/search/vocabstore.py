"""One did-you-mean vocabulary per index version, built once, beside the version.

The first process that needs the vocabulary of a version (a server worker, the CLI) takes the
version's `suggest.lock`, builds the files in a child process (the Python heap a build leaves
behind stays out of the server) and renames them into `versions/<v>/suggest/`; every other
process waits for the lock and maps the same files. The directory lives and dies with its
version: a rollback finds the old version's vocabulary, a hard-linked clone (an incremental
update) gets a fresh one, as clone_version copies no directories.

    python -m searchapp.search.vocabstore INDEX_ROOT VERSION FINGERPRINT   (the child's side)
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import vocabfile
from .duplicates import version_dir

log = logging.getLogger(__name__)

DIR = "suggest"
LOCK = "suggest.lock"
BUILD_TIMEOUT = 1800.0  # seconds; a build of 700k sentence documents takes about 20


class NotBuilt(RuntimeError):
    """The vocabulary could not be built beside the version (read-only index, a failed build)."""


def suggest_dir(root: Path, version: str) -> Path:
    return version_dir(root, version) / DIR


def fingerprint(root: Path, version: str, stamp: object) -> str:
    """What identifies the content of a version: its tantivy meta.json (rewritten at every
    commit), else (OpenSearch, updated in place) the CURRENT stamp it is served under."""
    try:
        st = (version_dir(root, version) / "meta.json").stat()
    except FileNotFoundError:
        return f"{version}:current:{stamp}"
    return f"{version}:meta:{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"


def ensure(root: Path, version: str, stamp: object,
           write_here: Callable[[Path, str], bool] | None = None) -> Path:
    """The vocabulary directory of a version, built first if no process has; NotBuilt when it
    cannot be (the caller then builds one in memory, as before). With `write_here` (a small
    index, whose build leaves little behind), it is built in this process: write_here(new
    directory, fingerprint) writes it, or says False when the version no longer serves."""
    dest = suggest_dir(root, version)
    fp = fingerprint(root, version, stamp)
    if vocabfile.fingerprint_of(dest) == fp:
        return dest
    try:
        fd = os.open(dest.with_name(LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a read-only index
        raise NotBuilt(f"no lock beside {dest}: {exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another process may be building it: wait for it
        if vocabfile.fingerprint_of(dest) != fp:
            if write_here is None:
                _run_child(root, version, fp)
            else:
                _write(dest, lambda tmp: write_here(tmp, fp))  # type: ignore[misc]
    except OSError as exc:
        raise NotBuilt(f"vocabulary not built in {dest}: {exc}") from exc
    finally:
        os.close(fd)
    if vocabfile.fingerprint_of(dest) != fp:
        raise NotBuilt(f"no vocabulary was built in {dest}")
    return dest


def _run_child(root: Path, version: str, fp: str) -> None:
    started = time.perf_counter()
    args = [sys.executable, "-m", __name__, str(root), version, fp]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NotBuilt(f"vocabulary build failed: {exc}") from exc
    if done.returncode != 0:
        raise NotBuilt(f"vocabulary build exited {done.returncode}: {done.stderr[-500:]}")
    log.info("did-you-mean vocabulary of %s built in %.1f s", version,
             time.perf_counter() - started)


def build(root: Path, version: str, fp: str) -> int:
    """Build the vocabulary files of the serving version (0), or nothing when it no longer
    serves or has changed since fp was taken (3)."""
    from ..backends import create_analyzers, open_backend  # noqa: PLC0415 - the child's side
    from .suggest import Vocabulary  # noqa: PLC0415 - suggest imports this module

    backend = open_backend(root, create_analyzers())
    version_now, stamp = backend.serving_key()
    if version_now != version or fingerprint(root, version, stamp) != fp:
        return 3

    def write(tmp: Path) -> bool:
        vocab = Vocabulary.build(backend.vocabulary(), backend.analyzers)
        if fingerprint(root, version, backend.serving_key()[1]) != fp:
            return False
        vocab.write(tmp, fp)
        return True

    return 0 if _write(suggest_dir(root, version), write) else 3


def _write(dest: Path, write: Callable[[Path], bool]) -> bool:
    """Have write() fill a new directory, then rename it to dest (False: it wrote nothing)."""
    tmp = dest.with_name(f"{DIR}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        if not write(tmp):
            return False
        vocabfile.publish(tmp, dest)
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.nice(5)  # searches first: the build is done once per version
    sys.exit(build(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
