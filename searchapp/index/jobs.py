"""Indexing jobs: run one under the writer lock, report its progress to index/job.json, and
start one from the web as a detached `searchapp index` process.

Whoever holds the writer lock owns job.json (the CLI and admin-started runs alike), so the admin
page of any server worker shows any run's progress. A job whose process is gone while its file
still says "running" was killed: it reads as "interrupted", and the next run records it in the
history.

The web starts a detached child rather than a thread: a gunicorn worker that is restarted (max
requests, timeout, deploy) would take a thread's build with it, while the child, in its own
session, finishes and switches on its own. The worker takes the lock itself and hands the
descriptor to the child, so there is no instant where a second click or a CLI run could start
a second writer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..ingest.records import DEFAULT_MAX_BYTES
from . import history
from .build import BuildResult, Checks, Progress, build_version
from .guard import RemovalPolicy, RemovalRefused
from .incremental import NoManifest, UpdateResult, update_in_place
from .layout import IndexLayout, IndexMissing, acquire_lock, writer_lock
from .processes import process_alive, process_start

STATUS_FILE = "job.json"
LOG_FILE = "job.log"
RUNNING = ("starting", "running")
WRITE_EVERY = 0.25  # seconds between progress writes
STARTING_GRACE = 30.0  # a "starting" job whose child never reported is given up after this
READ_SHARE, WRITE_SHARE = 50, 45  # percent of a full build's bar: reading files, writing docs
FINISHING = ("committing", "merging", "validating", "switching")
STEP_WORDS = {
    "starting": "starting", "scanning": "scanning the folders", "indexing": "reading files",
    "furniture": "finding text repeated on every page", "writing": "writing documents",
    "committing": "finishing: committing", "merging": "finishing: merging segments",
    "validating": "finishing: checking the new version",
    "switching": "finishing: switching searches to it", "done": "done",
}


@dataclass(frozen=True)
class JobSettings:
    """Knobs from the environment."""

    keep_versions: int = 2
    max_skip_ratio: float = 0.5
    canaries: int = 3

    @classmethod
    def from_env(cls) -> JobSettings:
        return cls(
            keep_versions=int(os.environ.get("SEARCHAPP_KEEP_VERSIONS") or 2),
            max_skip_ratio=float(os.environ.get("SEARCHAPP_MAX_SKIP_RATIO") or 0.5),
        )


@dataclass(frozen=True)
class JobStatus:
    """The content of job.json."""

    id: str
    kind: str  # full | incremental
    who: str  # admin | cli
    pid: int
    pid_start: str = ""  # the process's start time, against pid reuse
    state: str = "starting"  # starting, running, succeeded, failed, interrupted
    phase: str = ""
    started: str = ""
    updated: str = ""
    finished: str = ""
    files_done: int = 0
    files_total: int = 0
    documents: int = 0
    skipped: int = 0
    skipped_reasons: list[dict[str, str]] = field(default_factory=list)
    rate: float = 0.0  # files (reading) or documents (writing) per second
    eta_seconds: float | None = None  # of the current step only (reading or writing)
    message: str = ""
    version: str = ""
    roots: list[str] = field(default_factory=list)  # the folders (or files) read
    needs_confirmation: bool = False  # refused by guard.py: /admin offers to run it confirmed
    written: int = 0  # writing phase: documents handed to the index so far
    to_write: int = 0

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def finishing(self) -> bool:
        """In a phase with nothing to count (commit, merge, validation, switch)."""
        return self.running and self.phase in FINISHING

    @property
    def percent(self) -> int | None:
        """The share of the countable work done: reading files, then writing documents (a
        full build weighs them READ_SHARE and WRITE_SHARE). None while finishing: those
        phases cannot be estimated, and a bar at 99 % for their whole length would lie."""
        if self.state == "succeeded":
            return 100
        if self.finishing:
            return None
        read = self.files_done / self.files_total if self.files_total else 0.0
        if self.kind == "incremental" or self.phase not in ("furniture", "writing"):
            share = READ_SHARE if self.kind == "full" else READ_SHARE + WRITE_SHARE
            return int(share * min(read, 1.0))
        wrote = self.written / self.to_write if self.to_write else 1.0
        return READ_SHARE + int(WRITE_SHARE * min(wrote, 1.0))

    @property
    def step(self) -> str:
        """What the job is doing, in words (/admin and `searchapp index`)."""
        return STEP_WORDS.get(self.phase, self.phase)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def status_path(layout: IndexLayout) -> Path:
    return layout.root / STATUS_FILE


def write_status(layout: IndexLayout, status: JobStatus) -> None:
    """Replace job.json atomically (readers never see half a file)."""
    layout.root.mkdir(parents=True, exist_ok=True)
    tmp = layout.root / f"{STATUS_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(asdict(status), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, status_path(layout))


def read_raw(layout: IndexLayout) -> JobStatus | None:
    """job.json as written."""
    try:
        data = json.loads(status_path(layout).read_text(encoding="utf-8"))
        return JobStatus(**data)
    except (FileNotFoundError, json.JSONDecodeError, TypeError):
        return None


def read_status(layout: IndexLayout) -> JobStatus | None:
    """job.json, with a running job whose process is gone reported as interrupted."""
    status = read_raw(layout)
    if status is None or not status.running or _alive(status):
        return status
    return replace(status, state="interrupted",
                   message="the indexing process stopped without finishing (killed or crashed)")


def _alive(status: JobStatus) -> bool:
    if status.state == "starting":
        started = _parse_time(status.started)
        if started is not None and time.time() - started > STARTING_GRACE:
            return False
    return process_alive(status.pid, status.pid_start)


def _parse_time(value: str) -> float | None:
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


# --------------------------------------------------------------------------- running a job


class Reporter:
    """Turns indexer progress callbacks into job.json writes (at most every WRITE_EVERY s)."""

    def __init__(self, layout: IndexLayout, status: JobStatus,
                 say: Callable[[str], None] | None = None) -> None:
        self.layout = layout
        self.status = status
        self.say = say  # a line per phase (`searchapp index` without --quiet)
        self._last = 0.0
        # the rate of a step is measured from its first counted unit on (the first document
        # written can wait seconds for the index writer to start)
        self._first: tuple[float, int] | None = None
        write_status(layout, status)
        if say:
            say(phase_line(status))

    def __call__(self, p: Progress) -> None:
        t = time.monotonic()
        phase_changed = p.phase != self.status.phase
        done, total = (p.written, p.to_write) if p.phase == "writing" else (p.files_done,
                                                                              p.files_total)
        if phase_changed:
            self._first = None
        if self._first is None and done > 0:
            self._first = (t, done)
        if not phase_changed and t - self._last < WRITE_EVERY and done < total:
            return
        rate = 0.0
        if self._first and p.phase in ("indexing", "writing") and t - self._first[0] > 0.5:
            rate = (done - self._first[1]) / (t - self._first[0])
        eta = (total - done) / rate if rate else None
        self.status = replace(
            self.status, phase=p.phase, updated=now(), files_done=p.files_done,
            files_total=p.files_total, documents=p.documents, skipped=p.skipped,
            skipped_reasons=[{"path": s.path, "reason": s.reason} for s in p.recent_skipped],
            rate=round(rate, 1), eta_seconds=None if eta is None else round(eta, 1),
            written=p.written, to_write=p.to_write,
        )
        self._last = t
        write_status(self.layout, self.status)
        if phase_changed and self.say:
            self.say(phase_line(self.status))

    def finish(self, state: str, message: str, result: BuildResult | UpdateResult | None,
               needs_confirmation: bool = False) -> None:
        skipped = result.skipped if result else []
        self.status = replace(
            self.status, state=state, phase="done", updated=now(), finished=now(),
            needs_confirmation=needs_confirmation,
            message=message, eta_seconds=None,
            files_done=self.status.files_total if state == "succeeded" else self.status.files_done,
            documents=result.documents if result else self.status.documents,
            skipped=len(skipped) if result else self.status.skipped,
            skipped_reasons=[{"path": s.path, "reason": s.reason} for s in skipped[:100]]
            if result else self.status.skipped_reasons,
            version=result.version if result else "",
        )
        write_status(self.layout, self.status)
        history.append(self.layout, history_entry(self.status))


def phase_line(status: JobStatus) -> str:
    """One line for a phase as it starts, its counts included (`searchapp index`)."""
    if status.phase == "indexing":
        scan = status.skipped
        return (f"reading {status.files_total - scan} files"
                + (f" ({status.files_total} found, {scan} skipped{_why(status)})" if scan
                   else "") + "…")
    if status.phase == "writing":
        return f"writing {status.to_write} documents to the index…"
    return f"{status.step}…"


def _why(status: JobStatus) -> str:
    reasons = sorted({r["reason"] for r in status.skipped_reasons})
    return (": " + "; ".join(reasons[:3]) + ("; …" if len(reasons) > 3 else "")) if reasons else ""


def history_entry(status: JobStatus) -> dict[str, Any]:
    return {
        "id": status.id, "kind": status.kind, "who": status.who, "start": status.started,
        "end": status.finished or status.updated or now(), "documents": status.documents,
        "skipped": status.skipped, "skipped_reasons": status.skipped_reasons,
        "outcome": status.state, "message": status.message, "version": status.version,
        "roots": status.roots,
    }


def record_interrupted(layout: IndexLayout, own_id: str | None = None) -> None:
    """Under the lock: a job.json still 'running' belongs to a dead run; record it once.

    `own_id`: the job this process was started for (its "starting" entry is not dead)."""
    previous = read_raw(layout)
    if previous is None or not previous.running or previous.id == own_id:
        return
    dead = replace(previous, state="interrupted", finished=now(),
                   message="the indexing process stopped without finishing (killed or crashed)")
    write_status(layout, dead)
    history.append(layout, history_entry(dead))


def run_job(
    index_root: Path,
    doc_roots: list[Path],
    *,
    kind: str = "full",
    who: str = "cli",
    job_id: str | None = None,
    lock_fd: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    settings: JobSettings | None = None,
    show_bar: bool = False,
    confirmed: bool = False,
    say: Callable[[str], None] | None = None,
) -> BuildResult | UpdateResult:
    """Run a full build or an incremental update under the writer lock, reporting as a job.

    `confirmed`: the run may remove most of the serving documents (`--yes`); without it such a
    run, or one whose remembered folder is unavailable, raises guard.RemovalRefused.
    Raises IndexBusy (nothing written), or the build's error after recording it."""
    settings = settings or JobSettings.from_env()
    removal = RemovalPolicy.from_env(confirmed)
    layout = IndexLayout(index_root)
    with writer_lock(layout, wait=0.5, fd=lock_fd):
        record_interrupted(layout, job_id)
        reporter = Reporter(layout, JobStatus(
            id=job_id or new_job_id(), kind=kind, who=who, pid=os.getpid(),
            pid_start=process_start(os.getpid()), state="running", phase="scanning",
            started=now(), updated=now(), roots=[str(Path(r).absolute()) for r in doc_roots],
        ), say)
        result: BuildResult | UpdateResult | None = None
        try:
            note = ""
            if kind == "incremental":
                try:
                    result = update_in_place(layout, doc_roots, max_bytes=max_bytes,
                                             progress=reporter, removal=removal,
                                             keep_previous=settings.keep_versions)
                except (NoManifest, IndexMissing) as exc:
                    note = f"{exc}; did a full build instead. "
            if result is None:
                result = build_version(
                    layout, doc_roots, max_bytes=max_bytes,
                    keep_previous=settings.keep_versions, progress=reporter, show_bar=show_bar,
                    checks=Checks(settings.max_skip_ratio, settings.canaries),
                    removal=removal,
                )
        except BaseException as exc:
            try:
                reporter.finish("failed", str(exc) or type(exc).__name__, None,
                                needs_confirmation=isinstance(exc, RemovalRefused))
            except OSError:
                pass  # a full or read-only disk: the build's own error says why
            raise
        reporter.finish("succeeded", note + result.summary().splitlines()[0], result)
        return result


