"""Near-duplicate signatures: MinHash over word shingles of the folded text.

The same statement as HTML, PDF and DOCX, or one press release on several sites, differs in
line breaks, page furniture and a few words; its shingles (the 24 bytes from each word's start:
three or four words) mostly agree. A MinHash
signature (datasketch, 64 permutations) estimates the Jaccard resemblance of two shingle sets
from their signatures alone, so a build compares every pair of documents without their texts
(index/duplicates.py: banding, then the estimate).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

NUM_PERM = 64  # 256 bytes a document; the estimate's standard error at 0.8 is ~0.05
SEED = 1  # fixed: signatures stored by one build are compared by the next
SCHEME = "affine32"  # datasketch 2: 32-bit values, stored as uint32
SPAN = 24  # bytes of a shingle: 3-4 words of Latin script, 8 Han characters
# Shorter texts (a note, a sentence record of a JSON dump) are not compared: "the same text
# twice" is a statement, an article, a report; signing every one-line record cost a third of a
# build of short documents (200k sentences: 13.5 -> 32 CPU-s with the rest of the session's work).
MIN_WORDS = 50
MIN_CHARS = 2 * MIN_WORDS  # below this, not even looked at (a text of 50 words or characters)
MAX_CHARS = 200_000  # the opening of a long document settles whether it is a copy
# Odd multipliers combining a shingle's three 8-byte words into its hash (mod 2^64).
_MIX = tuple(np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))


@cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of the NUM_PERM affine permutations datasketch's MinHash draws from SEED
    (scheme affine32), drawn here the way datasketch 2 draws them (MinHash._init_permutations):
    importing datasketch loads scipy (0.7 CPU-s and 57 MB of a build's peak memory).
    tests/test_duplicates.py checks the signatures against datasketch's own."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to each input hash.
_FMIX32 = tuple(np.uint32(c) for c in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s3)


def folded(text: str) -> bytes | None:
    """The bytes text's shingles are cut from (UTF-8, case folded, whitespace runs as one
    space, at most MAX_CHARS characters), or None for a text too short to compare: cheap
    string checks only, so that most short records cost almost nothing."""
    if len(text) < MIN_CHARS:
        return None
    spaces = text.count(" ", 0, MAX_CHARS)
    if spaces < MIN_WORDS and spaces * 16 >= min(len(text), MAX_CHARS):
        return None  # a spaced text of too few words: not worth folding and encoding
    data = " ".join(text[:MAX_CHARS].casefold().split()).encode("utf-8")
    return data if len(data) >= MIN_WORDS else None  # (fewer bytes: fewer shingles)


def _shingles(texts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(the 32-bit hashes of the shingles of every text in order, how many each text has).

    A shingle is the SPAN bytes from a word's start, or from each character's in a text
    written without spaces (fewer than one space in 16 bytes). The texts are laid end to end,
    each followed by SPAN zero bytes (a shingle never reaches into the next text), and cut in
    a few numpy steps for all of them: no Python step per word, nor per text (but per text
    without spaces), and only two passes over every byte (the rest is per space)."""
    sizes = np.fromiter((len(t) for t in texts), np.int64, len(texts))
    data = (b"\0" * SPAN).join(texts) + b"\0" * SPAN
    buf = np.frombuffer(data, np.uint8)
    bases = np.zeros(len(texts), np.int64)
    np.cumsum(sizes[:-1] + SPAN, out=bases[1:])
    spaces = np.flatnonzero(buf == 32)  # all inside the texts: the padding is zero bytes
    owners = _owners(bases, spaces)
    by_chars = np.bincount(owners, minlength=len(texts)) * 16 < sizes
    parts = [bases[~by_chars], (spaces + 1)[~by_chars[owners]]]
    for i in np.flatnonzero(by_chars).tolist():  # every character starts a shingle
        text = buf[bases[i]:bases[i] + sizes[i]]
        parts.append(np.flatnonzero((text & 0xC0) != 0x80) + bases[i])
    starts = np.sort(np.concatenate(parts), kind="stable")  # sorted runs: timsort merges them
    counts = np.bincount(_owners(bases, starts), minlength=len(texts))
    # every 8 bytes from every offset, as one little-endian uint64 (a strided view, no copy)
    eights = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    mixed: np.ndarray = eights[starts] * _MIX[0] + eights[starts + 8] * _MIX[1] + eights[starts + 16] * _MIX[2]
    return mixed >> np.uint64(32), counts  # duplicates left in: a minimum does not mind them


def _owners(bases: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The text each byte offset is in (bases: where each text starts, ascending)."""
    return np.searchsorted(bases, offsets, side="right") - 1


def shingle_hashes(text: str) -> np.ndarray | None:
    """The 32-bit hashes of text's shingles (_shingles); None under MIN_WORDS words."""
    data = folded(text)
    if data is None:
        return None
    hashes, counts = _shingles([data])
    return hashes if counts[0] >= MIN_WORDS else None


def signatures(texts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(the MinHash signatures of the texts (folded()) that have MIN_WORDS shingles or more, one
    row each, which texts those are): every text's shingles hashed and minimised at once."""
    hashes, counts = _shingles(texts)  # every count >= 1: a folded() text is not empty
    kept = counts >= MIN_WORDS
    return minhash_rows(hashes, np.cumsum(counts) - counts)[kept], kept


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (uint32, NUM_PERM values) of text's word shingles; None when it
    has fewer than MIN_WORDS words."""
    data = folded(text)
    if data is None:
        return None
    rows, kept = signatures([data])
    return rows[0] if kept[0] else None


def minhash(hashes: np.ndarray) -> np.ndarray:
    """datasketch's MinHash(scheme="affine32", hashfunc=int).update_batch(hashes) values
    (tests/test_duplicates.py checks they are equal), in one vectorised step: its per-item
    Python loop cost 2.5x the rest of a signature."""
    return minhash_rows(hashes, np.zeros(1, np.int64))[0]


def minhash_rows(hashes: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """minhash() of each run of hashes beginning at starts (ascending, runs not empty), one row
    each. The permuted values are laid out a permutation per row (NUM_PERM x hashes) and
    minimised along the rows: 4x faster than along the columns of the transposed layout."""
    a, b = permutations()
    values = a.reshape(-1, 1) * _fmix32(hashes.astype(np.uint32))
    values += b.reshape(-1, 1)
    return np.minimum.reduceat(values, starts, axis=1).T


def resemblance(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard resemblance of two texts' shingles, estimated from their signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


# The groups file of a version: written by index/duplicates.py, read by search/duplicates.py
# (both stages import it from here, the layer below them).
GROUPS = "duplicates.json"


def load_groups(version_dir: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each grouped document's id -> its whole group as (id, format) pairs; {} when the
    version has no groups file (built before near-duplicates were detected)."""
    try:
        data = json.loads((version_dir / GROUPS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for group in data.get("groups", []):
        members = tuple((str(i), str(f)) for i, f in group)
        for doc_id, _ in members:
            out[doc_id] = members
    return out
