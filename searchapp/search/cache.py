"""Recent search pages kept per process, so a repeated search costs a dictionary lookup.

Live search makes this pay: everyone's typing starts with the same few letters, and those short
prefixes are the most expensive searches there are (`b` matches two thirds of 700k sentences and
has to be counted and faceted in full). Typesense (`use_cache`) and Elasticsearch (the shard
request cache) keep results for the same reason. Entries are keyed by the serving index version,
so a reindex or an incremental update is never answered from the cache.
"""

from __future__ import annotations

import pickle
import threading
import zlib
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    """A thread-safe least-recently-used map of at most `size` entries (0 keeps nothing);
    `packed`: values are kept pickled and compressed, and each get returns a new copy."""

    def __init__(self, size: int, packed: bool = False) -> None:
        self.size = max(0, int(size))
        self.packed = packed
        self._data: OrderedDict[Hashable, V | bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        if not self.size:
            return None
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
        if self.packed:
            return pickle.loads(zlib.decompress(value))  # type: ignore[arg-type,no-any-return]
        return value  # type: ignore[return-value]

    def put(self, key: Hashable, value: V) -> None:
        if not self.size:
            return
        kept = zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1) if self.packed else value
        with self._lock:
            self._data[key] = kept
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
