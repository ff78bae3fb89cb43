"""Documents read during a build's first pass, kept on disk until their source's furniture is
known (ingest/furniture.py): one pickled list per file, appended to a temporary file inside the
new version's directory, read back once in the same order."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

from ..ingest.records import JSON_SUFFIXES, Document

SPOOL = "spool.tmp"


def is_streamed(path: Path) -> bool:
    """JSON dumps stream straight to the writer (a dump can be larger than memory or disk)."""
    return path.suffix.lower() in JSON_SUFFIXES


class Spool:
    def __init__(self, version_dir: Path) -> None:
        self.path = version_dir / SPOOL
        self.file = self.path.open("w+b")

    def put(self, docs: list[Document]) -> None:
        if docs:
            pickle.dump(docs, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def read(self) -> Iterator[list[Document]]:
        self.file.flush()
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.path.unlink(missing_ok=True)
