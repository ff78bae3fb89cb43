"""Search by meaning: the query embedded, compared with every stored passage of the serving
version (exact dot products over a memory-mapped matrix), the request's filters applied on the
documents' metadata stored beside the vectors. Engine-neutral: the vectors are files beside the
version, whatever the backend."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ..embed import Embedder, EmbedderUnavailable, SemanticSettings, open_embedder
from ..embed.store import VECTORS_DIR, VersionVectors, latest, read_version
from .cache import LRUCache
from .parse import ParsedQuery
from .request import SearchRequest

log = logging.getLogger(__name__)

MAX_DOCS = 100  # documents a search by meaning contributes at most
QUERY_CACHE = 512  # query vectors kept per process (1.5 KB each)
STAMP_TTL = 1.0  # seconds a look at which vectors serve stays good


@dataclass(frozen=True)
class VectorHit:
    """A document found by meaning: its best passage (a span of its body) and that score."""

    id: str
    score: float
    start: int
    end: int
    lang: str
    source: str
    date: str
    format: str


def exact_syntax(pq: ParsedQuery) -> bool:
    """Quotes, exclusions or title: ask for exactly these words: such queries stay keyword-only."""
    return any(c.negated or any(t.phrase or t.field for t in c.terms) for c in pq.clauses)


def query_text(pq: ParsedQuery) -> str:
    """The words to embed (filters such as lang:vi are not part of the meaning)."""
    return " ".join(t.text for t in pq.words()).strip()


class SemanticIndex:
    """The serving version's vectors (re-opened when a new generation or version serves) and
    the embedder for queries (loaded at the first search by meaning)."""

    def __init__(self, index_root: Path, settings: SemanticSettings | None = None,
                 embedder: Embedder | None = None) -> None:
        self.versions = Path(index_root) / "versions"
        self.settings = settings or SemanticSettings.from_env()
        self._embedder = embedder
        self._failed = ""
        self._lock = threading.Lock()
        self._open: tuple[Path, VersionVectors] | None = None
        self._stamp: tuple[str, float, tuple[int, ...]] | None = None
        self._queries: LRUCache[np.ndarray] = LRUCache(QUERY_CACHE)
        # (serving version, word) -> documents holding it: the fusion's keyword weight (hybrid.py)
        self.word_counts: LRUCache[int] = LRUCache(4096)

    def embedder(self) -> Embedder | None:
        """The query embedder, or None when it cannot load (logged once)."""
        if self._embedder is None and not self._failed:
            with self._lock:
                if self._embedder is None and not self._failed:
                    try:
                        self._embedder = open_embedder(self.settings)
                    except EmbedderUnavailable as exc:
                        self._failed = str(exc)
                        log.warning("semantic search is off: %s", exc)
        return self._embedder

    def vectors(self, version: str) -> VersionVectors | None:
        """The serving generation of a version's vectors; None when it has none yet (then the
        model is not even loaded)."""
        if not version or not self.has_vectors(version):
            return None
        model = self.embedder()
        if model is None:
            return None
        gen = latest(self.versions / version, model.key)
        if gen is None:
            return None
        opened = self._open
        if opened is not None and opened[0] == gen:
            return opened[1]
        with self._lock:
            try:
                vv = read_version(gen)
            except (OSError, ValueError, KeyError):  # replaced while reading: next search
                log.exception("vectors of %s could not be read", version)
                return None
            self._open = (gen, vv)
            return vv

    def has_vectors(self, version: str) -> bool:
        """Whether any model's vectors were written for this version (a cheap check)."""
        return bool(self.stamp(version))

    def stamp(self, version: str) -> tuple[int, ...]:
        """Changes whenever new vectors serve for this version (part of the result cache's key:
        the background job adds vectors to a version that already serves). Looked up at most
        once per STAMP_TTL seconds: every keystroke asks."""
        now = time.monotonic()
        seen = self._stamp
        if seen is not None and seen[0] == version and now - seen[1] < STAMP_TTL:
            return seen[2]
        out = []
        for latest_file in (self.versions / version / VECTORS_DIR).glob("*/LATEST"):
            try:
                out.append(latest_file.stat().st_mtime_ns)
            except OSError:
                continue
        stamp = tuple(sorted(out))
        self._stamp = (version, now, stamp)
        return stamp

    def status(self, version: str) -> dict[str, object]:
        """What /admin shows: the model, coverage of the serving version."""
        vv = self.vectors(version)
        out: dict[str, object] = {"available": vv is not None, "problem": self._failed}
        if vv is not None:
            out.update(vv.meta)
        return out

    def search(self, version: str, req: SearchRequest, pq: ParsedQuery,
               k: int = MAX_DOCS) -> list[VectorHit] | None:
        """Documents by meaning, best first; None when this version has no vectors."""
        vv = self.vectors(version)
        model = self._embedder
        text = query_text(pq)
        if vv is None or model is None or not text or not len(vv.matrix):
            return None
        q = self._queries.get((model.key, text))
        if q is None:  # page 2, another filter, the fused page after typing: embedded once
            q = model.queries([text])[0].astype(np.float32)
            self._queries.put((model.key, text), q)
        allowed = _allowed(vv, req, pq)
        scores = np.asarray(vv.matrix @ q)
        rows = np.flatnonzero((scores >= model.min_similarity) & allowed[vv.doc])
        rows = rows[np.argsort(-scores[rows], kind="stable")]
        out: list[VectorHit] = []
        seen: set[int] = set()
        for r in rows:
            d = int(vv.doc[r])
            if d in seen:
                continue
            seen.add(d)
            start, end = (int(x) for x in vv.spans[r])
            out.append(VectorHit(vv.ids[d], float(scores[r]), start, end, vv.langs[d],
                                 vv.sources[d], vv.dates[d], vv.formats[d]))
            if len(out) >= k:
                break
        return out


def _allowed(vv: VersionVectors, req: SearchRequest, pq: ParsedQuery) -> np.ndarray:
    """Which documents the request's and the query's filters let through."""
    n = len(vv.ids)
    ok = np.ones(n, dtype=bool)

    def keep(values: list[str], wanted: tuple[str, ...] | list[str]) -> None:
        if wanted:
            chosen = set(wanted)
            ok[:] &= np.fromiter((v in chosen for v in values), dtype=bool, count=n)

    keep(vv.langs, req.lang)
    keep(vv.langs, pq.langs)
    keep(vv.sources, req.source)
    keep(vv.sources, pq.sources)
    keep(vv.formats, req.format)
    keep([d[:4] for d in vv.dates], tuple(str(y) for y in req.year))
    low = max((d for d in (req.date_from, pq.date_from) if d), default=None)
    high = min((d for d in (req.date_to, pq.date_to) if d), default=None)
    if low or high:
        lo, hi = (low or date.min).isoformat(), (high or date.max).isoformat()
        ok &= np.fromiter((bool(d) and lo <= d <= hi for d in vv.dates), dtype=bool, count=n)
    return ok
