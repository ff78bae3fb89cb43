"""Opening an index version that lives on a read-only disk.

tantivy's reader takes a lock file inside the index directory (.tantivy-meta.lock, opened for
writing even when it exists), so Index.open fails on a read-only mount or a folder the server
may not write. The version is then opened through a private shadow directory of symbolic links
to its files, in the temporary folder: tantivy writes its lock file there and reads (mmaps) the
segment files where they are.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from pathlib import Path

import tantivy

log = logging.getLogger(__name__)


def is_lock_failure(exc: BaseException) -> bool:
    return "Lockfile" in str(exc) or "lock file" in str(exc).lower()


def open_read_only(path: Path) -> tantivy.Index:
    """The index at path, opened without writing to path."""
    shadow = Path(tempfile.mkdtemp(prefix="searchapp-ro-"))
    atexit.register(shutil.rmtree, shadow, True)
    for entry in path.iterdir():
        if entry.name.startswith(".tantivy-") and entry.name.endswith(".lock"):
            continue
        (shadow / entry.name).symlink_to(entry.absolute())
    log.warning("index version %s cannot be written: serving it read-only (through %s)",
                path, shadow)
    return tantivy.Index.open(str(shadow))
