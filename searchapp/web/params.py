"""Query-string arguments -> a SearchRequest, clamping anything odd instead of failing.

Bounds (documented in the README and /api/openapi.json): q at most MAX_QUERY_CHARS characters
(longer ones are cut, and the page or the API's `warnings` says so), page 1..MAX_PAGE (results
beyond search.MAX_RESULT_WINDOW are not reachable, and a note says so), page_size 1..MAX_PAGE_SIZE; a non-numeric or
negative number is replaced by its default or bound; filter values over 200 characters and
beyond MAX_FILTER_VALUES per name are ignored.
"""

from __future__ import annotations

from datetime import date

from flask import Request
from werkzeug.datastructures import MultiDict

from ..search.parse import MAX_QUERY_CHARS, date_bound
from ..search.request import MAX_PAGE_SIZE, MAX_RESULT_WINDOW, SearchRequest, Sort
from . import i18n

MAX_FILTER_VALUES = 20
MAX_PAGE = 10_000
PAGE_NOTE = f"Only the first {MAX_RESULT_WINDOW} results can be paged through."
MAX_DOC_ID_CHARS = 1000  # longer /doc/<id> ids are not looked up (404)


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


# sort=: relevance (default), date (newest first) and date_asc (oldest first); aliases too.
SORT_VALUES: dict[str, Sort] = {
    "relevance": "relevance", "date": "date", "newest": "date", "date_desc": "date",
    "date_asc": "date_asc", "oldest": "date_asc",
}


def search_request(args: MultiDict[str, str]) -> SearchRequest:
    """Build a SearchRequest from GET arguments (q, lang, source, year, format, from, to, sort,
    page, page_size). from/to: 2024, 2024-05 or 2024-05-17 (the first / last day covered)."""
    date_from, date_to = date_range(args)
    return SearchRequest(
        query=args.get("q", "")[:MAX_QUERY_CHARS],
        lang=_values(args, "lang"),
        source=_values(args, "source"),
        year=years(args),
        format=_values(args, "format"),
        date_from=date_from,
        date_to=date_to,
        sort=SORT_VALUES.get(_sort_text(args), "relevance"),
        page=_int(args.get("page"), 1, 1, MAX_PAGE),
        page_size=_int(args.get("page_size"), 10, 1, MAX_PAGE_SIZE),
        semantic=flag(args.get("semantic")),
    )


def years(args: MultiDict[str, str]) -> tuple[int, ...]:
    """year=2024 values (ASCII or other decimal digits; not "¹", which isdigit() lets through
    and int() refuses)."""
    return tuple(int(y) for y in _values(args, "year") if _is_year(y))


def _is_year(value: str) -> bool:
    return value.isdecimal() and len(value) <= 4


def date_range(args: MultiDict[str, str]) -> tuple[date | None, date | None]:
    """(from, to) as dates; a range typed the wrong way round (from after to) is turned round."""
    low_text, high_text = args.get("from", "")[:10], args.get("to", "")[:10]
    low, high = date_bound(low_text, end=False), date_bound(high_text, end=True)
    if low is not None and high is not None and low > high:
        return date_bound(high_text, end=False), date_bound(low_text, end=True)
    return low, high


def _sort_text(args: MultiDict[str, str]) -> str:
    return args.get("sort", "").strip().lower()


def page_end(args: MultiDict[str, str]) -> int:
    """How many results come before the end of the page asked for (page × page_size, clamped as
    search_request clamps them): what a page costs grows with it (ratelimit.deep_limit)."""
    return (_int(args.get("page"), 1, 1, MAX_PAGE)
            * _int(args.get("page_size"), 10, 1, MAX_PAGE_SIZE))


def doc_part(args: MultiDict[str, str]) -> int | None:
    """part=N of a long document's page (1-based; clamped by the engine); None: the part
    holding the query's best match."""
    value = args.get("part", "").strip()
    return _int(value, 1, 1, 10**6) if value else None


def flag(value: str | None) -> bool | None:
    """semantic=1 / semantic=0 (also true/false, on/off); None when absent or unclear."""
    text = (value or "").strip().lower()
    return True if text in ("1", "true", "on", "yes") else (
        False if text in ("0", "false", "off", "no") else None)


def verbatim(args: MultiDict[str, str]) -> bool:
    """verbatim=1: search exactly what was typed, even when a correction would find more."""
    return args.get("verbatim", "") in ("1", "true")


def request_notes(request: Request) -> tuple[str, ...]:
    """Notes for the reader when q was cut to MAX_QUERY_CHARS, a from/to/sort value could not
    be read (it is ignored) or the page is out of reach."""
    notes = []
    strings = i18n.STRINGS[i18n.choose(request)]
    n = len(request.args.get("q", ""))
    if n > MAX_QUERY_CHARS:
        notes.append(strings["query_too_long"].format(max=MAX_QUERY_CHARS, n=n))
    for name in ("from", "to"):
        value = request.args.get(name, "")
        if value.strip() and date_bound(value[:10], end=name == "to") is None:
            notes.append(strings["bad_date"].format(name=name, value=_shown(value)))
    low, high = date_range(request.args)
    if low is not None and high is not None and date_bound(
            request.args.get("from", "")[:10], end=False) != low:
        notes.append(strings["dates_swapped"].format(low=low, high=high))
    for value in request.args.getlist("year"):
        if value.strip() and not _is_year(value.strip()):
            notes.append(strings["bad_year"].format(value=_shown(value)))
    sort = _sort_text(request.args)
    if sort and sort not in SORT_VALUES:
        notes.append(strings["bad_sort"].format(value=_shown(request.args.get("sort", ""))))
    page = _int(request.args.get("page"), 1, 1, 10**9)
    size = _int(request.args.get("page_size"), 10, 1, MAX_PAGE_SIZE)
    if (page - 1) * size >= MAX_RESULT_WINDOW:
        notes.append(PAGE_NOTE)  # the engine's own words: shown once when it says it too
    return tuple(notes)


def _shown(value: str) -> str:
    """A bad parameter value as quoted back to the reader (at most 40 characters)."""
    return value if len(value) <= 40 else value[:40] + "…"
