"""The web app: live search pages (htmx), document pages and a JSON API.

Hardening (one module each): security headers and proxy trust in ../security.py, the search rate
limit in ../ratelimit.py, request and error logs in ../requestlog.py. Errors answer as HTML or
JSON by what the client wants; nothing a client sends gives a 5xx (tests/test_hardening*.py).
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from flask import (
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    send_from_directory,
)
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from htmx_flask import Htmx
from werkzeug.exceptions import HTTPException

from .. import __version__
from ..config import Settings
from ..search.engine import BackendUnavailable, backend_name
from . import i18n, ratelimit, requestlog, security
from .auth import instance_dir
from .service import EXTENSION, NoIndex, Services

HTMX_JS = "htmx-2.0.11.min.js"
MAX_POST_BYTES = 1 << 20  # the largest request body any view takes (synonyms.txt's editor)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; settings come from SEARCHAPP_* variables unless test_config sets them."""
    settings = Settings.from_env()
    app = Flask(__name__, template_folder=str(_templates_dir()), static_folder="../static")
    app.config.from_mapping(
        INDEX_DIR=str(settings.index_dir),
        DOCS_DIR=str(settings.docs_dir),
        JSON_SORT_KEYS=False,
        # No form here is larger (a field is capped at 500 KB by werkzeug anyway): without a
        # cap, an anonymous POST of any size was read whole, multipart parts spooled to disk,
        # before CSRF or the login limit refused it. Over it: 413 before the body is read.
        MAX_CONTENT_LENGTH=MAX_POST_BYTES,
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    Htmx(app)
    requestlog.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    app.config.setdefault("SEARCH_CACHE", settings.search_cache)
    folder = Path(app.config.get("INSTANCE_DIR") or instance_dir(app.config["INDEX_DIR"]))
    app.extensions[EXTENSION] = Services(
        Path(app.config["INDEX_DIR"]), cache_size=int(app.config["SEARCH_CACHE"]),
        instance_dir=folder,
    )

    from . import admin, analytics, api, metrics, originals, views

    app.register_blueprint(views.bp)
    # The heaviest first keystrokes searched in the background per version (web/warmup.py);
    # tests turn it on where they look at it (a background thread per app would blur others).
    if app.config.setdefault("WARM_KEYSTROKES", not app.testing):
        app.extensions[EXTENSION].keystroke = partial(views.warm_keystroke, app)
    app.register_blueprint(api.bp)
    app.register_blueprint(originals.bp)
    admin.init_app(app)  # login, CSRF, rate limits, /admin, /admin/synonyms
    analytics.init_app(app)  # /admin/analytics and its beacons (only with LOG_QUERIES)
    metrics.init_app(app)  # /metrics
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    app.jinja_env.filters["shown_name"] = shown_name
    app.context_processor(_template_context)
    app.register_error_handler(NoIndex, _no_index)
    app.register_error_handler(BackendUnavailable, _unavailable)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_vary_language)
    return app