def new_job_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


# --------------------------------------------------------------------------- starting from the web


def start_job(index_root: Path, docs: Path | list[Path], kind: str, who: str = "admin",
              confirmed: bool = False) -> JobStatus:
    """Start `searchapp index` detached on docs (a folder, or the folders an index was built
    from), holding the writer lock for it; raise IndexBusy."""
    doc_roots = [Path(p).absolute() for p in (docs if isinstance(docs, list) else [docs])]
    if kind not in ("full", "incremental"):
        raise ValueError(f"unknown job kind {kind!r}")
    layout = IndexLayout(Path(index_root).absolute())
    fd = acquire_lock(layout, wait=0.5)
    try:
        record_interrupted(layout)
        status = JobStatus(id=new_job_id(), kind=kind, who=who, pid=os.getpid(),
                           pid_start=process_start(os.getpid()), state="starting",
                           phase="starting", started=now(), updated=now(),
                           roots=[str(p) for p in doc_roots])
        write_status(layout, status)
        cmd = [sys.executable, "-m", "searchapp.cli", "index", "--quiet",
               "--index-dir", str(layout.root), "--who", who, "--job-id", status.id,
               "--lock-fd", str(fd)]
        if kind == "incremental":
            cmd.append("--incremental")
        if confirmed:
            cmd.append("--yes")
        cmd.extend(str(p) for p in doc_roots)
        try:
            with open(layout.root / LOG_FILE, "ab") as log:
                proc = subprocess.Popen(cmd, pass_fds=(fd,), stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        except OSError as exc:
            write_status(layout, replace(status, state="failed", finished=now(),
                                         message=f"could not start the indexer: {exc}"))
            raise
    finally:
        os.close(fd)  # the child holds its own copy of the lock now
    # reap the child when it ends, so it never lingers as a zombie that looks alive
    threading.Thread(target=proc.wait, name=f"reap-{proc.pid}", daemon=True).start()
    return status
