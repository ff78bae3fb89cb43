"""Update the serving index: re-index only files added, changed or removed.

Compared with the version's manifest (see manifest.py). The embedded index is updated in a
clone of the serving version (hard links of its segments, layout.clone_version), committed and
switched to like a full build, so the version before the update stays a rollback target and a
crash leaves the serving version as it was. A version whose documents live in a cluster
(OpenSearch) is updated in place: every change goes into one commit, then CURRENT is rewritten
unchanged so every server re-opens it; a crash between the commit and the manifest write is
repaired by the next run (documents are deleted by id before being added again).

The guards of guard.py apply: a remembered folder that is unavailable changes nothing, and an
update that would remove most of the serving documents refuses unless confirmed.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..backends import OutdatedVersion, VersionWriter, activate, open_writer
from ..ingest.furniture import clean
from ..ingest.records import DEFAULT_MAX_BYTES, Document, LoadReport, SkipFile, Skipped
from ..ingest.safety import guarded
from ..ingest.walk import IdRegistry, iter_files, load_checked
from . import manifest
from .build import DocumentRefused, Progress, ProgressFn
from .duplicates import Signatures
from .guard import RemovalPolicy, check_removal, check_roots
from .layout import IndexLayout, IndexMissing, writer_lock


class NoManifest(RuntimeError):
    """The serving version has no manifest: a full build is needed first."""


@dataclass
class UpdateResult:
    """The outcome of one incremental update."""

    version: str
    documents: int  # in the index after the update
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"updated version {self.version} in {self.seconds:.2f}s: {self.added} files added, "
            f"{self.changed} changed, {self.removed} removed, {self.unchanged} unchanged; "
            f"{self.documents} documents, skipped {len(self.skipped)}"
        ]
        lines += [s.line() for s in self.skipped]
        return "\n".join(lines)


def update_index(
    index_root: Path,
    doc_roots: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressFn | None = None,
    lock_wait: float = 0.0,
    removal: RemovalPolicy | None = None,
) -> UpdateResult:
    """Take the writer lock and update the serving version."""
    layout = IndexLayout(index_root)
    with writer_lock(layout, wait=lock_wait):
        return update_in_place(layout, doc_roots, max_bytes=max_bytes, progress=progress,
                               removal=removal)


def update_in_place(
    layout: IndexLayout,
    doc_roots: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressFn | None = None,
    removal: RemovalPolicy | None = None,
    keep_previous: int = 2,
) -> UpdateResult:
    """update_index's work; the caller holds the writer lock."""
    started = time.perf_counter()
    removal = removal or RemovalPolicy(confirmed=True)
    name = layout.current_version()
    if name is None:
        raise IndexMissing(f"no index in {layout.root}: run a full build first")
    version_dir = layout.versions / name
    old = manifest.load(version_dir)
    if old is None:
        raise NoManifest(f"version {name} has no {manifest.MANIFEST}: run a full build first")
    check_roots(layout, doc_roots, removal, (old, manifest.load_meta(version_dir)))
    furniture = manifest.furniture_of(version_dir)  # as the full build found it
    report = LoadReport()
    tell: Callable[[int, int, str], None] = _teller(progress, report)
    tell(0, 0, "scanning")
    files = list(iter_files(doc_roots, report))
    result = UpdateResult(version=name, documents=0)
    new, todo = _classify(files, old, report)
    _reclaim(files, new, todo)
    changed = {t[1] for t in todo}
    gone = [rel for rel in old if rel not in new and rel not in changed]
    result.unchanged = len(new)
    result.removed = len(gone)
    serving = sum(len(e.ids) for e in old.values())
    check_removal(serving - sum(len(old[rel].ids) for rel in gone), removal, serving)
    if not todo and not gone:  # nothing to write: only the file times are refreshed
        manifest.save(version_dir, new, doc_roots, furniture)
        result.documents = serving
        result.skipped = report.skipped
        result.seconds = time.perf_counter() - started
        return result

    target = layout.clone_version(name)
    target_dir = target or version_dir
    try:
        writer = open_writer(target_dir)
    except (OutdatedVersion, ValueError) as exc:  # a damaged version: a full build replaces it
        if target is not None:
            shutil.rmtree(target, ignore_errors=True)
        raise NoManifest(f"version {name} cannot be updated ({exc})") from exc
    try:
        signed = Signatures()  # the new documents' near-duplicate signatures (duplicates.py)
        _write(writer, old, new, todo, gone, furniture, report, max_bytes, files, result, tell,
               signed)
        tell(len(todo), len(todo), "committing")
        writer.commit()
        writer.close()
        result.documents = writer.num_docs()
        manifest.save(target_dir, new, doc_roots, furniture)
        # the stored signatures, less what went, plus what came; groups anew (written by
        # replacing the files, so a hard-linked clone never changes the version it came from)
        signatures = Signatures.load(version_dir)
        signatures.remove({i for rel in gone + [t[1] for t in todo if t[1] in old]
                           for i in old[rel].ids})
        signatures.merge(signed)
        signatures.save(target_dir)
        tell(len(todo), len(todo), "switching")
        if target is not None:
            activate(layout.root, target.name)
            layout.switch_to(target)  # the version before the update stays a rollback target
            layout.prune(keep_previous)
            result.version = target.name
        else:
            activate(layout.root, name)  # the alias already names it; kept in step all the same
            layout.publish()  # every server re-opens the version at its next request
    except BaseException:
        if target is not None and layout.current_version() != target.name:
            writer = None  # type: ignore[assignment]  # noqa: F841 - release its files first
            shutil.rmtree(target, ignore_errors=True)
        raise
    result.skipped = report.skipped
    result.seconds = time.perf_counter() - started
    return result


