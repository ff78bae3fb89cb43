"""Stored tantivy documents read back as StoredDoc records, and related documents."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import tantivy
from tantivy import Query

from ...ingest.titles import guess_title
from ...search.request import RELATED_PREVIEW_CHARS, StoredDoc
from .schema import BOILERPLATE_FIELD, FORMAT_FIELD, PAGES_FIELD, exact_field_of, stored_text

log = logging.getLogger(__name__)


def preview(doc: tantivy.Document, score: float = 0.0) -> StoredDoc:
    """A stored document whose body is a short preview (related and recent documents)."""
    body = " ".join(stored_text(doc, "body")[: RELATED_PREVIEW_CHARS * 4].split())
    preview = body[:RELATED_PREVIEW_CHARS] + ("…" if len(body) > RELATED_PREVIEW_CHARS else "")
    return replace(stored(doc, score, body), body=preview)


def hit_doc(doc: tantivy.Document, score: float, limit: int | None = None) -> StoredDoc:
    """A stored document as a result page needs it (only the head of its body: `limit`)."""
    return stored(doc, score, stored_text(doc, "body", limit))


def stored(doc: tantivy.Document, score: float = 0.0, body: str | None = None) -> StoredDoc:
    body = stored_text(doc, "body") if body is None else body
    value = doc.get_first("date")
    return StoredDoc(
        id=doc.get_first("id") or "",
        # the stored title, or one made from the first meaningful line of the body
        title=doc.get_first("title") or guess_title(body[:2000], doc.get_first("id") or ""),
        body=body,
        lang=doc.get_first("lang") or "",
        date=value.date().isoformat() if isinstance(value, datetime) else None,
        source=doc.get_first("source") or "",
        url=doc.get_first("url") or "",
        score=score,
        format=doc.get_first(FORMAT_FIELD) or "",
        pages=_pages(doc.get_first(PAGES_FIELD)),
        author=doc.get_first("author") or "",
        parent=doc.get_first("parent") or "",
        tags=tuple(doc.get_all("tags")),
        boilerplate=tuple(_text(doc.get_first(BOILERPLATE_FIELD)).split("\n")) if doc.get_first(
            BOILERPLATE_FIELD) else (),
    )


def _text(raw: object) -> str:
    return bytes(raw).decode("utf-8", "replace") if raw else ""  # type: ignore[call-overload]


def _pages(raw: object) -> tuple[int, ...]:
    """The stored page offsets (a JSON list), () when none or unreadable."""
    if not raw:
        return ()
    try:
        value = json.loads(_text(raw))
    except ValueError:
        return ()
    return tuple(int(v) for v in value) if isinstance(value, list) else ()


RELATED_TEXT_CHARS = 100_000  # characters of a body whose words choose its related documents


def related(
    searcher: tantivy.Searcher, schema: tantivy.Schema, addr: object, doc: tantivy.Document, k: int
) -> list[StoredDoc]:
    """Up to k documents sharing the most distinctive words of doc (more-like-this); each
    body is a short preview."""
    if k <= 0:
        return []
    # more-like-this analyses each text with its field's analyzer and searches that field
    # (the head of a long body: its words are as telling, and a 5 MB body took 140 ms a page)
    fields = {
        exact_field_of(doc, name): [text[:RELATED_TEXT_CHARS]]
        for name in ("title", "body") if (text := stored_text(doc, name))
    }
    if not fields:
        return []
    try:
        mlt = Query.more_like_this_document_fields_query(
            schema, fields, min_doc_frequency=1, min_term_frequency=1,
            max_query_terms=30, min_word_length=3, max_word_length=40,
        )
        res = searcher.search(mlt, k + 1)
    except BaseException as exc:  # tantivy panics are BaseException
        if not (isinstance(exc, Exception) or type(exc).__name__ == "PanicException"):
            raise
        log.exception("more-like-this failed for %r", doc.get_first("id"))
        return []
    out = []
    for score, other_addr in res.hits:
        if other_addr == addr:
            continue
        out.append(preview(searcher.doc(other_addr), float(score)))
    return out[:k]


def by_ids(searcher: tantivy.Searcher, schema: tantivy.Schema, ids: list[str]) -> list[StoredDoc]:
    """The stored documents with these ids, in the order asked (unknown ids are left out)."""
    if not ids:
        return []
    query = Query.term_set_query(schema, "id", list(ids))
    found = {}
    for _, addr in searcher.search(query, len(ids)).hits:
        doc = stored(searcher.doc(addr))
        found[doc.id] = doc
    return [found[i] for i in ids if i in found]


def every(searcher: tantivy.Searcher) -> Iterator[StoredDoc]:
    """Every stored document of a searcher's view, in index order."""
    if not searcher.num_docs:
        return
    hits = searcher.search(Query.all_query(), searcher.num_docs).hits
    for _, addr in sorted(hits, key=lambda h: (h[1].segment_ord, h[1].doc)):
        yield stored(searcher.doc(addr))
