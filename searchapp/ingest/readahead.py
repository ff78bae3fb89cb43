"""A large JSON lines file read in a child process, so that parsing the records and making their
Documents runs on another core while the build's process analyses and writes (opt-in:
SEARCHAPP_READ_AHEAD=1).

The child runs load_checked (walk.py) on the file with a copy of the id registry and sends the
Documents in batches through a pipe (room for ~10 batches), then its skips. The parent notes each
id it receives in its own registry, exactly as admit() did in the child, so the next file sees
the same ids either way.

Off by default: on the shared 2-core machine (load 15-24) it halved the build process's own
Python time (100k sentences: 3.5 -> 1.65 CPU-s in the writing thread) but cost ~13 % more CPU in
all (pickling, a second interpreter) and was slower in wall time, the two processes waiting on
each other for a core (bench/RESULTS.md, session 6). It can only pay where a core is idle
(not measured yet).
Files under READ_AHEAD_MIN_BYTES (starting a Python process costs ~0.3 s) and every other
format are always read in the build's process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .records import JSONL_SUFFIXES, Document, LoadReport, Skipped
from .walk import IdRegistry, load_checked

READ_AHEAD_MIN_BYTES = 8 * 1024 * 1024
PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged pipe (64 KB by default)
BATCH = 256  # documents per message (~100 KB of sentences, a few articles)
_END, _ERROR = "end", "error"


def read_ahead_enabled() -> bool:
    return os.environ.get("SEARCHAPP_READ_AHEAD", "") in ("1", "true", "yes")


def wants_read_ahead(path: Path) -> bool:
    """True for a JSON lines file large enough to be worth a child process."""
    if path.suffix.lower() not in JSONL_SUFFIXES or not read_ahead_enabled():
        return False
    try:
        return path.stat().st_size >= READ_AHEAD_MIN_BYTES
    except OSError:
        return False


def _produce(out: BinaryIO, path: Path, rel: str, source: str, max_bytes: int,
             registry: IdRegistry) -> None:
    """The child's work: every Document of the file, in batches, then ("end", skipped)."""
    report = LoadReport()
    batch: list[Document] = []
    for doc in load_checked(path, rel, source, report, max_bytes, registry):
        batch.append(doc)
        if len(batch) >= BATCH:
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
            batch = []
    if batch:
        pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump((_END, report.skipped), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def main() -> None:
    """The child process: its arguments arrive pickled on stdin, its Documents leave on stdout
    (which nothing else may write to: print() goes to stderr)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    args = pickle.load(sys.stdin.buffer)
    try:
        _produce(out, *args)
    except BrokenPipeError:
        pass  # the build stopped reading (it failed or was cancelled)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        pickle.dump((_ERROR, f"{type(exc).__name__}: {exc}"), out)
        out.flush()


def load_read_ahead(
    path: Path, rel: str, source: str, report: LoadReport, max_bytes: int, registry: IdRegistry,
) -> Iterator[Document]:
    """load_checked(path, ...) with the reading done in a child process when the file is a large
    JSON lines file (wants_read_ahead); the same Documents, skips and registry either way."""
    if not wants_read_ahead(path):
        yield from load_checked(path, rel, source, report, max_bytes, registry)
        return
    # The same searchapp as this process's (the tree this module is in), started as a script:
    # multiprocessing would run the caller's main module again in the child.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", "from searchapp.ingest.readahead import main; main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert child.stdin is not None and child.stdout is not None
    with contextlib.suppress(OSError, AttributeError):  # room for ~10 batches: less lockstep
        fcntl.fcntl(child.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    used = registry.used
    try:
        try:
            pickle.dump((path, rel, source, max_bytes, registry), child.stdin)
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child is gone already: reported below, at the end of its output
        while True:
            try:
                msg = pickle.load(child.stdout)
            except EOFError:
                report.skipped.append(Skipped(rel, f"the reading process stopped (exit code "
                                                   f"{child.wait(5)}) before the file's end"))
                return
            if isinstance(msg, list):
                report.documents += len(msg)
                for doc in msg:
                    used[doc.id] = rel
                    yield doc
            elif msg[0] == _END:
                report.skipped += msg[1]
                return
            else:
                raise RuntimeError(f"reading {rel} failed: {msg[1]}")
    finally:
        with contextlib.suppress(OSError):
            child.stdin.close()
        child.stdout.close()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
