"""Recent search pages kept per process, so a repeated search costs a dictionary lookup.

Live search makes this pay: everyone's typing starts with the same few letters, and those short
prefixes are the most expensive searches there are (`b` matches two thirds of 700k sentences and
has to be counted and faceted in full). Typesense (`use_cache`) and Elasticsearch (the shard
request cache) keep results for the same reason. Entries are keyed by the serving index version,
so a reindex or an incremental update is never answered from the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRUCache(Generic[V]):
    """A thread-safe least-recently-used map of at most `size` entries (0 keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = max(0, int(size))
        self._data: OrderedDict[Hashable, V] = OrderedDict()
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
            return value

    def put(self, key: Hashable, value: V) -> None:
        if not self.size:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
