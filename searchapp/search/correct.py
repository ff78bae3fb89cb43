"""One behaviour for typos everywhere (web page, JSON API, CLI): when a query finds nothing and
its correction finds something, the correction's results are shown, saying so, with a way to
search exactly what was typed (`verbatim`). The suggestion keeps the user's capitalisation."""

from __future__ import annotations

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
    verbatim: bool = False,
) -> Corrected:
    """Search req; propose a better query when the vocabulary has one that finds something (or
    only restores accents); when req found nothing and not `verbatim`, show the better query's
    results instead."""
    page = search(req)
    query = req.query
    if is_browse(query) or not page.complete:
        return Corrected(page)
    weak = page.total == 0 or page.relaxed
    suggestion = suggest(query, weak)
    if not suggestion:
        return Corrected(page)
    better: SearchPage | None = None
    if weak and fold(suggestion) != fold(query):
        better = search(replace(req, query=suggestion))
        if better.total == 0 or (better.relaxed and page.total):
            return Corrected(page)
    if page.total == 0 and not verbatim:
        better = better or search(replace(req, query=suggestion))
        if better.total:
            return Corrected(replace(better, corrected_from=query), suggestion)
    return Corrected(page, suggestion)


def cased_like(typed: str, fixed: str) -> str:
    """fixed with the capitalisation of typed: `Lnzburg` -> `Linzburg`, `ILO` -> `ILO`."""
    if len(typed) > 1 and typed.isupper():
        return fixed.upper()
    if typed[:1].isupper():
        return fixed[:1].upper() + fixed[1:]
    return fixed
