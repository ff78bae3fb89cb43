"""The heading and lead of a page that main-text extraction dropped, put back.

trafilatura (favor_precision) keeps the block it judges to be the article; on simple pages whose
<h1> and preamble sit in a <header> outside the <article> (the UN declaration in 15 languages),
the text began at "Article 1" and the page's own title phrase did not find it.  When the body
lacks the page's <h1>, the visible text from that heading up to where the body begins is put in
front; when it holds only a small part of the visible text, a recall-oriented pass is tried.
"""

from __future__ import annotations

from typing import Any

MAX_LEAD = 5000  # characters of heading and lead put back at most
_FEW = 0.25  # the body holds under this share of the visible text: try the recall pass


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def with_lead(body: str, visible: str, heading: str) -> str:
    """body, with visible's lines from the heading to the body's first line put in front when
    the body lacks the heading."""
    title = _norm(heading)
    if not title or title in _norm(body[: len(heading) * 2 + 2000]):
        return body
    lines = visible.split("\n")
    start = next((i for i, line in enumerate(lines) if title in _norm(line)), -1)
    if start < 0:
        return body
    first = next((_norm(line) for line in body.split("\n") if line.strip()), "")
    end = next((i for i in range(start + 1, len(lines))
                if first and _norm(lines[i]).startswith(first[:60])), -1)
    lead = lines[start:end] if end > start else lines[start:start + 1]
    text = "\n".join(lead)
    if len(text) > MAX_LEAD:
        text = heading
    return f"{text}\n{body}" if body.strip() else text


def recall_pass(html: str, body: str, visible: str) -> str:
    """A favor_recall extraction when body holds little of the visible text and it finds more."""
    if not visible or len(body) >= _FEW * len(visible):
        return body
    import trafilatura

    try:
        more: Any = trafilatura.extract(html, favor_recall=True, include_tables=True,
                                        include_comments=False, deduplicate=False)
    except Exception:  # noqa: BLE001 - trafilatura raises assorted errors on odd markup
        return body
    return more if isinstance(more, str) and len(more) > len(body) else body
