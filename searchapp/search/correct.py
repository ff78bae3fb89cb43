"""One behaviour for typos everywhere (web page, JSON API, CLI): when a query finds nothing and
its correction finds something, the correction's results are shown, saying so, with a way to
search exactly what was typed (`verbatim`). The suggestion keeps the user's capitalisation."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from .request import SearchPage, SearchRequest, is_browse

SearchFn = Callable[[SearchRequest], SearchPage]
SuggestFn = Callable[[str, bool], "str | None"]  # (query, correct typos too) -> a better query
FoldFn = Callable[[str], object]  # a text without accents, in any comparable form


@dataclass(frozen=True)
class Corrected:
    """A search with its did-you-mean: page.corrected_from is set when the page shows the
    suggestion's results instead of the query's (none)."""

    page: SearchPage
    suggestion: str | None = None


def search_with_correction(
    search: SearchFn, suggest: SuggestFn, fold: FoldFn, req: SearchRequest,
    verbatim: bool = False, few: int | None = None,
) -> Corrected:
    """Search req; propose a better query when the vocabulary has one that finds something (or
    only restores accents); when req found nothing and not `verbatim`, show the better query's
    results instead. With `few`, a page that found every word at least `few` times gets no
    did-you-mean at all (the live search box: a keystroke that found plenty needs none)."""
    page = search(req)
    query = req.query
    if is_browse(query) or not page.complete:
        return Corrected(page)
    weak = page.total == 0 or page.relaxed
    if few is not None and not weak and page.total >= few:
        return Corrected(page)
    suggestion = suggest(query, weak)
    if not suggestion:
        return Corrected(page)
    better: SearchPage | None = None
    if weak and fold(suggestion) != fold(query):
        better = search(replace(req, query=suggestion))
        if better.total == 0 or (better.relaxed and page.total):
            return Corrected(page)
    if page.total == 0 and not verbatim and confident(query, suggestion):
        better = better or search(replace(req, query=suggestion))
        if better.total:
            return Corrected(replace(better, corrected_from=query), suggestion)
    return Corrected(page, suggestion)


def confident(typed: str, fixed: str) -> bool:
    """True when the suggestion may replace the results: word for word, each changed word is
    one edit (or only accents) away from what was typed (`Lnzburg` -> `Linzburg`). A farther
    guess (`video` -> `side`) is only offered as "Did you mean"."""
    a, b = typed.split(), fixed.split()
    if len(a) != len(b):
        return False
    return all(_distance(_plain(x), _plain(y)) <= 1 for x, y in zip(a, b, strict=True))


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a transposition counts as one edit)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def cased_like(typed: str, fixed: str) -> str:
    """fixed with the capitalisation of typed: `Lnzburg` -> `Linzburg`, `ILO` -> `ILO`."""
    if len(typed) > 1 and typed.isupper():
        return fixed.upper()
    if typed[:1].isupper():
        return fixed[:1].upper() + fixed[1:]
    return fixed
