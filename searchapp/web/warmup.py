"""The keystrokes everyone's typing starts with, searched once per serving version in the
background, so that no one waits for them.

A search box's first one or two letters are the most expensive searches there are (`t` matches
two thirds of 700k sentences, and every match is counted and scored: 12-17 ms, against 4-8 ms
for a longer query) and the most repeated ones, across people. The result cache (Engine.cache)
answers them from the second time on in each worker; a new worker, or every worker after a
reindex, pays for each of them once, on a keystroke someone is waiting for — the slowest
answers of a live search just after a start. Elasticsearch has warmers and eager loading for
the same reason.

Which prefixes: the index's own words say what people can type. Each one- and two-letter
prefix of a word, in its exact form and folded (typed with or without diacritics), weighs the
number of documents holding the word; the WARM_PREFIXES heaviest are searched as the live search
box asks for them (a keystroke: no facets), heaviest first, one at a time, in a daemon thread
that stops when another version starts serving.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable

from ..search.engine import Engine
from ..search.request import SearchRequest
from ..search.suggest import Suggester

log = logging.getLogger(__name__)

WARM_PREFIXES = 64  # per serving version and worker: ~0.5-1 CPU-s at 700k sentences
# A prefix whose words are in fewer documents than this share (or MIN_DOCS) is cheap to search
# when typed: not searched ahead
MIN_SHARE = 0.01
MIN_DOCS = 10
PREFIX_CHARS = 2
VOCABULARY_WAIT_S = 120.0  # the vocabulary of a large new version is built by a child process


def typed_prefixes(words: Iterable[tuple[str, int]], fold: Callable[[str], str],
                   limit: int = WARM_PREFIXES, least: int = 1) -> list[str]:
    """The `limit` one- and two-letter prefixes of words (exact and folded) holding the most
    documents (at least `least`), heaviest first."""
    mass: Counter[str] = Counter()
    for word, docs in words:
        forms = (word, fold(word) or word)
        for prefix in {f[:n] for f in forms for n in range(1, min(PREFIX_CHARS, len(f)) + 1)}:
            mass[prefix] += docs
    return [p for p, n in mass.most_common(limit) if p.isalnum() and n >= least]


class Warmer:
    """Runs the heaviest short keystrokes of each new serving version once per process."""

    def __init__(self, engine: Engine, suggester: Suggester,
                 keystroke: Callable[[str], SearchRequest]) -> None:
        self.engine = engine
        self.suggester = suggester
        self.keystroke = keystroke  # the request the search box sends for a typed text
        self._lock = threading.Lock()
        self._for: object = None  # the serving index last warmed (or being warmed)
        self.thread: threading.Thread | None = None

    def start(self) -> threading.Thread | None:
        """Warm the serving version if this process has not yet (no-op without a cache)."""
        if not self.engine.cache.size:
            return None
        serving = self.engine.serving()
        if serving is self._for:
            return None
        with self._lock:
            if serving is self._for:
                return None
            self._for = serving
            self.thread = threading.Thread(target=self._run, args=(serving,),
                                           name="warm-keystrokes", daemon=True)
            self.thread.start()
            return self.thread

    def _run(self, serving: object) -> None:
        try:
            vocab = self.suggester.vocabulary(wait=VOCABULARY_WAIT_S)
            if vocab is None or self.engine.serving() is not serving:
                return
            fold = self.engine.analyzers.fold_token
            documents = self.engine.stats().get("documents")
            share = int(MIN_SHARE * documents) if isinstance(documents, int) else 0
            least = max(MIN_DOCS, share)
            for prefix in typed_prefixes(vocab.freq.items(), fold, least=least):
                if self.engine.serving() is not serving:
                    return  # a newer version serves: its own warm-up follows its first search
                self.engine.search(self.keystroke(prefix))
        except Exception:  # noqa: BLE001 - a warm-up is an optimisation: log it, never raise
            log.exception("warming the live search's first keystrokes failed")
