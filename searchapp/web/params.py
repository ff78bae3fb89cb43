"""Query-string arguments -> a SearchRequest, clamping anything odd instead of failing."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..search import MAX_PAGE_SIZE, SearchRequest

MAX_FILTER_VALUES = 20
MAX_PAGE = 10_000


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def _values(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    seen: list[str] = []
    for value in args.getlist(name):
        value = value.strip()
        if value and value not in seen and len(value) <= 200:
            seen.append(value)
    return tuple(seen[:MAX_FILTER_VALUES])


def search_request(args: MultiDict[str, str]) -> SearchRequest:
    """Build a SearchRequest from GET arguments (q, lang, source, year, sort, page, page_size)."""
    years = tuple(int(y) for y in _values(args, "year") if y.isdigit() and len(y) <= 4)
    return SearchRequest(
        query=args.get("q", "")[:2000],
        lang=_values(args, "lang"),
        source=_values(args, "source"),
        year=years,
        sort="date" if args.get("sort") == "date" else "relevance",
        page=_int(args.get("page"), 1, 1, MAX_PAGE),
        page_size=_int(args.get("page_size"), 10, 1, MAX_PAGE_SIZE),
    )
