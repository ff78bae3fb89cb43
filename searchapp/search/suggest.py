"""Did-you-mean from the index's own vocabulary: accent restoration and typo correction.

The vocabulary is the exact (lowercased, accented) terms of the title and body fields with
their document frequencies. Folding each term gives a map folded form -> most frequent exact
form, which restores accents (`toi duoc` -> `tôi được`); SymSpell over the folded forms fixes
typos (`genva` -> `geneva`). One Vocabulary is built per index version into files beside it
(search/vocabstore.py, search/vocabfile.py) that every process maps: a second server worker
costs little memory, and the CLI does not rebuild it for every query.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from symspellpy import SymSpell, Verbosity

from ..analysis.analyzers import Analyzers
from ..backends import BackendUnavailable
from . import vocabfile, vocabstore
from .correct import cased_like

MAX_SPELL_TERMS = 100_000  # most frequent folded forms handed to SymSpell
SPELL_PREFIX = 6  # SymSpell prefix length: memory grows fast with it (7 cost ~110 MB at 35k docs)
SPELL_MIN_DOCS = 2
SPELL_SMALL_VOCAB = 5_000
MAX_EDIT = 2
MIN_TYPO_LEN = 4  # shorter words are too ambiguous to correct
MAX_QUERY_WORDS = 12
FORMS = 5  # accented spellings considered per unaccented word
CONTEXT_MAX_WORDS = 5
PAIR_CACHE = 50_000  # accent restoration weighs neighbours for queries up to this length
# A word the corpus has in fewer documents than this may be a typo there too ("hôịi" in 2 news
# articles): when typos are corrected, a one-edit neighbour TYPO_RATIO times more frequent wins.
RARE_DOCS = 5
TYPO_RATIO = 50
# An index of at most this many documents has its vocabulary built in the process that first
# needs it; a larger one in a child process (its build would leave ~50 MB of Python heap
# behind in a server worker at 35k articles).
IN_PROCESS_DOCS = 5_000

# A word the way a user types it; field prefixes (title:) and operators are left untouched.
_WORD_RE = re.compile(r"(?<![\w:])(\w[\w']*)(?![\w:*])", re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class Vocabulary:
    """Exact terms with document frequencies, and their folded index."""

    freq: Mapping[str, int]  # exact form -> doc freq
    best: Mapping[str, str]  # folded form -> most frequent exact form
    spell: SymSpell
    forms: Mapping[str, Sequence[str]]  # folded form -> its most frequent exact forms (≤ FORMS)

    @classmethod
    def open(cls, path: Path) -> Vocabulary:
        """The vocabulary written in path, memory-mapped."""
        return cls(*vocabfile.open_mapped(path))

    def write(self, path: Path, fingerprint: str) -> None:
        """Write it as files into path (a new directory), for open()."""
        vocabfile.write(path, fingerprint, self.freq, self.forms, self.spell)

    @classmethod
    def build(cls, terms: list[tuple[str, int]], analyzers: Analyzers) -> Vocabulary:
        """Build from [(exact term, doc freq)] as tantivy's term dictionary gives them."""
        freq: dict[str, int] = {}
        for term, count in terms:
            if term.isalpha():
                freq[term] = freq.get(term, 0) + int(count)
        best: dict[str, str] = {}
        forms: dict[str, list[str]] = {}
        folded_freq: dict[str, int] = {}
        for term, count in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0])):
            folded = analyzers.fold_token(term)
            if not folded:
                continue
            best.setdefault(folded, term)
            alts = forms.setdefault(folded, [])
            if len(alts) < FORMS:
                alts.append(term)
            folded_freq[folded] = folded_freq.get(folded, 0) + count
        spell = SymSpell(max_dictionary_edit_distance=MAX_EDIT, prefix_length=SPELL_PREFIX)
        ranked = sorted(folded_freq.items(), key=lambda kv: -kv[1])[:MAX_SPELL_TERMS]
        # Only words seen in 2+ documents are offered as corrections: words seen once are
        # often typos themselves, and they are half the dictionary's memory.
        spelled = [(f, c) for f, c in ranked if len(f) >= 2 and c >= SPELL_MIN_DOCS]
        if len(spelled) < SPELL_SMALL_VOCAB:  # a small archive: keep every word
            spelled = [(f, c) for f, c in ranked if len(f) >= 2]
        for folded, count in spelled:
            spell.create_dictionary_entry(folded, count)
        return cls(freq, best, spell, forms)

    def correct_word(self, word: str, analyzers: Analyzers, typos: bool) -> str:
        """The suggested form of one lowercased word (the word itself when none)."""
        folded = analyzers.fold_token(word)
        if not folded or word.isdigit():
            return word
        restored = self.best.get(folded)
        if restored is not None and typos and len(folded) >= MIN_TYPO_LEN:
            count = sum(self.freq.get(f, 0) for f in self.forms.get(folded, ()))
            if count < RARE_DOCS:
                found = self.spell.lookup(folded, Verbosity.ALL, max_edit_distance=1)
                likely = max((c for c in found if c.term != folded), key=lambda c: c.count,
                             default=None)
                if likely is not None and likely.count >= TYPO_RATIO * max(count, 1):
                    return self.best.get(likely.term, likely.term)
        if restored is not None:
            # Known word: restore accents only when the user typed none and a more
            # frequent accented spelling exists.
            if word == folded and restored != word and self.freq.get(restored, 0) > self.freq.get(
                word, 0
            ):
                return restored
            return word
        if not typos or len(folded) < MIN_TYPO_LEN:
            return word
        found = self.spell.lookup(folded, Verbosity.TOP, max_edit_distance=MAX_EDIT)
        if not found:
            return word
        return self.best.get(found[0].term, found[0].term)

    def suggest(
        self,
        query: str,
        analyzers: Analyzers,
        typos: bool = True,
        pair_count: Callable[[str, str], int] | None = None,
    ) -> str | None:
        """A corrected query, or None when nothing would change. With `pair_count` (documents
        holding two exact words side by side), unaccented words get the accents that fit their
        neighbours: `bong da` -> `bóng đá`, not the two most frequent forms `bóng đã`."""
        words = _WORD_RE.findall(query)
        if not words or len(words) > MAX_QUERY_WORDS:
            return None
        fixed = [
            w if w in _OPERATORS else self.correct_word(w.lower(), analyzers, typos) for w in words
        ]
        if pair_count is not None and 2 <= len(words) <= CONTEXT_MAX_WORDS:
            fixed = self._in_context(words, fixed, analyzers, pair_count)
        # the user's capitalisation: `Lnzburg` -> `Linzburg`, not `linzburg`
        fixed = [f if f == w else cased_like(w, f) for w, f in zip(words, fixed, strict=True)]
        chosen = iter(fixed)
        out = _WORD_RE.sub(lambda m: next(chosen), query)
        return out if out.strip().lower() != query.strip().lower() else None

    def _in_context(
        self,
        words: list[str],
        fixed: list[str],
        analyzers: Analyzers,
        pair_count: Callable[[str, str], int],
    ) -> list[str]:
        """Choose among the accented forms of unaccented words by how often neighbours occur
        together (a Viterbi pass over adjacent pairs)."""
        options: list[list[str]] = []
        for typed, fix in zip(words, fixed, strict=True):
            low = typed.lower()
            folded = analyzers.fold_token(low)
            if low == folded and len(self.forms.get(folded, ())) > 1:  # typed without accents
                options.append(list(dict.fromkeys([fix, *self.forms[folded]])))
            else:
                options.append([fix])
        if all(len(o) == 1 for o in options):
            return fixed
        # best[i][w] = (score of the best path ending in w at i, previous word)
        best: list[dict[str, tuple[float, str | None]]] = [
            {w: (0.1 * math.log1p(self.freq.get(w, 0)), None) for w in options[0]}
        ]
        for i in range(1, len(options)):
            column: dict[str, tuple[float, str | None]] = {}
            for w in options[i]:
                prior = 0.1 * math.log1p(self.freq.get(w, 0))
                column[w] = max(
                    (score + math.log1p(pair_count(prev, w)) + prior, prev)
                    for prev, (score, _) in best[-1].items()
                )
            best.append(column)
        word = max(best[-1], key=lambda w: best[-1][w][0])
        path = [word]
        for i in range(len(options) - 1, 0, -1):
            word = best[i][word][1] or word
            path.append(word)
        return path[::-1]


