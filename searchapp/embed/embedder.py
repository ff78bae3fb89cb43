"""The Embedder seam: text in, L2-normalised vectors out, the same for every model."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class EmbedderUnavailable(RuntimeError):
    """The configured model cannot be loaded (an extra not installed, a missing folder, a URL
    that does not answer): semantic search is off, keyword search works as before."""


class Embedder(Protocol):
    """A text embedding model behind one interface (bundled.py, local_st.py, http.py)."""

    # Names the model and its settings: vectors are cached and stored under it, so a different
    # model never mixes its vectors with another's.
    key: str
    dim: int
    # Cosine below which a passage is not shown as a match by meaning (per model: e5's scores
    # sit between 0.7 and 0.9 even for unrelated text).
    min_similarity: float

    def queries(self, texts: list[str]) -> np.ndarray:
        """One normalised float32 row per query text."""

    def passages(self, texts: list[str]) -> np.ndarray:
        """One normalised float32 row per passage text."""


def normalised(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero), as float32."""
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)
