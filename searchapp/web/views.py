"""HTML pages: the search page (full or as an htmx fragment), document pages, health."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    Flask,
    abort,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from ..search.parse import MAX_QUERY_CHARS
from ..search.request import SearchRequest
from .params import doc_part, request_notes, search_request, verbatim
from .ratelimit import deep_limit, doc_limit, search_limit
from .service import (
    default_on,
    document,
    fused_later,
    health,
    overview,
    run_facets,
    run_search,
    semantic_notes,
    semantic_ready,
    services,
)

bp = Blueprint("web", __name__)


# The id of the search box: htmx names the element that triggered a request in HX-Trigger.
SEARCH_BOX_ID = "q"


@bp.get("/")
@bp.get("/search")
@search_limit
@deep_limit
def search() -> ResponseReturnValue:
    req = search_request(request.args)
    fragment = bool(request.htmx) and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    fuse_later = False
    ready = semantic_ready()
    semantic_on = ready and (req.semantic if req.semantic is not None else default_on())
    keystroke = fragment and request.htmx.trigger == SEARCH_BOX_ID  # type: ignore[attr-defined]
    if keystroke:
        req, fuse_later = keystroke_request(req, wants_results(req))
    results = None
    if wants_results(req):
        results = run_search(req, request_notes(request) + semantic_notes(req, ready),
                             verbatim(request.args), keystroke)
        services().warm()
    home = overview() if results is None else None
    template = "_results.html" if fragment else "search.html"
    response = make_response(render_template(template, results=results, req=req, oob=fragment,
                                             home=home, fuse_later=fuse_later,
                                             semantic_ready=ready, semantic_on=semantic_on))
    response.vary.add("HX-Request")
    response.vary.add("HX-Trigger")
    return response


def keystroke_request(req: SearchRequest, searching: bool = True) -> tuple[SearchRequest, bool]:
    """What a keystroke of the search box runs, and True when fused results follow: the facets
    load on their own once typing pauses (_results.html), and fused results (words and
    meaning) then replace the keyword ones."""
    fuse_later = searching and fused_later(req)
    return replace(req, facets=False, semantic=False if fuse_later else req.semantic), fuse_later


def warm_keystroke(app: Flask, text: str) -> SearchRequest:
    """The request a keystroke of `text` runs (for warmup.py's thread, outside any request)."""
    with app.app_context():
        return keystroke_request(search_request(MultiDict({"q": text})))[0]


@bp.get("/search/facets")
@search_limit
def facets() -> ResponseReturnValue:
    """The facet column of a search alone (htmx swaps it in after a keystroke's results)."""
    req = search_request(request.args)
    values = run_facets(req) if wants_results(req) else {}
    return render_template("_facets.html", facets=values, req=req)


@bp.get("/doc")
@search_limit
@doc_limit
def doc_by_query() -> ResponseReturnValue:
    """/doc?id=<id>: the link of a document whose id does not survive as a path (doc_url)."""
    return doc(request.args.get("id", ""))


def wants_results(req: SearchRequest) -> bool:
    """Words to search, or none but filters, a sort or `*` (browsing every document): anything
    but the bare home page."""
    return bool(req.query.strip() or req.lang or req.source or req.year or req.format
                or req.date_from or req.date_to or "sort" in request.args)


@bp.get("/doc/<path:doc_id>")
@search_limit
@doc_limit
def doc(doc_id: str) -> ResponseReturnValue:
    query = request.args.get("q", "")[:MAX_QUERY_CHARS]
    view = document(doc_id, query, doc_part(request.args))
    if view is None:
        abort(404, description="document")
    return render_template("doc.html", doc=view, query=query)


@bp.get("/health")
def health_view() -> ResponseReturnValue:
    return jsonify(health())
