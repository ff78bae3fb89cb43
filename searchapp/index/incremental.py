"""Update the serving version in place: re-index only files added, changed or removed.

Compared with the version's manifest (see manifest.py). Every change goes into one commit at the
end, so readers see either the old or the new state; then CURRENT is rewritten unchanged, which
makes every server process re-open the version at its next request. A crash before the commit
leaves the version as it was; a crash between the commit and the manifest write is repaired by
the next run (documents are deleted by id before being added again).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..backends import OutdatedVersion, activate, open_writer
from ..ingest.furniture import clean
from ..ingest.records import DEFAULT_MAX_BYTES, Document, LoadReport, SkipFile, Skipped
from ..ingest.safety import guarded
from ..ingest.walk import IdRegistry, iter_files, load_checked
from . import manifest
from .build import DocumentRefused, Progress, ProgressFn
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
) -> UpdateResult:
    """Take the writer lock and update the serving version in place."""
    layout = IndexLayout(index_root)
    with writer_lock(layout, wait=lock_wait):
        return update_in_place(layout, doc_roots, max_bytes=max_bytes, progress=progress)


def update_in_place(
    layout: IndexLayout,
    doc_roots: list[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressFn | None = None,
) -> UpdateResult:
    """update_index's work; the caller holds the writer lock."""
    started = time.perf_counter()
    name = layout.current_version()
    if name is None:
        raise IndexMissing(f"no index in {layout.root}: run a full build first")
    version_dir = layout.versions / name
    old = manifest.load(version_dir)
    if old is None:
        raise NoManifest(f"version {name} has no {manifest.MANIFEST}: run a full build first")
    try:
        writer = open_writer(version_dir)
    except OutdatedVersion as exc:
        raise NoManifest(str(exc)) from exc
    except ValueError as exc:  # a damaged version: a full build replaces it
        raise NoManifest(f"version {name} cannot be opened ({exc})") from exc
    furniture = manifest.furniture_of(version_dir)  # as the full build found it
    report = LoadReport()
    tell: Callable[[int, int, str], None] = _teller(progress, report)
    tell(0, 0, "scanning")
    files = list(iter_files(doc_roots, report))
    result = UpdateResult(version=name, documents=0)

    # 1. classify: unchanged files are recognised by stat alone, then by content hash
    new: manifest.Manifest = {}
    todo: list[tuple[Path, str, str, str]] = []  # path, rel, source, hash
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
    _reclaim(files, new, todo)
    changed = {t[1] for t in todo}
    gone = [rel for rel in old if rel not in new and rel not in changed]
    result.unchanged = len(new)
    result.removed = len(gone)

    registry = IdRegistry({rel for _, rel, _ in files},
                          {i: rel for rel, e in new.items() for i in e.ids})
    # 2. delete what changed or disappeared; 3. add the new contents (deleting each id first,
    # once, so a run repeated after a crash never duplicates a document)
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
            writer.add(fresh(clean(d, furniture.get(d.source, set())) for d in docs), languages)
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

    tell(len(todo), len(todo), "committing")
    if todo or gone:
        writer.commit()
    else:
        writer.rollback()
    writer.close()
    manifest.save(version_dir, new, doc_roots, furniture)
    if todo or gone:
        activate(layout.root, name)  # the alias already names it; kept in step all the same
        layout.publish()  # every server re-opens the version at its next request
    result.documents = writer.num_docs()
    result.skipped = report.skipped
    result.seconds = time.perf_counter() - started
    return result


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