Todo = list[tuple[Path, str, str, str]]  # path, rel, source, content hash


def _classify(files: list[tuple[Path, str, str]], old: manifest.Manifest,
              report: LoadReport) -> tuple[manifest.Manifest, Todo]:
    """Unchanged files (recognised by stat alone, then by content hash) and those to read."""
    new: manifest.Manifest = {}
    todo: Todo = []
    for path, rel, source in files:
        try:
            st = path.stat()
            prev = old.get(rel)
            if prev and (prev.mtime_ns, prev.size) == (st.st_mtime_ns, st.st_size):
                new[rel] = prev
                if prev.skipped:  # still skipped, for the same reason: listed again
                    report.skipped.append(Skipped(rel, prev.skipped))
                continue
            walked = report.walked.get(rel)  # hashed only if still the file the walk checked
            digest = guarded(lambda: manifest.file_hash(path, walked))  # noqa: B023 - called at once
        except SkipFile:
            digest = ""  # replaced since the walk: read (and refused, with the reason) below
        except OSError as exc:
            report.skipped.append(Skipped(rel, f"unreadable ({exc.strerror or exc})"))
            continue
        if prev and prev.hash == digest:
            new[rel] = replace(prev, mtime_ns=st.st_mtime_ns, size=st.st_size)
            if prev.skipped:
                report.skipped.append(Skipped(rel, prev.skipped))
            continue
        todo.append((path, rel, source, digest))
    return new, todo


def _write(writer: VersionWriter, old: manifest.Manifest, new: manifest.Manifest, todo: Todo,
           gone: list[str], furniture: dict[str, set[str]], report: LoadReport, max_bytes: int,
           files: list[tuple[Path, str, str]], result: UpdateResult,
           tell: Callable[[int, int, str], None], signed: Signatures) -> None:
    """Delete what changed or disappeared, then add the new contents (each id deleted first,
    once, so a run repeated after a crash never duplicates a document)."""
    registry = IdRegistry({rel for _, rel, _ in files},
                          {i: rel for rel, e in new.items() for i in e.ids})
    for rel in gone + [t[1] for t in todo if t[1] in old]:
        for doc_id in old[rel].ids:
            writer.delete(doc_id)
    added_ids: set[str] = set()
    languages: dict[str, int] = {}
    tell(0, len(todo), "indexing")
    for i, (path, rel, source, digest) in enumerate(todo, 1):
        skips_before = len(report.skipped)
        ids: list[str] = []

        def fresh(docs: Iterable[Document], ids: list[str] = ids) -> Iterator[Document]:
            # streamed: each id is deleted (once per run) just before its document is added
            for doc in docs:
                if doc.id not in added_ids:
                    writer.delete(doc.id)
                    added_ids.add(doc.id)
                ids.append(doc.id)
                yield doc

        docs = load_checked(path, rel, source, report, max_bytes, registry)
        try:
            writer.add(signed.signing(fresh(clean(d, furniture.get(d.source, set())) for d in docs)),
                       languages)
        except ValueError as exc:  # a document the index refused: say which file it came from
            raise DocumentRefused(f"could not index {rel}: {exc}") from exc
        reason = report.skipped[-1].reason if not ids and len(report.skipped) > skips_before else ""
        seen = report.read.pop(rel, None)  # what was read, not what is there now
        try:
            new[rel] = guarded(lambda: manifest.entry_for(path, ids, reason, digest, seen))  # noqa: B023
        except OSError:
            pass
        if rel in old:
            result.changed += 1
        else:
            result.added += 1
        tell(i, len(todo), "indexing")


def _reclaim(files: list[tuple[Path, str, str]], new: manifest.Manifest,
             todo: list[tuple[Path, str, str, str]]) -> None:
    """A new file whose path a record of an unchanged file took as its id gets it back: that
    file is indexed again, and the record is then skipped as a duplicate (as in a full build)."""
    owners = {i: rel for rel, e in new.items() for i in e.ids if i != rel}
    where = {rel: (path, source) for path, rel, source in files}
    for rel in [t[1] for t in todo]:
        owner = owners.get(rel)
        if owner is not None and owner in new:
            entry = new.pop(owner)
            path, source = where[owner]
            todo.append((path, owner, source, entry.hash))


def _teller(progress: ProgressFn | None, report: LoadReport) -> Callable[[int, int, str], None]:
    def tell(done: int, total: int, phase: str) -> None:
        if progress:
            progress(Progress(done, total, report.documents, len(report.skipped), phase,
                              tuple(report.skipped[-20:])))

    return tell
