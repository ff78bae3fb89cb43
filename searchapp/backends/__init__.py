"""Search backends behind one seam (base.py): the embedded Tantivy index is the only one so far."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .base import SearchBackend, VersionWriter

if TYPE_CHECKING:
    from ..analysis.analyzers import Analyzers

__all__ = ["SearchBackend", "VersionWriter", "open_backend"]


def open_backend(index_root: Path, analyzers: Analyzers) -> SearchBackend:
    """The backend serving index_root."""
    from .tantivy.backend import TantivyBackend

    return TantivyBackend(index_root, analyzers)
