"""What every front end says about one search: the web page, the JSON API and the CLI build the
same request (SearchRequest's defaults), search with the same did-you-mean and correction
(correct.search_with_correction, the suggester asked for every query) and state the
correction with the same fields."""

from __future__ import annotations

from .request import SearchPage


def correction_fields(page: SearchPage, suggestion: str | None, messages: list[str]
                      ) -> dict[str, object]:
    """The fields /api/search and `searchapp search --json` share about what was searched."""
    return {
        "query": page.corrected_from or page.request.query,  # what was typed
        # the query whose hits these are: the correction when nothing matched `query`
        "searched": page.request.query,
        "suggestion": suggestion,
        "corrected": bool(page.corrected_from),  # the hits are those of `suggestion`
        "warnings": messages,
    }
