"""The semantic layer's settings (SEARCHAPP_SEMANTIC*, SEARCHAPP_EMBEDDER*), and the embedder
they choose."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .embedder import Embedder, EmbedderUnavailable

EMBEDDERS = ("bundled", "local", "http")


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SemanticSettings:
    enabled: bool = False  # SEARCHAPP_SEMANTIC: build vectors after indexing, serve fused results
    default_on: bool = True  # SEARCHAPP_SEMANTIC_DEFAULT: fused results without semantic= in a URL
    embedder: str = "bundled"  # SEARCHAPP_EMBEDDER: bundled | local | http
    model: str = ""  # SEARCHAPP_EMBEDDER_MODEL: a folder (local) or a model name (http)
    url: str = ""  # SEARCHAPP_EMBEDDER_URL: an OpenAI-compatible embeddings endpoint (http)
    api_key: str = ""  # SEARCHAPP_EMBEDDER_KEY (http)
    query_prefix: str = "query: "  # SEARCHAPP_EMBEDDER_QUERY_PREFIX (local, http)
    passage_prefix: str = "passage: "  # SEARCHAPP_EMBEDDER_PASSAGE_PREFIX (local, http)
    min_similarity: float | None = None  # SEARCHAPP_SEMANTIC_MIN_SCORE (default: the model's)
    passages: int = 4  # SEARCHAPP_SEMANTIC_PASSAGES: per document, title+lead first; 0 = all
    threads: int = 0  # SEARCHAPP_SEMANTIC_THREADS: model threads (0: the machine's cores)
    chunk: int = 128  # SEARCHAPP_SEMANTIC_CHUNK: passages per cache file (what a kill may lose)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SemanticSettings:
        e = dict(os.environ if env is None else env)
        score = e.get("SEARCHAPP_SEMANTIC_MIN_SCORE", "").strip()
        default = e.get("SEARCHAPP_SEMANTIC_DEFAULT", "").strip()
        return cls(
            enabled=_on(e.get("SEARCHAPP_SEMANTIC")),
            default_on=_on(default) if default else True,
            embedder=(e.get("SEARCHAPP_EMBEDDER") or "bundled").strip().lower(),
            model=e.get("SEARCHAPP_EMBEDDER_MODEL", "").strip(),
            url=e.get("SEARCHAPP_EMBEDDER_URL", "").strip(),
            api_key=e.get("SEARCHAPP_EMBEDDER_KEY", "").strip(),
            query_prefix=e.get("SEARCHAPP_EMBEDDER_QUERY_PREFIX", "query: "),
            passage_prefix=e.get("SEARCHAPP_EMBEDDER_PASSAGE_PREFIX", "passage: "),
            min_similarity=float(score) if score else None,
            passages=max(0, int(e.get("SEARCHAPP_SEMANTIC_PASSAGES") or 4)),
            threads=max(0, int(e.get("SEARCHAPP_SEMANTIC_THREADS") or 0)),
            chunk=max(1, int(e.get("SEARCHAPP_SEMANTIC_CHUNK") or 128)),
        )


def open_embedder(s: SemanticSettings) -> Embedder:
    """The embedder the settings name; EmbedderUnavailable with the reason when it cannot load."""
    if s.embedder == "bundled":
        from .bundled import MIN_SIMILARITY, BundledE5  # noqa: PLC0415

        return BundledE5(s.threads, s.min_similarity or MIN_SIMILARITY)
    score = s.min_similarity if s.min_similarity is not None else 0.5
    if s.embedder == "local":
        from .local_st import LocalSentenceTransformer  # noqa: PLC0415

        return LocalSentenceTransformer(Path(s.model), score, s.query_prefix, s.passage_prefix)
    if s.embedder == "http":
        from .http import HttpEmbedder  # noqa: PLC0415

        return HttpEmbedder(s.url, s.model, score, s.query_prefix, s.passage_prefix, s.api_key)
    raise EmbedderUnavailable(f"SEARCHAPP_EMBEDDER={s.embedder!r} is not one of: "
                              f"{', '.join(EMBEDDERS)}")
