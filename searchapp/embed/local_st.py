"""A sentence-transformers model from a local folder (SEARCHAPP_EMBEDDER=local): never a model
hub download. sentence-transformers is imported only when this embedder is chosen."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from .embedder import EmbedderUnavailable, normalised


class LocalSentenceTransformer:
    """A sentence-transformers model directory; `query_prefix`/`passage_prefix` for e5-like models."""

    def __init__(self, path: Path, min_similarity: float, query_prefix: str = "",
                 passage_prefix: str = "") -> None:
        if not Path(path).is_dir():
            raise EmbedderUnavailable(f"SEARCHAPP_EMBEDDER_MODEL={path} is not a folder")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder only, never the hub
        try:
            from sentence_transformers import SentenceTransformer  # noqa: PLC0415
        except ImportError as exc:
            raise EmbedderUnavailable(
                "SEARCHAPP_EMBEDDER=local needs sentence-transformers installed") from exc
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.key = f"st-{Path(path).resolve().name}-{self.dim}"
        self.min_similarity = min_similarity
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return normalised(self._model.encode(texts, normalize_embeddings=True))

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])