class Suggester:
    """Per-process did-you-mean over an Engine's serving index; re-opened when the index changes.

    The vocabulary is opened (or built, once per version, about 3 s for 35k news articles) in a
    background thread, so no search waits for it longer than `wait` seconds: until it is ready
    there is no suggestion."""

    def __init__(self, engine, wait: float = 0.05) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.wait = wait
        self._lock = threading.Lock()
        self._cache: tuple[object, Vocabulary] | None = None
        self._building: tuple[object, threading.Thread] | None = None
        self._pairs: dict[tuple[str, str], int] = {}
        self._pairs_for: object = None

    def _build(self) -> None:
        try:
            loaded = self._load()
        except BackendUnavailable as exc:  # the cluster went away: tried again on a later search
            logging.getLogger(__name__).warning("did-you-mean vocabulary not read: %s", exc)
            loaded = None
        with self._lock:
            if loaded is None:
                self._building = None
            else:
                self._cache = loaded

    def _load(self) -> tuple[object, Vocabulary] | None:
        """(serving index, its vocabulary): mapped from the files beside the version, built
        there first if no process has (by a child process, or here for a small index); in
        memory when they cannot be written (a read-only index); None: try at the next search."""
        backend = self.engine.backend
        version, stamp = backend.serving_key()
        serving = self.engine.serving()
        if backend.serving_key() != (version, stamp):  # switched meanwhile: the next search
            return None
        here = partial(self._write_here, key=(version, stamp)) if self._small() else None
        try:
            path = vocabstore.ensure(self.engine.root, version, stamp, here)
            return serving, Vocabulary.open(path)
        except (vocabstore.NotBuilt, OSError, ValueError, KeyError) as exc:
            if backend.serving_key() != (version, stamp):  # it no longer serves: the next search
                return None
            logging.getLogger(__name__).warning("did-you-mean vocabulary in memory: %s", exc)
        key, terms = self.engine.vocabulary_source()
        return key, Vocabulary.build(terms, self.engine.analyzers)

    def _small(self) -> bool:
        """True for an index small enough to build its vocabulary in this process (in well
        under a second, leaving little behind): no child process to wait for."""
        documents = self.engine.stats().get("documents")
        return isinstance(documents, int) and documents <= IN_PROCESS_DOCS

    def _write_here(self, dest: Path, fingerprint: str, key: tuple[str, object]) -> bool:
        """Build and write the vocabulary of the version `key` names, in this process (False:
        another version serves by now)."""
        _, terms = self.engine.vocabulary_source()
        if self.engine.backend.serving_key() != key:
            return False
        Vocabulary.build(terms, self.engine.analyzers).write(dest, fingerprint)
        return True

    def warm(self) -> threading.Thread | None:
        """Start building the vocabulary of the serving index if it is not built or building."""
        serving = self.engine.serving()
        with self._lock:
            if self._cache is not None and self._cache[0] is serving:
                return None
            if self._building is not None and self._building[0] is serving:
                return self._building[1]
            thread = threading.Thread(target=self._build, name="suggest-vocabulary", daemon=True)
            thread.start()  # under the lock: no other request may join it before it starts
            self._building = (serving, thread)
        return thread

    def vocabulary(self, wait: float | None = None) -> Vocabulary | None:
        """The vocabulary of the serving index, waiting at most `wait` seconds for a build."""
        serving = self.engine.serving()
        cached = self._cache
        if cached is not None and cached[0] is serving:
            return cached[1]
        thread = self.warm()
        if thread is not None:
            thread.join(self.wait if wait is None else wait)
        cached = self._cache
        return cached[1] if cached is not None and cached[0] is serving else None

    def suggest(self, query: str, typos: bool = True) -> str | None:
        """A better query from the corpus vocabulary, or None (also while it is being built)."""
        if not query.strip() or len(query) > 200:
            return None
        vocab = self.vocabulary()
        if vocab is None:
            return None
        serving = self.engine.serving()  # once per suggestion, not once per pair (a stat call)
        return vocab.suggest(
            query, self.engine.analyzers, typos, lambda a, b: self._pair_count(serving, a, b)
        )

    def _pair_count(self, serving: object, first: str, second: str) -> int:
        """Engine.pair_count, remembered per serving index (typing repeats the same pairs)."""
        if self._pairs_for is not serving:
            self._pairs, self._pairs_for = {}, serving
        key = (first, second)
        count = self._pairs.get(key)
        if count is None:
            count = self.engine.pair_count(first, second)
            if len(self._pairs) >= PAIR_CACHE:
                self._pairs.clear()
            self._pairs[key] = count
        return count
