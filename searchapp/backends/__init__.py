"""Search backends behind one seam (base.py): the embedded Tantivy index (the default) and an
OpenSearch cluster (backends/opensearch/).

`SEARCHAPP_BACKEND` names the backend (default `tantivy`). Whatever the backend, the local index
root holds the writer lock, the jobs, the history, each version's manifest and CURRENT; a remote
backend keeps its own pointer in step through `activate` and drops pruned versions in `discard`,
which this package registers with index/layout.py as its version hooks (the layout never imports
a backend)."""

from __future__ import annotations

import os
from pathlib import Path

from ..analysis.analyzers import Analyzers
from ..index.layout import VersionHooks, register_version_hooks
from .base import BackendUnavailable, OutdatedVersion, SearchBackend, VersionWriter

__all__ = [
    "BackendUnavailable", "OutdatedVersion", "activate", "discard", "SearchBackend", "VersionWriter", "backend_name", "create_writer",
    "create_analyzers", "open_backend", "open_writer",
]
BACKENDS = ("tantivy", "opensearch")


def backend_name() -> str:
    """The configured backend; an unknown name is refused with the known ones."""
    name = (os.environ.get("SEARCHAPP_BACKEND") or "tantivy").strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"SEARCHAPP_BACKEND={name!r} is not one of: {', '.join(BACKENDS)}")
    return name


def create_analyzers() -> Analyzers:
    """The query side's analyzers: analysis/chains.py built by tantivy's analyzers, which every
    backend's index reproduces (the OpenSearch mapping spells the same chains)."""
    from .tantivy.tokenizers import build  # noqa: PLC0415 - tantivy loads on first use

    return Analyzers.create(build)


def open_backend(index_root: Path, analyzers: Analyzers) -> SearchBackend:
    """The backend serving index_root (an index root, or one version directory of it)."""
    if backend_name() == "opensearch":
        from .opensearch.backend import OpenSearchBackend  # noqa: PLC0415

        return OpenSearchBackend(index_root, analyzers)
    from .tantivy.backend import TantivyBackend  # noqa: PLC0415 - tantivy loads on first use

    return TantivyBackend(index_root, analyzers)


def create_writer(version_dir: Path) -> VersionWriter:
    """A writer of a new, empty version in version_dir."""
    if backend_name() == "opensearch":
        from .opensearch.writer import OpenSearchWriter  # noqa: PLC0415

        return OpenSearchWriter.create(version_dir)
    from .tantivy.writer import TantivyWriter  # noqa: PLC0415

    return TantivyWriter.create(version_dir)


def open_writer(version_dir: Path) -> VersionWriter:
    """A writer of the existing version in version_dir; OutdatedVersion when that version was
    built by an older searchapp and needs a full build."""
    if backend_name() == "opensearch":
        from .opensearch.writer import OpenSearchWriter  # noqa: PLC0415

        return OpenSearchWriter.open(version_dir)
    from .tantivy.writer import TantivyWriter  # noqa: PLC0415

    return TantivyWriter.open(version_dir)


def activate(index_root: Path, version: str) -> None:
    """Make version the one the backend serves: OpenSearch moves its alias to the version's
    index atomically; the embedded index needs nothing (CURRENT is its pointer). Called under
    the writer lock, before CURRENT is switched (a failure leaves both pointers as they were)."""
    if backend_name() == "opensearch":
        from .opensearch.writer import activate as os_activate  # noqa: PLC0415

        os_activate(version)


def discard(index_root: Path, versions: list[str], serving_too: bool = False) -> None:
    """Drop what a backend keeps outside the index root for versions that were removed (the
    physical OpenSearch indexes; the serving one only with serving_too, when a whole index root
    is thrown away); nothing for the embedded index."""
    if versions and backend_name() == "opensearch":
        from .opensearch.writer import discard as os_discard  # noqa: PLC0415

        os_discard(versions, serving_too)


register_version_hooks(VersionHooks(activate, discard))
