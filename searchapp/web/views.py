"""HTML pages: the search page (full or as an htmx fragment), document pages, health."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue

from ..query import MAX_QUERY_CHARS
from ..ratelimit import search_limit
from .params import request_notes, search_request
from .service import document, health, run_search

bp = Blueprint("web", __name__)


@bp.get("/")
@bp.get("/search")
@search_limit
def search() -> ResponseReturnValue:
    req = search_request(request.args)
    results = run_search(req, request_notes(request)) if req.query.strip() else None
    fragment = bool(request.htmx) and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    template = "_results.html" if fragment else "search.html"
    response = make_response(render_template(template, results=results, req=req, oob=fragment))
    response.vary.add("HX-Request")
    return response


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
