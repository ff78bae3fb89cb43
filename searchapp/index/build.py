"""Build a new index version from folders of documents, validate it, then switch to it atomically."""

from __future__ import annotations

import re
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
from .layout import IndexLayout, writer_lock
from .spool import Spool, is_streamed


@dataclass(frozen=True)
class Progress:
    """Where a running build is."""

    files_done: int
    files_total: int
    documents: int
    skipped: int
    phase: str = "indexing"  # scanning, indexing, committing, validating, switching
    recent_skipped: tuple[Skipped, ...] = ()


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

    def summary(self) -> str:
        langs = ", ".join(f"{k or '?'}={v}" for k, v in sorted(self.languages.items()))
        lines = [
            f"indexed {self.documents} documents, skipped {len(self.skipped)} "
            f"in {self.seconds:.2f}s -> version {self.version}" + (f" ({langs})" if langs else "")
        ]
        if self.formats:
            lines.append("  formats: " + ", ".join(
                f"{k}={v}" for k, v in sorted(self.formats.items(), key=lambda kv: -kv[1])))
        lines += [f"  skipped {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


class EmptyBuild(RuntimeError):
    """A build found no document: the serving index is left as it was."""


class DocumentRefused(RuntimeError):
    """The index refused a document: the build stops, naming the file it came from."""


class ValidationFailed(RuntimeError):
    """A new version failed its checks before the switch: the serving index is left as it was."""


@dataclass(frozen=True)
class Checks:
    """What a new version must pass before it may serve."""

    max_skip_ratio: float | None = None  # skipped / (documents + skipped); None = no limit
    canaries: int = 3  # title words of the first documents that must be found


CANARY_WORD = re.compile(r"[^\W\d_]{4,}")


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
) -> BuildResult:
    """build_index's work; the caller holds the writer lock."""
    started = time.perf_counter()
    checks = checks or Checks(canaries=0)
    report = LoadReport()

    def tell(done: int, total: int, phase: str) -> None:
        if progress:
            progress(Progress(done, total, report.documents, len(report.skipped), phase,
                              tuple(report.skipped[-20:])))

    tell(0, 0, "scanning")
    layout.prune(keep_previous)  # dead builds from a crash go first (we hold the lock)
    files = list(iter_files(doc_roots, report))
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

    def counted(docs: Iterable[Document], ids: list[str] | None = None) -> Iterator[Document]:
        """docs, counted by format, the first ones kept for the canaries, (with ids) each id
        noted; one generator for every step (a layer per step cost ~1 s per 700k records)."""
        note = ids.append if ids is not None else None
        for doc in docs:
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
            reason = report.skipped[-1].reason if not ids and len(report.skipped) > skips_before else ""
            try:
                files_manifest[rel] = guarded(
                    lambda: manifest.entry_for(path, ids, reason))  # noqa: B023 - called at once
            except OSError:
                pass  # vanished meanwhile: the next incremental run sees it as new or gone
            bar.update(1)
            bar.set_postfix(docs=report.documents, skipped=len(report.skipped), refresh=False)
            tell(i, len(files), "indexing")
        # 2. furniture per source out of every spooled document, then to the writer
        furniture = lines.furniture()
        tell(len(files), len(files), "writing")
        for docs in spool.read():
            cleaned = (clean(d, furniture.get(d.source, set())) for d in docs)
            _add(writer, counted(cleaned), languages, docs[0].id if docs else "")
        spool.close()
        if report.documents == 0:
            raise EmptyBuild("no documents found: the current index was kept")
        tell(len(files), len(files), "committing")
        writer.commit()
        writer.close()
        del writer
        manifest.save(version_dir, files_manifest, doc_roots, furniture)
        tell(len(files), len(files), "validating")
        validate(version_dir, report, firsts, checks, first_build=layout.current_version() is None)
    except BaseException:
        bar.close()
        spool.close()
        writer = None  # type: ignore[assignment]  # noqa: F841 - drop the writer before removing files
        shutil.rmtree(version_dir, ignore_errors=True)
        discard(layout.root, [version_dir.name])  # OpenSearch: the half-built physical index
        raise
    bar.close()
    tell(len(files), len(files), "switching")
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
    )



def _add(writer: VersionWriter, docs: Iterable[Document], languages: dict[str, int],
         where: str) -> None:
    """writer.add, naming the file of a document the index refused."""
    try:
        writer.add(docs, languages)
    except ValueError as exc:  # a document the index refused: say which file it came from
        raise DocumentRefused(f"could not index {where}: {exc}") from exc


def validate(
    version_dir: Path, report: LoadReport, firsts: list[Document], checks: Checks,
    first_build: bool = False,
) -> None:
    """Refuse a version with too many skipped files or whose first documents cannot be found.

    The skip ratio protects a serving index only: a first build serves whatever it could read
    (and lists the rest)."""
    seen = report.documents + len(report.skipped)
    if checks.max_skip_ratio is not None and seen and not first_build:
        ratio = len(report.skipped) / seen
        if ratio > checks.max_skip_ratio:
            raise ValidationFailed(
                f"{len(report.skipped)} of {seen} files or records were skipped "
                f"({ratio:.0%} > limit {checks.max_skip_ratio:.0%}): the current index was kept"
            )
    words = [w for w in (_canary_word(d) for d in firsts) if w]
    if not words:
        return
    from ..search.engine import Engine
    from ..search.request import SearchRequest

    engine = Engine(version_dir)
    for word in words:
        if engine.search(SearchRequest(query=word, prefix_last=False, page_size=1)).total == 0:
            raise ValidationFailed(
                f"canary query {word!r} (from a title) finds nothing in the new version: "
                "the current index was kept"
            )


def _canary_word(doc: Document) -> str:
    """The longest plain word of a document's title (or first line)."""
    words = CANARY_WORD.findall(doc.title) or CANARY_WORD.findall(doc.body[:200])
    return max(words, key=len) if words else ""
