"""More-like-this: documents sharing the most distinctive words of a given one.

Uses only public pieces of the Engine (`current()`); meant to move into `Engine.related`.
"""

from __future__ import annotations

import logging
from html import escape

from tantivy import Query

from .search import Engine, Hit, _date_str

log = logging.getLogger(__name__)

PREVIEW_CHARS = 180


def related(engine: Engine, doc_id: str, k: int = 5) -> list[Hit]:
    """Up to k documents like doc_id (never itself), best first; [] when unknown."""
    opened = engine.current()
    schema = opened.index.schema
    searcher = opened.index.searcher()
    found = searcher.search(Query.term_query(schema, "id", doc_id), 1)
    if not found.hits:
        return []
    doc = searcher.doc(found.hits[0][1])
    fields = {
        name: [text] for name in ("title", "body") if (text := doc.get_first(name) or "")
    }
    if not fields:
        return []
    try:
        mlt = Query.more_like_this_document_fields_query(
            schema, fields, min_doc_frequency=1, min_term_frequency=1, max_query_terms=30,
            min_word_length=3, max_word_length=40,
        )
        res = searcher.search(mlt, k + 1)
    except BaseException as exc:  # tantivy panics are BaseException
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        log.exception("more-like-this failed for %r", doc_id)
        return []
    out: list[Hit] = []
    for score, addr in res.hits:
        other = searcher.doc(addr)
        other_id = other.get_first("id") or ""
        if other_id == doc_id:
            continue
        title = other.get_first("title") or ""
        body = " ".join((other.get_first("body") or "").split())
        preview = body[:PREVIEW_CHARS] + ("…" if len(body) > PREVIEW_CHARS else "")
        out.append(
            Hit(
                id=other_id,
                title=title,
                title_html=escape(title),
                lang=other.get_first("lang") or "",
                date=_date_str(other.get_first("date")),
                source=other.get_first("source") or "",
                url=other.get_first("url") or "",
                score=float(score),
                snippet_html=escape(preview),
            )
        )
    return out[:k]
