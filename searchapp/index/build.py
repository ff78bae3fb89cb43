"""Build a new index version from folders of documents, validate it, then switch to it atomically."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..backends import VersionWriter, activate, create_writer, discard
from ..ingest.furniture import SourceLines, clean
from ..ingest.readahead import load_read_ahead
from ..ingest.records import DEFAULT_MAX_BYTES, Document, LoadReport, Skipped
from ..ingest.safety import guarded
from ..ingest.walk import IdRegistry, iter_files, load_checked
from . import manifest
from .duplicates import Signatures
from .guard import RemovalPolicy, check_removal, check_roots
from .layout import IndexLayout, writer_lock
from .spool import Spool, is_streamed
from .validate import Checks, validate
from .validate import ValidationFailed as ValidationFailed  # where a build's callers find it


@dataclass(frozen=True)
class Progress:
    """Where a running build is."""

    files_done: int  # files read, those skipped while scanning (unsupported types) included
    files_total: int  # every file found, those skipped while scanning included
    documents: int
    skipped: int
    # scanning, indexing (reading files), furniture, writing, committing, merging, validating,
    # switching: see PHASES
    phase: str = "indexing"
    recent_skipped: tuple[Skipped, ...] = ()
    written: int = 0  # writing: documents handed to the index so far
    to_write: int = 0  # writing: documents to hand over in all


# The phases of a build in order (an incremental update has scanning, indexing, committing and
# switching). Only reading and writing have counts to estimate from; the others are "finishing".
PHASES = ("scanning", "indexing", "furniture", "writing", "committing", "merging", "validating",
          "switching")


ProgressFn = Callable[[Progress], None]


@dataclass
class BuildResult:
    """The outcome of one full build."""

    version: str
    documents: int
    skipped: list[Skipped]
    seconds: float
    languages: dict[str, int] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # checks a first build failed
    files: int = 0  # every file found, those skipped included

    def summary(self) -> str:
        langs = ", ".join(f"{k or '?'}={v}" for k, v in sorted(self.languages.items()))
        found = f"read {self.files} files: " if self.files else ""
        lines = [
            f"{found}indexed {self.documents} documents, skipped {len(self.skipped)} "
            f"in {self.seconds:.2f}s -> version {self.version}" + (f" ({langs})" if langs else "")
        ]
        if self.formats:
            lines.append("  formats: " + ", ".join(
                f"{k}={v}" for k, v in sorted(self.formats.items(), key=lambda kv: -kv[1])))
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [s.line() for s in self.skipped]
        return "\n".join(lines)


class EmptyBuild(RuntimeError):
    """A build found no document: the serving index is left as it was."""


class DocumentRefused(RuntimeError):
    """The index refused a document: the build stops, naming the file it came from."""


def _ids(docs: Iterable[Document], ids: list[str]) -> Iterator[Document]:
    """docs, noting each id (the manifest lists the documents of every file)."""
    for doc in docs:
        ids.append(doc.id)
        yield doc


def _progress_bar(total: int, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, unit="file", disable=not enabled, file=sys.stderr, leave=False)


def build_index(
    index_root: Path,
    doc_roots: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep_previous: int = 2,
    progress: ProgressFn | None = None,
    show_bar: bool = False,
    checks: Checks | None = None,
    lock_wait: float = 0.0,
) -> BuildResult:
    """Index every document under doc_roots into a new version and make it current.

    The serving version is untouched until the new one is committed, holds documents and passed
    its checks."""
    layout = IndexLayout(index_root)
    with writer_lock(layout, wait=lock_wait):
        return build_version(
            layout, doc_roots, max_bytes=max_bytes, keep_previous=keep_previous,
            progress=progress, show_bar=show_bar, checks=checks,
        )


def build_version(
    layout: IndexLayout,
    doc_roots: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep_previous: int = 2,
    progress: ProgressFn | None = None,
    show_bar: bool = False,
    checks: Checks | None = None,
    removal: RemovalPolicy | None = None,
) -> BuildResult:
    """build_index's work; the caller holds the writer lock.

    `removal`: refuse (guard.RemovalRefused) a build that would drop most of the serving
    documents or read a remembered folder that is now unavailable, unless confirmed."""
    started = time.perf_counter()
    checks = checks or Checks(canaries=0)
    removal = removal or RemovalPolicy(confirmed=True)
    report = LoadReport()

    scan_skipped = 0  # files the walk skipped (unsupported types...): counted as files read
    spooled = 0  # documents waiting in the spool for the writing phase

    def tell(done: int, total: int, phase: str, written: int = 0) -> None:
        if progress:
            progress(Progress(scan_skipped + done, scan_skipped + total, report.documents,
                              len(report.skipped), phase, tuple(report.skipped[-20:]),
                              written, spooled))

    tell(0, 0, "scanning")
    layout.prune(keep_previous)  # dead builds from a crash go first (we hold the lock)
    serving = check_roots(layout, doc_roots, removal)  # the documents a run must not drop
    files = list(iter_files(doc_roots, report))
    scan_skipped = len(report.skipped)
    registry = IdRegistry({rel for _, rel, _ in files})
    version_dir = layout.new_version_dir()
    writer = create_writer(version_dir)
    languages: dict[str, int] = {}
    formats: dict[str, int] = {}
    files_manifest: manifest.Manifest = {}
    firsts: list[Document] = []
    bar = _progress_bar(len(files), show_bar)
    lines = SourceLines()
    spool = Spool(version_dir)
    signatures = Signatures()  # near-duplicate detection (duplicates.py)

    def counted(docs: Iterable[Document], ids: list[str] | None = None) -> Iterator[Document]:
        """docs, counted by format, the first ones kept for the canaries, (with ids) each id
        noted; one generator for every step (a layer per step cost ~1 s per 700k records)."""
        note = ids.append if ids is not None else None
        for doc in docs:
            signatures.add(doc)
            if note is not None:
                note(doc.id)
            fmt = doc.format or "?"
            formats[fmt] = formats.get(fmt, 0) + 1
            if len(firsts) < checks.canaries:
                firsts.append(doc)
            yield doc

    try:
        tell(0, len(files), "indexing")
        # 1. read every file: JSON dumps go to the writer as they stream (never whole in
        # memory); other files' documents are counted for furniture and spooled to disk
        for i, (path, rel, source) in enumerate(files, 1):
            skips_before = len(report.skipped)
            ids: list[str] = []
            if is_streamed(path):  # SEARCHAPP_READ_AHEAD=1: parsed in a child process
                loaded = load_read_ahead(path, rel, source, report, max_bytes, registry)
                _add(writer, counted(loaded, ids), languages, rel)
            else:
                loaded = load_checked(path, rel, source, report, max_bytes, registry)
                docs = list(_ids(loaded, ids))
                for doc in docs:
                    lines.add(doc)
                spool.put(docs)
                spooled += len(docs)
            reason = report.skipped[-1].reason if not ids and len(report.skipped) > skips_before else ""
            seen = report.read.pop(rel, None)  # what was read, not what is there now
            try:
                files_manifest[rel] = guarded(
                    lambda: manifest.entry_for(path, ids, reason, seen=seen))  # noqa: B023
            except OSError:
                pass  # vanished meanwhile: the next incremental run sees it as new or gone
            bar.update(1)
            bar.set_postfix(docs=report.documents, skipped=len(report.skipped), refresh=False)
            tell(i, len(files), "indexing")
        # 2. furniture per source out of every spooled document, then to the writer
        tell(len(files), len(files), "furniture")
        furniture = lines.furniture()
        tell(len(files), len(files), "writing")
        written = 0
        for docs in spool.read():
            cleaned = (clean(d, furniture.get(d.source, set())) for d in docs)
            _add(writer, counted(cleaned), languages, docs[0].id if docs else "")
            written += len(docs)
            tell(len(files), len(files), "writing", written)
        spool.close()
        if report.documents == 0:
            raise EmptyBuild("no documents found: the current index was kept")
        check_removal(report.documents, removal, serving)
        tell(len(files), len(files), "committing", written)
        writer.commit()
        tell(len(files), len(files), "merging", written)
        writer.close()
        del writer
        manifest.save(version_dir, files_manifest, doc_roots, furniture)
        signatures.save(version_dir)
        tell(len(files), len(files), "validating", written)
        warnings = validate(version_dir, report, firsts, checks,
                            first_build=layout.current_version() is None)
    except BaseException:
        bar.close()
        spool.close()
        writer = None  # type: ignore[assignment]  # noqa: F841 - drop the writer before removing files
        shutil.rmtree(version_dir, ignore_errors=True)
        discard(layout.root, [version_dir.name])  # OpenSearch: the half-built physical index
        raise
    bar.close()
    tell(len(files), len(files), "switching", written)
    # The backend's own pointer first (OpenSearch: the alias moves atomically), then CURRENT:
    # if the cluster refuses, both still name the old version.
    activate(layout.root, version_dir.name)
    layout.switch_to(version_dir)
    layout.prune(keep_previous)
    return BuildResult(
        version=version_dir.name,
        documents=report.documents,
        skipped=report.skipped,
        seconds=time.perf_counter() - started,
        languages=languages,
        formats=formats,
        warnings=warnings,
        files=scan_skipped + len(files),
    )



def _add(writer: VersionWriter, docs: Iterable[Document], languages: dict[str, int],
         where: str) -> None:
    """writer.add, naming the file of a document the index refused."""
    try:
        writer.add(docs, languages)
    except ValueError as exc:  # a document the index refused: say which file it came from
        raise DocumentRefused(f"could not index {where}: {exc}") from exc
