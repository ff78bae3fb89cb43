"""The did-you-mean vocabulary as files every process memory-maps (one copy in the page cache).

    versions/<v>/suggest/
      exact.marisa    exact forms (marisa-trie: a key <-> a dense id)     exact.npy   doc freq
      folded.marisa   folded forms                                        spell.npy   SymSpell count
                                                                          forms*.npy  exact forms
      deletes.marisa  SymSpell's deletes of the folded forms' prefixes    deletes*.npy folded ids
      meta.json       what it was built from (the version's fingerprint), SymSpell's settings

The mapped tables behave as the dicts of an in-memory Vocabulary and SymSpell's own `_words`
and `_deletes`, so symspellpy's lookup runs unchanged over them and suggests exactly the same.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import marisa_trie
import numpy as np
from symspellpy import SymSpell

FORMAT = 1
META = "meta.json"


class _Counts(Mapping[str, int]):
    """key -> count over a mapped trie and an array by key id; a zero count is no key."""

    def __init__(self, trie: marisa_trie.Trie, counts: np.ndarray) -> None:
        self.trie, self.counts = trie, counts

    def __getitem__(self, key: str) -> int:
        i = self.trie.get(key)
        count = 0 if i is None else int(self.counts[i])
        if not count:
            raise KeyError(key)
        return count

    def __contains__(self, key: object) -> bool:
        i = self.trie.get(key) if isinstance(key, str) else None
        return i is not None and bool(self.counts[i])

    def __iter__(self) -> Iterator[str]:
        return (k for k, i in self.trie.iteritems() if self.counts[i])

    def __len__(self) -> int:
        return int(np.count_nonzero(self.counts))


class _Lists(Mapping[str, list[str]]):
    """key -> list of strings: ids in a CSR pair of arrays, restored through another trie."""

    def __init__(self, trie: marisa_trie.Trie, offsets: np.ndarray, ids: np.ndarray,
                 words: marisa_trie.Trie) -> None:
        self.trie, self.offsets, self.ids, self.words = trie, offsets, ids, words

    def __getitem__(self, key: str) -> list[str]:
        i = self.trie.get(key)
        if i is None:
            raise KeyError(key)
        start, end = self.offsets[i:i + 2].tolist()
        restore = self.words.restore_key
        return [restore(j) for j in self.ids[start:end].tolist()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.trie

    def first(self, key: str) -> str:
        """The first string of key's list (KeyError when key has none)."""
        i = self.trie.get(key)
        if i is None:
            raise KeyError(key)
        return self.words.restore_key(int(self.ids[self.offsets[i]]))

    def __iter__(self) -> Iterator[str]:
        return iter(self.trie.keys())

    def __len__(self) -> int:
        return len(self.trie)


class _Best(Mapping[str, str]):
    """folded form -> its most frequent exact form (the first of its forms)."""

    def __init__(self, forms: _Lists) -> None:
        self.forms = forms

    def __getitem__(self, key: str) -> str:
        return self.forms.first(key)

    def __contains__(self, key: object) -> bool:
        return key in self.forms

    def __iter__(self) -> Iterator[str]:
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)


def write(dest: Path, fingerprint: str, freq: Mapping[str, int],
          forms: Mapping[str, Sequence[str]], spell: SymSpell) -> None:
    """Write a vocabulary into dest (a new directory, renamed into place by the caller)."""
    dest.mkdir(parents=True)
    exact = marisa_trie.Trie(freq.keys())
    exact.save(str(dest / "exact.marisa"))
    exact_freq = np.zeros(len(exact), dtype=np.uint32)
    for term, count in freq.items():
        exact_freq[exact[term]] = count
    np.save(dest / "exact.npy", exact_freq)

    folded = marisa_trie.Trie(forms.keys())
    folded.save(str(dest / "folded.marisa"))
    spell_count = np.zeros(len(folded), dtype=np.uint32)
    for term, count in spell.words.items():
        spell_count[folded[term]] = min(count, 2**32 - 1)
    np.save(dest / "spell.npy", spell_count)
    _save_lists(dest, "forms", folded, {k: [exact[t] for t in v] for k, v in forms.items()})

    deletes = marisa_trie.Trie(spell.deletes.keys())
    deletes.save(str(dest / "deletes.marisa"))
    # each list keeps SymSpell's order (the words' insertion order): it decides ties
    _save_lists(dest, "deletes", deletes,
                {k: [folded[t] for t in v] for k, v in spell.deletes.items()})
    meta = {"format": FORMAT, "fingerprint": fingerprint, "max_length": spell._max_length,
            "max_edit": spell._max_dictionary_edit_distance, "prefix": spell._prefix_length}
    (dest / META).write_text(json.dumps(meta), encoding="utf-8")


def _save_lists(dest: Path, name: str, trie: marisa_trie.Trie,
                lists: Mapping[str, list[int]]) -> None:
    lengths = np.zeros(len(trie) + 1, dtype=np.int64)
    for key, ids in lists.items():
        lengths[trie[key] + 1] = len(ids)
    offsets = np.cumsum(lengths)
    flat = np.zeros(int(offsets[-1]), dtype=np.uint32)
    for key, ids in lists.items():
        at = int(offsets[trie[key]])
        flat[at:at + len(ids)] = ids
    np.save(dest / f"{name}_off.npy", offsets)
    np.save(dest / f"{name}.npy", flat)


def fingerprint_of(dest: Path) -> str | None:
    """The fingerprint a vocabulary directory was built for (None: none there, or unreadable)."""
    try:
        meta = json.loads((dest / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get("fingerprint") if meta.get("format") == FORMAT else None


def open_mapped(dest: Path) -> tuple[_Counts, _Best, SymSpell, _Lists]:
    """(freq, best, spell, forms) memory-mapped from dest, read-only."""
    meta = json.loads((dest / META).read_text(encoding="utf-8"))
    exact = _trie(dest / "exact.marisa")
    folded = _trie(dest / "folded.marisa")
    deletes = _trie(dest / "deletes.marisa")
    forms = _Lists(folded, _array(dest, "forms_off"), _array(dest, "forms"), exact)
    spell = SymSpell(max_dictionary_edit_distance=meta["max_edit"],
                     prefix_length=meta["prefix"])
    spell._words = _Counts(folded, _array(dest, "spell"))  # type: ignore[assignment]
    spell._deletes = _Lists(deletes, _array(dest, "deletes_off"),  # type: ignore[assignment]
                            _array(dest, "deletes"), folded)
    spell._max_length = meta["max_length"]
    return _Counts(exact, _array(dest, "exact")), _Best(forms), spell, forms


def _trie(path: Path) -> marisa_trie.Trie:
    return marisa_trie.Trie().mmap(str(path))


def _array(dest: Path, name: str) -> np.ndarray:
    """A read-only array over the file's pages (a plain ndarray view: np.memmap's slicing is
    several times slower, and the view keeps the mapping alive)."""
    return np.load(dest / f"{name}.npy", mmap_mode="r").view(np.ndarray)


def publish(tmp: Path, dest: Path) -> None:
    """Move a written tmp directory to dest, replacing an outdated one."""
    if dest.exists():
        old = dest.with_name(f"{dest.name}.old.{os.getpid()}")
        os.replace(dest, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(tmp, dest)
