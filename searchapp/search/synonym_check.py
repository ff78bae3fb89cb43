"""Validation of a synonyms file before it is saved from /admin: the syntax, and no set that
would match half the index (a set like `the, a` would turn every search into noise)."""

from __future__ import annotations

import time
from collections.abc import Callable

from .parse import Clause, ParsedQuery, Term
from .synonyms import Rule, key_of, parse_rules

MAX_SHARE = 0.5  # a set matching more than this share of the documents is refused
MIN_DOCUMENTS = 4  # below this many documents the share says nothing
# the whole check, well inside the server's 60 s worker timeout (the sets left are not checked)
CHECK_SECONDS = 20.0


def set_query(rule: Rule) -> ParsedQuery:
    """Any entry of the set, each as a phrase: what the set can make a search match."""
    terms = tuple(Term(t, phrase=len(key_of(t)) > 1) for t in rule.terms)
    return ParsedQuery(clauses=[Clause(terms)])


def check(text: str, count: Callable[[ParsedQuery], int], documents: int,
          saved: str = "") -> list[str]:
    """Why this file cannot be saved (empty when it can). `count` gives the number of documents
    a query matches, `documents` the size of the index; the sets of `saved` (the file in force)
    were checked when it was saved and are not counted again."""
    rules, errors = parse_rules(text)
    if errors or documents < MIN_DOCUMENTS:
        return errors
    known = {(r.inputs, r.outputs) for r in parse_rules(saved)[0]} if saved else set()
    todo = [r for r in rules if (r.inputs, r.outputs) not in known]
    started = time.monotonic()
    for i, rule in enumerate(todo):
        if time.monotonic() - started > CHECK_SECONDS:
            errors.append(
                f"checking the new sets took longer than {CHECK_SECONDS:g} s ({i:,} of "
                f"{len(todo):,} checked): save them in smaller groups (sets already saved are "
                "not checked again)")
            break
        matched = count(set_query(rule))
        if matched > MAX_SHARE * documents:
            errors.append(
                f"line {rule.line}: “{rule.text()}” would match {matched:,} of {documents:,} "
                f"documents ({matched / documents:.0%}); a set may match at most half the index"
            )
    return errors
