"""The folder walk: every supported file under the documents folders, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .load import load_file
from .records import DEFAULT_MAX_BYTES, Document, LoadReport, Skipped, supported_suffixes


def source_of(rel: str, root_name: str) -> str:
    """Default source: the top folder under the documents root, else the root's own name."""
    parts = Path(rel).parts
    return parts[0] if len(parts) > 1 else root_name


def iter_files(roots: list[Path], report: LoadReport) -> Iterator[tuple[Path, str, str]]:
    """(path, stable relative id, source) for every supported file under roots.

    Hidden files are ignored; symlink loops and unsupported types are reported."""
    for root in roots:
        root = root.absolute()
        if root.is_file():
            report.files_seen += 1
            yield root, root.name, root.parent.name or "files"
            continue
        if not root.is_dir():
            report.skipped.append(Skipped(str(root), "no such file or directory"))
            continue
        suffixes = supported_suffixes()
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=None):
            st = os.stat(dirpath)
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                report.skipped.append(Skipped(os.path.relpath(dirpath, root), "symlink loop"))
                dirnames[:] = []
                continue
            seen_dirs.add(key)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                rel = path.relative_to(root).as_posix()
                if path.suffix.lower() not in suffixes:
                    report.skipped.append(Skipped(rel, f"unsupported file type {path.suffix!r}"))
                    continue
                report.files_seen += 1
                yield path, rel, source_of(rel, root.name)


def load_documents(
    roots: list[Path], report: LoadReport, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document]:
    """Every document under roots (files or folders), in a stable order."""
    for path, rel, source in iter_files(roots, report):
        yield from load_file(path, rel, source, report, max_bytes)
