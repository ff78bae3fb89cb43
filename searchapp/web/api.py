"""JSON API: /api/search, /api/doc/<id>, /api/openapi.json."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from ..search.answer import correction_fields
from .openapi import spec
from .params import MAX_DOC_ID_CHARS, doc_part, request_notes, search_request, verbatim
from .ratelimit import deep_limit, doc_limit, search_limit
from .service import document, hit_json, run_search, semantic_notes

bp = Blueprint("api", __name__, url_prefix="/api")
PAST_LAST = "Page {n} is past the last page of these results ({last})."


@bp.get("/search")
@search_limit
@deep_limit
def search() -> ResponseReturnValue:
    req = search_request(request.args)
    results = run_search(req, request_notes(request) + semantic_notes(req), verbatim(request.args))
    page = results.page
    messages = list(results.messages)
    if not page.hits and page.total and page.request.page > page.pages:  # not "nothing found"
        messages.append(PAST_LAST.format(n=page.request.page, last=page.pages))
    said = correction_fields(page, results.suggestion, messages)
    return jsonify(
        total=page.total,
        elapsed_ms=page.elapsed_ms,
        hits=[hit_json(h) for h in page.hits],
        facets={
            name: [{"value": f.value, "count": f.count} for f in values]
            for name, values in page.facets.items()
        },
        # query, searched, suggestion, warnings, and corrected: nothing matched q, these are
        # the results of `suggestion` (verbatim=1 turns it off); `searchapp search --json` too
        **said,
        cached=page.cached,
    )


@bp.get("/doc")
@search_limit
@doc_limit
def doc_by_query() -> ResponseReturnValue:
    """/api/doc?id=<id>: any id, whatever it holds (see web.doc_url)."""
    return doc(request.args.get("id", ""))


@bp.get("/doc/<path:doc_id>")
@search_limit
@doc_limit
def doc(doc_id: str) -> ResponseReturnValue:
    view = document(doc_id, request.args.get("q", ""), doc_part(request.args))
    if view is None:
        shown = doc_id if len(doc_id) <= 200 else doc_id[:200] + "…"
        abort(404, description=f"no document with id {shown!r}"
              + (f" (ids are at most {MAX_DOC_ID_CHARS} characters)"
                 if len(doc_id) > MAX_DOC_ID_CHARS else ""))
    return jsonify(
        id=view.id,
        title=view.title,
        title_html=view.title_html,
        body_html=view.body_html,
        lang=view.lang,
        date=view.date,
        source=view.source,
        url=view.url,
        format=view.format or None,
        page=view.page,
        pages=view.pages or None,
        # a long body comes in parts (?part=N): the one with the best match unless asked
        part=view.part,
        parts=view.parts,
        author=view.author or None,
        tags=list(view.tags),
        duplicates=view.duplicates,
        related=[hit_json(h) for h in view.related],
    )


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(spec())
