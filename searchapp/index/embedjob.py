"""The embed job: one at a time per index (embed.lock), progress in index/embed.json (shown on
/admin), started in the background after a build, by `serve` and by the watcher when
SEARCHAPP_SEMANTIC=1; `searchapp embed` runs it in the foreground."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ..backends import create_analyzers, open_backend
from ..embed import SemanticSettings, open_embedder
from .processes import process_alive
from .vectors import EmbedProgress, embed_version

STATUS_FILE = "embed.json"
LOCK_FILE = "embed.lock"
LOG_FILE = "embed.log"
WRITE_EVERY = 0.5  # seconds between status writes
MAX_ROUNDS = 20  # the serving version changed while embedding: start over, this many times


class EmbedBusy(RuntimeError):
    """Another process is computing this index's vectors."""


def _lock(root: Path, wait: bool) -> int:
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError as exc:
        os.close(fd)
        raise EmbedBusy(f"vectors of {root} are being computed by another process") from exc
    return fd


def _write_status(root: Path, state: str, prog: EmbedProgress, error: str = "") -> None:
    data = {"state": state, "pid": os.getpid(), "updated": time.time(), "error": error,
            **asdict(prog)}
    tmp = root / f".{STATUS_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, root / STATUS_FILE)


def run_embed(root: Path, settings: SemanticSettings, wait: bool = True,
              report: Callable[[EmbedProgress], None] = lambda p: None) -> EmbedProgress:
    """Compute the serving version's missing vectors; again if another version started serving
    meanwhile. EmbedBusy when another process does it and `wait` is False."""
    root = Path(root)
    fd = _lock(root, wait)
    last = [0.0]

    def tell(prog: EmbedProgress) -> None:
        report(prog)
        if time.monotonic() - last[0] >= WRITE_EVERY or prog.phase == "done":
            last[0] = time.monotonic()
            _write_status(root, "running", prog)

    prog = EmbedProgress()
    try:
        embedder = open_embedder(settings)
        backend = open_backend(root, create_analyzers())
        for _ in range(MAX_ROUNDS):
            key = backend.serving_key()
            prog = embed_version(backend, root, embedder, settings.passages, settings.chunk, tell)
            if backend.serving_key() == key:
                break
        _write_status(root, "done", prog)
        return prog
    except BaseException as exc:
        _write_status(root, "failed", prog, str(exc)[:500])
        raise
    finally:
        os.close(fd)


def status(root: Path) -> dict[str, object]:
    """The last or running embed job ({} when none ran); a "running" job whose process is gone
    reads "interrupted"."""
    try:
        data = dict(json.loads((Path(root) / STATUS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}
    if data.get("state") == "running" and not process_alive(int(data.get("pid") or 0)):
        data["state"] = "interrupted"
    return data


def start_background(root: Path) -> subprocess.Popen[bytes]:
    """`searchapp embed --background` as a detached, niced child (keyword search keeps the
    cores first); its output goes to index/embed.log."""
    root = Path(root).absolute()
    root.mkdir(parents=True, exist_ok=True)
    log = open(root / LOG_FILE, "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "searchapp.cli", "embed", "--index-dir", str(root),
             "--background"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
    finally:
        log.close()
