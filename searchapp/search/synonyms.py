"""Synonym sets applied at query time: a ParsedQuery -> ParsedQuery rewrite, so every backend
gets them and nothing is reindexed.

The file is `synonyms.txt` in the instance folder, in the Solr/Elasticsearch format:

    # a comment
    car, automobile, auto              equivalent: any of them finds all of them
    ILO => International Labour Organization, Tổ chức Lao động Quốc tế
                                        one-way: ILO is searched as the right-hand side

As in Solr and Elasticsearch, a one-way rule replaces what was typed by its right-hand side
(list it on the right too to keep it: `ILO => ILO, ...`), and never applies backwards.
Multi-word entries match consecutive query words (or a quoted phrase) and are searched as
phrases. Matching ignores case and diacritics. A matched clause becomes one clause whose
alternatives (OR) are the expansions, the typed form last (the last typed word stays a prefix).
SynonymFile re-reads the file when its mtime or size changes (one stat per search).
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from .parse import Clause, ParsedQuery, Term

FILE_NAME = "synonyms.txt"
MAX_RULES = 5000
MAX_WORDS = 8  # words in one entry
# entries in one set: each is a clause of every search it expands, and of the set's check
# (a 42k-entry set took 58 s to check on 900k documents)
MAX_ENTRIES = 256
MAX_ALTERNATIVES = 16  # expansions of one matched span

Key = tuple[str, ...]


def key_of(text: str) -> Key:
    """The words of text, lowercased and without diacritics: what a synonym entry matches on."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return tuple(re.findall(r"\w+", plain))


@dataclass(frozen=True)
class Rule:
    """One line: `inputs` equivalent (outputs empty), or `inputs => outputs` one-way."""

    line: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...] = ()

    @property
    def one_way(self) -> bool:
        return bool(self.outputs)

    @property
    def terms(self) -> tuple[str, ...]:
        return self.inputs + self.outputs

    def text(self) -> str:
        left = ", ".join(self.inputs)
        return f"{left} => {', '.join(self.outputs)}" if self.outputs else left


@dataclass(frozen=True)
class Synonyms:
    """Parsed rules and the lookup built from them: input key -> expansions (texts)."""

    rules: tuple[Rule, ...] = ()
    table: dict[Key, tuple[str, ...]] = field(default_factory=dict)
    longest: int = 0

    def __bool__(self) -> bool:
        return bool(self.table)


class SynonymError(ValueError):
    """The file or a set in it cannot be used; the message says why (with the line number)."""


def parse_rules(text: str) -> tuple[list[Rule], list[str]]:
    """The rules of a synonyms file and, separately, the problems found (one per bad line)."""
    rules: list[Rule] = []
    errors: list[str] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.count("=>") > 1:
            errors.append(f"line {n}: “=>” appears more than once")
            continue
        left, arrow, right = line.partition("=>")
        inputs = _entries(left)
        outputs = _entries(right) if arrow else ()
        bad = [e for e in inputs + outputs if not key_of(e)]
        if bad or not inputs or (arrow and not outputs):
            errors.append(f"line {n}: an entry is empty or has no letters or digits")
            continue
        if not arrow and len(inputs) < 2:
            errors.append(f"line {n}: a set needs at least two entries separated by commas")
            continue
        if len(inputs) + len(outputs) > MAX_ENTRIES:
            errors.append(f"line {n}: {len(inputs) + len(outputs):,} entries; a set may hold "
                          f"at most {MAX_ENTRIES}")
            continue
        if long := [e for e in inputs + outputs if len(key_of(e)) > MAX_WORDS]:
            errors.append(f"line {n}: “{long[0]}” has more than {MAX_WORDS} words")
            continue
        rules.append(Rule(n, inputs, outputs))
    if len(rules) > MAX_RULES:
        errors.append(f"{len(rules)} sets: at most {MAX_RULES} are allowed")
    return rules, errors


def _entries(side: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(e.split()) for e in side.split(",") if e.strip()))


