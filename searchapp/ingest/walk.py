"""The folder walk: every supported file under the documents folders, in a stable order, and
each file read under the rules of safety.py (regular files only, bounded reads, links kept
inside the folder, ids that are valid UTF-8 and unique)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from .load import load_file
from .opened import Walked
from .records import DEFAULT_MAX_BYTES, Document, LoadReport, Skipped, supported_suffixes
from .safety import (
    MAX_ID_CHARS,
    bounded,
    clean_text,
    follow_links_outside,
    link_refusal,
    not_regular,
    step_budget,
)

COLLISION = ("its id is the same as another file's (the same path under another folder given, "
             "or the same name once bytes that are not UTF-8 are replaced)")


def source_of(rel: str, root_name: str) -> str:
    """Default source: the top folder under the documents root, else the root's own name."""
    parts = Path(rel).parts
    return parts[0] if len(parts) > 1 else root_name


def iter_files(roots: list[Path], report: LoadReport) -> Iterator[tuple[Path, str, str]]:
    """(path, stable relative id, source) for every supported regular file under roots.

    Hidden files are ignored; symlink loops, links leaving the folder, special files and
    unsupported types are reported. Ids are valid UTF-8 (bad bytes of a name become U+FFFD)."""
    seen_rels: set[str] = set()
    for root in roots:
        root = root.absolute()
        root_name = clean_text(root.name)
        if root.is_file() or (root.exists() and not root.is_dir()):
            if reason := not_regular(root) or (COLLISION if root_name in seen_rels else ""):
                report.skipped.append(Skipped(clean_text(str(root)), reason))
                continue
            seen_rels.add(root_name)
            if _remember(root, root_name, "", report):
                yield root, root_name, clean_text(root.parent.name) or "files"
            continue
        if not root.is_dir():
            report.skipped.append(Skipped(clean_text(str(root)), "no such file or directory"))
            continue
        yield from _walk(root, os.path.realpath(root), root_name, report, seen_rels)


def _walk(root: Path, real_root: str, root_name: str, report: LoadReport,
          seen_rels: set[str]) -> Iterator[tuple[Path, str, str]]:
    def rel_of(path: str | Path) -> str:
        return clean_text(Path(os.path.relpath(path, root)).as_posix())

    def unreadable(exc: OSError) -> None:
        where = rel_of(exc.filename) if exc.filename else root_name
        report.skipped.append(Skipped(where, f"unreadable folder ({exc.strerror or exc})"))

    suffixes = supported_suffixes()
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=unreadable):
        st = os.stat(dirpath)
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            report.skipped.append(Skipped(rel_of(dirpath), "symlink loop"))
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        kept = []
        for d in sorted(d for d in dirnames if not d.startswith(".")):
            sub = Path(dirpath) / d
            if os.path.islink(sub) and (reason := link_refusal(sub, real_root)):
                report.skipped.append(Skipped(rel_of(sub), reason))
            else:
                kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = rel_of(path)
            if path.suffix.lower() not in suffixes:
                report.skipped.append(Skipped(rel, f"unsupported file type {clean_text(path.suffix)!r}"))
                continue
            reason = link_refusal(path, real_root) if os.path.islink(path) else ""
            reason = reason or not_regular(path) or (COLLISION if rel in seen_rels else "")
            if reason:
                report.skipped.append(Skipped(rel, reason))
                continue
            seen_rels.add(rel)
            if _remember(path, rel, "" if follow_links_outside() else real_root, report):
                yield path, rel, source_of(rel, root_name)


def _remember(path: Path, rel: str, real_root: str, report: LoadReport) -> bool:
    """Note the file the walk allows (its device and inode) so the read opens that one."""
    try:
        st = os.stat(path)
    except OSError as exc:
        report.skipped.append(Skipped(rel, f"unreadable ({exc.strerror or exc})"))
        return False
    report.walked[rel] = Walked(st.st_dev, st.st_ino, real_root)
    report.files_seen += 1
    return True


class IdRegistry:
    """Keeps ids unique in one index: a file's path belongs to that file, and any other id to
    the first document that had it. `used` (id -> file) may start with the ids of the files an
    incremental update keeps."""

    def __init__(self, file_rels: set[str], used: dict[str, str] | None = None) -> None:
        self.file_rels = file_rels
        self.used: dict[str, str] = dict(used or {})

    def refusal(self, doc_id: str, rel: str) -> str:
        if len(doc_id) > MAX_ID_CHARS:
            return f"id longer than {MAX_ID_CHARS} characters"
        if "\x00" in doc_id:
            return "id contains a NUL character"
        owner = self.used.get(doc_id) or (doc_id if doc_id in self.file_rels else None)
        if owner is not None and not (owner == rel == doc_id and doc_id not in self.used):
            return f"duplicate id {doc_id!r} (already the id of a document from {owner})"
        return ""

    def admit(self, doc: Document, rel: str, report: LoadReport) -> bool:
        doc_id = doc.id
        if (doc_id in self.used or doc_id in self.file_rels or len(doc_id) > MAX_ID_CHARS
                or "\x00" in doc_id) and (reason := self.refusal(doc_id, rel)):
            report.skipped.append(Skipped(rel if doc_id == rel else f"{rel} (id {doc_id!r})",
                                          reason))
            report.documents -= 1
            return False
        self.used[doc_id] = rel
        return True


def _clean(doc: Document) -> Document:
    """doc with every text field valid UTF-8 (tantivy refuses lone surrogates). JSON records
    come cleaned from their reader (formats/jsonrec.py), which knows when a line cannot hold one."""
    if doc.format == "json":
        return doc
    fields = {"id": doc.id, "title": doc.title, "body": doc.body, "lang": doc.lang,
              "source": doc.source, "url": doc.url}
    changed = {k: c for k, v in fields.items() if (c := clean_text(v)) is not v}
    return replace(doc, **changed) if changed else doc  # type: ignore[arg-type]


def load_checked(
    path: Path, rel: str, source: str, report: LoadReport, max_bytes: int = DEFAULT_MAX_BYTES,
    ids: IdRegistry | None = None,
) -> Iterator[Document]:
    """load_file under the walk's rules: the file opened is the one the walk checked (a regular
    file inside the folder: opened.py), each read is bounded in time, text fields are valid
    UTF-8 and (with ids) every id is unique."""
    walked = report.walked.pop(rel, None)
    seconds, setting = step_budget(path)
    for doc in bounded(load_file(path, rel, source, report, max_bytes, walked=walked), seconds,
                       setting):
        doc = _clean(doc)
        if ids is None or ids.admit(doc, rel, report):
            yield doc


def load_documents(
    roots: list[Path], report: LoadReport, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document]:
    """Every document under roots (files or folders), in a stable order."""
    files = list(iter_files(roots, report))
    ids = IdRegistry({rel for _, rel, _ in files})
    for path, rel, source in files:
        yield from load_checked(path, rel, source, report, max_bytes, ids)