def _favicon() -> ResponseReturnValue:
    """/favicon.ico, where browsers look when a page names no icon (pages link favicon.svg)."""
    return send_from_directory(current_app.static_folder or "static", "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)


def _templates_dir() -> Path:
    """templates/ beside the package in a checkout, searchapp/templates when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "base.html").exists():
            return candidate
    return here.parent / "templates"


def qs(
    add: tuple[str, object] | None = None,
    remove: tuple[str, object] | None = None,
    set: dict[str, object] | None = None,
    drop: tuple[str, ...] = ("page",),
    path: str = "/search",
) -> str:
    """The current search URL with one parameter value added, removed or set.

    A results page builds ~50 of these (facet values, pages, chips): the request's parameters
    are read once per request (flask.g) and each name and value is percent-encoded once."""
    items = [kv for kv in _request_items() if kv[0] not in drop]
    if remove is not None:
        gone = (remove[0], str(remove[1]))
        items = [kv for kv in items if kv != gone]
    if add is not None and (add[0], str(add[1])) not in items:
        items.append((add[0], str(add[1])))
    for key, value in (set or {}).items():
        items = [kv for kv in items if kv[0] != key]
        if value not in (None, ""):
            items.append((key, str(value)))
    if not items:
        return path
    return path + "?" + "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in items)


def _request_items() -> list[tuple[str, str]]:
    """The request's non-empty query parameters, in order, read once per request."""
    items = g.get("_qs_items")
    if items is None:
        items = [(k, v) for k, v in request.args.items(multi=True) if v != ""]
        g._qs_items = items
    return items


@lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    return quote_plus(text)


# Characters werkzeug's url_for leaves as they are in a <path:...> segment.
_PATH_SAFE = "/:@!$&'()*+,;=~"


def doc_url(doc_id: str, query: str | None = None, part: int | None = None) -> str:
    """The link of a document: /doc/<id> (what url_for('web.doc', ...) gives, as a string join:
    a results page builds ten, and url_for's routing lookups cost ~0.1 ms each), or /doc?id=<id>
    for an id a client would change on the way (dot or empty segments, backslashes, control
    characters: tests/test_round2_ingest.py), so every link opens its document."""
    args = [] if query is None else [f"q={_quoted(query)}"]
    if part is not None:  # a part of a long document (search/parts.py)
        args.append(f"part={part}")
    if (ui := request.args.get("ui", "")) in i18n.STRINGS:  # the interface language chosen
        args.append(f"ui={ui}")
    if path_safe(doc_id):
        url = f"{request.script_root}/doc/{quote(doc_id, safe=_PATH_SAFE)}"
        return f"{url}?{'&'.join(args)}" if args else url
    return "&".join([f"{request.script_root}/doc?id={_quoted(doc_id)}", *args])


def path_safe(doc_id: str) -> bool:
    """True when /doc/<id> reaches the document: no segment a client normalises away (".",
    "..", empty), no backslash (read as "/"), no control character (the route's pattern and
    URL parsers drop or refuse them)."""
    if not doc_id or _UNSAFE_CHAR.search(doc_id):
        return False
    return all(part not in ("", ".", "..") for part in doc_id.split("/"))


_UNSAFE_CHAR = re.compile(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Bidi embeddings, overrides and isolates, and control characters: in a file name shown on a
# page they would reorder or hide what follows ("invoice\u202efdp.exe" reads "invoiceexe.pdf").
_HIDDEN_CHAR = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown_name(text: str) -> str:
    """A file name or id as a page shows it: characters that reorder or hide text written as
    escapes (\\u202e), so what is read is what the name holds."""
    if not _HIDDEN_CHAR.search(text):
        return text
    return _HIDDEN_CHAR.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def file_url(doc_id: str, page: int | None = None, fmt: str = "") -> str:
    """The original file of a document (web/originals.py); a PDF opens at its page."""
    if path_safe(doc_id):
        url = f"{request.script_root}/file/{quote(doc_id, safe=_PATH_SAFE)}"
    else:  # a name the /file/<path> route cannot carry (a newline in it, say): doc_url
        url = f"{request.script_root}/file?id={_quoted(doc_id)}"
    own_file = doc_id.lower().endswith(".pdf")  # not a PDF attached inside a mail
    return f"{url}#page={page}" if page and fmt == "pdf" and own_file else url


def gone_from_site(doc_id: str) -> str:
    """Why a fetched page is gone from its site, '' if it is not (web/originals.py)."""
    from .originals import gone_from_site as gone

    return gone(doc_id)


def _query_lang(query: str) -> str:
    """The language of a query (a hit by meaning in another one says so), once per request."""
    cached = g.get("_query_lang")
    if cached is None or cached[0] != query:
        from ..analysis.language import detect_language

        cached = g._query_lang = (query, detect_language(query))
    return str(cached[1])


def _template_context() -> dict[str, Any]:
    ui = i18n.choose(request)
    other = "en" if ui == "vi" else "vi"
    return {
        "ui": ui,
        "t": i18n.STRINGS[ui],
        "ui_switch_url": qs(set={"ui": other}, drop=(), path=request.path),
        "qs": qs,
        "doc_url": doc_url,
        "file_url": file_url,
        "gone_from_site": gone_from_site,
        "lang_name": lambda code: i18n.language_name(ui, code),
        "text_dir": i18n.text_direction,
        "language_count": i18n.language_count,
        "langs_shown": i18n.LANGS_SHOWN,
        "query_lang": _query_lang,
        "htmx_js": HTMX_JS,
        "app_version": __version__,
    }


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/health":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def _error(status: int, title_key: str, text: str) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(error=text, status=status), status
    if request_ctx.url_adapter is None:  # a Host header the URL map refused: no link can be made
        return Response(f"{status} {text}\n", status, mimetype="text/plain"), status
    return render_template("error.html", status=status, title_key=title_key, text=text), status


def _no_index(exc: NoIndex) -> ResponseReturnValue:
    if request.path == "/health":
        return jsonify(status="no-index", version=None, documents=0), 503
    return _error(503, "no_index", i18n.STRINGS[i18n.choose(request)]["no_index_text"])


def _unavailable(exc: BackendUnavailable) -> ResponseReturnValue:
    """The search cluster cannot answer (unreachable, or red): 503 with a clear page, the
    cause in the error log (never a traceback to the client)."""
    current_app.logger.warning("search backend unavailable: %s", exc)
    if request.path == "/health":
        return jsonify(status="unavailable", backend=backend_name(), version=None, documents=0,
                       error=str(exc)[:300]), 503
    resp = _error(503, "unavailable", i18n.STRINGS[i18n.choose(request)]["unavailable_text"])
    return resp


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    strings = i18n.STRINGS[i18n.choose(request)]
    if exc.code == 429:
        return _too_many(exc)
    if exc.code == 404:
        if exc.description == "document" or request.path.startswith(("/doc/", "/api/doc/")):
            return _error(404, "not_found", strings["not_found_text"] if not _wants_json()
                          else exc.description or "not found")
        return _error(404, "page_not_found",
                      "not found" if _wants_json() else strings["page_not_found_text"])
    return _error(exc.code or 500, "error", exc.description or strings["error_text"])


def _too_many(exc: HTTPException) -> ResponseReturnValue:
    """429: say what the limit is and when to come back (Flask-Limiter adds Retry-After)."""
    strings = i18n.STRINGS[i18n.choose(request)]
    limit = getattr(exc, "limit", None)
    text = strings["too_many_text"].format(limit=str(limit.limit) if limit else exc.description)
    if _wants_json():
        return jsonify(error=text, status=429), 429
    return render_template("error.html", status=429, title_key="too_many", text=text), 429


def _unexpected(exc: Exception) -> ResponseReturnValue:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    requestlog.log_error(exc)
    return _error(500, "error", i18n.STRINGS[i18n.choose(request)]["error_text"])


def _vary_language(response):  # type: ignore[no-untyped-def]
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
    return response