def compile_rules(rules: list[Rule]) -> Synonyms:
    """The lookup table of some rules (rules with the same input merge their expansions)."""
    table: dict[Key, list[str]] = {}
    for rule in rules:
        for entry in rule.inputs:
            targets = rule.outputs if rule.one_way else rule.inputs
            known = table.setdefault(key_of(entry), [])
            known.extend(t for t in targets if t not in known)
    frozen = {k: tuple(v[:MAX_ALTERNATIVES]) for k, v in table.items()}
    return Synonyms(tuple(rules), frozen, max((len(k) for k in frozen), default=0))


def load_text(text: str) -> Synonyms:
    """Synonyms from file text; raises SynonymError listing every bad line."""
    rules, errors = parse_rules(text)
    if errors:
        raise SynonymError("; ".join(errors))
    return compile_rules(rules)


# --------------------------------------------------------------------------- the rewrite


@dataclass(frozen=True)
class Expansion:
    """What one span of the query became (for /admin/analyze)."""

    typed: str
    alternatives: tuple[str, ...]


def _eligible(clause: Clause) -> bool:
    return not clause.negated and len(clause.terms) == 1 and not clause.terms[0].prefix


def expand(pq: ParsedQuery, synonyms: Synonyms | None) -> tuple[ParsedQuery, list[Expansion]]:
    """pq with every span of consecutive words (or a phrase) that is a synonym entry replaced by
    one clause of alternatives. Without synonyms, or when nothing matches, pq itself."""
    if not synonyms or not pq.clauses:
        return pq, []
    out: list[Clause] = []
    notes: list[Expansion] = []
    clauses = pq.clauses
    i = 0
    while i < len(clauses):
        found = None
        if _eligible(clauses[i]):
            keys: Key = ()
            for j in range(i, min(len(clauses), i + synonyms.longest)):
                if not _eligible(clauses[j]) or clauses[j].terms[0].field != clauses[i].terms[0].field:
                    break
                keys += key_of(clauses[j].terms[0].text)
                if len(keys) > synonyms.longest:
                    break
                if keys in synonyms.table:
                    found = (j, synonyms.table[keys])
        if found is None:
            out.append(clauses[i])
            i += 1
            continue
        j, targets = found
        span = [c.terms[0] for c in clauses[i : j + 1]]
        fname = span[0].field
        typed = span[0] if len(span) == 1 else Term(" ".join(t.text for t in span), phrase=True,
                                                     field=fname)
        typed_key = key_of(typed.text)
        alts = [_term(t, fname) for t in targets if key_of(t) != typed_key]
        kept = len(alts) < len(targets)  # the typed form is one of the targets
        terms = tuple(alts) + ((typed,) if kept else ())
        out.append(Clause(terms))
        notes.append(Expansion(typed.text, tuple(t.text for t in terms)))
        i = j + 1
    if not notes:
        return pq, []
    return replace(pq, clauses=out, warnings=list(pq.warnings)), notes


def _term(text: str, fname: str | None) -> Term:
    return Term(text, phrase=len(key_of(text)) > 1, field=fname)


# --------------------------------------------------------------------------- the file


class SynonymFile:
    """synonyms.txt, re-read when its modification time or size changes (one stat per call).
    A missing file is no synonyms; a file with errors keeps the last good rules (and says so)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._synonyms: Synonyms | None = None
        self.generation = 0  # bumped whenever the rules in force may have changed
        self.error = ""

    def current(self) -> Synonyms | None:
        """The rules in force, or None when there is no file (or it holds no rule)."""
        try:
            st = os.stat(self.path)
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp == self._stamp:
            return self._synonyms
        with self._lock:
            if stamp != self._stamp:
                self._reload(stamp)
            return self._synonyms

    def _reload(self, stamp: tuple[int, int] | None) -> None:
        if stamp is None:
            self._synonyms, self.error = None, ""
        else:
            try:
                loaded = load_text(self.path.read_text(encoding="utf-8"))
                self._synonyms, self.error = (loaded or None), ""
            except (OSError, UnicodeDecodeError, SynonymError) as exc:
                self.error = str(exc)  # keep the rules of the last good file
        self._stamp = stamp
        self.generation += 1

    def key(self) -> object:
        """A cache key that changes whenever the rules in force do."""
        self.current()
        return self.generation

    def read_text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
