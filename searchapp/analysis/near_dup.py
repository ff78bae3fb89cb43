"""Near-duplicate signatures: MinHash over word shingles of the folded text.

The same statement as HTML, PDF and DOCX, or one press release on several sites, differs in
line breaks, page furniture and a few words; its three-word shingles mostly agree. A MinHash
signature (datasketch, 64 permutations) estimates the Jaccard resemblance of two shingle sets
from their signatures alone, so a build compares every pair of documents without their texts
(index/duplicates.py: banding, then the estimate).
"""

from __future__ import annotations

import re
import zlib
from functools import cache
from typing import Any

import numpy as np

NUM_PERM = 64  # 256 bytes a document; the estimate's standard error at 0.8 is ~0.05
SEED = 1  # fixed: signatures stored by one build are compared by the next
SCHEME = "affine32"  # datasketch 2: 32-bit values, stored as uint32
SHINGLE = 3  # words per shingle
MIN_WORDS = 20  # shorter texts ("Thanks", a one-line note) are not compared
MAX_CHARS = 200_000  # the opening of a long document settles whether it is a copy
_SPACELESS = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
# A word: a run of letters and digits; in scripts written without spaces, each character.
_WORD_RE = re.compile(f"[{_SPACELESS}]|[^\\W_{_SPACELESS}]+")
# Odd multipliers combining the hashes of a shingle's words into the shingle's (mod 2^64).
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def _identity(value: int) -> int:
    return value


@cache
def _minhash() -> tuple[Any, Any]:
    """(datasketch's MinHash class, the permutations drawn once from SEED and shared by every
    signature); imported when first needed (datasketch loads scipy: ~1 s), never by a server.
    The shingles arrive already hashed (their words' CRC-32 combined, vectorised: 2x faster
    than hashing each shingle's bytes), so the MinHash's hash function is the identity."""
    from datasketch import MinHash

    template = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity, scheme=SCHEME)
    return MinHash, template.permutations


def words(text: str) -> list[str]:
    """The folded words of text (case folded; NFC as every indexed text)."""
    return _WORD_RE.findall(text[:MAX_CHARS].casefold())


def shingle_hashes(found: list[str]) -> np.ndarray:
    """The distinct 32-bit hashes of the SHINGLE-word runs of a list of words."""
    h = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in found), np.uint64, len(found))
    n = len(found) - SHINGLE + 1
    mixed = sum((h[i:i + n] * _MIX[i] for i in range(SHINGLE)), np.zeros(n, np.uint64))
    return np.unique(mixed >> np.uint64(32))


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (uint32, NUM_PERM values) of text's word shingles; None when it
    has fewer than MIN_WORDS words."""
    found = words(text)
    if len(found) < MIN_WORDS:
        return None
    minhash, permutations = _minhash()
    m = minhash(num_perm=NUM_PERM, hashfunc=_identity, permutations=permutations, scheme=SCHEME)
    m.update_batch(shingle_hashes(found).tolist())
    return m.hashvalues.astype(np.uint32)


def resemblance(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard resemblance of two texts' shingles, estimated from their signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
