"""Near-duplicate groups of a version: the same text as HTML, PDF and DOCX, or one article on
several sites.

Each document's MinHash signature (analysis/near_dup.py) is kept beside the manifest
(near_dups.npz), so an incremental update compares new documents with the stored ones without
reading them again. The groups are recomputed over every signature at each build or update
(banding: documents agreeing on all ROWS values of one of BANDS bands are candidates; a
candidate pair is a duplicate when its estimated resemblance reaches THRESHOLD; groups are
the connected pairs) and written to duplicates.json, which the search side reads whatever the
backend (search/duplicates.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ..analysis.near_dup import GROUPS, NUM_PERM, folded, signatures
from ..ingest.records import Document

SIGNATURES = "near_dups.npz"
THRESHOLD = 0.8  # estimated Jaccard resemblance of the shingles (analysis/near_dup.py)
BANDS, ROWS = 16, 4  # 16 x 4 = NUM_PERM: a pair at 0.8 is a candidate with p = 0.9996
MAX_BUCKET = 50  # a larger bucket is compared with its first member only
# Folded text signed in one numpy pass (analysis/near_dup.signatures): ~350 sentence records,
# a few articles; its temporaries stay under ~30 MB. One pass per text cost 4.5x as much
# CPU on 200k sentences (numpy's per-call overhead on texts of 50-100 words).
BATCH_BYTES = 1 << 17


class Signatures:
    """The signatures of a version's documents, by id (rows of one uint32 buffer)."""

    def __init__(self, ids: list[str] | None = None, formats: list[str] | None = None,
                 matrix: np.ndarray | None = None) -> None:
        self._ids: list[str] = ids or []
        self._formats: list[str] = formats or []
        self.buffer = bytearray(matrix.astype(np.uint32).tobytes() if matrix is not None else b"")
        self._waiting: list[tuple[str, str, bytes]] = []  # (id, format, folded text) to sign
        self._waiting_bytes = 0

    @property
    def ids(self) -> list[str]:
        self._sign()
        return self._ids

    @property
    def formats(self) -> list[str]:
        self._sign()
        return self._formats

    def add(self, doc: Document) -> None:
        """Sign one document (texts under analysis.near_dup.MIN_WORDS words are left out), in
        a batch with the next ones: ids, formats and matrix() sign what waits."""
        data = folded(doc.body)
        if data is None:
            return
        self._waiting.append((doc.id, doc.format, data))
        self._waiting_bytes += len(data)
        if self._waiting_bytes >= BATCH_BYTES:
            self._sign()

    def _sign(self) -> None:
        if not self._waiting:
            return
        waiting, self._waiting, self._waiting_bytes = self._waiting, [], 0
        rows, kept = signatures([data for _, _, data in waiting])
        for (doc_id, fmt, _), ok in zip(waiting, kept.tolist(), strict=True):
            if ok:
                self._ids.append(doc_id)
                self._formats.append(fmt)
        self.buffer += rows.tobytes()

    def signing(self, docs: Iterable[Document]) -> Iterator[Document]:
        """docs, each signed on its way."""
        for doc in docs:
            self.add(doc)
            yield doc

    def merge(self, other: Signatures) -> None:
        """Take other's signatures in, replacing any of the same ids."""
        other._sign()
        self.remove(set(other.ids))
        self._ids += other.ids
        self._formats += other.formats
        self.buffer += other.buffer

    def remove(self, ids: set[str]) -> None:
        """Forget the documents with these ids (deleted or indexed again)."""
        keep = [i for i, doc_id in enumerate(self.ids) if doc_id not in ids]
        if len(keep) == len(self._ids):
            return
        self.buffer = bytearray(self.matrix()[keep].tobytes())
        self._ids = [self._ids[i] for i in keep]
        self._formats = [self._formats[i] for i in keep]

    def matrix(self) -> np.ndarray:
        self._sign()
        return np.frombuffer(bytes(self.buffer), dtype=np.uint32).reshape(-1, NUM_PERM)

    @classmethod
    def load(cls, version_dir: Path) -> Signatures:
        """The stored signatures of a version (none when it has no file, or an unreadable one)."""
        try:
            with np.load(version_dir / SIGNATURES, allow_pickle=False) as data:
                matrix = data["signatures"]
                ids = [str(x) for x in data["ids"]]
                formats = [str(x) for x in data["formats"]]
        except (OSError, KeyError, ValueError):
            return cls()
        if matrix.shape != (len(ids), NUM_PERM) or len(formats) != len(ids):
            return cls()
        return cls(ids, formats, matrix)

    def save(self, version_dir: Path) -> None:
        """Write the signatures and the groups they make, each file atomically."""
        matrix = self.matrix()
        tmp = version_dir / f"{SIGNATURES}.{os.getpid()}.tmp.npz"
        np.savez(tmp, signatures=matrix, ids=np.array(self.ids, dtype=str),
                 formats=np.array(self.formats, dtype=str))
        os.replace(tmp, version_dir / SIGNATURES)
        groups = [[[self.ids[i], self.formats[i]] for i in g] for g in groups_of(matrix)]
        tmp = version_dir / f"{GROUPS}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"threshold": THRESHOLD, "groups": groups}, ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, version_dir / GROUPS)


def _candidates(matrix: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, that agree on every value of at least one band."""
    n = len(matrix)
    pairs: list[np.ndarray] = []
    mix = np.random.default_rng(7).integers(1, 2**63, ROWS, dtype=np.uint64) | np.uint64(1)
    for b in range(BANDS):
        band = matrix[:, b * ROWS:(b + 1) * ROWS].astype(np.uint64)
        keys = (band * mix).sum(axis=1, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for s, size in zip(starts[sizes > 1], sizes[sizes > 1], strict=True):
            members = np.sort(order[s:s + size])
            if size > MAX_BUCKET:
                pairs.append(np.stack([np.full(size - 1, members[0]), members[1:]], axis=1))
            else:
                i, j = np.triu_indices(size, 1)
                pairs.append(np.stack([members[i], members[j]], axis=1))
    if not pairs:
        return np.zeros((0, 2), np.int64)
    return np.unique(np.vstack(pairs), axis=0)


def groups_of(matrix: np.ndarray, threshold: float = THRESHOLD) -> list[list[int]]:
    """The rows of matrix in groups of near-duplicates (only groups of two or more), each in
    row order."""
    pairs = _candidates(matrix)
    if not len(pairs):
        return []
    same = (matrix[pairs[:, 0]] == matrix[pairs[:, 1]]).mean(axis=1) >= threshold
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for i, j in pairs[same].tolist():
        parent.setdefault(i, i)
        parent.setdefault(j, j)
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(root(x), []).append(x)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)
