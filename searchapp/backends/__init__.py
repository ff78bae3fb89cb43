"""Search backends behind one seam (base.py): the embedded Tantivy index is the only one so far.

`SEARCHAPP_BACKEND` names the backend (default `tantivy`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .base import OutdatedVersion, SearchBackend, VersionWriter

if TYPE_CHECKING:
    from ..analysis.analyzers import Analyzers

__all__ = [
    "OutdatedVersion", "SearchBackend", "VersionWriter", "backend_name", "create_writer",
    "open_backend", "open_writer",
]
BACKENDS = ("tantivy",)


def backend_name() -> str:
    """The configured backend; an unknown name is refused with the known ones."""
    name = (os.environ.get("SEARCHAPP_BACKEND") or "tantivy").strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"SEARCHAPP_BACKEND={name!r} is not one of: {', '.join(BACKENDS)}")
    return name


def open_backend(index_root: Path, analyzers: Analyzers) -> SearchBackend:
    """The backend serving index_root."""
    from .tantivy.backend import TantivyBackend  # noqa: PLC0415 - tantivy loads on first use

    return TantivyBackend(index_root, analyzers)


def create_writer(version_dir: Path) -> VersionWriter:
    """A writer of a new, empty version in version_dir."""
    from .tantivy.writer import TantivyWriter  # noqa: PLC0415

    return TantivyWriter.create(version_dir)


def open_writer(version_dir: Path) -> VersionWriter:
    """A writer of the existing version in version_dir; OutdatedVersion when that version was
    built by an older searchapp and needs a full build."""
    from .tantivy.writer import TantivyWriter  # noqa: PLC0415

    return TantivyWriter.open(version_dir)
