"""Vectors on disk: a content-hash cache shared by every version, and one matrix per version.

    index/vectors-cache/<model>/000001.npz ...   passage-text hash -> float16 vector; each file
                                                  written whole, then renamed (a kill -9 loses
                                                  only the chunk being embedded)
    index/versions/<v>/vectors/<model>/
        LATEST                                    the generation that serves (replaced atomically)
        g000003/matrix.npy                        float32, one row per passage (memory-mapped)
        g000003/passages.npz                      row -> document ordinal, body span
        g000003/docs.json                         ordinal -> id, lang, source, date, format
        g000003/meta.json                         counts and coverage (for /admin)

A reindex builds a new version whose passages are mostly in the cache already: only new text is
embedded. Vectors live inside the version directory, so they swap and roll back with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CACHE_DIR = "vectors-cache"
VECTORS_DIR = "vectors"


def slug(key: str) -> str:
    """A model key as a folder name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:120] or "model"


def _atomic_write(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class VectorCache:
    """passage-text hash -> vector, for one model; appended in whole files."""

    def __init__(self, index_root: Path, model_key: str, dim: int) -> None:
        self.dir = Path(index_root) / CACHE_DIR / slug(model_key)
        self.dim = dim
        self._rows: dict[bytes, tuple[int, int]] = {}
        self._chunks: list[np.ndarray] = []
        self._load()

    def _load(self) -> None:
        if not self.dir.is_dir():
            return
        for path in sorted(self.dir.glob("[0-9]*.npz")):
            try:
                with np.load(path) as data:
                    keys, vecs = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError):  # a damaged file: its passages are redone
                continue
            if (vecs.ndim != 2 or vecs.shape[1] != self.dim or len(keys) != len(vecs)
                    or keys.dtype != np.uint8 or keys.shape[1:] != (16,)):
                continue
            self._add(keys, vecs)

    def _add(self, keys: np.ndarray, vecs: np.ndarray) -> None:
        n = len(self._chunks)
        self._chunks.append(vecs)
        for row, k in enumerate(keys):  # (n, 16) uint8: numpy's bytes dtype drops trailing NULs
            self._rows[k.tobytes()] = (n, row)

    def __contains__(self, key: bytes) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: bytes) -> np.ndarray | None:
        at = self._rows.get(key)
        return None if at is None else self._chunks[at[0]][at[1]]

    def append(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Store a chunk of new vectors (one file, written whole then renamed)."""
        if not keys:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        names = [int(p.stem) for p in self.dir.glob("[0-9]*.npz") if p.stem.isdigit()]
        path = self.dir / f"{max(names, default=0) + 1:06d}.npz"
        karr = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 16)
        varr = np.asarray(vectors, dtype=np.float16)
        _atomic_write(path, lambda fh: np.savez(fh, keys=karr, vectors=varr))
        self._add(karr, varr)


@dataclass
class VersionVectors:
    """What a version's vector files hold, built by the embed job."""

    matrix: np.ndarray  # (passages, dim) float32, unit rows
    doc: np.ndarray  # (passages,) int32: ordinal into ids
    spans: np.ndarray  # (passages, 2) int32: body start, end
    ids: list[str]
    langs: list[str]
    sources: list[str]
    dates: list[str]  # ISO date or ""
    formats: list[str]
    meta: dict[str, object] = field(default_factory=dict)


def vectors_dir(version_dir: Path, model_key: str) -> Path:
    return Path(version_dir) / VECTORS_DIR / slug(model_key)


def write_version(version_dir: Path, model_key: str, v: VersionVectors) -> Path:
    """Write a new generation of a version's vectors and point LATEST at it (readers keep the
    generation they opened; the previous one is removed)."""
    base = vectors_dir(version_dir, model_key)
    base.mkdir(parents=True, exist_ok=True)
    gens = [int(p.name[1:]) for p in base.glob("g[0-9]*") if p.name[1:].isdigit()]
    gen = base / f"g{max(gens, default=0) + 1:06d}"
    gen.mkdir()
    _atomic_write(gen / "matrix.npy", lambda fh: np.save(fh, v.matrix.astype(np.float32)))
    _atomic_write(gen / "passages.npz", lambda fh: np.savez(
        fh, doc=v.doc.astype(np.int32), spans=v.spans.astype(np.int32)))
    docs = {"ids": v.ids, "langs": v.langs, "sources": v.sources, "dates": v.dates,
            "formats": v.formats}
    _atomic_write(gen / "docs.json", lambda fh: fh.write(json.dumps(docs).encode()))
    _atomic_write(gen / "meta.json", lambda fh: fh.write(json.dumps(v.meta).encode()))
    _atomic_write(base / "LATEST", lambda fh: fh.write(gen.name.encode()))
    for old in base.glob("g[0-9]*"):
        if old != gen:
            shutil.rmtree(old, ignore_errors=True)
    return gen


def latest(version_dir: Path, model_key: str) -> Path | None:
    """The generation of a version's vectors that serves, or None."""
    base = vectors_dir(version_dir, model_key)
    try:
        name = (base / "LATEST").read_text(encoding="utf-8").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    gen = base / name
    return gen if name.startswith("g") and (gen / "meta.json").exists() else None


def read_meta(version_dir: Path, model_key: str) -> dict[str, object]:
    """The meta.json of the serving generation ({} when there are no vectors)."""
    gen = latest(version_dir, model_key)
    if gen is None:
        return {}
    try:
        return dict(json.loads((gen / "meta.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def any_meta(version_dir: Path) -> dict[str, object]:
    """The meta.json of whichever model's vectors a version has ({} when none)."""
    for latest_file in sorted((Path(version_dir) / VECTORS_DIR).glob("*/LATEST")):
        gen = latest_file.parent / latest_file.read_text(encoding="utf-8").strip()
        try:
            return dict(json.loads((gen / "meta.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return {}


def read_version(gen: Path) -> VersionVectors:
    """A generation opened for searching: the matrix memory-mapped (shared by every worker)."""
    matrix = np.load(gen / "matrix.npy", mmap_mode="r")
    with np.load(gen / "passages.npz") as data:
        doc, spans = data["doc"], data["spans"]
    docs = json.loads((gen / "docs.json").read_text(encoding="utf-8"))
    meta = json.loads((gen / "meta.json").read_text(encoding="utf-8"))
    return VersionVectors(matrix, doc, spans, docs["ids"], docs["langs"], docs["sources"],
                          docs["dates"], docs["formats"], meta)


def stack(rows: Iterable[np.ndarray], dim: int) -> np.ndarray:
    """Rows as one float32 matrix (an empty one when there are none)."""
    out = [np.asarray(r, dtype=np.float32) for r in rows]
    return np.vstack(out) if out else np.zeros((0, dim), dtype=np.float32)
