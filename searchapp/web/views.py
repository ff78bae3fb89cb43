"""HTML pages: the search page (full or as an htmx fragment), document pages, health."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue

from ..search.parse import MAX_QUERY_CHARS
from .params import request_notes, search_request
from .ratelimit import search_limit
from .service import document, health, run_facets, run_search

bp = Blueprint("web", __name__)


# The id of the search box: htmx names the element that triggered a request in HX-Trigger.
SEARCH_BOX_ID = "q"


@bp.get("/")
@bp.get("/search")
@search_limit
def search() -> ResponseReturnValue:
    req = search_request(request.args)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    if fragment and request.htmx.trigger == SEARCH_BOX_ID:  # type: ignore[attr-defined]
        # a keystroke: the facets load on their own once typing pauses (_results.html)
        req = replace(req, facets=False)
    results = run_search(req, request_notes(request)) if req.query.strip() else None
    template = "_results.html" if fragment else "search.html"
    response = make_response(render_template(template, results=results, req=req, oob=fragment))
    response.vary.add("HX-Request")
    response.vary.add("HX-Trigger")
    return response


@bp.get("/search/facets")
@search_limit
def facets() -> ResponseReturnValue:
    """The facet column of a search alone (htmx swaps it in after a keystroke's results)."""
    req = search_request(request.args)
    values = run_facets(req) if req.query.strip() else {}
    return render_template("_facets.html", facets=values, req=req)


@bp.get("/doc")
@search_limit
def doc_by_query() -> ResponseReturnValue:
    """/doc?id=<id>: the link of a document whose id does not survive as a path (doc_url)."""
    return doc(request.args.get("id", ""))


@bp.get("/doc/<path:doc_id>")
@search_limit
def doc(doc_id: str) -> ResponseReturnValue:
    query = request.args.get("q", "")[:MAX_QUERY_CHARS]
    view = document(doc_id, query)
    if view is None:
        abort(404, description="document")
    return render_template("doc.html", doc=view, query=query)


@bp.get("/health")
def health_view() -> ResponseReturnValue:
    return jsonify(health())
