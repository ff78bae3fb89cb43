"""Compute the missing vectors of the serving version: every document's title and lead first,
then its further passages (up to SEARCHAPP_SEMANTIC_PASSAGES), through the content-hash cache,
so a reindex or an incremental update embeds only text the cache has not seen.

Each chunk of new vectors is written to the cache whole (a kill -9 loses at most one chunk);
the version's matrix is rewritten after the leads, every WRITE_EVERY seconds and at the end, so
search uses what is there while the rest is computed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..backends.base import DocumentReader, SearchBackend
from ..embed import Embedder
from ..embed.passages import Passage, passages
from ..embed.store import VectorCache, VersionVectors, read_meta, stack, write_version
from .layout import IndexLayout

WRITE_EVERY = 60.0  # seconds between rewrites of the version's matrix while passages come in
BATCH = 16  # passages per call of the model (the engine spreads a batch over its threads)


class SemanticUnavailable(RuntimeError):
    """This backend cannot serve vectors (it has no DocumentReader)."""


@dataclass
class Plan:
    """The passages of one version: one row each, the document metadata beside them."""

    doc: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    keys: list[bytes] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    missing_leads: list[Passage] = field(default_factory=list)
    missing_rest: list[Passage] = field(default_factory=list)
    leads: int = 0


@dataclass
class EmbedProgress:
    """What the run has done so far (printed by the CLI, written to embed.json)."""

    version: str = ""
    phase: str = "planning"  # planning | leads | passages | done
    documents: int = 0
    passages: int = 0  # planned, up to the coverage setting
    embedded: int = 0  # passages whose vector exists now
    new: int = 0  # embedded by this run (the rest came from the cache)
    to_embed: int = 0  # passages this run had to embed when it started
    rate: float = 0.0  # passages per second embedded by this run

    def line(self) -> str:
        done = f"{self.embedded:,}/{self.passages:,} passages of {self.documents:,} documents"
        return (f"vectors ({self.phase}): {done}; {self.new:,} embedded now "
                f"({self.rate:.1f}/s), the rest from the cache")


def plan(backend: DocumentReader, cache: VectorCache, limit: int) -> Plan:
    """Every stored document cut into passages; which of them the cache lacks."""
    p = Plan()
    seen: set[bytes] = set()
    for d in backend.every_document():
        ordinal = len(p.ids)
        p.ids.append(d.id)
        p.langs.append(d.lang)
        p.sources.append(d.source)
        p.dates.append(d.date or "")
        p.formats.append(d.format)
        for psg in passages(d.title, d.body, limit):
            key = psg.key
            p.doc.append(ordinal)
            p.spans.append((psg.start, psg.end))
            p.keys.append(key)
            p.leads += psg.lead
            if key not in cache and key not in seen:
                seen.add(key)
                (p.missing_leads if psg.lead else p.missing_rest).append(psg)
    return p


def version_vectors(p: Plan, cache: VectorCache, meta: dict[str, object]) -> VersionVectors:
    """The rows of the plan the cache has, as a version's vectors."""
    rows = [i for i, k in enumerate(p.keys) if k in cache]
    matrix = stack((cache.get(p.keys[i]) for i in rows), cache.dim)  # type: ignore[misc]
    return VersionVectors(
        matrix=matrix,
        doc=np.array([p.doc[i] for i in rows], dtype=np.int32),
        spans=np.array([p.spans[i] for i in rows], dtype=np.int32).reshape(-1, 2),
        ids=p.ids, langs=p.langs, sources=p.sources, dates=p.dates, formats=p.formats,
        meta={**meta, "passages": len(rows), "planned": len(p.keys), "documents": len(p.ids),
              "leads": _leads(p, cache)},
    )


def fingerprint(p: Plan) -> str:
    """Changes whenever the version's passages or documents do."""
    h = hashlib.blake2b(digest_size=16)
    for key in p.keys:
        h.update(key)
    h.update("\0".join(p.ids).encode("utf-8", "replace"))
    h.update(np.array(p.doc, dtype=np.int32).tobytes())
    return h.hexdigest()


def _leads(p: Plan, cache: VectorCache) -> int:
    """Documents whose first passage (title + lead) has its vector."""
    firsts: dict[int, bytes] = {}
    for d, k in zip(p.doc, p.keys, strict=True):
        firsts.setdefault(d, k)
    return sum(1 for k in firsts.values() if k in cache)


def embed_version(
    backend: SearchBackend, root: Path, embedder: Embedder, limit: int, chunk: int,
    report: Callable[[EmbedProgress], None] = lambda p: None,
) -> EmbedProgress:
    """Compute the serving version's missing vectors; write them beside it. Returns the last
    progress (phase "done")."""
    if not isinstance(backend, DocumentReader):
        raise SemanticUnavailable(
            f"semantic search is unavailable on the {backend.name} backend (no k-NN plugin for "
            "its version: keyword search only)")
    version = backend.version()
    version_dir = IndexLayout(root).versions / version
    cache = VectorCache(root, embedder.key, embedder.dim)
    prog = EmbedProgress(version=version)
    report(prog)
    p = plan(backend, cache, limit)
    prog.documents, prog.passages = len(p.ids), len(p.keys)
    prog.to_embed = len(p.missing_leads) + len(p.missing_rest)
    prog.embedded = sum(1 for k in p.keys if k in cache)
    meta: dict[str, object] = {"model": embedder.key, "dim": embedder.dim, "version": version,
                               "coverage": limit, "fingerprint": fingerprint(p)}
    if not prog.to_embed and read_meta(version_dir, embedder.key).get("fingerprint") == \
            meta["fingerprint"]:
        prog.phase = "done"  # nothing new since the last run
        report(prog)
        return prog
    started = time.monotonic()
    last_write = started
    for phase, todo in (("leads", p.missing_leads), ("passages", p.missing_rest)):
        prog.phase = phase
        report(prog)
        for at in range(0, len(todo), chunk):
            part = todo[at:at + chunk]
            vecs = [embedder.passages([x.text for x in part[i:i + BATCH]])
                    for i in range(0, len(part), BATCH)]
            cache.append([x.key for x in part], np.vstack(vecs))
            prog.new += len(part)
            prog.embedded += len(part)
            prog.rate = prog.new / max(time.monotonic() - started, 1e-9)
            report(prog)
            if time.monotonic() - last_write > WRITE_EVERY:
                write_version(version_dir, embedder.key, version_vectors(p, cache, meta))
                last_write = time.monotonic()
        if phase == "leads" and (todo or not p.missing_rest):
            # the leads serve while the further passages are embedded
            write_version(version_dir, embedder.key, version_vectors(p, cache, meta))
    write_version(version_dir, embedder.key, version_vectors(p, cache, {**meta, "complete": True}))
    prog.phase = "done"
    report(prog)
    return prog
